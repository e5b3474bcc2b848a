"""Submitting a job (API, pages, CLI) and waiting for it.

`submit` checks what can be checked at once (the week's state, a plan to publish: a 4xx before any
job exists), then inserts the `Job` row with its `active_key`: when an identical job (same kind,
territory and week) is queued or running, the unique constraint refuses the insert and that job is
returned instead. The row is committed (in the request's session, so an `Idempotency-Key` record
commits with it) before the task is enqueued, so a worker always finds it.
"""
from __future__ import annotations

import re
import time

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.db import engine as app_engine
from app.db import get_session, separate_unit_of_work
from app.jobs import enqueue_job, state
from app.models import FINISHED_STATES, Job, Week
from app.services import alerts, planning
from orders.errors import Conflict, DomainError

MAX_WAIT_S = 120.0


class QueueUnavailable(DomainError):
    status = 503
    code = "queue_unavailable"


def precheck(session, kind: str, week: Week, params: dict | None = None) -> None:
    """The refusals known before running: a 409/404 now rather than a failed job later."""
    if kind in ("portioning", "rounds") and week.state not in planning.PLANNABLE:
        raise Conflict(f"Week {week.iso_week} is {week.state}: plan it once orders are closed (and before "
                       "publishing).",
                       f"La semaine {week.iso_week} est à l'état « {week.state} » : on planifie une semaine "
                       "dont les commandes sont closes et qui n'est pas encore publiée.", "week")
    if kind in ("documents", "publish"):
        planning.require_plan(session, week)
    if kind == "publish" and week.state != "planned":
        raise Conflict(f"Week {week.iso_week} is {week.state}; only a planned week is published.",
                       f"Seule une semaine planifiée peut être publiée (état : {week.state}).", "week")
    if kind == "publish":  # no offers, or a missed target: held unless the coordinator acknowledges
        alerts.check_publication(session, week, planning.require_plan(session, week),
                                 acknowledge=bool((params or {}).get("acknowledge")))
    if kind == "shortage" and week.state != "published":
        raise Conflict(f"Week {week.iso_week} is {week.state}: before publication, change the offer itself.",
                       f"La semaine {week.iso_week} n'est pas publiée : avant la publication, on modifie l'offre.",
                       "week")


def submit(kind: str, week: Week, actor: str, params: dict | None = None) -> tuple[Job, bool]:
    """The job doing `kind` for `week`: a new one (True) or the identical one already under way."""
    session = get_session()
    precheck(session, kind, week, params)
    key = f"{kind}:{week.territory_id}:{week.iso_week}"
    engine = app_engine()
    for _ in range(5):
        job = Job(kind=kind, territory_id=week.territory_id, week_id=week.id, iso_week=week.iso_week,
                  state="queued", active_key=key, progress=0.0, stage="En attente d'un worker",
                  params=params or {}, created_by=actor, created_at=state.now(), attempts=0)
        try:
            with separate_unit_of_work(session):  # committed before a worker hears of it (an Idempotency-Key record with it)
                session.add(job)
        except IntegrityError:  # the unit of work rolled back
            with engine.connect() as conn:
                existing = conn.execute(select(Job.id).where(Job.active_key == key)).scalar()
            if existing is not None:
                found = fresh(existing)
                if found is not None and kind == "shortage" and found.params != (params or {}):
                    raise Conflict("Another shortage of this week is being re-planned; report again in a minute.",
                                   "Un autre manque de la semaine est en cours de prise en compte : "
                                   "signalez-le de nouveau dans une minute.", "offer_id") from None
                return found, False
            continue  # the identical job finished meanwhile: try again
        job_id = job.id
        try:
            enqueue_job(current_app._get_current_object(), job_id)
        except Exception as exc:  # the queue's storage does not answer (Redis down…)
            state.fail(engine, job_id, None, state.problem(
                503, "queue_unavailable", f"The task queue is unavailable ({type(exc).__name__}).",
                "La file des travaux est indisponible : réessayez dans un instant."))
            raise QueueUnavailable(f"The task queue is unavailable ({type(exc).__name__}).",
                                   "La file des travaux est indisponible : réessayez dans un instant.") from exc
        return fresh(job_id), True
    raise Conflict("An identical job keeps starting and finishing; retry.",
                   "Un travail identique vient de démarrer et de finir : réessayez.", "week")


def fresh(job_id: int) -> Job | None:
    """The job as stored now (not as this session last saw it)."""
    session = get_session()
    job = session.get(Job, job_id)
    if job is not None:
        session.refresh(job)
    return job


def prefer_wait(header: str | None) -> float | None:
    """Seconds of RFC 7240 `Prefer: wait=N` (capped), or None."""
    match = re.search(r"(?:^|[,;\s])wait\s*=\s*(\d+(?:\.\d+)?)", header or "")
    return min(float(match.group(1)), MAX_WAIT_S) if match else None


def wait_for(job_id: int, seconds: float) -> Job:
    """Poll the row until the job is finished or `seconds` have passed; the job as it stands."""
    from app.jobs.reaper import reap

    deadline = time.monotonic() + seconds
    delay = 0.05
    engine = app_engine()
    while True:
        with engine.connect() as conn:
            current = conn.execute(select(Job.state).where(Job.id == job_id)).scalar()
        if current in FINISHED_STATES or current is None or time.monotonic() >= deadline:
            break
        time.sleep(min(delay, max(0.0, deadline - time.monotonic())))
        delay = min(delay * 1.5, 0.5)
        if current == "running":
            reap(job_id=job_id)
    return fresh(job_id)
