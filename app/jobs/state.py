"""The `Job` row's life, written with conditional UPDATEs so that processes on several machines agree.

Every write names the attempt it belongs to (`attempts` is the fencing token): a worker presumed
dead by the reaper, or a job cancelled meanwhile, writes nothing. Each function commits its own
short transaction, except `finish_in`, which runs inside the use case's transaction so that a plan
version and the job's success are stored together or not at all (a retry then sees `succeeded`).
"""
from __future__ import annotations

import os
import socket
from datetime import UTC, datetime

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.errors import TITLES_FR
from app.models import Job
from orders.errors import DomainError


class Fenced(Exception):
    """This attempt no longer owns the job (cancelled, reaped, retried elsewhere): store nothing."""


def now() -> datetime:
    return datetime.now(UTC)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _aware(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:  # SQLite hands datetimes back naive; they were written in UTC
        value = value.replace(tzinfo=UTC)
    return value.isoformat()


def job_out(job: Job) -> dict:
    """The job resource (`GET /api/v1/jobs/{id}`)."""
    return {"id": job.id, "kind": job.kind, "territory": job.territory_id, "week": job.iso_week,
            "state": job.state, "progress": round(float(job.progress or 0.0), 3), "stage": job.stage,
            "created_at": _aware(job.created_at), "started_at": _aware(job.started_at),
            "finished_at": _aware(job.finished_at), "attempts": job.attempts,
            "cancel_requested": bool(job.cancel_requested), "result": job.result, "error": job.error}


def problem(status: int, code: str, detail: str, detail_fr: str, errors: list[dict] | None = None) -> dict:
    """A problem+json object (RFC 9457), the shape of `app/errors.py`, stored as the job's error."""
    return {"type": "about:blank", "title": TITLES_FR.get(status, "Erreur"), "status": status,
            "detail": detail, "detail_fr": detail_fr, "code": code, "errors": errors or []}


def problem_from(exc: BaseException) -> dict:
    if isinstance(exc, DomainError):
        errors = [{"field": exc.field, "message": exc.detail}] if exc.field else []
        return problem(exc.status, exc.code, exc.detail, exc.detail_fr, errors)
    return problem(500, "internal", f"Internal error in the job ({type(exc).__name__}).",
                   "Erreur interne pendant le travail : l'équipe technique est prévenue (voir le journal "
                   "du worker).")


def _running(job_id: int, attempt: int):
    return (Job.id == job_id, Job.state == "running", Job.attempts == attempt)


def claim(engine: Engine, job_id: int) -> int | None:
    """queued → running; the attempt number now owning the job, or None (cancelled, finished, taken)."""
    at = now()
    with engine.begin() as conn:
        done = conn.execute(update(Job).where(Job.id == job_id, Job.state == "queued").values(
            state="running", attempts=Job.attempts + 1, heartbeat_at=at, worker=worker_name(),
            finalizer=None)).rowcount
        if not done:
            return None
        conn.execute(update(Job).where(Job.id == job_id, Job.started_at.is_(None)).values(started_at=at))
        return conn.execute(Job.__table__.select().where(Job.id == job_id)).mappings().one()["attempts"]


def touch(engine: Engine, job_id: int, attempt: int, *, progress: float | None = None,
          stage: str | None = None) -> bool:
    """Heartbeat (and progress/stage when given); False when this attempt no longer owns the job."""
    values: dict = {"heartbeat_at": now()}
    if progress is not None:
        values["progress"] = max(0.0, min(1.0, float(progress)))
    if stage is not None:
        values["stage"] = stage[:200]
    with engine.begin() as conn:
        return bool(conn.execute(update(Job).where(*_running(job_id, attempt)).values(**values)).rowcount)


def advance(engine: Engine, job_id: int, attempt: int, progress: float) -> None:
    """Raise the progress to `progress` (never lower it: parts finish in any order)."""
    with engine.begin() as conn:
        conn.execute(update(Job).where(*_running(job_id, attempt), Job.progress < progress)
                     .values(progress=progress, heartbeat_at=now()))


def cancel_requested(engine: Engine, job_id: int) -> bool:
    with engine.connect() as conn:
        row = conn.execute(Job.__table__.select().where(Job.id == job_id)).mappings().one_or_none()
    return row is None or bool(row["cancel_requested"]) or row["state"] != "running"


def finish_in(session: Session, job_id: int, attempt: int, result: dict, stage: str = "Terminé") -> None:
    """running → succeeded, inside the caller's transaction; raise `Fenced` when not the owner."""
    done = session.connection().execute(update(Job).where(*_running(job_id, attempt), Job.cancel_requested == False)  # noqa: E712
                        .values(state="succeeded", progress=1.0, stage=stage, result=result,
                                finished_at=now(), active_key=None, heartbeat_at=now())).rowcount
    if not done:
        raise Fenced(job_id)


def fail(engine: Engine, job_id: int, attempt: int | None, error: dict, stage: str = "Échec") -> bool:
    """→ failed with `error` (problem+json); `attempt=None` for a job that never started."""
    where = _running(job_id, attempt) if attempt is not None else (Job.id == job_id, Job.state.in_(("queued", "running")))
    with engine.begin() as conn:
        return bool(conn.execute(update(Job).where(*where).values(
            state="failed", error=error, stage=stage, finished_at=now(), active_key=None)).rowcount)


def mark_cancelled(engine: Engine, job_id: int, attempt: int | None = None) -> bool:
    """A cancellation takes effect: queued (any attempt) or running (the given attempt) → cancelled."""
    where = (Job.id == job_id, Job.state == "queued") if attempt is None else _running(job_id, attempt)
    with engine.begin() as conn:
        return bool(conn.execute(update(Job).where(*where).values(
            state="cancelled", stage="Annulé", finished_at=now(), active_key=None)).rowcount)


def request_cancel(engine: Engine, job_id: int) -> str:
    """DELETE /jobs/{id}: a queued job is cancelled now, a running one at its next step.
    Returns what happened: `cancelled`, `requested` or `finished` (nothing to cancel)."""
    if mark_cancelled(engine, job_id):
        return "cancelled"
    with engine.begin() as conn:
        done = conn.execute(update(Job).where(Job.id == job_id, Job.state == "running").values(
            cancel_requested=True, stage="Annulation demandée")).rowcount
    return "requested" if done else "finished"


def claim_finalizer(engine: Engine, job_id: int, attempt: int) -> bool:
    """The one part of a publication that switches the documents into place (first to ask wins)."""
    with engine.begin() as conn:
        return bool(conn.execute(update(Job).where(*_running(job_id, attempt), Job.finalizer.is_(None))
                                 .values(finalizer=attempt, heartbeat_at=now())).rowcount)
