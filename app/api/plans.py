"""Portioning, rounds and publication of a week (coordinator), rounds for drivers (their own)."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from app import schemas
from app.api.common import paginate, territory_id
from app.api.jobs import JobSchema, job_response
from app.auth import current_user, require
from app.db import get_session, unit_of_work
from app.jobs import submit as jobs
from app.models import Plan, Round
from app.services import planning, rounds, weeks

blp = Blueprint("plans", "plans", url_prefix="/api/v1", description="Répartition, tournées et publication")
RoundPage = schemas.page_schema(schemas.RoundSchema, "RoundPage")


def _plan_out(plan: Plan, week: str) -> dict:
    return {**plan.model_dump(), "week": week}


def _week(week: str):
    return weeks.find_week(get_session(), week, territory_id())


def _actor() -> str:
    return current_user().name


def _current(week: str) -> Plan:
    return planning.require_plan(get_session(), _week(week))


def _job(kind: str, week: str, data: dict):
    """Long work is a job (app/jobs/): 202 with `Location: /api/v1/jobs/{id}`, or the identical one."""
    params = {"reason": data["reason"]} if data.get("reason") else {}
    if data.get("acknowledge"):
        params["acknowledge"] = True
    job, created = jobs.submit(kind, _week(week), _actor(), params)
    return job_response(job, created)


@blp.route("/weeks/<string:week>/portioning")
class Portioning(MethodView):
    @require("coordinator")
    @blp.doc(security=[{"bearer": []}])
    @blp.response(200, schemas.PlanSchema)
    @blp.doc(operationId="getPortioning")
    def get(self, week):
        """The current plan's portioning only (allocations, shortfalls, targets, baskets, solver)."""
        out = _plan_out(_current(week), week)
        out["plan"] = planning.portioning_part(out["plan"])
        return out

    @require("coordinator")
    @blp.doc(security=[{"bearer": []}])
    @blp.arguments(schemas.RunSchema)
    @blp.response(202, JobSchema)
    @blp.alt_response(200, schema=JobSchema, description="finished within `Prefer: wait=N`")
    @blp.doc(operationId="runPortioning")
    def post(self, data, week):
        """Portion a closed week, as a job (202 + Location); a new plan version replaces the current one."""
        return _job("portioning", week, data)


@blp.route("/weeks/<string:week>/plan")
class CurrentPlan(MethodView):
    @require("coordinator")
    @blp.doc(security=[{"bearer": []}])
    @blp.response(200, schemas.PlanSchema)
    @blp.doc(operationId="getCurrentPlan")
    def get(self, week):
        """The current plan version: portioning and rounds (SCENARIO.md's plan output)."""
        return _plan_out(_current(week), week)


@blp.route("/weeks/<string:week>/publish")
class Publish(MethodView):
    @require("coordinator")
    @blp.doc(security=[{"bearer": []}])
    @blp.response(202, JobSchema)
    @blp.alt_response(200, schema=JobSchema, description="finished within `Prefer: wait=N`")
    @blp.doc(operationId="publishWeek")
    @blp.arguments(schemas.PublishSchema)
    def post(self, data, week):
        """Render the week's documents (in parallel, switched in at once) and mark it published: a job.
        A week with no offers or a missed policy target is held (409, an alert) unless `acknowledge`."""
        return _job("publish", week, data)


def visible_round(round_id: int) -> Round:
    """A round the caller may see: any for the coordinator, their own for a driver (404 otherwise)."""
    return rounds.visible_round(get_session(), round_id, current_user())


@blp.route("/weeks/<string:week>/rounds")
class WeekRounds(MethodView):
    @require("coordinator", "driver")
    @blp.doc(security=[{"bearer": []}])
    @blp.arguments(schemas.RoundArgs, location="query")
    @blp.response(200, RoundPage)
    @blp.doc(operationId="listWeekRounds")
    def get(self, args, week):
        """Rounds of the week, by day, vehicle or driver; a driver sees only their own."""
        query = rounds.week_rounds_query(_week(week), current_user(), day=args.get("day"),
                                         vehicle=args.get("vehicle"), driver=args.get("driver"))
        page = paginate(get_session(), query, args)
        page["items"] = rounds.round_out(get_session(), page["items"], week)
        return page

    @require("coordinator")
    @blp.doc(security=[{"bearer": []}])
    @blp.arguments(schemas.RunSchema)
    @blp.response(202, JobSchema)
    @blp.alt_response(200, schema=JobSchema, description="finished within `Prefer: wait=N`")
    @blp.doc(operationId="planRounds")
    def post(self, data, week):
        """Plan the rounds from the current portioning (portioning first if there is none): a job."""
        return _job("rounds", week, data)


@blp.route("/rounds/<int:round_id>")
class RoundItem(MethodView):
    @require("coordinator", "driver")
    @blp.doc(security=[{"bearer": []}])
    @blp.response(200, schemas.RoundSchema)
    @blp.doc(operationId="getRound", summary="Read a round and its stops")
    def get(self, round_id):
        return rounds.round_out(get_session(), [visible_round(round_id)])[0]

    @require("coordinator")
    @blp.doc(security=[{"bearer": []}])
    @blp.arguments(schemas.RoundLockSchema)
    @blp.response(200, schemas.RoundSchema)
    @blp.doc(operationId="lockRound")
    def patch(self, data, round_id):
        """Lock or unlock a round's order (drivers like last week's sequence); then re-plan the rounds."""
        with unit_of_work() as session:
            rnd = planning.set_locked(session, visible_round(round_id), data["locked"], _actor())
        return rounds.round_out(get_session(), [rnd])[0]
