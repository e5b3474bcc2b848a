"""Alerts to the coordinator (held publications, unconfirmed rounds, crates to take back)."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from app.api.common import territory_id
from app.auth import current_user, require
from app.db import get_session, unit_of_work
from app.services import alerts

blp = Blueprint("alerts", "alerts", url_prefix="/api/v1", description="Alertes de la coordination")


class AlertSchema(Schema):
    id = fields.Integer()
    week = fields.String(allow_none=True)
    kind = fields.String(metadata={"description": "publication_held | round_unconfirmed | crates_above_threshold"})
    message_fr = fields.String()
    created_at = fields.DateTime()
    resolved_at = fields.DateTime(allow_none=True)
    resolved_by = fields.String(allow_none=True)


@blp.route("/alerts")
class Alerts(MethodView):
    @require("coordinator")
    @blp.doc(security=[{"bearer": []}], operationId="listAlerts", summary="Open alerts of the territory")
    @blp.response(200, AlertSchema(many=True))
    def get(self):
        """Alerts nobody has resolved yet, oldest first."""
        return alerts.open_alerts(get_session(), territory_id())


@blp.route("/alerts/<int:alert_id>/resolution")
class AlertResolution(MethodView):
    @require("coordinator")
    @blp.doc(security=[{"bearer": []}], operationId="resolveAlert", summary="Mark an alert resolved")
    @blp.response(200, AlertSchema)
    def post(self, alert_id):
        """The alert leaves the open list; who resolved it and when are kept."""
        with unit_of_work() as session:
            return alerts.resolve(session, territory_id(), alert_id, current_user().name)
