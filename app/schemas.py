"""Marshmallow schemas of the API: validation, serialisation and the OpenAPI spec in one place.

Conventions: `*_id` fields name other resources by id; quantities are in the product's unit and
must be >= 0 (lots > 0); local times are "HH:MM"; dates ISO; weeks ISO ("2026-W49").
"""
from __future__ import annotations

import re

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.models import ROLES
from app.schemas_contract import WeekPlanSchema
from orders import scenario as S
from orders.contract import default_of
from orders.vocabulary import AGE_GROUPS, CANTEEN_KINDS, PRODUCT_UNITS, SITE_KINDS

HHMM = validate.Regexp(r"^([01]\d|2[0-3]):[0-5]\d$", error="Expected a local time HH:MM.")
SLUG = validate.Regexp(r"^[a-z0-9][a-z0-9_-]{0,63}$",
                       error="Expected a short id: lowercase letters, digits, '-' or '_'.")
# years 2000-2099: earlier dates in Europe/Paris carry a local-mean-time offset that is no RFC 3339 time
WEEK = validate.Regexp(r"^20\d{2}-W(0[1-9]|[1-4]\d|5[0-3])$", error="Expected an ISO week (2000-2099) such as 2026-W49.")
NON_NEGATIVE = validate.Range(min=0, max=1e7)
POSITIVE = validate.Range(min=0, min_inclusive=False, max=1e7)


class PageArgs(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class WeekSiteArgs(PageArgs):
    week = fields.String(validate=WEEK, metadata={"description": "ISO week, e.g. 2026-W49"})
    site = fields.String(validate=SLUG, metadata={"description": "a site id (producer, relay point, canteen)"})


def page_schema(item: type[Schema], name: str) -> type[Schema]:
    return Schema.from_dict({
        "items": fields.List(fields.Nested(item)),
        "page": fields.Integer(),
        "page_size": fields.Integer(),
        "total": fields.Integer(),
    }, name=name)


class ProductSchema(Schema):
    id = fields.String(required=True, validate=SLUG)
    name = fields.String(required=True, validate=validate.Length(1, 200))
    unit = fields.String(load_default=default_of(S.Product, "unit"), validate=validate.OneOf(PRODUCT_UNITS))
    category = fields.String(allow_none=True, validate=validate.Length(max=64))
    crate_kg = fields.Float(load_default=default_of(S.Product, "crate_kg"), validate=POSITIVE)
    cold = fields.Boolean(load_default=False)
    unit_kg = fields.Float(load_default=default_of(S.Product, "unit_kg"), validate=POSITIVE,
                           metadata={"description": "kilograms in one unit (0.06 for an egg sold by the piece)"})


class SiteSchema(Schema):
    id = fields.String(required=True, validate=SLUG)
    territory_id = fields.String(validate=SLUG)
    kind = fields.String(required=True, validate=validate.OneOf(SITE_KINDS))
    name = fields.String(required=True, validate=validate.Length(1, 200))
    canteen_kind = fields.String(allow_none=True, validate=validate.OneOf(CANTEEN_KINDS))
    address = fields.String(allow_none=True, validate=validate.Length(max=300))
    commune = fields.String(allow_none=True, validate=validate.Length(max=120))
    phone = fields.String(allow_none=True, validate=validate.Length(max=40))
    notes = fields.String(allow_none=True, validate=validate.Length(max=1000))
    lat = fields.Float(allow_none=True, validate=validate.Range(-90, 90))
    lon = fields.Float(allow_none=True, validate=validate.Range(-180, 180))
    window_start = fields.String(allow_none=True, validate=HHMM)
    window_end = fields.String(allow_none=True, validate=HHMM)
    service_min = fields.Integer(load_default=default_of(S.Canteen, "service_min"), validate=validate.Range(0, 240))
    collect = fields.Boolean(load_default=False)
    crate_alert_threshold = fields.Integer(allow_none=True, validate=validate.Range(min=0), metadata={
        "description": "alert the coordinator when the site holds more of the collective's crates"})

    @validates_schema
    def _check(self, data, **_kw):
        if data.get("kind") == "canteen" and not data.get("canteen_kind"):
            raise ValidationError("A canteen needs its kind (maternelle, elementaire, foyer).", "canteen_kind")
        start, end = data.get("window_start"), data.get("window_end")
        if start and end and start >= end:
            raise ValidationError("The window must end after it starts.", "window_end")


class VehicleSchema(Schema):
    id = fields.String(required=True, validate=SLUG)
    territory_id = fields.String(validate=SLUG)
    name = fields.String(required=True, validate=validate.Length(1, 200))
    capacity_kg = fields.Float(required=True, validate=POSITIVE)
    capacity_crates = fields.Integer(required=True, validate=validate.Range(1, 10000))
    cold = fields.Boolean(load_default=False)
    shift_start = fields.String(load_default=default_of(S.Vehicle, "shift")[0], validate=HHMM)
    shift_end = fields.String(load_default=default_of(S.Vehicle, "shift")[1], validate=HHMM)
    cost_per_km = fields.Float(load_default=default_of(S.Vehicle, "cost_per_km"), validate=NON_NEGATIVE)
    cost_per_hour = fields.Float(load_default=default_of(S.Vehicle, "cost_per_hour"), validate=NON_NEGATIVE)
    fixed_cost_eur = fields.Float(load_default=default_of(S.Vehicle, "fixed_cost"), validate=NON_NEGATIVE,
                                  metadata={"description": "cost of a round whatever its length (euros)"})
    driver = fields.String(allow_none=True, validate=validate.Length(max=200))
    driver_user_id = fields.Integer(allow_none=True)
    weekdays = fields.List(fields.Integer(validate=validate.Range(1, 7)), load_default=list)

    @validates_schema
    def _check(self, data, **_kw):
        if data.get("shift_start") and data.get("shift_end") and data["shift_start"] >= data["shift_end"]:
            raise ValidationError("The shift must end after it starts.", "shift_end")


class BasketTypeSchema(Schema):
    id = fields.String(required=True, validate=SLUG)
    name = fields.String(required=True, validate=validate.Length(1, 200))
    price_eur = fields.Float(required=True, validate=POSITIVE)
    target_kg = fields.Float(required=True, validate=POSITIVE)
    min_products = fields.Integer(load_default=default_of(S.BasketType, "min_products"), validate=validate.Range(1, 50))
    max_share = fields.Float(load_default=default_of(S.BasketType, "max_share"), allow_none=True,
                             validate=validate.Range(0.05, 1))
    tolerance = fields.Float(load_default=default_of(S.BasketType, "tolerance"), validate=validate.Range(0, 0.5))
    min_item_kg = fields.Float(load_default=default_of(S.BasketType, "min_item_kg"), validate=NON_NEGATIVE)


class GrammageSchema(Schema):
    id = fields.Integer(dump_only=True)
    product_id = fields.String(required=True, validate=SLUG)
    age_group = fields.String(required=True, validate=validate.OneOf(AGE_GROUPS))
    grams = fields.Float(required=True, validate=POSITIVE)
    yield_ratio = fields.Float(load_default=1.0, validate=validate.Range(0.05, 1))
    source = fields.String(allow_none=True, validate=validate.Length(max=300))


class WeekSchema(Schema):
    id = fields.Integer(dump_only=True)
    iso_week = fields.String(required=True, validate=WEEK)
    territory_id = fields.String(validate=SLUG)
    state = fields.String(dump_only=True)
    delivery_days = fields.List(fields.String(metadata={"format": "date"}), dump_only=True)
    deadlines = fields.Dict(keys=fields.String(), values=fields.DateTime(), dump_only=True)
    version = fields.Integer(dump_only=True)


class TransitionSchema(Schema):
    to = fields.String(required=True, validate=validate.OneOf(
        ("draft", "offers_open", "orders_open", "closed", "planned", "published", "delivered")))
    reason = fields.String(validate=validate.Length(max=1000))


class OfferSchema(Schema):
    id = fields.Integer(dump_only=True)
    week = fields.String(required=True, validate=WEEK)
    producer_id = fields.String(required=True, validate=SLUG)
    product_id = fields.String(required=True, validate=SLUG)
    quantity = fields.Float(required=True, validate=NON_NEGATIVE)
    unit_price_eur = fields.Float(required=True, validate=NON_NEGATIVE)
    lot = fields.Float(load_default=1.0, validate=POSITIVE)
    harvest_date = fields.Date(allow_none=True)
    version = fields.Integer(dump_only=True)


class OfferUpdateSchema(Schema):
    quantity = fields.Float(validate=NON_NEGATIVE)
    unit_price_eur = fields.Float(validate=NON_NEGATIVE)
    lot = fields.Float(validate=POSITIVE)
    harvest_date = fields.Date(allow_none=True)


class BasketOrderSchema(Schema):
    id = fields.Integer(dump_only=True)
    week = fields.String(required=True, validate=WEEK)
    relay_point_id = fields.String(required=True, validate=SLUG)
    basket_type_id = fields.String(required=True, validate=SLUG)
    day = fields.Date(required=True)
    count = fields.Integer(required=True, validate=validate.Range(0, 10000))
    standing = fields.Boolean(load_default=False)
    version = fields.Integer(dump_only=True)
    derived_from_members = fields.Boolean(dump_only=True, metadata={"description": "derived from the members"})
    derived_count = fields.Integer(dump_only=True, allow_none=True,
                                   metadata={"description": "the count as derived (a different count: edited)"})


class BasketOrderUpdateSchema(Schema):
    count = fields.Integer(validate=validate.Range(0, 10000))
    standing = fields.Boolean()


class MealLineSchema(Schema):
    product = fields.String(required=True, validate=SLUG)
    meals = fields.Dict(keys=fields.String(validate=validate.OneOf(AGE_GROUPS)),
                        values=fields.Integer(validate=validate.Range(0, 100000)), required=True,
                        validate=validate.Length(min=1))


class MealOrderSchema(Schema):
    id = fields.Integer(dump_only=True)
    week = fields.String(required=True, validate=WEEK)
    canteen_id = fields.String(required=True, validate=SLUG)
    day = fields.Date(required=True)
    lines = fields.List(fields.Nested(MealLineSchema), required=True, validate=validate.Length(max=200))
    standing = fields.Boolean(load_default=False)
    version = fields.Integer(dump_only=True)


class MealOrderUpdateSchema(Schema):
    lines = fields.List(fields.Nested(MealLineSchema), validate=validate.Length(max=200))
    standing = fields.Boolean()


class UserSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(1, 200))
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    site_id = fields.String(allow_none=True, validate=SLUG)
    email = fields.Email(allow_none=True)
    active = fields.Boolean(dump_only=True)


class UserCreatedSchema(UserSchema):
    token = fields.String(dump_only=True, metadata={"description": "shown once, store it safely"})


class AuditSchema(Schema):
    id = fields.Integer()
    at = fields.DateTime()
    actor = fields.String()
    entity = fields.String()
    entity_id = fields.String()
    action = fields.String()
    before = fields.Dict(allow_none=True)
    after = fields.Dict(allow_none=True)


class AuditArgs(PageArgs):
    week = fields.String(validate=WEEK)
    entity = fields.String(validate=validate.OneOf(("offer", "basket_order", "meal_order", "week")))


def is_week(value: str) -> bool:
    return bool(re.match(r"^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$", value or ""))


class RunSchema(Schema):
    reason = fields.String(validate=validate.Length(max=1000),
                           metadata={"description": "why this run replaces the current plan"})


class PublishSchema(Schema):
    acknowledge = fields.Boolean(load_default=False, metadata={
        "description": "publish even with no offers or a missed policy target (otherwise held, 409)"})


class PlanSchema(Schema):
    """A stored plan version; `plan` follows SCENARIO.md's plan output."""

    week = fields.String()
    version = fields.Integer()
    created_at = fields.DateTime()
    created_by = fields.String()
    reason = fields.String(allow_none=True)
    inputs_hash = fields.String()
    plan = fields.Nested(WeekPlanSchema, metadata={
        "description": "SCENARIO.md's plan output, typed by orders/plan.py (the portioning alone: without "
                       "rounds, unserved, collections and totals)"})


class RoundStopSchema(Schema):
    id = fields.Integer(metadata={"description": "the stop's id, for its confirmation"})
    seq = fields.Integer()
    site_id = fields.String()
    arrival = fields.String()
    departure = fields.String()
    load_kg = fields.Float()
    crates = fields.Integer()
    drops = fields.List(fields.Dict())


class RoundSchema(Schema):
    id = fields.Integer()
    week = fields.String()
    day = fields.Date()
    vehicle_id = fields.String()
    driver = fields.String(allow_none=True)
    start = fields.String()
    end = fields.String()
    km = fields.Float()
    minutes = fields.Float()
    locked = fields.Boolean()
    stops = fields.List(fields.Nested(RoundStopSchema))


class RoundLockSchema(Schema):
    locked = fields.Boolean(required=True, metadata={
        "description": "keep this round's order at the next routing (new stops may be inserted)"})


class RoundArgs(PageArgs):
    day = fields.Date()
    vehicle = fields.String(validate=SLUG)
    driver = fields.String(validate=validate.Length(max=200))
