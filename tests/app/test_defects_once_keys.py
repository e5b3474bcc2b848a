"""Once-only keys are the same in every process (issue 12): no salted builtin `hash()`."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from app.services.cycle_jobs import bad_schedule_key

ROOT = Path(__file__).resolve().parents[2]
SCHEDULE = {"offers_open": {"weekday": "mercredi", "time": "25:00"}, "delivery_days": ["lundi", "mardi"],
            "timezone": "Europe/Paris"}
CODE = ("import json, sys; from app.services.cycle_jobs import bad_schedule_key; "
        "print(bad_schedule_key('lens-lievin', json.loads(sys.argv[1])))")
OLD = "import json, sys; print(abs(hash(str(json.loads(sys.argv[1])))) % 10**12)"


def _in_process(code: str, seed: str) -> str:
    import json

    env = {**os.environ, "PYTHONHASHSEED": seed}
    return subprocess.run([sys.executable, "-c", code, json.dumps(SCHEDULE)], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=True).stdout.strip()


def test_bad_schedule_key_is_the_same_in_two_processes():
    keys = {_in_process(CODE, seed) for seed in ("1", "2", "12345")}
    assert keys == {bad_schedule_key("lens-lievin", SCHEDULE)}
    assert keys.pop().startswith("lens-lievin:bad-schedule:")


def test_the_old_key_differed_between_processes():
    """What the test above guards against: `hash(str(...))` changes with the process's hash seed."""
    assert len({_in_process(OLD, seed) for seed in ("1", "2", "3")}) > 1


def test_key_ignores_key_order_and_tells_schedules_apart():
    reordered = dict(reversed(list(SCHEDULE.items())))
    assert bad_schedule_key("t", reordered) == bad_schedule_key("t", SCHEDULE)
    assert bad_schedule_key("t", {**SCHEDULE, "timezone": "UTC"}) != bad_schedule_key("t", SCHEDULE)
    assert bad_schedule_key("t", None) != bad_schedule_key("u", None)
