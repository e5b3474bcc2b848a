"""The job resource: `GET /jobs/{id}`, `GET /jobs?week=&state=`, `DELETE /jobs/{id}` (cancel).

Portioning, rounds and publication (`app/api/plans.py`) answer `202 Accepted` with
`Location: /api/v1/jobs/{id}` and this resource; `Prefer: wait=N` (RFC 7240) on those POSTs or on
`GET /jobs/{id}` waits up to N seconds (at most 120) and answers 200 with the finished job, or 202
with the job still under way.
"""
from __future__ import annotations

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlmodel import select

from app import schemas
from app.api.common import paginate, territory_id
from app.auth import require
from app.db import engine, get_session
from app.errors import ProblemSchema
from app.jobs import reaper, state, submit
from app.models import FINISHED_STATES, JOB_KINDS, JOB_STATES, Job
from orders.errors import Conflict, NotFound

blp = Blueprint("jobs", "jobs", url_prefix="/api/v1", description="Travaux longs (file de tâches)")


class JobSchema(Schema):
    id = fields.Integer()
    kind = fields.String(metadata={"enum": list(JOB_KINDS)})
    territory = fields.String()
    week = fields.String()
    state = fields.String(metadata={"enum": list(JOB_STATES)})
    progress = fields.Float(metadata={"description": "0.0 to 1.0"})
    stage = fields.String(allow_none=True, metadata={"description": "what the job is doing, in French"})
    created_at = fields.String()
    started_at = fields.String(allow_none=True)
    finished_at = fields.String(allow_none=True)
    attempts = fields.Integer()
    cancel_requested = fields.Boolean()
    result = fields.Dict(allow_none=True, metadata={"description": "links to the plan version or the documents"})
    error = fields.Nested(ProblemSchema, allow_none=True)


class JobArgs(schemas.PageArgs):
    week = fields.String(validate=schemas.WEEK)
    state = fields.String(validate=validate.OneOf(JOB_STATES))
    kind = fields.String(validate=validate.OneOf(JOB_KINDS))


JobPage = schemas.page_schema(JobSchema, "JobPage")


def job_response(job: Job, created: bool = True):
    """The answer to a submitted (or found) job: wait as the client prefers, then 200 or 202."""
    seconds = submit.prefer_wait(request.headers.get("Prefer"))
    headers = {"Location": f"/api/v1/jobs/{job.id}"}
    if seconds is not None:
        headers["Preference-Applied"] = f"wait={seconds:g}"
        if job.state not in FINISHED_STATES:
            job = submit.wait_for(job.id, seconds)
    if job.state in FINISHED_STATES:
        return state.job_out(job), 200, headers
    headers["Retry-After"] = "1"
    return state.job_out(job), 202, headers


def visible_job(job_id: int) -> Job:
    job = get_session().get(Job, job_id)
    if job is None or job.territory_id != territory_id():
        raise NotFound(f"Job {job_id} not found.", "Travail introuvable.", "job_id")
    return job


@blp.route("/jobs")
class Jobs(MethodView):
    @require("coordinator")
    @blp.doc(security=[{"bearer": []}])
    @blp.arguments(JobArgs, location="query")
    @blp.response(200, JobPage)
    @blp.doc(operationId="listJobs")
    def get(self, args):
        """The territory's jobs, newest first, by week, state or kind."""
        query = select(Job).where(Job.territory_id == territory_id())
        for name in ("state", "kind"):
            if args.get(name):
                query = query.where(getattr(Job, name) == args[name])
        if args.get("week"):
            query = query.where(Job.iso_week == args["week"])
        page = paginate(get_session(), query.order_by(Job.id.desc()), args)
        page["items"] = [state.job_out(j) for j in page["items"]]
        return page


@blp.route("/jobs/<int:job_id>")
class JobItem(MethodView):
    @require("coordinator")
    @blp.doc(security=[{"bearer": []}])
    @blp.response(200, JobSchema)
    @blp.alt_response(202, schema=JobSchema, description="still queued or running after `Prefer: wait=N`")
    @blp.doc(operationId="getJob")
    def get(self, job_id):
        """A job: state, progress, stage, then result or error. `Prefer: wait=N` waits for its end."""
        job = visible_job(job_id)
        if job.state not in FINISHED_STATES:
            reaper.reap(job_id=job.id)
            job = submit.fresh(job.id)
        if submit.prefer_wait(request.headers.get("Prefer")) is None:
            return state.job_out(job)
        return job_response(job)

    @require("coordinator")
    @blp.doc(security=[{"bearer": []}])
    @blp.response(200, JobSchema)
    @blp.alt_response(202, schema=JobSchema, description="running: cancelled at its next step")
    @blp.doc(operationId="cancelJob")
    def delete(self, job_id):
        """Cancel a job: a queued one at once (200), a running one at its next step (202)."""
        job = visible_job(job_id)
        outcome = state.request_cancel(engine(), job.id)
        if outcome == "finished":
            raise Conflict(f"Job {job_id} is already {job.state}.",
                           f"Ce travail est déjà terminé (état : {job.state}) : rien à annuler.", "job_id")
        return state.job_out(submit.fresh(job.id)), 200 if outcome == "cancelled" else 202
