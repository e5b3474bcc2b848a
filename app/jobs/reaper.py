"""The reaper: a job is never left `running` (or `queued`) forever when its worker died.

A running job whose heartbeat is older than `TERRIL_JOB_LEASE_S`, and none of whose parts (of
this attempt) still waits in the queue, lost its worker (SIGKILL, OOM, a machine gone): it is put back to `queued`
and re-enqueued while it has attempts left (`TERRIL_JOB_MAX_ATTEMPTS`), else marked `failed`
with a French explanation. A queued job whose message is missing from the queue (its worker died
between taking the message and claiming the row) is re-enqueued too. Every change is a
conditional UPDATE on the stale row, so reapers running in several processes agree.

The reaper runs in every `flask worker` (a thread, every lease / 3) and on each read of a job
(`GET /api/v1/jobs/{id}`), so a job's state is bounded even while no worker is up.
"""
from __future__ import annotations

import logging
import threading
from datetime import timedelta

from flask import Flask, current_app
from sqlalchemy import or_, update
from sqlmodel import select

from app.db import engine as app_engine
from app.db import get_session
from app.jobs import state
from app.models import Job

log = logging.getLogger(__name__)


def _pending(huey) -> tuple[set[int], set[tuple[int, int]]]:
    """What waits in the queue: job ids with a "run job" message, (job id, attempt) with a part message.

    Only these can move a job on: a "run job" message for a running job is skipped when a worker
    takes it (the claim wants `queued`), so it must not keep a dead worker's job from being reaped.
    """
    jobs, parts = set(), set()
    for task in huey.pending():
        args = tuple(task.args or ())
        if len(args) == 1 and isinstance(args[0], int):
            jobs.add(args[0])
        elif len(args) >= 2 and isinstance(args[0], int) and isinstance(args[1], int):
            parts.add((args[0], args[1]))
    return jobs, parts


def _lost(job: Job, max_attempts: int) -> dict:
    return state.problem(
        500, "worker_lost", f"The worker running this job stopped ({job.attempts} attempt(s)).",
        f"Le travail a été interrompu : le processus qui l'exécutait s'est arrêté ({job.attempts} "
        f"tentative(s) sur {max_attempts}). Relancez-le ; si l'arrêt se répète, voyez le journal des workers.")


def reap(app: Flask | None = None, job_id: int | None = None) -> list[int]:
    """Retry or fail the stale jobs (all of them, or just `job_id`); the ids acted upon."""
    from app.jobs import enqueue_job, huey_of

    app = app or current_app._get_current_object()
    config = app.config
    lease = timedelta(seconds=float(config["TERRIL_JOB_LEASE_S"]))
    max_attempts = int(config["TERRIL_JOB_MAX_ATTEMPTS"])
    stale_before = state.now() - lease
    query = select(Job).where(Job.state.in_(("running", "queued")),
                              or_(Job.heartbeat_at.is_(None), Job.heartbeat_at < stale_before))
    if job_id is not None:
        query = query.where(Job.id == job_id)
    session = get_session()
    candidates = [j for j in session.exec(query).all()
                  if j.state == "running" or (j.heartbeat_at or j.created_at).replace(tzinfo=None)
                  < stale_before.replace(tzinfo=None)]
    if not candidates:
        return []
    huey = huey_of(app)
    if huey.immediate:
        return []  # tasks ran in the caller: nothing can be lost in a queue
    waiting_jobs, waiting_parts = _pending(huey)
    engine, acted = app_engine(), []
    for job in candidates:
        if job.state == "queued" and job.id in waiting_jobs:
            continue  # its task still waits for a free worker
        if job.state == "running" and (job.id, job.attempts) in waiting_parts:
            continue  # some of its parts still wait for a free worker
        stale = (Job.id == job.id, Job.state == job.state, Job.attempts == job.attempts,
                 or_(Job.heartbeat_at.is_(None), Job.heartbeat_at < stale_before))
        if job.state == "queued":
            with engine.begin() as conn:
                if conn.execute(update(Job).where(*stale).values(heartbeat_at=state.now())).rowcount:
                    acted.append(job.id)
                    enqueue_job(app, job.id)
            continue
        if job.attempts >= max_attempts:
            with engine.begin() as conn:
                done = conn.execute(update(Job).where(*stale).values(
                    state="failed", stage="Échec : worker arrêté", error=_lost(job, max_attempts),
                    finished_at=state.now(), active_key=None)).rowcount
            if done:
                log.warning("job %s failed: its worker stopped (%s attempts)", job.id, job.attempts)
                acted.append(job.id)
            continue
        with engine.begin() as conn:
            done = conn.execute(update(Job).where(*stale).values(
                state="queued", heartbeat_at=state.now(), finalizer=None,
                stage=f"Relancé après l'arrêt d'un worker (tentative {job.attempts + 1} sur {max_attempts})")
            ).rowcount
        if done:
            log.warning("job %s re-queued: its worker stopped (attempt %s)", job.id, job.attempts)
            acted.append(job.id)
            enqueue_job(app, job.id)
    session.expire_all()
    return acted


class Reaper:
    """The reaper thread of a worker process."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="terril-job-reaper", daemon=True)

    def start(self) -> Reaper:
        self.thread.start()
        return self

    def _run(self) -> None:
        interval = max(0.5, float(self.app.config["TERRIL_JOB_LEASE_S"]) / 3)
        while not self.stop.wait(interval):
            try:
                with self.app.app_context():
                    reap(self.app)
            except Exception:  # a busy database or queue: try again at the next tick
                log.warning("reaper tick failed", exc_info=True)
