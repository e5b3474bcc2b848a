"""The printed documents as PDF (and HTML twins for a browser preview); roles apply."""
from __future__ import annotations

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from app.api.common import territory_id
from app.api.plans import visible_round
from app.auth import current_user, forbid_unless, require
from app.db import get_session
from app.models import Site, Week
from app.services import documents, planning, weeks
from orders.errors import NotFound

blp = Blueprint("documents", "documents", url_prefix="/api/v1", description="Documents imprimables (PDF)")
PDF = {"200": {"description": "the document", "content": {"application/pdf": {}, "text/html": {}}}}


def _send(week: Week, plan, doc: documents.Document, fmt: str) -> Response:
    if fmt == "html":
        return Response(doc.render_html(), mimetype="text/html",
                        headers={"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline' 'self'; "
                                                            "img-src data: 'self'; font-src 'self'"})
    data = documents.pdf_bytes(week, plan, doc)
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{doc.filename}"'})


def _fmt(fmt: str) -> str:
    if fmt not in ("pdf", "html"):
        raise NotFound("Unknown document format.", "Format de document inconnu (pdf ou html).", "format")
    return fmt


def _week_plan(iso_week: str):
    week = weeks.find_week(get_session(), iso_week, territory_id())
    return week, planning.require_plan(get_session(), week)


def _site(site_id: str, kind: tuple[str, ...]) -> Site:
    site = get_session().get(Site, site_id)
    if site is None or site.kind not in kind:
        raise NotFound(f"Unknown site {site_id!r}.", "Site introuvable.", "site_id")
    return site


@blp.route("/rounds/<int:round_id>/sheet.<string:fmt>")
class RoundSheet(MethodView):
    @require("coordinator", "driver")
    @blp.doc(security=[{"bearer": []}], responses=PDF)
    @blp.doc(operationId="getRouteSheet")
    def get(self, round_id, fmt):
        """Feuille de route of one round (a driver: only their own)."""
        rnd = visible_round(round_id)
        week = get_session().get(Week, rnd.week_id)
        plan = planning.require_plan(get_session(), week)
        doc = documents.route_sheet_doc(get_session(), week, plan, rnd.day.isoformat(), rnd.vehicle_id)
        return _send(week, plan, doc, _fmt(fmt))


@blp.route("/weeks/<string:week>/days/<string:day>/sheets.<string:fmt>")
class DaySheets(MethodView):
    @require("coordinator")
    @blp.doc(security=[{"bearer": []}], responses=PDF)
    @blp.doc(operationId="getDaySheets")
    def get(self, week, day, fmt):
        """All the route sheets of one delivery day, one round per page group."""
        row, plan = _week_plan(week)
        return _send(row, plan, documents.day_sheets_doc(get_session(), row, plan, day), _fmt(fmt))


@blp.route("/producers/<string:producer_id>/weeks/<string:week>/picklist.<string:fmt>")
class PickList(MethodView):
    @require("coordinator", "producer")
    @blp.doc(security=[{"bearer": []}], responses=PDF)
    @blp.doc(operationId="getPickList")
    def get(self, producer_id, week, fmt):
        """Bon de préparation of a producer for the week (a producer: only their own)."""
        user = current_user()
        forbid_unless(user.role == "coordinator" or user.site_id == producer_id, hide=True)
        site = _site(producer_id, ("producer",))
        row, plan = _week_plan(week)
        return _send(row, plan, documents.pick_list_doc(get_session(), row, plan, site), _fmt(fmt))


@blp.route("/sites/<string:site_id>/weeks/<string:week>/delivery-note.<string:fmt>")
class DeliveryNote(MethodView):
    @require("coordinator", "relay", "canteen")
    @blp.doc(security=[{"bearer": []}], responses=PDF)
    @blp.doc(operationId="getDeliveryNote")
    def get(self, site_id, week, fmt):
        """Bon de livraison of a canteen or relay point (their managers: only their own)."""
        user = current_user()
        forbid_unless(user.role == "coordinator" or user.site_id == site_id, hide=True)
        site = _site(site_id, ("canteen", "relay"))
        row, plan = _week_plan(week)
        return _send(row, plan, documents.delivery_note_doc(get_session(), row, plan, site), _fmt(fmt))


@blp.route("/weeks/<string:week>/summary.<string:fmt>")
class Summary(MethodView):
    @require("coordinator")
    @blp.doc(security=[{"bearer": []}], responses=PDF)
    @blp.doc(operationId="getWeekSummary")
    def get(self, week, fmt):
        """Synthèse hebdomadaire for the coordinator."""
        row, plan = _week_plan(week)
        return _send(row, plan, documents.summary_doc(get_session(), row, plan), _fmt(fmt))
