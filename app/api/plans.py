"""Portioning, rounds and publication of a week (coordinator), rounds for drivers (their own)."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from app import schemas
from app.api.common import paginate, territory_id
from app.auth import current_user, require
from app.db import get_session, unit_of_work
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


@blp.route("/weeks/<string:week>/portioning")
class Portioning(MethodView):
    @require("coordinator")
    @blp.doc(security=[{"bearer": []}])
    @blp.response(200, schemas.PlanSchema)
    def get(self, week):
        """The current plan's portioning only (allocations, shortfalls, targets, baskets, solver)."""
        out = _plan_out(_current(week), week)
        out["plan"] = planning.portioning_part(out["plan"])
        return out

    @require("coordinator")
    @blp.doc(security=[{"bearer": []}])
    @blp.arguments(schemas.RunSchema)
    @blp.response(201, schemas.PlanSchema)
    def post(self, data, week):
        """Run the portioning of a closed week; a new plan version replaces the current one."""
        with unit_of_work() as session:
            row = weeks.find_week(session, week, territory_id())
            plan = planning.run_portioning(session, row, _actor(), data.get("reason"))
        return _plan_out(plan, week)


@blp.route("/weeks/<string:week>/plan")
class CurrentPlan(MethodView):
    @require("coordinator")
    @blp.doc(security=[{"bearer": []}])
    @blp.response(200, schemas.PlanSchema)
    def get(self, week):
        """The current plan version: portioning and rounds (SCENARIO.md's plan output)."""
        return _plan_out(_current(week), week)


@blp.route("/weeks/<string:week>/publish")
class Publish(MethodView):
    @require("coordinator")
    @blp.doc(security=[{"bearer": []}])
    @blp.response(200, schemas.PlanSchema)
    def post(self, week):
        """Render and cache the week's documents and mark it published."""
        with unit_of_work() as session:
            row = weeks.find_week(session, week, territory_id())
            plan = planning.publish_week(session, row, _actor())
        return _plan_out(plan, week)


def visible_round(round_id: int) -> Round:
    """A round the caller may see: any for the coordinator, their own for a driver (404 otherwise)."""
    return rounds.visible_round(get_session(), round_id, current_user())


@blp.route("/weeks/<string:week>/rounds")
class WeekRounds(MethodView):
    @require("coordinator", "driver")
    @blp.doc(security=[{"bearer": []}])
    @blp.arguments(schemas.RoundArgs, location="query")
    @blp.response(200, RoundPage)
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
    @blp.response(201, schemas.PlanSchema)
    def post(self, data, week):
        """Plan the rounds from the current portioning (runs it first if there is none)."""
        with unit_of_work() as session:
            row = weeks.find_week(session, week, territory_id())
            plan = planning.plan_rounds(session, row, _actor(), data.get("reason"))
        return _plan_out(plan, week)


@blp.route("/rounds/<int:round_id>")
class RoundItem(MethodView):
    @require("coordinator", "driver")
    @blp.doc(security=[{"bearer": []}])
    @blp.response(200, schemas.RoundSchema)
    def get(self, round_id):
        return rounds.round_out(get_session(), [visible_round(round_id)])[0]

    @require("coordinator")
    @blp.doc(security=[{"bearer": []}])
    @blp.arguments(schemas.RoundLockSchema)
    @blp.response(200, schemas.RoundSchema)
    def patch(self, data, round_id):
        """Lock or unlock a round's order (drivers like last week's sequence); then re-plan the rounds."""
        with unit_of_work() as session:
            rnd = planning.set_locked(session, visible_round(round_id), data["locked"], _actor())
        return rounds.round_out(get_session(), [rnd])[0]
