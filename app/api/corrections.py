"""The coordinator's hand on the plan: the territory's allocation policy and a week's pins.

The policy is data (ordered tiers with targets, then max–min fairness); every plan records the
version it used. Pins force or forbid an allocation line of a week; the next portioning keeps them
and says what each one costs the others. Round locks are `PATCH /rounds/{id}` (plans.py).
"""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from app.api.common import territory_id
from app.auth import current_user, require
from app.db import get_session, unit_of_work
from app.models import Territory
from app.services import corrections, weeks
from orders import scenario as S
from orders.errors import NotFound

blp = Blueprint("corrections", "corrections", url_prefix="/api/v1",
                description="Politique de répartition et corrections à la main")


class TierSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(1, 64))
    target = fields.Float(load_default=0.0, validate=validate.Range(0, 1),
                          metadata={"description": "share of what each consumer of the tier ordered, served first"})
    kinds = fields.List(fields.String(validate=validate.OneOf([*S.CANTEEN_KINDS, "relay_point"])), load_default=list)
    sites = fields.List(fields.String(validate=validate.Length(1, 64)), load_default=list)


class PolicySchema(Schema):
    territory = fields.String(dump_only=True)
    version = fields.Integer(dump_only=True)
    stored = fields.Boolean(dump_only=True, metadata={"description": "false: derived from the targets"})
    tiers = fields.List(fields.Nested(TierSchema), required=True)


class PinSchema(Schema):
    id = fields.Integer(dump_only=True)
    consumer_id = fields.String(required=True, validate=validate.Length(1, 64))
    product = fields.String(required=True, validate=validate.Length(1, 64),
                            metadata={"description": "a product id; for a relay point, a basket type id"})
    day = fields.Date(required=True)
    quantity = fields.Float(load_default=0.0, validate=validate.Range(min=0))
    producer_id = fields.String(allow_none=True, validate=validate.Length(1, 64))
    forbid = fields.Boolean(load_default=False)
    reason = fields.String(allow_none=True, validate=validate.Length(max=1000))
    created_by = fields.String(dump_only=True)
    created_at = fields.DateTime(dump_only=True)


def _territory() -> Territory:
    terr = get_session().get(Territory, territory_id())
    if terr is None:
        raise NotFound("Unknown territory.", "Territoire inconnu.", "territory")
    return terr


@blp.route("/policy")
class PolicyResource(MethodView):
    @require()
    @blp.doc(security=[{"bearer": []}], operationId="getPolicy", summary="The territory's allocation policy")
    @blp.response(200, PolicySchema)
    def get(self):
        """Tiers in order, each with its target; what remains is shared by max–min fill rate."""
        return corrections.policy_view(_territory())

    @require("coordinator")
    @blp.doc(security=[{"bearer": []}], operationId="replacePolicy", summary="Replace the allocation policy")
    @blp.arguments(PolicySchema)
    @blp.response(200, PolicySchema)
    def put(self, data):
        """A new version of the policy; the next portioning uses it and records it."""
        with unit_of_work() as session:
            terr = corrections.set_policy(session, session.get(Territory, _territory().id), data,
                                          current_user().name)
            return corrections.policy_view(terr)


@blp.route("/weeks/<string:week>/pins")
class Pins(MethodView):
    @require("coordinator")
    @blp.doc(security=[{"bearer": []}], operationId="listPins", summary="The week's pinned allocation lines")
    @blp.response(200, PinSchema(many=True))
    def get(self, week):
        """Pins and forbids of the week, kept by every portioning."""
        session = get_session()
        return corrections.pins_of(session, weeks.find_week(session, week, territory_id()))

    @require("coordinator")
    @blp.doc(security=[{"bearer": []}], operationId="createPin", summary="Pin or forbid an allocation line")
    @blp.arguments(PinSchema)
    @blp.response(201, PinSchema)
    def post(self, data, week):
        """Force this quantity to this consumer (or forbid the line); run the portioning to apply it."""
        with unit_of_work() as session:
            return corrections.add_pin(session, weeks.find_week(session, week, territory_id()), data,
                                       current_user().name)


@blp.route("/weeks/<string:week>/pins/<int:pin_id>")
class PinItem(MethodView):
    @require("coordinator")
    @blp.doc(security=[{"bearer": []}], operationId="deletePin", summary="Remove a pin")
    @blp.response(204)
    def delete(self, week, pin_id):
        """The next portioning no longer keeps this line."""
        with unit_of_work() as session:
            corrections.delete_pin(session, weeks.find_week(session, week, territory_id()), pin_id,
                                   current_user().name)
