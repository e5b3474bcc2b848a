"""Conformance tests run other people's parsers (Node packages from npm) on Terril's exports.

The packages are pinned in tests/interop/node/package.json + package-lock.json; scripts/test.sh
installs them with `npm ci`. Without node or without that install, these tests are skipped with the
reason (never a failure of Terril's own code)."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

NODE_DIR = Path(__file__).parent / "node"


def _missing() -> str | None:
    if shutil.which("node") is None:
        return "node is not installed: the conformance tests against the npm parsers are skipped"
    if not (NODE_DIR / "node_modules" / "@datafoodconsortium" / "connector").is_dir():
        return f"npm packages not installed: run `npm ci` in {NODE_DIR} (scripts/test.sh does)"
    return None


@pytest.fixture
def node_script():
    reason = _missing()
    if reason:
        pytest.skip(reason)

    def run(script: str, *args: str, timeout: float = 120) -> dict:
        done = subprocess.run(["node", script, *args], cwd=NODE_DIR, capture_output=True, text=True,
                              timeout=timeout, check=False)
        assert done.returncode == 0, done.stderr[-2000:]
        return json.loads(done.stdout)

    return run
