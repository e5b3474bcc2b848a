"""The planning pipeline: a week scenario → portioning → the loads of each stop → rounds → plan JSON.

`pipeline.py` is pure (plain dicts and the solvers' dataclasses, no Flask, no database), so the
scenario runner (`flask scenario run FILE`) and the stored weeks (`app/services/planning.py`) take
the very same path.
"""
