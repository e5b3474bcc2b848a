"""Money: invoices and credit notes to canteens (Factur-X), producers' statements, the accountant's
exports (FEC, invoices CSV), members' accounts and payments, gardens, the money settings and the
canteens' paying bodies.

Views parse, call one use case (`app/services/billing.py`, `member_accounts.py`, `statements.py`,
`gardens.py`) inside the unit of work, and return. Who: the coordinator for invoices, exports and
settings; a producer reads its own statements; a member its own account; the manager of a relay
point records its members' payments.
"""
from __future__ import annotations

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from app.api.billing_schemas import (
    AccountSchema,
    ContributionSchema,
    CreditNoteSchema,
    DraftSchema,
    GardenOfferSchema,
    GardenSchema,
    InvoiceArgs,
    InvoiceSchema,
    OfferOutSchema,
    PayingBodySchema,
    PaymentSchema,
    SettingsSchema,
    StatementArgs,
    StatementSchema,
    WeekRunSchema,
    YearArgs,
)
from app.api.common import territory_id
from app.auth import current_user, require
from app.db import get_session, unit_of_work
from app.services import billing, billing_settings, gardens, ledger, member_accounts, statements
from app.services.weeks import find_week
from orders.billing.manne import GardenRule
from orders.billing.statements import to_csv
from orders.errors import NotFound
from reports.statement import render_statement_pdf

blp = Blueprint("billing", "billing", url_prefix="/api/v1",
                description="Argent : factures Factur-X, avoirs, relevés des producteurs, FEC, comptes des "
                            "adhérents, MANNE et jardins")
BEARER = [{"bearer": []}]


# --------------------------------------------------------------------------- invoices


@blp.route("/invoices")
class Invoices(MethodView):
    @require("coordinator")
    @blp.arguments(InvoiceArgs, location="query")
    @blp.response(200, InvoiceSchema(many=True))
    @blp.doc(security=BEARER, operationId="listInvoices")
    def get(self, args):
        """Invoices and credit notes of the territory (of a week, of a canteen)."""
        return billing.list_invoices(get_session(), territory_id(), args.get("week"), args.get("site"))

    @require("coordinator")
    @blp.arguments(DraftSchema)
    @blp.response(201, InvoiceSchema)
    @blp.doc(security=BEARER, operationId="prepareInvoice")
    def post(self, data):
        """Prepare (or refresh) a canteen's draft invoice of a week from its deliveries."""
        with unit_of_work() as session:
            return billing.prepare_invoice(session, find_week(session, data["week"], territory_id()), data["site"])


@blp.route("/invoices/<int:invoice_id>")
class InvoiceOne(MethodView):
    @require("coordinator")
    @blp.response(200, InvoiceSchema)
    @blp.doc(security=BEARER, operationId="getInvoice")
    def get(self, invoice_id):
        """One invoice or credit note."""
        return billing.get_invoice(get_session(), invoice_id)


@blp.route("/invoices/<int:invoice_id>/issue")
class InvoiceIssue(MethodView):
    @require("coordinator")
    @blp.response(200, InvoiceSchema)
    @blp.doc(security=BEARER, operationId="issueInvoice")
    def post(self, invoice_id):
        """Issue a draft: its number, frozen, posted to the ledger (an issued one: 409)."""
        with unit_of_work() as session:
            return billing.issue_invoice(session, invoice_id, current_user().name)


@blp.route("/invoices/<int:invoice_id>/credit-notes")
class CreditNotes(MethodView):
    @require("coordinator")
    @blp.arguments(CreditNoteSchema)
    @blp.response(201, InvoiceSchema)
    @blp.doc(security=BEARER, operationId="createCreditNote")
    def post(self, data, invoice_id):
        """Issue a credit note on an issued invoice (never more than it billed)."""
        with unit_of_work() as session:
            return billing.create_credit_note(session, invoice_id, data, current_user().name)


@blp.route("/invoices/<int:invoice_id>.pdf")
class InvoicePdf(MethodView):
    @require("coordinator")
    @blp.doc(security=BEARER, operationId="getInvoicePdf",
             responses={"200": {"description": "the Factur-X PDF", "content": {"application/pdf": {}}}})
    def get(self, invoice_id):
        """The invoice as a Factur-X PDF (PDF/A-3 with its EN 16931 XML)."""
        name, data = billing.invoice_pdf(get_session(), invoice_id)
        return Response(data, mimetype="application/pdf", headers={"Content-Disposition": f'inline; filename="{name}"'})


@blp.route("/invoices.csv")
class InvoicesCsv(MethodView):
    @require("coordinator")
    @blp.arguments(YearArgs, location="query")
    @blp.doc(security=BEARER, operationId="getInvoicesCsv",
             responses={"200": {"description": "the invoices of the year", "content": {"text/csv": {}}}})
    def get(self, args):
        """Issued invoices and credit notes of a year, as CSV (for the accountant)."""
        text = billing.invoices_csv(get_session(), territory_id(), args["year"])
        return Response(text, mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="factures-{args["year"]}.csv"'})


@blp.route("/weeks/<string:week>/invoices")
class WeekInvoices(MethodView):
    @require("coordinator")
    @blp.response(200, WeekRunSchema)
    @blp.doc(security=BEARER, operationId="issueWeekInvoices")
    def post(self, week):
        """Issue the week's invoices and credit notes, basket charges and supplies (idempotent)."""
        with unit_of_work() as session:
            run = billing.issue_week(session, find_week(session, week, territory_id()), current_user().name)
        return run.__dict__


@blp.route("/accounting/fec")
class Fec(MethodView):
    @require("coordinator")
    @blp.arguments(YearArgs, location="query")
    @blp.doc(security=BEARER, operationId="getFec",
             responses={"200": {"description": "the FEC file (tab-separated)", "content": {"text/plain": {}}}})
    def get(self, args):
        """The year's FEC (Fichier des écritures comptables, 18 columns)."""
        name, text = billing.fec(get_session(), territory_id(), args["year"])
        return Response(text, mimetype="text/plain", headers={"Content-Disposition": f'attachment; filename="{name}"'})


# --------------------------------------------------------------------------- statements


def _statement(producer_id: str, args: dict):
    return statements.statement(get_session(), current_user(), producer_id, args.get("month"), args.get("week"))


@blp.route("/producers/<string:producer_id>/statements")
class Statements(MethodView):
    @require("coordinator", "producer")
    @blp.arguments(StatementArgs, location="query")
    @blp.response(200, StatementSchema)
    @blp.doc(security=BEARER, operationId="getProducerStatement")
    def get(self, args, producer_id):
        """A producer's statement of a month (or a week): supplied × price, less the commission."""
        return _statement(producer_id, args)


@blp.route("/producers/<string:producer_id>/statements.<string:fmt>")
class StatementFile(MethodView):
    @require("coordinator", "producer")
    @blp.arguments(StatementArgs, location="query")
    @blp.doc(security=BEARER, operationId="getProducerStatementFile",
             responses={"200": {"description": "the statement", "content": {"application/pdf": {}, "text/csv": {}}}})
    def get(self, args, producer_id, fmt):
        """A producer's statement as PDF or CSV."""
        if fmt not in ("pdf", "csv"):
            raise NotFound("Unknown format.", "Format inconnu (pdf ou csv).", "format")
        st = _statement(producer_id, args)
        name = f"releve-{producer_id}-{st.period}.{fmt}"
        if fmt == "csv":
            return Response(to_csv(st), mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{name}"'})
        return Response(render_statement_pdf(st), mimetype="application/pdf",
                        headers={"Content-Disposition": f'inline; filename="{name}"'})


# --------------------------------------------------------------------------- members


@blp.route("/members/<int:member_id>/account")
class MemberAccount(MethodView):
    @require("coordinator", "relay", "member")
    @blp.response(200, AccountSchema)
    @blp.doc(security=BEARER, operationId="getMemberAccount")
    def get(self, member_id):
        """A member's balances (EUR, MANNE) and its entries per unit."""
        return member_accounts.account(get_session(), current_user(), member_id)


@blp.route("/members/<int:member_id>/payments")
class MemberPayments(MethodView):
    @require("coordinator", "relay", "member")
    @blp.response(200, PaymentSchema(many=True))
    @blp.doc(security=BEARER, operationId="listMemberPayments")
    def get(self, member_id):
        """A member's payments."""
        return [_payment_out(p) for p in member_accounts.list_payments(get_session(), current_user(), member_id)]

    @require("coordinator", "relay")
    @blp.arguments(PaymentSchema)
    @blp.response(201, PaymentSchema)
    @blp.doc(security=BEARER, operationId="recordMemberPayment")
    def post(self, data, member_id):
        """Record a payment at collection (cash, card, transfer or MANNE)."""
        with unit_of_work() as session:
            row = member_accounts.record_payment(session, current_user(), member_id, data)
        return _payment_out(row)


def _payment_out(row) -> dict:
    return {"id": row.id, "member_id": row.member_id, "relay_point_id": row.relay_point_id, "method": row.method,
            "amount": ledger.from_cents(row.amount_cents), "day": row.day, "note": row.note,
            "recorded_by": row.recorded_by}


# --------------------------------------------------------------------------- gardens


@blp.route("/gardens")
class Gardens(MethodView):
    @require("coordinator", "member")
    @blp.response(200, GardenSchema(many=True))
    @blp.doc(security=BEARER, operationId="listGardens")
    def get(self):
        """Gardens lent to the collective (a member: its own)."""
        return gardens.list_gardens(get_session(), current_user(), territory_id())

    @require("coordinator")
    @blp.arguments(GardenSchema)
    @blp.response(201, GardenSchema)
    @blp.doc(security=BEARER, operationId="createGarden")
    def post(self, data):
        """A member lends a garden (place, m², from–to)."""
        with unit_of_work() as session:
            return gardens.create_garden(session, current_user(), territory_id(), data)


@blp.route("/gardens/<int:garden_id>/contributions")
class GardenContributions(MethodView):
    @require("coordinator", "member")
    @blp.response(200, ContributionSchema(many=True))
    @blp.doc(security=BEARER, operationId="listGardenContributions")
    def get(self, garden_id):
        """A garden's contributions and the MANNE each earned."""
        return gardens.contributions(get_session(), current_user(), garden_id)

    @require("coordinator")
    @blp.arguments(ContributionSchema)
    @blp.response(201, ContributionSchema)
    @blp.doc(security=BEARER, operationId="addGardenContribution")
    def post(self, data, garden_id):
        """Record hours, kilograms harvested or months lent: MANNE to the lender."""
        with unit_of_work() as session:
            return gardens.add_contribution(session, current_user(), garden_id, data)


@blp.route("/gardens/<int:garden_id>/offers")
class GardenOffers(MethodView):
    @require("coordinator")
    @blp.arguments(GardenOfferSchema)
    @blp.response(201, OfferOutSchema)
    @blp.doc(security=BEARER, operationId="offerGardenProduce")
    def post(self, data, garden_id):
        """A garden's harvest enters the week as an offer of the collective."""
        with unit_of_work() as session:
            return gardens.offer_produce(session, current_user(), garden_id, data)


# --------------------------------------------------------------------------- settings and paying bodies


def _settings_out(row) -> dict:
    return {"eur_per_manne": row.eur_per_manne, "member_floor_eur": ledger.from_cents(row.member_floor_cents),
            "commission_rate": row.commission_rate, "garden_rule": GardenRule.from_dict(row.garden_rule).to_dict(),
            "charge_rules": row.charge_rules, "seller": row.seller}


@blp.route("/billing/settings")
class Settings(MethodView):
    @require("coordinator")
    @blp.response(200, SettingsSchema)
    @blp.doc(security=BEARER, operationId="getBillingSettings")
    def get(self):
        """The territory's money settings."""
        with unit_of_work() as session:
            return _settings_out(ledger.settings(session, territory_id()))

    @require("coordinator")
    @blp.arguments(SettingsSchema)
    @blp.response(200, SettingsSchema)
    @blp.doc(security=BEARER, operationId="updateBillingSettings")
    def put(self, data):
        """Change the MANNE rate, the members' floor, the commission, the garden rule, the charge rules, the seller."""
        with unit_of_work() as session:
            return _settings_out(billing_settings.update(session, territory_id(), data))


@blp.route("/paying-bodies")
class PayingBodies(MethodView):
    @require("coordinator")
    @blp.response(200, PayingBodySchema(many=True))
    @blp.doc(security=BEARER, operationId="listPayingBodies")
    def get(self):
        """The canteens' paying bodies (Chorus Pro: SIRET, service code, commitment number)."""
        return billing_settings.paying_bodies(get_session(), territory_id())

    @require("coordinator")
    @blp.arguments(PayingBodySchema)
    @blp.response(201, PayingBodySchema)
    @blp.doc(security=BEARER, operationId="putPayingBody")
    def post(self, data):
        """Create or replace a paying body and the canteens it pays for."""
        with unit_of_work() as session:
            return billing_settings.save_paying_body(session, territory_id(), data)
