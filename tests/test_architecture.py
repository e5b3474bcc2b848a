"""The "may import" column of ARCHITECTURE.md, checked on every module (function-level imports too).

`orders/`, `routing/` and `reports/` are pure: no Flask, no SQLAlchemy/SQLModel, no `app`; `routing/`
does not know `orders/`, and `reports/` takes plain data (never the solvers)."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = {
    "orders": {"flask", "flask_smorest", "sqlalchemy", "sqlmodel", "alembic", "app", "routing", "reports"},
    "routing": {"flask", "flask_smorest", "sqlalchemy", "sqlmodel", "alembic", "app", "orders", "reports"},
    "reports": {"flask", "flask_smorest", "sqlalchemy", "sqlmodel", "alembic", "app", "routing", "ortools"},
}


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_pure_packages_import_no_framework_nor_database(package):
    offences = {str(path.relative_to(ROOT)): sorted(imported_roots(path) & FORBIDDEN[package])
                for path in modules(package)}
    assert modules(package), f"{package}/ has no module"
    assert {k: v for k, v in offences.items() if v} == {}


def test_the_checker_sees_a_forbidden_import(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from sqlmodel import Session\n    import flask.json\n")
    assert imported_roots(sample) == {"sqlmodel", "flask"}


def test_tables_live_only_under_app_models():
    for path in ROOT.glob("*/**/*.py"):
        rel = path.relative_to(ROOT)
        if rel.parts[0] in {".venv", "tests", "bench"} or rel.parts[:2] == ("app", "models") \
                or rel.parts[:2] == ("app", "migrations"):
            continue
        assert "table=True" not in path.read_text(encoding="utf-8"), f"{rel} declares a table"
