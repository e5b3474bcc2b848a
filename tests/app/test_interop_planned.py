"""Exports that need a plan: Ma Cantine purchases and EGAlim shares, iCalendar feeds of the rounds."""
from __future__ import annotations

import csv
import io
import json

import pytest
from icalendar import Calendar
from sqlmodel import select

from app.db import unit_of_work
from app.interop.macantine import COLUMNS, Purchase, shares
from app.models import Offer, Round, RoundStop, User
from app.services import planning, weeks
from tests.app.planned_world import planned_app
from tests.app.world import WEEK


@pytest.fixture(scope="module")
def planned(template_db, tmp_path_factory):
    mapping = tmp_path_factory.mktemp("mapping") / "macantine.json"
    mapping.write_text(json.dumps({"sirets": {"mat-loos": "21620510000013"}, "labels": {"ferme-terril": ["BIO"]},
                                   "families": {"legume": "FRUITS_ET_LEGUMES"}, "local_km": 80}))
    app, world = planned_app(template_db, tmp_path_factory, TERRIL_MACANTINE_MAPPING=str(mapping))
    yield app, world
    app.extensions["terril_engine"].dispose()


def _allocations(app, canteen):
    with app.app_context(), unit_of_work() as session:
        week = weeks.find_week(session, WEEK, app.config["TERRIL_TERRITORY"])
        plan = planning.current_plan(session, week)
        prices = {(o.producer_id, o.product_id): o.unit_price_eur for o in session.exec(select(Offer)).all()}
        return [(a, round(a["quantity"] * prices[(a["producer"], a["product"])], 2))
                for a in plan.plan["allocations"] if a["consumer"] == canteen]


def test_shares_on_a_small_known_example():
    def buy(price, labels=(), local=True):
        return Purchase("2026-12-01", "f", "F", "p", "P", 1, "kg", price, "AUTRES", tuple(labels), 5.0, local)

    out = shares([buy(30, ["BIO"]), buy(20, ["LABEL_ROUGE"], local=False), buy(50)])
    assert out["total_eur"] == 100 and out["bio_share"] == 0.3 and out["egalim_share"] == 0.5
    assert out["local_share"] == 0.8
    assert shares([])["bio_share"] == 0.0


def test_ma_cantine_csv_has_exactly_the_import_columns(planned):
    app, world = planned
    canteen = world.scenario["canteens"][0]["id"]
    res = world.get(f"/api/v1/sites/{canteen}/weeks/{WEEK}/ma-cantine.csv", who="canteen")
    assert res.status_code == 200 and res.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(res.data.decode("utf-8-sig"))))
    assert tuple(csv.reader(io.StringIO(res.data.decode("utf-8-sig"))).__next__()) == COLUMNS
    expected = _allocations(app, canteen)
    assert rows and len(rows) == len({(a["day"], a["producer"], a["product"]) for a, _ in expected})
    assert round(sum(float(r["prix_ht"]) for r in rows), 2) == round(sum(p for _, p in expected), 2)
    assert {r["siret"] for r in rows} == {"21620510000013"}
    assert all(r["origine"] == "FRANCE" and r["est_circuit_court"] == "OUI" for r in rows)
    local = [r for r in rows if r["est_local"] == "OUI"]
    assert local and all(r["definition_local"] == "AUTOUR_SERVICE" and r["definition_local_km"] == "80"
                         for r in local)
    assert all(("BIO" in r["categories_egalim"]) == (r["fournisseur"] == "Ferme du Terril") for r in rows)
    override = world.get(f"/api/v1/sites/{canteen}/weeks/{WEEK}/ma-cantine.csv?siret=12345678901234",
                         who="canteen")
    assert "12345678901234" in override.data.decode()
    assert world.get(f"/api/v1/sites/{canteen}/weeks/{WEEK}/ma-cantine.csv?siret=123",
                     who="canteen").status_code == 422


def test_a_canteen_sees_only_its_own_purchases(planned):
    _, world = planned
    other = world.scenario["canteens"][1]["id"]
    assert world.get(f"/api/v1/sites/{other}/weeks/{WEEK}/ma-cantine.csv", who="canteen").status_code == 404
    assert world.get(f"/api/v1/sites/{other}/weeks/{WEEK}/egalim", who="canteen").status_code == 404
    assert world.get(f"/api/v1/sites/{other}/weeks/{WEEK}/egalim", who="relay").status_code == 403
    assert world.get(f"/api/v1/sites/{other}/weeks/{WEEK}/egalim").status_code == 200


def test_egalim_report_matches_the_plan(planned):
    app, world = planned
    canteen = world.scenario["canteens"][0]["id"]
    res = world.get(f"/api/v1/sites/{canteen}/weeks/{WEEK}/egalim", who="canteen")
    assert res.status_code == 200
    expected = _allocations(app, canteen)
    total = round(sum(p for _, p in expected), 2)
    bio = round(sum(p for a, p in expected if a["producer"] == "ferme-terril"), 2)
    week = res.json["this_week"]
    assert week["total_eur"] == pytest.approx(total, abs=0.02)
    assert week["bio_share"] == pytest.approx(bio / total, abs=1e-3)
    assert 0 < week["local_share"] <= 1
    assert res.json["year_to_date"]["total_eur"] == week["total_eur"]
    assert [w["week"] for w in res.json["year_to_date"]["weeks"]] == [WEEK]


def test_driver_feed_has_one_event_per_round(planned):
    app, world = planned
    with app.app_context(), unit_of_work() as session:
        driver = session.exec(select(User).where(User.role == "driver")).one()
        rounds = session.exec(select(Round).where(Round.driver_user_id == driver.id)).all()
        stops = {r.id: len(session.exec(select(RoundStop).where(RoundStop.round_id == r.id)).all()) for r in rounds}
    assert rounds
    res = world.get(f"/api/v1/calendars/drivers/{driver.id}.ics", who="driver")
    assert res.status_code == 200 and res.mimetype == "text/calendar"
    cal = Calendar.from_ical(res.data)
    events = cal.walk("VEVENT")
    assert len(events) == len(rounds)
    assert {str(e["uid"]) for e in events} == {f"round-{r.id}@terril" for r in rounds}
    for event in events:
        rid = int(str(event["uid"]).split("-")[1].split("@")[0])
        assert str(event["description"]).count("\n") + 1 == stops[rid]
        assert event.decoded("dtstart").tzinfo is not None
    assert cal.walk("VTIMEZONE")
    assert world.get(f"/api/v1/calendars/drivers/{driver.id}.ics", who=None).status_code == 401
    assert world.get(f"/api/v1/calendars/drivers/{driver.id}.ics", who="relay").status_code == 403
    assert world.get(f"/api/v1/calendars/drivers/{driver.id}.ics").status_code == 200


def test_relay_feed_has_one_event_per_delivery_day_with_the_eta(planned):
    app, world = planned
    relay = world.scenario["relay_points"][0]["id"]
    with app.app_context(), unit_of_work() as session:
        visits = session.exec(select(RoundStop, Round).join(Round, Round.id == RoundStop.round_id)
                              .where(RoundStop.site_id == relay)).all()
    days = {r.day: s.arrival for s, r in visits}
    res = world.get(f"/api/v1/calendars/relay-points/{relay}.ics", who="relay")
    assert res.status_code == 200
    events = Calendar.from_ical(res.data).walk("VEVENT")
    assert len(events) == len(days) > 0
    for event in events:
        start = event.decoded("dtstart")
        assert start.strftime("%H:%M") == days[start.date()]
        assert days[start.date()] in str(event["summary"])
    other = world.scenario["relay_points"][1]["id"]
    assert world.get(f"/api/v1/calendars/relay-points/{other}.ics", who="relay").status_code == 404
