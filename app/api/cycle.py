"""The self-running cycle seen from the API (coordinator only): job runs, notifications, schedules.

`GET /api/v1/job-runs?week=&job=`: what the scheduler did, newest first.
`GET /api/v1/notifications?week=&kind=`: the e-mails it sent, or could not send, to whom.
`GET|PUT /api/v1/territories/{id}/schedule`: a territory's weekly cycle (deadlines, reminder lead,
time zone, delivery weekdays, holiday rule); a PUT replaces it, missing keys take the defaults.
"""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlmodel import col, select

from app import schemas
from app.api.common import paginate
from app.auth import current_user, require
from app.db import get_session, unit_of_work
from app.models import JOB_OUTCOMES, JobRun, Notification
from app.services import weeks
from app.services.schedule import replace_schedule
from orders import cycle
from orders.calendar import HolidayRule
from orders.errors import InvalidInput

blp = Blueprint("cycle", "cycle", url_prefix="/api/v1", description="Cycle automatique : tâches, rappels, calendrier")

WEEKLY_TIME = validate.Regexp(
    r"^\s*\S+\s+([01]\d|2[0-3]):[0-5]\d\s*$",
    error="Expected a weekday and a local time, such as 'tuesday 12:00'.")


class JobRunSchema(Schema):
    id = fields.Integer()
    job = fields.String()
    week = fields.String(allow_none=True)
    territory_id = fields.String(allow_none=True)
    key = fields.String(allow_none=True)
    started = fields.DateTime()
    finished = fields.DateTime(allow_none=True)
    outcome = fields.String(metadata={"enum": list(JOB_OUTCOMES)})
    detail = fields.Dict()


class JobRunArgs(schemas.PageArgs):
    week = fields.String(validate=schemas.WEEK)
    job = fields.String(validate=validate.Length(max=32))
    territory = fields.String(validate=schemas.SLUG)


class NotificationSchema(Schema):
    id = fields.Integer()
    key = fields.String()
    kind = fields.String()
    territory_id = fields.String(allow_none=True)
    week = fields.String(allow_none=True)
    user_id = fields.Integer(allow_none=True)
    email = fields.String(allow_none=True)
    subject = fields.String()
    body = fields.String()
    created_at = fields.DateTime()
    sent_at = fields.DateTime(allow_none=True)
    status = fields.String()
    attempts = fields.Integer()
    error = fields.String(allow_none=True)


class NotificationArgs(schemas.PageArgs):
    week = fields.String(validate=schemas.WEEK)
    kind = fields.String(validate=validate.Length(max=32))


class ScheduleSchema(Schema):
    """A territory's cycle; deadlines are 'weekday HH:MM' in the week before the delivery week."""

    territory_id = fields.String(dump_only=True)
    offers_open = fields.String(validate=WEEKLY_TIME, metadata={"example": "monday 08:00"})
    offers_close = fields.String(validate=WEEKLY_TIME, metadata={"example": "tuesday 12:00"})
    orders_close = fields.String(validate=WEEKLY_TIME, metadata={"example": "wednesday 12:00"})
    planning = fields.String(validate=WEEKLY_TIME, metadata={"example": "wednesday 14:00"})
    publish = fields.String(validate=WEEKLY_TIME, metadata={"example": "thursday 08:00"})
    reminder_lead_min = fields.Integer(validate=validate.Range(1, 7 * 24 * 60),
                                       metadata={"description": "minutes before a deadline the reminder is sent"})
    timezone = fields.String(validate=validate.Length(1, 64), metadata={"example": "Europe/Paris"})
    delivery_weekdays = fields.List(fields.Integer(validate=validate.Range(0, 6)), validate=validate.Length(1, 7),
                                    metadata={"description": "0 = Monday … 6 = Sunday"})
    holiday_rule = fields.String(validate=validate.OneOf([r.value for r in HolidayRule]))


_SCHEDULE_FIELDS = (*cycle.DEADLINE_NAMES, "reminder_lead_min", "timezone", "delivery_weekdays", "holiday_rule")


def _field_of(message: str) -> str:
    """The schedule key a validation message of `CycleSchedule` is about (the first one it names)."""
    found = [(message.find(name), name) for name in _SCHEDULE_FIELDS if name in message]
    return min(found)[1] if found else "schedule"


def parse_schedule(data: dict) -> cycle.CycleSchedule:
    try:
        return cycle.CycleSchedule.from_dict(data)
    except ValueError as exc:
        message = str(exc)
        raise InvalidInput(f"Invalid schedule: {message}.", f"Calendrier du cycle invalide : {message}.",
                           _field_of(message)) from exc


@blp.route("/job-runs")
class JobRuns(MethodView):
    @require("coordinator")
    @blp.doc(security=[{"bearer": []}])
    @blp.arguments(JobRunArgs, location="query")
    @blp.response(200, schemas.page_schema(JobRunSchema, "JobRunPage"))
    @blp.doc(operationId="listJobRuns")
    def get(self, args):
        """What the scheduler did (transitions, new weeks, standing orders, reminders, plans), newest first."""
        query = select(JobRun).order_by(col(JobRun.started).desc(), col(JobRun.id).desc())
        if args.get("week"):
            query = query.where(JobRun.week == args["week"])
        if args.get("job"):
            query = query.where(JobRun.job == args["job"])
        if args.get("territory"):
            query = query.where(JobRun.territory_id == args["territory"])
        return paginate(get_session(), query, args)


@blp.route("/notifications")
class Notifications(MethodView):
    @require("coordinator")
    @blp.doc(security=[{"bearer": []}])
    @blp.arguments(NotificationArgs, location="query")
    @blp.response(200, schemas.page_schema(NotificationSchema, "NotificationPage"))
    @blp.doc(operationId="listNotifications")
    def get(self, args):
        """The e-mails of the cycle: to whom, what, and whether they went out."""
        query = select(Notification).order_by(col(Notification.id).desc())
        if args.get("week"):
            query = query.where(Notification.week == args["week"])
        if args.get("kind"):
            query = query.where(Notification.kind == args["kind"])
        return paginate(get_session(), query, args)


@blp.route("/territories/<string:territory_id>/schedule")
class TerritorySchedule(MethodView):
    @require("coordinator")
    @blp.doc(security=[{"bearer": []}])
    @blp.response(200, ScheduleSchema)
    @blp.doc(operationId="getSchedule")
    def get(self, territory_id):
        """The territory's weekly cycle, defaults filled in."""
        terr = weeks.territory(get_session(), territory_id)
        return {"territory_id": terr.id, **parse_schedule(terr.schedule or {}).to_dict()}

    @require("coordinator")
    @blp.doc(security=[{"bearer": []}])
    @blp.arguments(ScheduleSchema)
    @blp.response(200, ScheduleSchema)
    @blp.doc(operationId="replaceSchedule")
    def put(self, data, territory_id):
        """Replace the weekly cycle; keys left out take the defaults. Applies from the next tick."""
        schedule = parse_schedule(data)
        with unit_of_work() as session:
            terr = replace_schedule(session, current_user(), territory_id, schedule)
        return {"territory_id": terr.id, **schedule.to_dict()}
