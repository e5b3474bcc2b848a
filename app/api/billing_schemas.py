"""Schemas of the money API (app/api/billing.py): invoices, credit notes, statements, accounts,
payments, gardens, settings and paying bodies. Money is a decimal string (two places)."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.schemas import SLUG
from app.services import ledger
from orders.billing.accounts import PAYMENT_METHODS
from orders.billing.manne import CONTRIBUTION_KINDS
from orders.billing.members import CHARGE_RULES

WEEK = validate.Regexp(r"^\d{4}-W\d{2}$", error="An ISO week such as 2026-W49.")
MONEY = {"places": 2}


class Money(fields.Decimal):
    """An exact decimal, written as a JSON string ("12.50", never a binary float) and documented so;
    numbers are read too."""

    def __init__(self, *args, **kwargs):
        kwargs["as_string"] = True
        kwargs["metadata"] = {"type": "string", "format": "decimal", "pattern": r"^-?[0-9]+(\.[0-9]+)?$",
                              **kwargs.get("metadata", {})}
        super().__init__(*args, **kwargs)


class InvoiceLineSchema(Schema):
    day = fields.String()
    product = fields.String()
    producer = fields.String()
    name = fields.String()
    unit = fields.String()
    quantity = fields.Float()
    unit_price = fields.Float(metadata={"description": "€ before VAT"})
    vat_rate = fields.Float(metadata={"description": "%"})
    basis = fields.String(metadata={"description": "delivered (confirmed) or plan (unconfirmed at issue)"})


class InvoiceSchema(Schema):
    id = fields.Integer()
    number = fields.String(allow_none=True)
    kind = fields.String(metadata={"description": "invoice or credit_note"})
    status = fields.String(metadata={"description": "draft or issued"})
    site_id = fields.String()
    credits_id = fields.Integer(allow_none=True)
    issued_on = fields.Date(allow_none=True)
    basis = fields.String()
    buyer = fields.Dict()
    lines = fields.List(fields.Nested(InvoiceLineSchema))
    net_eur = fields.Method("_net")
    vat_eur = fields.Method("_vat")
    gross_eur = fields.Method("_gross")
    reason = fields.String(allow_none=True)

    def _net(self, row):
        return str(ledger.from_cents(row.net_cents))

    def _vat(self, row):
        return str(ledger.from_cents(row.vat_cents))

    def _gross(self, row):
        return str(ledger.from_cents(row.gross_cents))


class InvoiceArgs(Schema):
    week = fields.String(validate=WEEK)
    site = fields.String(validate=SLUG)


class DraftSchema(Schema):
    week = fields.String(required=True, validate=WEEK)
    site = fields.String(required=True, validate=SLUG)


class CreditLineSchema(Schema):
    day = fields.String(required=True)
    product = fields.String(required=True, validate=SLUG)
    producer = fields.String(validate=SLUG)
    quantity = fields.Float(required=True, validate=validate.Range(min=0, min_inclusive=False,
                                                                   error="A credited quantity is positive."))


class CreditNoteSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=300))
    lines = fields.List(fields.Nested(CreditLineSchema), required=True, validate=validate.Length(min=1, max=500))


class WeekRunSchema(Schema):
    week = fields.String()
    issued = fields.List(fields.String())
    credit_notes = fields.List(fields.String())
    already = fields.List(fields.String())
    refused = fields.List(fields.List(fields.String()), metadata={"description": "[canteen, French reason]"})
    basket_entries = fields.Integer()
    supply_entries = fields.Integer()


class YearArgs(Schema):
    year = fields.Integer(required=True, validate=validate.Range(2000, 2100))


class StatementArgs(Schema):
    month = fields.String(validate=validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2])$", error="YYYY-MM expected."))
    week = fields.String(validate=WEEK)


class StatementLineSchema(Schema):
    week = fields.String()
    day = fields.String()
    product = fields.String()
    name = fields.String()
    unit = fields.String()
    consumer = fields.String()
    consumer_name = fields.String()
    quantity = fields.Float()
    unit_price = fields.Float()
    amount = Money(**MONEY)
    basis = fields.String()


class StatementSchema(Schema):
    producer = fields.String()
    producer_name = fields.String()
    period = fields.String()
    lines = fields.List(fields.Nested(StatementLineSchema))
    gross = Money(**MONEY)
    commission_rate = Money()
    commission = Money(**MONEY)
    net = Money(**MONEY)
    estimated = fields.Boolean(metadata={"description": "some lines are from the plan (unconfirmed)"})


class MovementSchema(Schema):
    day = fields.Date()
    label = fields.String()
    amount = Money(**MONEY, metadata={"description": "for the member: + paid or earned, − charged or spent"})
    balance = Money(**MONEY)
    source = fields.String()
    entry_id = fields.Integer()


class AccountSchema(Schema):
    member_id = fields.Integer()
    balances = fields.Dict(keys=fields.String(), values=Money(**MONEY),
                           metadata={"description": "EUR: paid − charged; MANNE: the wallet"})
    floor_eur = Money(**MONEY)
    below_floor = fields.Boolean()
    eur_per_manne = Money()
    entries = fields.Dict(keys=fields.String(), values=fields.List(fields.Nested(MovementSchema)))


class PaymentSchema(Schema):
    id = fields.Integer(dump_only=True)
    member_id = fields.Integer(dump_only=True)
    relay_point_id = fields.String(dump_only=True)
    method = fields.String(required=True, validate=validate.OneOf(PAYMENT_METHODS))
    amount = Money(required=True, places=2,
                            metadata={"description": "euros, or MANNE for method manne"})
    day = fields.Date(load_default=None)
    note = fields.String(allow_none=True, validate=validate.Length(max=300))
    recorded_by = fields.String(dump_only=True)


class GardenSchema(Schema):
    id = fields.Integer(dump_only=True)
    member_id = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1))
    place = fields.String(required=True, validate=validate.Length(min=1, max=300))
    area_m2 = fields.Float(required=True, validate=validate.Range(min=0, min_inclusive=False, max=1e6))
    start = fields.Date(required=True)
    end = fields.Date(allow_none=True)


class ContributionSchema(Schema):
    id = fields.Integer(dump_only=True)
    garden_id = fields.Integer(dump_only=True)
    kind = fields.String(required=True, validate=validate.OneOf(CONTRIBUTION_KINDS))
    quantity = fields.Float(required=True, validate=validate.Range(min=0, min_inclusive=False, max=10000))
    day = fields.Date(load_default=None)
    manne = fields.Method("_manne", dump_only=True)

    def _manne(self, row):
        return str(ledger.from_cents(row.manne_cents))


class SettingsSchema(Schema):
    eur_per_manne = Money(metadata={"description": "€ for 1 MANNE (> 0)"})
    member_floor_eur = Money(places=2, metadata={"description": "≤ 0: members below are flagged"})
    commission_rate = Money(metadata={"description": "share kept, 0 ≤ rate < 0.9"})
    garden_rule = fields.Dict(keys=fields.String(validate=validate.OneOf(("per_hour", "per_kg", "per_m2_month"))),
                              values=fields.Raw())
    charge_rules = fields.Dict(keys=fields.String(validate=SLUG), values=fields.String(validate=validate.OneOf(
        CHARGE_RULES)), metadata={"description": "relay point → subscribed or collected"})
    seller = fields.Dict(keys=fields.String(validate=validate.OneOf(
        ("name", "siren", "vat_id", "address", "postcode", "city", "iban"))), values=fields.String())


class PayingBodySchema(Schema):
    id = fields.String(required=True, validate=SLUG)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    kind = fields.String(load_default="commune", validate=validate.OneOf(("commune", "organisation")))
    siret = fields.String(required=True, validate=validate.Regexp(r"^\d{14}$", error="14 digits."))
    service_code = fields.String(allow_none=True, validate=validate.Length(max=100))
    commitment_number = fields.String(allow_none=True, validate=validate.Length(max=50))
    address = fields.String(allow_none=True, validate=validate.Length(max=300))
    postcode = fields.String(allow_none=True, validate=validate.Length(max=10))
    city = fields.String(allow_none=True, validate=validate.Length(max=120))
    canteens = fields.List(fields.String(validate=SLUG), load_default=list)
    demo = fields.Boolean(dump_only=True)


class GardenOfferSchema(Schema):
    week = fields.String(required=True, validate=WEEK)
    product_id = fields.String(required=True, validate=SLUG)
    quantity = fields.Float(required=True, validate=validate.Range(min=0, min_inclusive=False, max=100000))
    unit_price_eur = fields.Float(required=True, validate=validate.Range(min=0, max=10000))
    lot = fields.Float(load_default=1.0, validate=validate.Range(min=0, min_inclusive=False, max=10000))
    harvest_date = fields.Date(load_default=None)


class OfferOutSchema(Schema):
    id = fields.Integer()
    producer_id = fields.String()
    product_id = fields.String()
    quantity = fields.Float()
    unit_price_eur = fields.Float()
