"""scripts/demo.sh installs the runtime only; scripts/test.sh adds the `dev` extra (issue 12, item 6).

scripts/setup.sh runs against a throw-away copy of the repository whose `.venv/bin/python` is a stub
that records its arguments: what would be installed, and when, without installing anything."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STUB = """#!/bin/sh
echo "$@" >> "$(dirname "$0")/../../calls.log"
exit 0
"""
CALLER = """#!/usr/bin/env bash
set -euo pipefail
cd "$(dirname "$0")/.."
{line}
echo "PATH-OK $(command -v python)"
"""


def _caller(script: str) -> str:
    """The line of `script` that sources setup.sh (so the test follows the real scripts)."""
    lines = (ROOT / "scripts" / script).read_text().splitlines()
    line = next(text for text in lines if "source scripts/setup.sh" in text)
    return line.strip()


@pytest.fixture
def repo(tmp_path):
    if shutil.which("bash") is None:
        pytest.skip("no bash")
    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "setup.sh", tmp_path / "scripts" / "setup.sh")
    for name in ("demo.sh", "test.sh"):
        (tmp_path / "scripts" / f"as-{name}").write_text(CALLER.format(line=_caller(name)))
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    bin_dir = tmp_path / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "python").write_text(STUB)
    (bin_dir / "python").chmod(0o755)
    return tmp_path


def _run(repo: Path, script: str, **env) -> list[str]:
    log = repo / "calls.log"
    log.unlink(missing_ok=True)
    environ = {k: v for k, v in os.environ.items() if k != "TERRIL_EXTRAS"}
    environ.update(PYTHON=sys.executable, **env)
    done = subprocess.run(["bash", str(repo / "scripts" / f"as-{script}")], env=environ, capture_output=True,
                          text=True, check=True)
    assert "PATH-OK" in done.stdout, done.stderr
    calls = log.read_text().splitlines() if log.exists() else []
    return [c for c in calls if c.startswith("-m pip install --quiet -e")]


def test_demo_installs_the_runtime_and_test_adds_dev_extras(repo):
    assert _run(repo, "demo.sh") == ["-m pip install --quiet -e ."]
    assert _run(repo, "demo.sh") == []  # stamped: nothing to do
    assert _run(repo, "test.sh") == ["-m pip install --quiet -e .[dev]"]  # switching adds the test tools
    assert _run(repo, "test.sh") == []
    assert _run(repo, "demo.sh") == []  # and back: the runtime stamp still holds
    assert sorted(p.name for p in (repo / ".venv").glob(".terril-installed-*")) == [
        ".terril-installed-dev", ".terril-installed-runtime"]


def test_a_newer_pyproject_reinstalls_each_set_once(repo):
    _run(repo, "demo.sh"), _run(repo, "test.sh")
    future = (repo / ".venv" / ".terril-installed-dev").stat().st_mtime + 10
    os.utime(repo / "pyproject.toml", (future, future))
    assert _run(repo, "test.sh") == ["-m pip install --quiet -e .[dev]"]
    os.utime(repo / ".venv" / ".terril-installed-dev", (future + 1, future + 1))
    assert _run(repo, "test.sh") == []
    assert _run(repo, "demo.sh") == ["-m pip install --quiet -e ."]


def test_extras_can_be_chosen_explicitly(repo):
    assert _run(repo, "demo.sh", TERRIL_EXTRAS="bench") == ["-m pip install --quiet -e .[bench]"]


def test_readme_keeps_the_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert re.search(r"^bash scripts/demo\.sh\b", readme, re.M) and re.search(r"^bash scripts/test\.sh\b", readme, re.M)
