"""Every benchmark from one command: `python -m bench [--quick]` prints one JSON document.

Sections: portioning (demo and regional weeks), scaling (portioning and routing time as the
territory grows), routing (Solomon VRPTW instances vs PyVRP), documents (PDF rendering), load (API
throughput and latency, when bench/load.py is available). `--quick` trims each to a smoke run.
Ratios within one run are what to compare: the machines are shared and noisy.
"""
from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import json
import sys
from pathlib import Path

SOLOMON = Path(__file__).resolve().parent.parent.parent / "shared" / "bench" / "solomon"


def _capture(module: str, argv: list[str]):
    """Run `python -m bench.<module> argv` in-process and parse the JSON it prints."""
    out = io.StringIO()
    mod = importlib.import_module(f"bench.{module}")
    with contextlib.redirect_stdout(out):
        code = mod.main(argv)
    if code not in (0, None):
        return {"error": f"bench.{module} exited with {code}"}
    return json.loads(out.getvalue())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes and short time limits")
    parser.add_argument("--instances", default=str(SOLOMON), help="folder of Solomon instances")
    parser.add_argument("--only", default="portioning,scaling,routing,documents,load")
    args = parser.parse_args(argv)
    wanted = set(args.only.split(","))
    report: dict[str, object] = {}
    plan = {
        "portioning": ("portioning", ["--quick"] if args.quick else []),
        "scaling": ("scaling", ["--sizes", "demo,x2"] if args.quick else []),
        "routing": ("routing", ["--instances", args.instances, "--time-limit", "2" if args.quick else "10"]
                    + (["--only", "C101,R101"] if args.quick else [])),
        "documents": ("documents", []),
        "load": ("load", ["--quick"] if args.quick else []),
    }
    for name, (module, module_args) in plan.items():
        if name not in wanted:
            continue
        if name == "routing" and not Path(args.instances).is_dir():
            report[name] = {"skipped": f"no instances at {args.instances} (pass --instances DIR)"}
            continue
        print(f"bench: {name}…", file=sys.stderr)
        try:
            report[name] = _capture(module, module_args)
        except ModuleNotFoundError as exc:
            report[name] = {"skipped": str(exc)}
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
