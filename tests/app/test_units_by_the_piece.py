"""Products sold by the piece weigh what one piece weighs (`unit_kg`), on every path of a stored week:
the plan's crates and loads, the route sheet and the pick list (issue 12: eggs were weighed 1 kg each)."""
from __future__ import annotations

import io
import math

import pytest
from pypdf import PdfReader
from sqlmodel import select

from app.db import get_session, unit_of_work
from app.models import Product, Site, Week
from app.services import documents, planning
from app.services.scenario import export_scenario, import_scenario
from orders.demo import build_demo_scenario
from orders.plan import Plan

WEEK = "2026-W49"
EGG_KG, SALAD_KG = 0.06, 0.333


def by_the_piece(scenario: dict) -> dict:
    """The demo week with eggs (trays of 75) and salads (heads) sold by the piece."""
    products = []
    for p in scenario["products"]:
        if p["id"] == "oeuf":
            p = {**p, "unit": "piece", "unit_kg": EGG_KG}
        elif p["id"] == "salade":
            p = {**p, "unit": "piece", "unit_kg": SALAD_KG}
        products.append(p)
    offers = []
    for o in scenario["offers"]:
        if o["product"] == "oeuf":  # 27 kg in trays of 4.5 kg → 450 eggs in trays of 75
            o = {**o, "quantity": 450, "lot": 75, "unit_price": round(o["unit_price"] * EGG_KG, 3)}
        elif o["product"] == "salade":
            o = {**o, "quantity": 270, "lot": 6, "unit_price": 1.9}
        offers.append(o)
    return {**scenario, "products": products, "offers": offers}


@pytest.fixture
def stored_week(app):
    with app.app_context():
        with unit_of_work() as session:
            import_scenario(session, by_the_piece(build_demo_scenario(WEEK)), state="closed")
        with unit_of_work() as session:
            week = session.exec(select(Week).where(Week.iso_week == WEEK)).one()
            row = planning.plan_week(session, week, "test", "unités à la pièce")
        yield week, row


def test_the_column_and_the_export_carry_unit_kg(app, stored_week):
    week, _ = stored_week
    session = get_session()
    assert session.get(Product, "oeuf").unit_kg == EGG_KG
    exported = {p.id: p for p in export_scenario(session, week).products}
    assert (exported["oeuf"].unit, exported["oeuf"].unit_kg) == ("piece", EGG_KG)
    assert exported["salade"].unit_kg == SALAD_KG


def test_plan_crates_and_loads_use_the_weight_of_a_piece(app, stored_week):
    week, row = stored_week
    plan = Plan.from_dict(row.plan)
    scenario = export_scenario(get_session(), week)
    products = scenario.products_by_id()
    eggs = [a for a in plan.allocations if a.product == "oeuf"]
    assert eggs and sum(a.quantity for a in eggs) <= 450
    for a in plan.allocations:
        product = products[a.product]
        assert a.crates == math.ceil(a.quantity * product.unit_kg / product.crate_kg - 1e-9)
    for egg in eggs:  # a tray (4.5 kg) holds 75 eggs: 150 eggs are 2 trays, not 150 crates of 1 kg
        assert egg.crates == math.ceil(egg.quantity / 75)
    for rnd in plan.rounds:
        for stop in rnd.deliveries:
            expected = sum(d.quantity * products[d.product].unit_kg for d in stop.drops)
            assert stop.load_kg == pytest.approx(expected, abs=1e-3)
            for d in stop.drops:
                p = products[d.product]
                assert d.crates == max(1, math.ceil(d.quantity * p.unit_kg / p.crate_kg - 1e-9))
    egg_stops = [s for r in plan.rounds for s in r.deliveries if any(d.product == "oeuf" for d in s.drops)]
    assert egg_stops and all(s.load_kg < 200 for s in egg_stops)  # 1 kg an egg would weigh a van down


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_route_sheet_and_pick_list_print_pieces_and_their_crates(app, stored_week):
    week, row = stored_week
    session = get_session()
    plan = Plan.from_dict(row.plan)
    egg_lines = [a for a in plan.allocations if a.product == "oeuf"]
    farm = session.get(Site, egg_lines[0].producer)
    pick = documents.pick_list_doc(session, week, row, farm)
    text = pdf_text(pick.render_pdf())
    assert "Œuf" in text
    total = sum(a.quantity for a in egg_lines if a.producer == farm.id and a.day == egg_lines[0].day)
    assert f"{total:g}" in text.replace("\u202f", "").replace("\xa0", "")
    rnd = next(r for r in plan.rounds if any(d.product == "oeuf" for s in r.stops for d in s.drops))
    sheet = documents.route_sheet_doc(session, week, row, rnd.day, rnd.vehicle)
    text = pdf_text(sheet.render_pdf())
    assert "Œuf" in text and "pièce" in text
