"""Real worker processes for the job tests, on either queue lane (SQLite file, or Redis).

A worker is started with the README's command, `flask --app wsgi worker`, in its own process group
(so SIGKILL takes it whole, as a machine losing power would). The test's own app shares the
worker's database, queue and documents folder; it submits jobs through the API like a client.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from app import create_app

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("TEST_REDIS_URL")
LEASE_S = 3.0
HANG_GUARD_S = 240.0  # a bound against hanging forever, not a performance check


@dataclass
class Lane:
    """One database + one queue + one documents folder, shared by the test app and its workers."""

    name: str
    db_url: str
    tmp: Path
    config: dict = field(default_factory=dict)
    workers: list = field(default_factory=list)

    def env(self, **extra: str) -> dict:
        env = {**os.environ, "DATABASE_URL": self.db_url, "SECRET_KEY": "job-tests", "PYTHONPATH": str(ROOT),
               "TERRIL_LOG_LEVEL": "INFO"}
        env.pop("TERRIL_SCHEDULER_IN_PROCESS", None)
        env.pop("TERRIL_QUEUE_IMMEDIATE", None)
        for key, value in self.config.items():
            env[key] = str(value)
        env.update(extra)
        return env

    def app(self, **config):
        cfg = {"TESTING": True, "SQLALCHEMY_DATABASE_URI": self.db_url, "SECRET_KEY": "job-tests",
               "TERRIL_QUEUE_IMMEDIATE": False}
        for key, value in self.config.items():
            cfg[key] = float(value) if key.endswith(("_S", "_LIMIT")) else (
                int(value) if key.endswith(("_ATTEMPTS", "_BATCH")) else value)
        cfg.update(config)
        return create_app(cfg)

    def start_worker(self, workers: int = 1, worker_type: str = "thread", **extra: str) -> subprocess.Popen:
        log = open(self.tmp / f"worker-{len(self.workers)}.log", "wb")
        proc = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--workers", str(workers),
             "--worker-type", worker_type], cwd=ROOT, env=self.env(**extra), stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True)
        self.workers.append(proc)
        return proc

    def kill(self, proc: subprocess.Popen) -> None:
        """SIGKILL the worker and its children: no handler runs, nothing is cleaned up."""
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()

    def stop_all(self) -> None:
        for proc in self.workers:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.workers:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill(proc)

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace")[-3000:] for p in sorted(self.tmp.glob("worker-*.log")))


def make_lane(name: str, db_url: str, tmp: Path, **config) -> Lane:
    base = {"TERRIL_DOCUMENTS_DIR": str(tmp / "documents"), "TERRIL_JOB_LEASE_S": LEASE_S,
            "TERRIL_ROUTING_TIME_LIMIT": 1.0, "TERRIL_PORTIONING_TIME_LIMIT": 2.0,
            "TERRIL_QUEUE_NAME": f"terril-test-{uuid.uuid4().hex[:8]}"}
    if name == "redis":
        base["TERRIL_QUEUE_URL"] = REDIS_URL
    else:
        base["TERRIL_QUEUE_FILE"] = str(tmp / "queue.db")
    base.update(config)
    return Lane(name, db_url, tmp, base)


def wait_until(predicate, what: str, lane: Lane | None = None, timeout_s: float = HANG_GUARD_S, every_s: float = 0.1):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every_s)
    raise AssertionError(f"gave up waiting for {what}" + (f"\n{lane.logs()}" if lane else ""))
