"""Documents and publication: the week's PDFs rendered in parallel parts, switched into place at once.

A `documents` or `publish` job (parent task `start`) lists the PDFs of the current plan version
(`documents.week_document_files`), cuts them into parts of `TERRIL_PUBLISH_BATCH` and enqueues one
task per part; any worker takes any part. Every part renders into the same staging folder
`<week>/.staging-job<id>-v<version>/` and leaves a marker `.part-<n>` when its PDFs are written.
The part that completes the set wins the job's `finalizer` (a conditional UPDATE) and switches the
folder into place: `v<version>/` is renamed aside, the staging folder renamed to `v<version>/`, so
readers see the previous files or the whole new set (documents served in between are rendered on
demand from the same plan version: the same bytes). Then, in one transaction, a publication moves
the week to `published` and the job to `succeeded`.

* A failed render fails the job with a problem+json naming the document and the reason (French),
  removes the staging folder and leaves whatever was published before untouched.
* A retry (the reaper re-queues a job whose worker died) re-enqueues only the parts without their
  marker: no document is rendered twice into the set, the week is published once.
* A plan version whose folder already holds a complete set (`.complete`) is not rendered again.

Several machines need `TERRIL_DOCUMENTS_DIR` on a shared volume (the staging folder is shared).
"""
from __future__ import annotations

import logging
import shutil
import threading
from pathlib import Path

from flask import Flask
from sqlalchemy import update
from sqlmodel import select

from app.db import engine as app_engine
from app.db import get_session, unit_of_work
from app.jobs import state
from app.jobs.runner import JobContext, heartbeat
from app.models import Job, Plan, Round, Week
from app.services import documents, planning, weeks
from orders.errors import Conflict

log = logging.getLogger(__name__)
COMPLETE = ".complete"
_FILES_CACHE: dict[int, list[documents.DocumentFile]] = {}  # plan id → its documents (one per process)
_FILES_LOCK = threading.Lock()
#: relative rendering time of each kind of document (a day's sheets hold all its rounds' sheets)
RENDER_WEIGHT = {"day_sheets": 4.0, "summary": 2.0, "pick_list": 2.0, "route_sheet": 1.5, "delivery_note": 1.0}


def staging_dir(final: Path, job_id: int, version: int) -> Path:
    return final.parent / f".staging-job{job_id}-v{version}"


def _files(session, week: Week, plan: Plan) -> list[documents.DocumentFile]:
    """The plan's documents, built once per process (each part of a publication needs them)."""
    with _FILES_LOCK:
        files = _FILES_CACHE.get(plan.id)
        if files is None:
            _FILES_CACHE.clear()
            files = _FILES_CACHE[plan.id] = documents.week_document_files(session, week, plan)
        return files


def _check_publishable(job: Job, week: Week) -> None:
    if job.kind == "publish" and week.state != "planned":
        raise Conflict(f"Week {week.iso_week} is {week.state}; only a planned week is published.",
                       f"Seule une semaine planifiée peut être publiée (état : {week.state}).", "week")


def _done_parts(staging: Path) -> int:
    return len(list(staging.glob(".part-*"))) if staging.is_dir() else 0


def start(ctx: JobContext, enqueue_part) -> None:
    """The parent task: list the documents, enqueue the parts not done yet (or finish at once)."""
    job, session = ctx.job, get_session()
    week = session.get(Week, job.week_id)
    plan = planning.require_plan(session, week)
    _check_publishable(job, week)
    ctx.step(0.02, "Préparation des documents")
    final = documents.cache_dir(week, plan)
    files = _files(session, week, plan)
    names = [f.filename for f in files]
    staging = staging_dir(final, job.id, plan.version)
    if (final / COMPLETE).exists() and all((final / n).exists() for n in names):
        if state.claim_finalizer(app_engine(), job.id, ctx.attempt):  # this version's set is complete
            _finalize(ctx.app, job.id, ctx.attempt, plan.version)
        return
    batch = max(1, int(ctx.app.config["TERRIL_PUBLISH_BATCH"]))
    order = sorted(files, key=lambda f: -RENDER_WEIGHT.get(f.kind, 1.0))  # longest first: the parts end together
    parts = [[f.filename for f in order[i:i + batch]] for i in range(0, len(order), batch)]
    staging.mkdir(parents=True, exist_ok=True)
    with app_engine().begin() as conn:
        conn.execute(update(Job).where(Job.id == job.id).values(parts=len(parts)))
    done = _done_parts(staging)
    ctx.step(0.05 + 0.9 * done / len(parts), f"Production des documents : {done} lot(s) sur {len(parts)} prêts")
    missing = [i for i in range(len(parts)) if not (staging / f".part-{i}").exists()]
    if not missing:
        if state.claim_finalizer(app_engine(), job.id, ctx.attempt):
            _finalize(ctx.app, job.id, ctx.attempt, plan.version)
        return
    for index in missing:
        enqueue_part(job.id, ctx.attempt, plan.version, index, len(parts), parts[index])


def _owned(engine, job_id: int, attempt: int) -> Job | None:
    job = get_session().get(Job, job_id)
    if job is None or job.state != "running" or job.attempts != attempt:
        return None
    return job


def run_part(app: Flask, job_id: int, attempt: int, version: int, index: int, total: int,
             names: list[str]) -> None:
    """One part: render its PDFs into the staging folder, mark it done, finish the job if last."""
    with app.app_context():
        engine = app_engine()
        job = _owned(engine, job_id, attempt)
        if job is None:
            return
        beat = heartbeat(app)
        beat.add(job_id, attempt)
        try:
            session = get_session()
            week = session.get(Week, job.week_id)
            plan = planning.require_plan(session, week)
            final = documents.cache_dir(week, plan)
            staging = staging_dir(final, job_id, version)
            if plan.version != version:
                _fail(engine, job_id, attempt, staging, state.problem(
                    409, "plan_changed", "The plan changed during the publication.",
                    "Le plan a changé pendant la production des documents : relancez la publication."))
                return
            by_name = {f.filename: f for f in _files(session, week, plan)}
            for name in names:
                if state.cancel_requested(engine, job_id):
                    if state.mark_cancelled(engine, job_id, attempt):
                        shutil.rmtree(staging, ignore_errors=True)
                    return
                path = staging / name
                if path.exists():
                    continue  # written by an earlier attempt of this part
                try:
                    data = by_name[name].render_pdf()
                except Exception as exc:  # noqa: BLE001 - the job's error names the document and why
                    log.exception("job %s: rendering %s failed", job_id, name)
                    _fail(engine, job_id, attempt, staging, document_problem(name, exc))
                    return
                if not staging.is_dir():
                    return  # the job failed or was cancelled meanwhile
                tmp = path.with_name(path.name + ".tmp")
                tmp.write_bytes(data)
                tmp.replace(path)
            (staging / f".part-{index}").write_text("\n".join(names), encoding="utf-8")
            done = _done_parts(staging)
            rendered = len(list(staging.glob("*.pdf")))
            state.advance(engine, job_id, attempt, round(0.05 + 0.9 * done / total, 3))
            state.touch(engine, job_id, attempt, stage=f"Production des documents : {rendered} prêt(s)")
            if done >= total and state.claim_finalizer(engine, job_id, attempt):
                _finalize(app, job_id, attempt, version)
        except Exception as exc:  # noqa: BLE001
            log.exception("job %s part %s failed", job_id, index)
            state.fail(engine, job_id, attempt, state.problem_from(exc))
        finally:
            beat.remove(job_id, attempt)


def document_problem(name: str, exc: BaseException) -> dict:
    reason = str(exc) or type(exc).__name__
    return state.problem(
        500, "document_failed", f"Rendering {name} failed: {reason}",
        f"Le document « {name} » n'a pas pu être produit ({reason}). Aucun document de cette version "
        "n'a été mis en ligne : les documents publiés auparavant restent en place.",
        [{"field": name, "message": reason}])


def _fail(engine, job_id: int, attempt: int, staging: Path, error: dict) -> None:
    if state.fail(engine, job_id, attempt, error):
        shutil.rmtree(staging, ignore_errors=True)


def _switch(final: Path, staging: Path, job_id: int) -> None:
    """Put the staging folder in the place of `final` (two renames; the set appears whole)."""
    if not staging.is_dir():
        if (final / COMPLETE).exists():
            return  # switched by an earlier attempt that died before committing
        raise RuntimeError(f"staging folder {staging} is missing")
    (staging / COMPLETE).write_text(f"job {job_id}\n", encoding="utf-8")
    aside = final.parent / f".old-{final.name}-job{job_id}"
    if final.exists():
        shutil.rmtree(aside, ignore_errors=True)
        final.rename(aside)
    staging.rename(final)
    shutil.rmtree(aside, ignore_errors=True)


def _result(session, week: Week, plan: Plan, files: list[documents.DocumentFile]) -> dict:
    w = week.iso_week
    round_ids = {(r.day.isoformat(), r.vehicle_id): r.id
                 for r in session.exec(select(Round).where(Round.week_id == week.id)).all()}
    docs = []
    for f in files:
        href = {"day_sheets": lambda k: f"/api/v1/weeks/{w}/days/{k[0]}/sheets.pdf",
                "pick_list": lambda k: f"/api/v1/producers/{k[0]}/weeks/{w}/picklist.pdf",
                "delivery_note": lambda k: f"/api/v1/sites/{k[0]}/weeks/{w}/delivery-note.pdf",
                "summary": lambda k: f"/api/v1/weeks/{w}/summary.pdf"}.get(f.kind)
        if f.kind == "route_sheet":
            rid = round_ids.get((str(f.key[0]), f.key[1]))
            url = f"/api/v1/rounds/{rid}/sheet.pdf" if rid else f"/api/v1/weeks/{w}/days/{f.key[0]}/sheets.pdf"
        else:
            url = href(f.key) if href else None
        docs.append({"name": f.filename, "kind": f.kind, "href": url})
    return {"plan_version": plan.version, "plan": f"/api/v1/weeks/{w}/plan", "documents": docs}


def _finalize(app: Flask, job_id: int, attempt: int, version: int) -> None:
    engine = app_engine()
    session = get_session()
    job = session.get(Job, job_id)
    week = session.get(Week, job.week_id)
    plan = planning.require_plan(session, week)
    if plan.version != version:
        state.fail(engine, job_id, attempt, state.problem(
            409, "plan_changed", "The plan changed during the publication.",
            "Le plan a changé pendant la production des documents : relancez la publication."))
        return
    final = documents.cache_dir(week, plan)
    files = _files(session, week, plan)
    _switch(final, staging_dir(final, job_id, version), job_id)
    result = _result(session, week, plan, files)
    session.rollback()  # leave the reads behind: the outcome is one short transaction
    with unit_of_work() as tx:
        week = tx.get(Week, job.week_id)
        if job.kind == "publish":
            _check_publishable(job, week)
            weeks.transition(tx, week, "published", None, actor=job.created_by)
        stage = "Semaine publiée" if job.kind == "publish" else "Documents prêts"
        state.finish_in(tx, job_id, attempt, result, stage)
