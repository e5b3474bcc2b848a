"""Portioning, rounds and publication of a week (coordinator), rounds for drivers (their own)."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from sqlmodel import select

from app import schemas
from app.api.common import paginate, territory_id
from app.auth import current_user, require
from app.db import get_session, unit_of_work
from app.models import Plan, Round, RoundStop, Week
from app.services import planning, weeks
from orders.errors import NotFound

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


PORTIONING_KEYS = ("week", "allocations", "shortfalls", "targets", "baskets")


@blp.route("/weeks/<string:week>/portioning")
class Portioning(MethodView):
    @require("coordinator")
    @blp.doc(security=[{"bearer": []}])
    @blp.response(200, schemas.PlanSchema)
    def get(self, week):
        """The current plan's portioning only (allocations, shortfalls, targets, baskets, solver)."""
        out = _plan_out(_current(week), week)
        body = out["plan"]
        out["plan"] = {**{k: body[k] for k in PORTIONING_KEYS if k in body},
                       "solver": {"portioning": body.get("solver", {}).get("portioning")}}
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


def _round_out(rnd: Round, iso_week: str) -> dict:
    stops = get_session().exec(select(RoundStop).where(RoundStop.round_id == rnd.id).order_by(RoundStop.seq)).all()
    return {**rnd.model_dump(), "week": iso_week, "stops": [s.model_dump() for s in stops]}


def visible_round(round_id: int) -> Round:
    """A round the caller may see: any for the coordinator, their own for a driver (404 otherwise)."""
    user = current_user()
    rnd = get_session().get(Round, round_id)
    if rnd is None or (user.role == "driver" and rnd.driver_user_id != user.id):
        raise NotFound(f"Round {round_id} not found.", "Tournée introuvable.", "round_id")
    return rnd


@blp.route("/weeks/<string:week>/rounds")
class WeekRounds(MethodView):
    @require("coordinator", "driver")
    @blp.doc(security=[{"bearer": []}])
    @blp.arguments(schemas.RoundArgs, location="query")
    @blp.response(200, RoundPage)
    def get(self, args, week):
        """Rounds of the week, by day, vehicle or driver; a driver sees only their own."""
        row = _week(week)
        query = select(Round).where(Round.week_id == row.id)
        if args.get("day"):
            query = query.where(Round.day == args["day"])
        if args.get("vehicle"):
            query = query.where(Round.vehicle_id == args["vehicle"])
        if args.get("driver"):
            query = query.where(Round.driver == args["driver"])
        if current_user().role == "driver":
            query = query.where(Round.driver_user_id == current_user().id)
        page = paginate(get_session(), query.order_by(Round.day, Round.vehicle_id), args)
        page["items"] = [_round_out(r, week) for r in page["items"]]
        return page

    @require("coordinator")
    @blp.doc(security=[{"bearer": []}])
    @blp.arguments(schemas.RunSchema)
    @blp.response(201, schemas.PlanSchema)
    def post(self, data, week):
        """Plan the rounds from the current portioning (runs it first if there is none)."""
        with unit_of_work() as session:
            row = weeks.find_week(session, week, territory_id())
            if planning.current_plan(session, row) is None:
                planning.run_portioning(session, row, _actor(), data.get("reason"))
            plan = planning.run_routing(session, row, _actor(), data.get("reason"))
        return _plan_out(plan, week)


@blp.route("/rounds/<int:round_id>")
class RoundItem(MethodView):
    @require("coordinator", "driver")
    @blp.doc(security=[{"bearer": []}])
    @blp.response(200, schemas.RoundSchema)
    def get(self, round_id):
        rnd = visible_round(round_id)
        return _round_out(rnd, get_session().get(Week, rnd.week_id).iso_week)

    @require("coordinator")
    @blp.doc(security=[{"bearer": []}])
    @blp.arguments(schemas.RoundLockSchema)
    @blp.response(200, schemas.RoundSchema)
    def patch(self, data, round_id):
        """Lock or unlock a round's order (drivers like last week's sequence); then re-plan the rounds."""
        with unit_of_work() as session:
            rnd = visible_round(round_id)
            planning.set_locked(session, rnd, data["locked"], _actor())
        return _round_out(rnd, get_session().get(Week, rnd.week_id).iso_week)
