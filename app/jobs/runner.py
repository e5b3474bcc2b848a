"""Running one job in a worker: claim it, keep its lease alive, report progress, record the outcome.

A background thread per worker process (`Heartbeat`) renews the lease of every job this process is
working on and writes their progress: explicit steps (`JobContext.step`) and, while a solver runs
with a known time budget, a progress that moves with the time spent (`JobContext.expect`: the
solvers report no intermediate progress, their budget bounds them). Outcomes:

* the work raises a `DomainError` (a week not plannable, a missing grammage…) → `failed`, its
  problem+json (French `detail_fr`) stored as the job's error;
* anything else → `failed` with a generic internal error (the traceback goes to the worker's log);
* the row was cancelled or reaped meanwhile (`Fenced`, `Cancelled`) → the transaction is rolled
  back: nothing half-written, the job stays as the canceller or the reaper left it.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Flask

from app.db import engine as app_engine
from app.jobs import state
from app.models import Job

log = logging.getLogger(__name__)


class Cancelled(Exception):
    """The job was cancelled while it ran: stop at this step, store nothing."""


@dataclass
class _Entry:
    job_id: int
    attempt: int
    progress: float = 0.0
    stage: str | None = None
    dirty: bool = True
    expect: tuple[float, float, float, float] | None = None  # (start progress, end progress, t0, seconds)
    users: int = 1


@dataclass
class Heartbeat:
    """Renews the leases of this process's running jobs every `interval_s` and flushes progress."""

    app: Flask
    lease_s: float
    entries: dict[tuple[int, int], _Entry] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    pid: int = field(default_factory=os.getpid)
    thread: threading.Thread | None = None

    @property
    def interval_s(self) -> float:
        return max(0.2, min(1.0, self.lease_s / 4))

    def start(self) -> None:
        if self.thread is None or not self.thread.is_alive():
            self.thread = threading.Thread(target=self._run, name="terril-job-heartbeat", daemon=True)
            self.thread.start()

    def add(self, job_id: int, attempt: int) -> _Entry:
        with self.lock:
            entry = self.entries.get((job_id, attempt))
            if entry is None:
                entry = self.entries[(job_id, attempt)] = _Entry(job_id, attempt)
            else:
                entry.users += 1
        self.start()
        return entry

    def remove(self, job_id: int, attempt: int) -> None:
        with self.lock:
            entry = self.entries.get((job_id, attempt))
            if entry is not None:
                entry.users -= 1
                if entry.users <= 0:
                    del self.entries[(job_id, attempt)]

    def _run(self) -> None:
        last_beat = 0.0
        while True:
            time.sleep(self.interval_s)
            due = time.monotonic() - last_beat >= self.lease_s / 3
            with self.lock:
                entries = list(self.entries.values())
            for entry in entries:
                if entry.expect is not None:
                    start, end, t0, seconds = entry.expect
                    share = min(1.0, (time.monotonic() - t0) / seconds) if seconds > 0 else 1.0
                    value = round(start + (end - start) * share * 0.95, 3)
                    if value > entry.progress:
                        entry.progress, entry.dirty = value, True
                if not (entry.dirty or due):
                    continue
                try:
                    with self.app.app_context():
                        state.touch(app_engine(), entry.job_id, entry.attempt,
                                    progress=entry.progress if entry.dirty else None,
                                    stage=entry.stage if entry.dirty else None)
                    entry.dirty = False
                except Exception:  # a busy database must not kill the heartbeat; the next tick retries
                    log.warning("heartbeat of job %s failed", entry.job_id, exc_info=True)
            if due:
                last_beat = time.monotonic()


_HEARTBEATS: dict[int, Heartbeat] = {}
_HEARTBEATS_LOCK = threading.Lock()


def heartbeat(app: Flask) -> Heartbeat:
    """This process's heartbeat thread (a forked worker process gets its own)."""
    with _HEARTBEATS_LOCK:
        beat = _HEARTBEATS.get(os.getpid())
        if beat is None or beat.app is not app:
            beat = _HEARTBEATS[os.getpid()] = Heartbeat(app, float(app.config["TERRIL_JOB_LEASE_S"]))
        return beat


@dataclass
class JobContext:
    """What a task sees of its job: the row as claimed, and how to report progress."""

    app: Flask
    job: Job
    attempt: int
    entry: _Entry

    @property
    def engine(self):
        return app_engine()

    def step(self, progress: float, stage: str | None = None) -> None:
        """A step reached: set progress (0–1) and stage (French); stop here if cancelled."""
        self.entry.expect = None
        self.entry.progress = max(self.entry.progress, progress)
        if stage is not None:
            self.entry.stage = stage
        self.entry.dirty = True
        state.touch(self.engine, self.job.id, self.attempt, progress=self.entry.progress, stage=self.entry.stage)
        self.check()

    def expect(self, start: float, end: float, seconds: float, stage: str) -> None:
        """A solver starts with a budget of `seconds`: progress moves from start toward end meanwhile."""
        self.step(start, stage)
        self.entry.expect = (start, end, time.monotonic(), max(0.1, seconds))

    def check(self) -> None:
        if state.cancel_requested(self.engine, self.job.id):
            raise Cancelled(self.job.id)


def run(app: Flask, job_id: int, work: Callable[[JobContext], None]) -> None:
    """Claim job `job_id` and run `work` on it; record the outcome (see the module docstring)."""
    with app.app_context():
        engine = app_engine()
        attempt = state.claim(engine, job_id)
        if attempt is None:
            log.info("job %s: not queued any more (cancelled, finished or taken), skipped", job_id)
            return
        beat = heartbeat(app)
        entry = beat.add(job_id, attempt)
        try:
            from app.db import get_session

            job = get_session().get(Job, job_id)
            work(JobContext(app, job, attempt, entry))
        except Cancelled:
            state.mark_cancelled(engine, job_id, attempt)
        except state.Fenced:
            log.info("job %s attempt %s: fenced out (cancelled or retried), result dropped", job_id, attempt)
            state.mark_cancelled(engine, job_id, attempt)  # only when a cancellation fenced it
        except Exception as exc:  # noqa: BLE001 - every failure becomes the job's error
            if not hasattr(exc, "detail_fr"):
                log.exception("job %s (attempt %s) failed", job_id, attempt)
            if not state.fail(engine, job_id, attempt, state.problem_from(exc)):
                state.mark_cancelled(engine, job_id, attempt)
        finally:
            beat.remove(job_id, attempt)
