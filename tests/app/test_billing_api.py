"""Money through the API and the CLI (issue 20): the demo week's Factur-X invoices (schema-checked by
the factur-x library, totals of the XML = the printed ones = the ledger's), credit notes when a
confirmation shows a shortfall or a refusal, members' accounts with a MANNE payment and a garden
credit, producers' statements, and an FEC and invoices CSV that reconcile with the ledger. Bad
input: a clear 4xx naming the field, nothing changed."""
from __future__ import annotations

import csv
import io
import uuid
from datetime import date
from decimal import Decimal
from xml.etree import ElementTree as ET

import facturx
import pytest
from pypdf import PdfReader
from sqlmodel import func, select

from app.auth import issue_token
from app.db import get_session, unit_of_work
from app.models import BasketType, Collection, Invoice, LedgerEntry, Payment, Site, User, Week
from app.services import billing_settings, ledger, weeks
from app.services import members as member_service
from orders.billing import accounts as A
from orders.billing import numbering
from orders.billing.money import EUR
from reports.formatting import money
from tests.app.planned_world import planned_app
from tests.app.world import WEEK

RAM = "{urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100}"


@pytest.fixture(scope="module")
def money_world(template_db, tmp_path_factory):
    """The demo week planned and published, the demo paying bodies, a first canteen stop confirmed
    delivered and a relay point's stop confirmed; the other stops unconfirmed."""
    app, world = planned_app(template_db, tmp_path_factory)
    with app.app_context():
        with unit_of_work() as session:
            week = session.exec(select(Week).where(Week.iso_week == WEEK)).one()
            weeks.transition(session, week, "published", None, actor="test")
            billing_settings.load_demo(session, week.territory_id)
    stops = _consumer_stops(app, world)
    canteen_stops = [(r, s) for r, s in stops if s["site_id"] in _canteens(app)]
    rnd, stop = canteen_stops[0]
    res = world.post(_url(rnd, stop), {"id": str(uuid.uuid4()), "outcome": "delivered"}, who="driver")
    assert res.status_code == 201, res.json
    world.unconfirmed = canteen_stops[1:]
    return app, world


def _canteens(app) -> set[str]:
    with app.app_context():
        return {s.id for s in get_session().exec(select(Site).where(Site.kind == "canteen"))}


def _consumer_stops(app, world):
    with app.app_context():
        consumers = {s.id for s in get_session().exec(select(Site).where(Site.kind.in_(("canteen", "relay"))))}
    rounds = world.get(f"/api/v1/weeks/{WEEK}/rounds?page_size=100").json["items"]
    return [(r, s) for r in rounds for s in r["stops"] if s["site_id"] in consumers]


def _url(rnd, stop):
    return f"/api/v1/rounds/{rnd['id']}/stops/{stop['id']}/confirmation"


def _issue(app):
    result = app.test_cli_runner().invoke(args=["invoices", "issue", "--week", WEEK])
    assert result.exit_code == 0, result.output
    return result.output


def _counts(app) -> tuple[int, int, int]:
    with app.app_context():
        s = get_session()
        return (s.exec(select(func.count()).select_from(Invoice)).one(),
                s.exec(select(func.count()).select_from(LedgerEntry)).one(),
                s.exec(select(func.count()).select_from(Payment)).one())


def _fr(text: str) -> Decimal:
    return Decimal(text.replace(",", ".")) if text else Decimal(0)


def test_the_week_is_invoiced_once_as_factur_x_with_the_printed_totals(money_world):
    app, world = money_world
    _issue(app)
    again = _issue(app)
    assert "0 facture(s) émise(s)" in again
    invoices = world.get(f"/api/v1/invoices?week={WEEK}").json
    issued = [i for i in invoices if i["kind"] == "invoice"]
    assert len(issued) == len({i["site_id"] for i in issued}) >= 3
    assert numbering.gaps([i["number"] for i in invoices]) == []
    bases = {i["site_id"]: i["basis"] for i in issued}
    assert {"delivered", "mixed"} & set(bases.values()) and "plan" in bases.values()
    for inv in issued[:3]:
        res = world.get(f"/api/v1/invoices/{inv['id']}.pdf")
        assert res.status_code == 200 and res.mimetype == "application/pdf"
        name, xml = facturx.get_xml_from_pdf(res.data, check_xsd=False)
        assert name == "factur-x.xml"
        assert facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931")
        root = ET.fromstring(xml)
        sums = root.find(f".//{RAM}SpecifiedTradeSettlementHeaderMonetarySummation")
        assert Decimal(sums.find(f"{RAM}GrandTotalAmount").text) == Decimal(inv["gross_eur"])
        assert Decimal(sums.find(f"{RAM}TaxTotalAmount").text) == Decimal(inv["vat_eur"])
        assert root.find(f".//{RAM}BuyerTradeParty/{RAM}SpecifiedLegalOrganization/{RAM}ID").text == inv["buyer"]["siret"]
        text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(res.data)).pages)
        assert inv["number"] in text and money(Decimal(inv["gross_eur"])) in text
        assert money(Decimal(inv["net_eur"])) in text and inv["buyer"]["siret"] in text
        assert "(démo)" in text  # the demo's paying bodies are fictional, and say so
        ids = [s["id"] for group in ("producers", "canteens", "relay_points") for s in world.scenario[group]]
        assert not [i for i in ids if i in text], "no internal id on an invoice"
        reader = PdfReader(io.BytesIO(res.data))
        xmp = reader.xmp_metadata.stream.get_data()
        assert b"pdfaid:part>3<" in xmp and b"fx:ConformanceLevel>EN 16931<" in xmp  # PDF/A-3, Factur-X EN 16931
        assert list(reader.attachments) == ["factur-x.xml"]
        if inv["basis"] != "delivered":
            assert "prévu" in text


def test_a_later_confirmation_short_of_the_plan_gets_a_credit_note(money_world):
    app, world = money_world
    _issue(app)
    rnd, stop = world.unconfirmed[0]
    drop = stop["drops"][0]
    short = world.post(_url(rnd, stop), {"id": str(uuid.uuid4()), "outcome": "partial",
                                         "drops": [{"product": drop["product"], "quantity": 0}]}, who="driver")
    assert short.status_code == 201, short.json
    out = _issue(app)
    assert "Avoir émis : AV-" in out
    invoices = world.get(f"/api/v1/invoices?site={stop['site_id']}").json
    invoice = next(i for i in invoices if i["kind"] == "invoice")
    notes = [i for i in invoices if i["kind"] == "credit_note"]
    assert notes and all(n["credits_id"] == invoice["id"] for n in notes)
    assert sum(Decimal(n["gross_eur"]) for n in notes) <= Decimal(invoice["gross_eur"])
    assert "Avoir émis" not in _issue(app)  # nothing more to credit
    pdf = world.get(f"/api/v1/invoices/{notes[0]['id']}.pdf")
    _, xml = facturx.get_xml_from_pdf(pdf.data, check_xsd=True)
    assert ET.fromstring(xml).find(f".//{RAM}InvoiceReferencedDocument/{RAM}IssuerAssignedID").text == invoice["number"]


def test_bad_money_input_is_refused_naming_the_field_and_changes_nothing(money_world):
    app, world = money_world
    _issue(app)
    invoice = next(i for i in world.get(f"/api/v1/invoices?week={WEEK}").json if i["kind"] == "invoice")
    before = _counts(app)
    again = world.post(f"/api/v1/invoices/{invoice['id']}/issue")
    assert again.status_code == 409 and again.mimetype == "application/problem+json"
    assert again.json["errors"][0]["field"] == "invoice_id"
    line = invoice["lines"][0]
    too_big = world.post(f"/api/v1/invoices/{invoice['id']}/credit-notes", {
        "reason": "test", "lines": [{"day": line["day"], "product": line["product"], "producer": line["producer"],
                                     "quantity": line["quantity"] + 1}]})
    assert too_big.status_code == 422 and too_big.json["errors"][0]["field"] == "lines[0].quantity"
    draft = world.post("/api/v1/invoices", {"week": WEEK, "site": invoice["site_id"]})
    assert draft.status_code == 409 and draft.json["errors"][0]["field"] == "invoice_id"
    with app.app_context():
        with unit_of_work() as session:
            site = session.get(Site, invoice["site_id"])
            siret, site.siret = site.siret, None
            session.add(site)
    try:
        none = world.post("/api/v1/invoices", {"week": WEEK, "site": invoice["site_id"]})
        assert none.status_code == 422 and none.json["errors"][0]["field"] == "siret"
        assert "SIRET" in none.json["detail_fr"]
    finally:
        with app.app_context():
            with unit_of_work() as session:
                site = session.get(Site, invoice["site_id"])
                site.siret = siret
                session.add(site)
    assert _counts(app) == before


def _member(app, world, n: int = 0):
    relay = world.scenario["relay_points"][n]["id"]
    res = world.post(f"/api/v1/relay-points/{relay}/members", {"name": "Foyer Lefebvre"},
                     who="relay" if n == 0 else "relay2")
    assert res.status_code == 201, res.json
    member_id = res.json["id"]
    with app.app_context():
        with unit_of_work() as session:
            coordinator = session.exec(select(User).where(User.role == "coordinator")).first()
            account = member_service.link_user(session, coordinator, member_id, f"foyer-{member_id}")
            token = issue_token(session, account)
            week = session.exec(select(Week).where(Week.iso_week == WEEK)).one()
            basket = session.exec(select(BasketType)).first()
            session.add(Collection(week_id=week.id, member_id=member_id, relay_point_id=relay,
                                   day=date.fromisoformat(str((week.delivery_days or ["2026-12-01"])[0])),
                                   basket_type_id=basket.id, count=1))
            price = Decimal(str(basket.price_eur))
    world.tokens[f"member{member_id}"] = token
    return member_id, f"member{member_id}", price


def test_a_relay_point_charging_per_collected_basket_charges_once_it_is_ticked(money_world):
    app, world = money_world
    relay = world.scenario["relay_points"][1]["id"]
    rule = world.call("PUT", "/api/v1/billing/settings", json={"charge_rules": {relay: "collected"}})
    assert rule.status_code == 200 and rule.json["charge_rules"][relay] == "collected"
    bad = world.call("PUT", "/api/v1/billing/settings", json={"charge_rules": {relay: "sometimes"}})
    assert bad.status_code == 422
    member_id, me, price = _member(app, world, 1)
    _issue(app)
    assert Decimal(world.get(f"/api/v1/members/{member_id}/account", who=me).json["balances"]["EUR"]) == 0
    with app.app_context():
        with unit_of_work() as session:
            row = session.exec(select(Collection).where(Collection.member_id == member_id)).one()
            row.collected = True
            session.add(row)
    _issue(app)
    _issue(app)
    account = world.get(f"/api/v1/members/{member_id}/account", who=me).json
    assert Decimal(account["balances"]["EUR"]) == -price and len(account["entries"]["EUR"]) == 1


def test_a_member_is_charged_its_basket_earns_manne_from_a_garden_and_pays_with_it(money_world):
    app, world = money_world
    member_id, me, price = _member(app, world)
    garden = world.post("/api/v1/gardens", {"member_id": member_id, "place": "Jardin de la cité 12/14",
                                            "area_m2": 80, "start": "2026-03-01", "end": "2026-12-31"})
    assert garden.status_code == 201, garden.json
    credit = world.post(f"/api/v1/gardens/{garden.json['id']}/contributions",
                        {"kind": "hours", "quantity": 2, "day": "2026-11-28"})
    assert credit.status_code == 201 and Decimal(credit.json["manne"]) == Decimal("20.00")
    _issue(app)
    account = world.get(f"/api/v1/members/{member_id}/account", who=me).json
    assert Decimal(account["balances"]["EUR"]) == -price
    assert Decimal(account["balances"]["MANNE"]) == Decimal("20.00")
    before = _counts(app)
    broke = world.post(f"/api/v1/members/{member_id}/payments", {"method": "manne", "amount": "20.01"}, who="relay")
    assert broke.status_code == 422 and broke.json["errors"][0]["field"] == "amount"
    negative = world.post(f"/api/v1/members/{member_id}/payments", {"method": "cash", "amount": "-5"}, who="relay")
    assert negative.status_code == 422 and "amount" in str(negative.json["errors"])
    other = world.post(f"/api/v1/members/{member_id}/payments", {"method": "cash", "amount": "5"}, who="relay2")
    assert other.status_code == 404
    itself = world.post(f"/api/v1/members/{member_id}/payments", {"method": "cash", "amount": "5"}, who=me)
    assert itself.status_code == 403
    assert _counts(app) == before
    paid = world.post(f"/api/v1/members/{member_id}/payments", {"method": "manne", "amount": "10"}, who="relay")
    assert paid.status_code == 201, paid.json
    cash = world.post(f"/api/v1/members/{member_id}/payments",
                      {"method": "cash", "amount": str(price - 10)}, who="relay")
    assert cash.status_code == 201
    account = world.get(f"/api/v1/members/{member_id}/account", who=me).json
    assert Decimal(account["balances"]["EUR"]) == 0 and Decimal(account["balances"]["MANNE"]) == Decimal("10.00")
    assert [Decimal(m["amount"]) for m in account["entries"]["MANNE"]] == [Decimal("20.00"), Decimal("-10.00")]
    assert len(world.get(f"/api/v1/members/{member_id}/payments", who=me).json) == 2
    assert world.get("/api/v1/gardens", who=me).json[0]["id"] == garden.json["id"]


def test_the_fec_and_the_invoices_csv_reconcile_with_the_ledger(money_world):
    app, world = money_world
    _issue(app)
    invoices = [i for i in world.get("/api/v1/invoices").json if i["status"] == "issued"]
    year = int(invoices[0]["issued_on"][:4])
    res = world.get(f"/api/v1/accounting/fec?year={year}")
    assert res.status_code == 200 and "FEC" in res.headers["Content-Disposition"]
    lines = res.data.decode().splitlines()
    header, rows = lines[0].split("\t"), [ln.split("\t") for ln in lines[1:]]
    assert len(header) == 18 and all(len(r) == 18 for r in rows)
    col = {name: n for n, name in enumerate(header)}
    with app.app_context():
        entries = ledger.entries(get_session(), world_territory(app), year=year)
    debit, credit = sum(_fr(r[col["Debit"]]) for r in rows), sum(_fr(r[col["Credit"]]) for r in rows)
    assert debit == credit == sum(ln.debit for e in entries if e.unit == EUR for ln in e.lines)
    canteens = _canteens(app)
    receivable = sum(_fr(r[col["Debit"]]) - _fr(r[col["Credit"]]) for r in rows
                     if r[col["CompteNum"]] == A.CUSTOMERS and r[col["CompAuxNum"]] in canteens)
    table = list(csv.DictReader(io.StringIO(world.get(f"/api/v1/invoices.csv?year={year}").data.decode()),
                                delimiter=";"))
    assert len(table) == len(invoices)
    assert sum(_fr(r["ttc_eur"]) for r in table) == receivable
    assert receivable == sum(Decimal(i["gross_eur"]) * (-1 if i["kind"] == "credit_note" else 1) for i in invoices)
    sales = sum(_fr(r[col["Credit"]]) - _fr(r[col["Debit"]]) for r in rows if r[col["CompteNum"]] == A.SALES
                and r[col["JournalCode"]] == "VE" and r[col["PieceRef"]].startswith(("FA-", "AV-")))
    assert sales == sum(_fr(r["ht_eur"]) for r in table)


def world_territory(app) -> str:
    return app.config["TERRIL_TERRITORY"]


def test_a_producer_reads_its_own_statement_with_the_commission(money_world):
    app, world = money_world
    producer = world.scenario["producers"][0]["id"]
    res = world.get(f"/api/v1/producers/{producer}/statements?month=2026-12", who="producer")
    assert res.status_code == 200, res.json
    st = res.json
    assert st["lines"] and Decimal(st["net"]) == Decimal(st["gross"]) - Decimal(st["commission"])
    assert Decimal(st["commission"]) == (Decimal(st["gross"]) * Decimal("0.08")).quantize(Decimal("0.01"))
    assert world.get(f"/api/v1/producers/{producer}/statements?month=2026-12", who="producer2").status_code == 403
    bad = world.get(f"/api/v1/producers/{producer}/statements?month=2026-13", who="producer")
    assert bad.status_code == 422
    pdf = world.get(f"/api/v1/producers/{producer}/statements.pdf?month=2026-12", who="producer")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "décembre 2026" in text and money(Decimal(st["net"])) in text
    assert world.scenario["producers"][0]["name"] in text
    table = world.get(f"/api/v1/producers/{producer}/statements.csv?week={WEEK}", who="producer").data.decode()
    assert table.startswith("semaine;jour;produit") and "commission" in table
