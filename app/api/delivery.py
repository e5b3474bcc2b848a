"""The delivery day: drivers confirm their stops, the coordinator reads the delivery report and the
crates each site holds."""
from __future__ import annotations

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate

from app.api.common import territory_id
from app.api.jobs import JobSchema, job_response
from app.auth import current_user, require
from app.db import get_session, unit_of_work
from app.jobs import submit as jobs
from app.models import Offer, Week
from app.services import delivery, shortage, weeks
from app.services.scenario import export_scenario
from orders.delivery import OUTCOMES
from orders.errors import NotFound
from reports.delivery_report import (
    delivery_report_view,
    render_delivery_report_html,
    render_delivery_report_pdf,
)

blp = Blueprint("delivery", "delivery", url_prefix="/api/v1", description="Jour de livraison : confirmations et caisses")


class CratesField(fields.Field):
    """A number of crates (`caisse`), or crates per crate type: `{"caisse": 3, "plateau": 2}`."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool):
            raise ValidationError("A crate count is a whole number ≥ 0.")
        if isinstance(value, int):
            if value < 0:
                raise ValidationError("A crate count is a whole number ≥ 0.")
            return value
        if isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool)
                                           and v >= 0 for k, v in value.items()):
            return value
        raise ValidationError("A crate count is a whole number ≥ 0, or an object crate type → number.")

    def _serialize(self, value, attr, obj, **kwargs):
        return value


class DeliveredDropSchema(Schema):
    product = fields.String(required=True, validate=validate.Length(1, 64))
    quantity = fields.Float(required=True, validate=validate.Range(min=0))


class ConfirmationSchema(Schema):
    id = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9-]{8,64}$"),
                       metadata={"description": "made by the client (a UUID): a retry of the same action is harmless"})
    outcome = fields.String(required=True, validate=validate.OneOf(OUTCOMES))
    drops = fields.List(fields.Nested(DeliveredDropSchema), load_default=list,
                        metadata={"description": "what was handed over; needed for `partial` only"})
    crates_left = CratesField(load_default=0)
    crates_back = CratesField(load_default=0)
    recipient = fields.String(allow_none=True, validate=validate.Length(max=200))
    note = fields.String(allow_none=True, validate=validate.Length(max=1000))
    at = fields.AwareDateTime(load_default=None, allow_none=True)
    site_id = fields.String(dump_only=True)
    day = fields.Date(dump_only=True)
    vehicle_id = fields.String(dump_only=True)
    recorded_at = fields.DateTime(dump_only=True)
    recorded_by = fields.String(dump_only=True)


class DeliveryLineSchema(Schema):
    consumer = fields.String()
    product = fields.String()
    day = fields.String()
    planned = fields.Float()
    delivered = fields.Float(allow_none=True)
    missing = fields.Float()
    outcome = fields.String(allow_none=True)


class DeliveryReportSchema(Schema):
    week = fields.String()
    complete = fields.Boolean()
    confirmed_stops = fields.Integer()
    planned_stops = fields.Integer()
    by_outcome = fields.Dict(keys=fields.String(), values=fields.Integer())
    lines = fields.List(fields.Nested(DeliveryLineSchema))


class CrateBalanceSchema(Schema):
    site_id = fields.String()
    crates = fields.Dict(keys=fields.String(), values=fields.Integer(),
                         metadata={"description": "crate type → crates the site holds (left minus taken back)"})


@blp.route("/rounds/<int:round_id>/stops/<int:stop_id>/confirmation")
class StopConfirmation(MethodView):
    @require("driver", "coordinator")
    @blp.doc(security=[{"bearer": []}], operationId="getStopConfirmation", summary="A stop's confirmation")
    @blp.response(200, ConfirmationSchema)
    def get(self, round_id, stop_id):
        """What the driver confirmed at this stop (404 while it is not confirmed)."""
        return delivery.find(get_session(), current_user(), round_id, stop_id)

    @require("driver", "coordinator")
    @blp.doc(security=[{"bearer": []}], operationId="confirmStop", summary="Confirm a delivery stop")
    @blp.arguments(ConfirmationSchema)
    @blp.response(201, ConfirmationSchema)
    @blp.alt_response(200, schema=ConfirmationSchema, description="the same confirmation, already recorded")
    def post(self, data, round_id, stop_id):
        """Delivered, partly delivered, refused or nobody there; crates left and taken back. Sent
        twice with the same `id`, it is recorded once (200 the second time)."""
        with unit_of_work() as session:
            row, created = delivery.confirm(session, current_user(), round_id, stop_id, data)
        return row, 201 if created else 200


@blp.route("/weeks/<string:week>/delivery-report")
class WeekDeliveryReport(MethodView):
    @require("coordinator")
    @blp.doc(security=[{"bearer": []}], operationId="getDeliveryReport", summary="Planned against delivered")
    @blp.response(200, DeliveryReportSchema)
    def get(self, week):
        """Per consumer, product and day: planned, delivered (confirmed stops), missing."""
        session = get_session()
        report = delivery.week_report(session, weeks.find_week(session, week, territory_id()))
        return {"week": report.week, "complete": report.complete, "confirmed_stops": report.confirmed_stops,
                "planned_stops": report.planned_stops, "by_outcome": dict(report.by_outcome),
                "lines": [{"consumer": ln.consumer, "product": ln.product, "day": ln.day, "planned": ln.planned,
                           "delivered": ln.delivered, "missing": ln.missing, "outcome": ln.outcome}
                          for ln in report.lines]}


def _report_view(week: str):
    session = get_session()
    row = weeks.find_week(session, week, territory_id())
    return delivery_report_view(delivery.week_report(session, row), export_scenario(session, row))


@blp.route("/weeks/<string:week>/delivery-report.pdf")
class WeekDeliveryReportPdf(MethodView):
    @require("coordinator")
    @blp.doc(security=[{"bearer": []}], operationId="getDeliveryReportPdf", summary="The delivery report (PDF)",
             responses={"200": {"description": "the PDF", "content": {"application/pdf": {}}}})
    def get(self, week):
        """The delivery report as a PDF (one document)."""
        return Response(render_delivery_report_pdf(_report_view(week)), mimetype="application/pdf",
                        headers={"Content-Disposition": f'inline; filename="bilan-livraisons-{week}.pdf"'})


@blp.route("/weeks/<string:week>/delivery-report.html")
class WeekDeliveryReportHtml(MethodView):
    @require("coordinator")
    @blp.doc(security=[{"bearer": []}], operationId="getDeliveryReportHtml", summary="The delivery report (HTML)",
             responses={"200": {"description": "the HTML preview", "content": {"text/html": {}}}})
    def get(self, week):
        """The delivery report's HTML preview."""
        return Response(render_delivery_report_html(_report_view(week)), mimetype="text/html")


class ShortageSchema(Schema):
    quantity = fields.Float(required=True, validate=validate.Range(min=0),
                            metadata={"description": "what the offer can still give, in the product's unit"})
    reason = fields.String(required=True, validate=validate.Length(1, 500),
                           metadata={"description": "why (frost, breakage…): told to every consumer affected"})


@blp.route("/offers/<int:offer_id>/shortage")
class OfferShortage(MethodView):
    @require("producer", "coordinator")
    @blp.doc(security=[{"bearer": []}], operationId="reportShortage", summary="Report a shortage on a published week")
    @blp.arguments(ShortageSchema)
    @blp.response(202, JobSchema)
    @blp.alt_response(200, schema=JobSchema, description="finished within `Prefer: wait=N`")
    def post(self, data, offer_id):
        """The offer falls short: a job re-plans the week (pins and locks kept), writes a new version of
        the affected documents only and e-mails every consumer whose delivery changed."""
        session = get_session()
        offer = session.get(Offer, offer_id)
        week = session.get(Week, offer.week_id) if offer is not None else None
        if week is None or week.territory_id != territory_id():
            raise NotFound("No such offer.", "Offre introuvable.", "offer_id")
        shortage.check(session, week, offer_id, data["quantity"], data["reason"], current_user())
        job, created = jobs.submit("shortage", week, current_user().name,
                                   {"offer_id": offer_id, "quantity": data["quantity"], "reason": data["reason"]})
        return job_response(job, created)


@blp.route("/crates")
class CrateBalances(MethodView):
    @require("coordinator")
    @blp.doc(security=[{"bearer": []}], operationId="listCrateBalances", summary="Crates each site holds")
    @blp.response(200, CrateBalanceSchema(many=True))
    def get(self):
        """Every site's balance of the collective's crates, carried from week to week."""
        balances = delivery.crate_balances(get_session(), territory_id())
        return [{"site_id": site, "crates": crates} for site, crates in balances.items()]
