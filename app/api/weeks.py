"""Weeks: open a week, see its state and deadlines, move it through the cycle (coordinator)."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from sqlmodel import select

from app import schemas
from app.api.common import paginate, territory_id
from app.auth import current_user, require
from app.db import get_session, unit_of_work
from app.models import Week
from app.services import weeks

blp = Blueprint("weeks", "weeks", url_prefix="/api/v1/weeks", description="Semaines et cycle hebdomadaire")
WeekPage = schemas.page_schema(schemas.WeekSchema, "WeekPage")


def dump(week: Week) -> dict:
    out = week.model_dump()
    out["deadlines"] = weeks.deadlines(get_session(), week)
    return out


@blp.route("/")
class WeekCollection(MethodView):
    @require()
    @blp.doc(security=[{"bearer": []}])
    @blp.arguments(schemas.PageArgs, location="query")
    @blp.response(200, WeekPage)
    @blp.doc(operationId="listWeeks", summary="List the territory's weeks")
    def get(self, args):
        query = select(Week).where(Week.territory_id == territory_id()).order_by(Week.iso_week.desc())
        page = paginate(get_session(), query, args)
        page["items"] = [dump(w) for w in page["items"]]
        return page

    @require("coordinator")
    @blp.doc(security=[{"bearer": []}])
    @blp.arguments(schemas.WeekSchema)
    @blp.response(201, schemas.WeekSchema)
    @blp.doc(operationId="createWeek", summary="Open a week")
    def post(self, data):
        with unit_of_work() as session:
            week = weeks.create_week(session, data["iso_week"], data.get("territory_id") or territory_id(),
                                     current_user())
        return dump(week)


@blp.route("/<string:week>")
class WeekItem(MethodView):
    @require()
    @blp.doc(security=[{"bearer": []}])
    @blp.response(200, schemas.WeekSchema)
    @blp.doc(operationId="getWeek", summary="Read a week: its state, delivery days and deadlines")
    def get(self, week):
        return dump(weeks.find_week(get_session(), week, territory_id()))


@blp.route("/<string:week>/transitions")
class WeekTransition(MethodView):
    @require("coordinator")
    @blp.doc(security=[{"bearer": []}])
    @blp.arguments(schemas.TransitionSchema)
    @blp.response(200, schemas.WeekSchema)
    @blp.doc(operationId="transitionWeek")
    def post(self, data, week):
        """Move the week to another state; a move backwards reopens it and needs a reason."""
        with unit_of_work() as session:
            row = weeks.find_week(session, week, territory_id())
            weeks.transition(session, row, data["to"], current_user(), data.get("reason"))
        return dump(row)
