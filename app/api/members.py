"""Households at relay points: members, subscriptions, pauses, extras, pickup slots, the waiting list,
the signing sheet and deriving the basket orders from the members.

Views parse, call one use case (`app/services/members.py`, `member_orders.py`), and return; the
e-mails a use case returns leave after its commit. Personal data: see `app/services/members.py`.
"""
from __future__ import annotations

from datetime import date

from flask import Response, current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from app.api.common import etag, if_match, territory_id
from app.auth import current_user, require
from app.db import get_session, unit_of_work
from app.schemas import HHMM, SLUG
from app.services import member_mail, member_orders, notify, weeks
from app.services import members as service
from orders.errors import NotFound
from orders.members import CUT_RULES, FREQUENCIES

blp = Blueprint("members", "members", url_prefix="/api/v1",
                description="Foyers des points relais : adhérents, abonnements, pauses, liste d'attente, émargement")
BEARER = [{"bearer": []}]
MANAGERS = ("coordinator", "relay")
ASCII = validate.Regexp(r"^[\x21-\x7e]+$", error="An e-mail address in ASCII letters, please.")
IF_MATCH = {"name": "If-Match", "in": "header", "required": False, "schema": {"type": "string"}, "example": '"v3"',
            "description": "The ETag of the last read: the write happens only if the member is still at that "
                           "version (412 otherwise)."}
PDF = {"200": {"description": "the signing sheet", "content": {"application/pdf": {}, "text/html": {}}}}


class MemberSchema(Schema):
    id = fields.Integer(dump_only=True)
    relay_point_id = fields.String(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    email = fields.Email(allow_none=True, validate=[validate.Length(max=300), ASCII])
    phone = fields.String(allow_none=True, validate=validate.Length(max=40))
    notes = fields.String(allow_none=True, validate=validate.Length(max=1000))
    status = fields.String(dump_only=True)
    user_id = fields.Integer(dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)
    version = fields.Integer(dump_only=True)


class MemberUpdateSchema(Schema):
    name = fields.String(validate=validate.Length(min=1, max=200))
    email = fields.Email(allow_none=True, validate=[validate.Length(max=300), ASCII])
    phone = fields.String(allow_none=True, validate=validate.Length(max=40))
    notes = fields.String(allow_none=True, validate=validate.Length(max=1000))
    status = fields.String(validate=validate.OneOf(("active", "left")))


class MemberListArgs(Schema):
    status = fields.String(validate=validate.OneOf(("active", "left")))


class SubscriptionSchema(Schema):
    id = fields.Integer(dump_only=True)
    member_id = fields.Integer(dump_only=True)
    basket_type_id = fields.String(required=True, validate=SLUG)
    slot_id = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=2**31 - 1),
                             metadata={"description": "the pickup slot; the relay point's first when left out"})
    frequency = fields.String(load_default="weekly", validate=validate.OneOf(FREQUENCIES))
    start = fields.Date(required=True)
    end = fields.Date(allow_none=True)
    skip_school_holidays = fields.Boolean(load_default=False)
    status = fields.String(dump_only=True, metadata={"description": "active, waiting, offered or ended"})
    created_at = fields.DateTime(dump_only=True)
    offered_at = fields.DateTime(dump_only=True, allow_none=True)


class PauseSchema(Schema):
    id = fields.Integer(dump_only=True)
    member_id = fields.Integer(dump_only=True)
    start = fields.Date(required=True)
    end = fields.Date(required=True)
    created_at = fields.DateTime(dump_only=True)


class ExtraSchema(Schema):
    id = fields.Integer(dump_only=True)
    member_id = fields.Integer(dump_only=True)
    basket_type_id = fields.String(required=True, validate=SLUG)
    day = fields.Date(required=True)
    count = fields.Integer(load_default=1, validate=validate.Range(min=1, max=20))


class SlotSchema(Schema):
    id = fields.Integer(dump_only=True)
    relay_point_id = fields.String(dump_only=True)
    weekday = fields.Integer(required=True, validate=validate.Range(0, 6),
                             metadata={"description": "0 = Monday … 6 = Sunday"})
    start = fields.String(required=True, validate=HHMM)
    end = fields.String(required=True, validate=HHMM)
    capacity_baskets = fields.Integer(required=True, validate=validate.Range(0, 10000))
    capacity_crates = fields.Integer(allow_none=True, validate=validate.Range(0, 10000))


class SlotUpdateSchema(Schema):
    capacity_baskets = fields.Integer(validate=validate.Range(0, 10000))
    capacity_crates = fields.Integer(allow_none=True, validate=validate.Range(0, 10000))


class MembershipSchema(Schema):
    relay_point_id = fields.String(dump_only=True)
    cut_rule = fields.String(validate=validate.OneOf(CUT_RULES),
                             metadata={"description": "who goes without when the plan cuts baskets"})
    basket_types = fields.List(fields.String(validate=SLUG), validate=validate.Length(max=100),
                               metadata={"description": "basket types offered; empty: every type"})


class WaitingSchema(Schema):
    rank = fields.Integer()
    subscription = fields.Nested(SubscriptionSchema)
    member = fields.Nested(MemberSchema)


class AnswerSchema(Schema):
    accept = fields.Boolean(required=True)


class DeriveArgs(Schema):
    relay_point_id = fields.String(validate=SLUG, metadata={"description": "one relay point (default: all)"})


class DeriveReportSchema(Schema):
    week = fields.String()
    created = fields.List(fields.Dict())
    updated = fields.List(fields.Dict())
    removed = fields.List(fields.Dict())
    kept_edited = fields.List(fields.Dict(), metadata={"description": "changed by the manager: kept"})
    kept_by_hand = fields.List(fields.Dict(), metadata={"description": "entered by hand, not derived: kept"})


def _send(messages) -> None:
    if messages:
        member_mail.send(get_session(), notify.Mailer.from_config(current_app.config), messages)


def _member_out(member):
    return member, 200, {"ETag": etag(member.version)}


@blp.route("/relay-points/<string:site_id>/members")
class Members(MethodView):
    @require(*MANAGERS)
    @blp.doc(security=BEARER, operationId="listMembers")
    @blp.arguments(MemberListArgs, location="query")
    @blp.response(200, MemberSchema(many=True))
    def get(self, args, site_id):
        """The relay point's households (its manager and the coordinator only)"""
        return service.list_members(get_session(), current_user(), site_id, args.get("status"))

    @require(*MANAGERS)
    @blp.doc(security=BEARER, operationId="createMember")
    @blp.arguments(MemberSchema)
    @blp.response(201, MemberSchema)
    def post(self, data, site_id):
        """Add a household to the relay point"""
        with unit_of_work() as session:
            member = service.create_member(session, current_user(), site_id, data)
        return member, 201, {"ETag": etag(member.version)}


@blp.route("/members/<int:member_id>")
class MemberItem(MethodView):
    @require(*MANAGERS, "member")
    @blp.doc(security=BEARER, operationId="getMember")
    @blp.response(200, MemberSchema)
    def get(self, member_id):
        """One household (its relay point's manager, the coordinator, or the member itself)"""
        return _member_out(service.get_member(get_session(), current_user(), member_id))

    @require(*MANAGERS)
    @blp.doc(security=BEARER, operationId="updateMember", parameters=[IF_MATCH])
    @blp.arguments(MemberUpdateSchema)
    @blp.response(200, MemberSchema)
    def patch(self, data, member_id):
        """Change a household's contact or status"""
        with unit_of_work() as session:
            member = service.update_member(session, current_user(), member_id, data, if_match())
        return _member_out(member)

    @require(*MANAGERS)
    @blp.doc(security=BEARER, operationId="deleteMember", parameters=[IF_MATCH])
    @blp.response(204)
    def delete(self, member_id):
        """The household leaves: its subscriptions end, their places go to the waiting list"""
        with unit_of_work() as session:
            messages = service.delete_member(session, current_user(), member_id, if_match())
        _send(messages)


@blp.route("/members/<int:member_id>/subscriptions")
class Subscriptions(MethodView):
    @require(*MANAGERS, "member")
    @blp.doc(security=BEARER, operationId="listSubscriptions")
    @blp.response(200, SubscriptionSchema(many=True))
    def get(self, member_id):
        """A household's subscriptions"""
        return service.list_subscriptions(get_session(), current_user(), member_id)

    @require(*MANAGERS)
    @blp.doc(security=BEARER, operationId="createSubscription")
    @blp.arguments(SubscriptionSchema)
    @blp.response(201, SubscriptionSchema)
    def post(self, data, member_id):
        """Subscribe a household (beyond the slot's capacity, it joins the waiting list)"""
        with unit_of_work() as session:
            sub = service.create_subscription(session, current_user(), member_id, data)
        return sub, 201


@blp.route("/members/<int:member_id>/subscriptions/<int:subscription_id>")
class SubscriptionItem(MethodView):
    @require(*MANAGERS)
    @blp.doc(security=BEARER, operationId="endSubscription")
    @blp.response(204)
    def delete(self, member_id, subscription_id):
        """End a subscription today; its place is offered to the waiting list"""
        with unit_of_work() as session:
            messages = service.end_subscription(session, current_user(), member_id, subscription_id)
        _send(messages)


@blp.route("/members/<int:member_id>/pauses")
class Pauses(MethodView):
    @require(*MANAGERS, "member")
    @blp.doc(security=BEARER, operationId="listPauses")
    @blp.response(200, PauseSchema(many=True))
    def get(self, member_id):
        """A household's pauses"""
        return service.list_pauses(get_session(), current_user(), member_id)

    @require(*MANAGERS, "member")
    @blp.doc(security=BEARER, operationId="createPause")
    @blp.arguments(PauseSchema)
    @blp.response(201, PauseSchema)
    def post(self, data, member_id):
        """Pause a household from `start` to `end` (inclusive)"""
        with unit_of_work() as session:
            pause = service.create_pause(session, current_user(), member_id, data["start"], data["end"])
        return pause, 201


@blp.route("/members/<int:member_id>/pauses/<int:pause_id>")
class PauseItem(MethodView):
    @require(*MANAGERS, "member")
    @blp.doc(security=BEARER, operationId="deletePause")
    @blp.response(204)
    def delete(self, member_id, pause_id):
        """Cancel a pause"""
        with unit_of_work() as session:
            service.delete_pause(session, current_user(), member_id, pause_id)


@blp.route("/members/<int:member_id>/extras")
class Extras(MethodView):
    @require(*MANAGERS, "member")
    @blp.doc(security=BEARER, operationId="listExtraBaskets")
    @blp.response(200, ExtraSchema(many=True))
    def get(self, member_id):
        """A household's one-off extra baskets"""
        return service.list_extras(get_session(), current_user(), member_id)

    @require(*MANAGERS)
    @blp.doc(security=BEARER, operationId="createExtraBasket")
    @blp.arguments(ExtraSchema)
    @blp.response(201, ExtraSchema)
    def post(self, data, member_id):
        """Add one-off extra baskets on a day"""
        with unit_of_work() as session:
            extra = service.create_extra(session, current_user(), member_id, data)
        return extra, 201


@blp.route("/relay-points/<string:site_id>/waiting-list")
class WaitingList(MethodView):
    @require(*MANAGERS)
    @blp.doc(security=BEARER, operationId="getWaitingList")
    @blp.response(200, WaitingSchema(many=True))
    def get(self, site_id):
        """Subscriptions waiting for a place, in the order places are offered"""
        return [{"rank": rank, "subscription": sub, "member": member}
                for sub, member, rank in service.waiting_list(get_session(), current_user(), site_id)]


@blp.route("/relay-points/<string:site_id>/waiting-list/<int:subscription_id>/answer")
class WaitingAnswer(MethodView):
    @require(*MANAGERS, "member")
    @blp.doc(security=BEARER, operationId="answerPlaceOffered")
    @blp.arguments(AnswerSchema)
    @blp.response(200, SubscriptionSchema)
    def post(self, data, site_id, subscription_id):
        """Take (accept) or let go the place offered to a waiting subscription"""
        with unit_of_work() as session:
            sub, messages = service.answer_offer(session, current_user(), subscription_id, data["accept"],
                                                 site_id=site_id)
        _send(messages)
        return sub


@blp.route("/relay-points/<string:site_id>/pickup-slots")
class Slots(MethodView):
    @require(*MANAGERS)
    @blp.doc(security=BEARER, operationId="listPickupSlots")
    @blp.response(200, SlotSchema(many=True))
    def get(self, site_id):
        """The relay point's pickup slots and their capacity"""
        return service.list_slots(get_session(), current_user(), site_id)

    @require(*MANAGERS)
    @blp.doc(security=BEARER, operationId="createPickupSlot")
    @blp.arguments(SlotSchema)
    @blp.response(201, SlotSchema)
    def post(self, data, site_id):
        """Add a pickup slot"""
        with unit_of_work() as session:
            slot, _ = service.create_slot(session, current_user(), site_id, data)
        return slot, 201


@blp.route("/relay-points/<string:site_id>/pickup-slots/<int:slot_id>")
class SlotItem(MethodView):
    @require(*MANAGERS)
    @blp.doc(security=BEARER, operationId="updatePickupSlot")
    @blp.arguments(SlotUpdateSchema)
    @blp.response(200, SlotSchema)
    def patch(self, data, site_id, slot_id):
        """Change a slot's capacity (a larger one offers places to the waiting list)"""
        with unit_of_work() as session:
            slot, messages = service.update_slot(session, current_user(), site_id, slot_id, data)
        _send(messages)
        return slot


@blp.route("/relay-points/<string:site_id>/membership")
class Membership(MethodView):
    @require(*MANAGERS)
    @blp.doc(security=BEARER, operationId="getMembership")
    @blp.response(200, MembershipSchema)
    def get(self, site_id):
        """The relay point's cut rule and the basket types it offers"""
        service.relay_point(get_session(), current_user(), site_id)
        row = service.settings(get_session(), site_id)
        return {"relay_point_id": site_id, "cut_rule": row.cut_rule,
                "basket_types": service.offered_types(get_session(), site_id)}

    @require(*MANAGERS)
    @blp.doc(security=BEARER, operationId="updateMembership")
    @blp.arguments(MembershipSchema)
    @blp.response(200, MembershipSchema)
    def put(self, data, site_id):
        """Set the cut rule (rotation or seniority) and the basket types offered"""
        with unit_of_work() as session:
            row = service.update_settings(session, current_user(), site_id, data)
        return row


@blp.route("/weeks/<string:week>/basket-orders/derive")
class Derive(MethodView):
    @require(*MANAGERS)
    @blp.doc(security=BEARER, operationId="deriveBasketOrders")
    @blp.arguments(DeriveArgs)
    @blp.response(200, DeriveReportSchema)
    def post(self, data, week):
        """Derive the relay points' basket orders from their members (what the cycle does when orders close)"""
        with unit_of_work() as session:
            row = weeks.find_week(session, week, territory_id())
            report = member_orders.derive_on_demand(session, current_user(), row, data.get("relay_point_id"))
        return report.as_dict()


@blp.route("/sites/<string:site_id>/weeks/<string:week>/days/<string:day>/collection-sheet.<string:fmt>")
class CollectionSheet(MethodView):
    @require(*MANAGERS)
    @blp.doc(security=BEARER, operationId="getCollectionSheet", responses=PDF)
    def get(self, site_id, week, day, fmt):
        """The relay point's signing sheet for a day: member, basket type, collected ☐, signature"""
        from reports.collection_sheet import render_collection_sheet_html, render_collection_sheet_pdf

        if fmt not in ("pdf", "html"):
            raise NotFound("Unknown document format.", "Format de document inconnu (pdf ou html).", "format")
        session = get_session()
        site = service.relay_point(session, current_user(), site_id)
        try:
            when = date.fromisoformat(day)
        except ValueError:
            raise NotFound("The day is an ISO date (YYYY-MM-DD).", "Jour attendu au format AAAA-MM-JJ.", "day") \
                from None
        row = weeks.find_week(session, week, site.territory_id)
        sheet = member_orders.collection_sheet(session, row, site, when)
        name = f"emargement-{site.id}-{when.isoformat()}"
        if fmt == "html":
            return Response(render_collection_sheet_html(sheet), mimetype="text/html",
                            headers={"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline' "
                                                                "'self'; img-src data: 'self'; font-src 'self'"})
        return Response(render_collection_sheet_pdf(sheet), mimetype="application/pdf",
                        headers={"Content-Disposition": f'inline; filename="{name}.pdf"'})

