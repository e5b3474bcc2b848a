"""Ma Cantine: every demo canteen's purchase file passes the import format's Table Schema (checked with
frictionless, as Ma Cantine's validator does) and its model rules; no SIRET, no file; EGAlim shares."""
from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from frictionless import Resource, Schema
from sqlmodel import select

from app.db import unit_of_work
from app.interop import macantine
from app.interop.macantine import COLUMNS, Purchase, luhn_valid, shares
from app.models import Offer, Site
from app.services import planning, weeks
from orders.demo import build_demo_scenario
from tests.app.planned_world import planned_app
from tests.app.world import WEEK

LAST_DAY = "2026-12-06"     # Sunday of the demo week: every delivery is in the past


@pytest.fixture(scope="module")
def planned(template_db, tmp_path_factory):
    app, world = planned_app(template_db, tmp_path_factory)
    yield app, world
    app.extensions["terril_engine"].dispose()


def _allocations(app, canteen):
    with app.app_context(), unit_of_work() as session:
        week = weeks.find_week(session, WEEK, app.config["TERRIL_TERRITORY"])
        plan = planning.current_plan(session, week)
        prices = {(o.producer_id, o.product_id): o.unit_price_eur for o in session.exec(select(Offer)).all()}
        return [(a, round(a["quantity"] * prices[(a["producer"], a["product"])], 2))
                for a in plan.plan["allocations"] if a["consumer"] == canteen]


def _export(world, canteen, who="canteen", **query):
    qs = "&".join(f"{k}={v}" for k, v in query.items())
    return world.get(f"/api/v1/sites/{canteen}/weeks/{WEEK}/ma-cantine.csv?{qs}", who=who)


def _rows(res) -> list[dict]:
    return list(csv.DictReader(io.StringIO(res.data.decode("utf-8-sig"))))


def _model_rule_errors(rows: list[dict], as_of: str) -> list[str]:
    """Ma Cantine's Purchase model rules that a Table Schema cannot state (data/validators/purchase.py)."""
    errors = []
    for n, r in enumerate(rows, start=2):
        if not (len(r["siret"]) == 14 and r["siret"].isdigit() and luhn_valid(r["siret"])):
            errors.append(f"{n}: siret")
        if r["date"] > as_of:
            errors.append(f"{n}: date in the future")
        if float(r["prix_ht"]) < 0 or round(float(r["prix_ht"]), 2) != float(r["prix_ht"]):
            errors.append(f"{n}: prix_ht")
        local = r["est_local"] in ("OUI", "oui", "x")
        if not local and (r["definition_local"] or r["definition_local_km"]):
            errors.append(f"{n}: definition_local without est_local")
        if r["definition_local_km"] and (r["definition_local"] != "KM" or not r["definition_local_km"].isdigit()):
            errors.append(f"{n}: definition_local_km must be a whole number with KM")
    return errors


def test_schema_file_states_ma_cantines_current_format():
    fields = {f["name"]: f for f in macantine.SCHEMA["fields"]}
    assert COLUMNS == ("siret", "description", "fournisseur", "date", "prix_ht", "famille_produits",
                       "categories_egalim", "origine", "est_circuit_court", "est_local", "definition_local",
                       "definition_local_km")
    assert "KM" in fields["definition_local"]["constraints"]["pattern"]
    assert "AUTOUR_SERVICE" not in json.dumps(macantine.SCHEMA)
    assert "PRODUITS_LAITIERS" in fields["famille_produits"]["constraints"]["pattern"]
    assert macantine.SCHEMA["sources"][0]["path"].endswith("data/schemas/imports/achats_siret.json")


def test_every_demo_canteens_file_passes_the_import_format(planned):
    app, world = planned
    schema = Schema.from_descriptor(macantine.SCHEMA)
    seen_local = seen_eggs = 0
    for canteen in world.scenario["canteens"]:
        res = _export(world, canteen["id"], who="coordinator", as_of=LAST_DAY)
        assert res.status_code == 200, res.json
        assert res.headers["Content-Type"] == "text/csv; charset=utf-8"
        report = Resource(data=res.data, format="csv", encoding="utf-8", schema=schema).validate()
        assert report.valid, (canteen["id"], report.flatten(["rowNumber", "fieldName", "type", "note"])[:5])
        rows = _rows(res)
        assert rows, canteen["id"]
        assert _model_rule_errors(rows, LAST_DAY) == []
        assert res.headers["Terril-Future-Deliveries-Withheld"] == "0"
        seen_local += sum(r["definition_local"] == "KM" for r in rows)
        eggs = [r for r in rows if r["description"].startswith("Œuf")]
        assert all(r["famille_produits"] == "PRODUITS_LAITIERS" for r in eggs)
        seen_eggs += len(eggs)
    assert seen_local and seen_eggs


def test_a_schema_check_would_catch_the_old_values(planned):
    """The check is not vacuous: the old format's values fail it."""
    _, world = planned
    canteen = world.scenario["canteens"][0]["id"]
    text = _export(world, canteen, as_of=LAST_DAY).data.decode("utf-8-sig").replace(",KM,", ",AUTOUR_SERVICE,")
    report = Resource(data=text.encode(), format="csv", schema=Schema.from_descriptor(macantine.SCHEMA)).validate()
    assert not report.valid
    assert {e[1] for e in report.flatten(["rowNumber", "fieldName"])} == {"definition_local"}


def test_the_file_has_the_plans_purchases(planned):
    app, world = planned
    canteen = world.scenario["canteens"][0]["id"]
    res = _export(world, canteen, as_of=LAST_DAY)
    rows = _rows(res)
    expected = _allocations(app, canteen)
    assert len(rows) == len({(a["day"], a["producer"], a["product"]) for a, _ in expected})
    assert round(sum(float(r["prix_ht"]) for r in rows), 2) == round(sum(p for _, p in expected), 2)
    assert {r["siret"] for r in rows} == {"99999900100004"}
    assert all(r["origine"] == "FRANCE" and r["est_circuit_court"] == "OUI" for r in rows)
    assert all(r["definition_local_km"] == "80" for r in rows if r["est_local"] == "OUI")
    bio = {"Les Jardins des Galibots (micro-ferme d'insertion)"}
    assert all(("BIO" in r["categories_egalim"]) == (r["fournisseur"] in bio or
                                                     (r["fournisseur"] == "Verger de la Noulette"
                                                      and r["description"].startswith("Pomme ")))
               for r in rows)


def test_only_past_deliveries_are_exported_and_the_rest_counted(planned):
    _, world = planned
    canteen = world.scenario["canteens"][0]["id"]
    every = _rows(_export(world, canteen, as_of=LAST_DAY))
    days = sorted({r["date"] for r in every})
    assert len(days) > 1
    res = _export(world, canteen, as_of=days[0])
    kept = _rows(res)
    assert kept and {r["date"] for r in kept} == {days[0]}
    assert int(res.headers["Terril-Future-Deliveries-Withheld"]) == len(every) - len(kept)
    before = _export(world, canteen, as_of="2026-11-01")
    assert before.status_code == 200 and _rows(before) == []


def _set_siret(app, site_id, siret):
    with app.app_context(), unit_of_work() as session:
        session.get(Site, site_id).siret = siret


def test_siret_comes_from_the_query_the_site_or_the_mapping(planned, tmp_path):
    app, world = planned
    canteen = world.scenario["canteens"][0]
    assert canteen["siret"] == "99999900100004"       # the demo scenario's, stored on the site
    assert {r["siret"] for r in _rows(_export(world, canteen["id"], as_of=LAST_DAY, siret="73282932000074"))} == \
        {"73282932000074"}
    assert _export(world, canteen["id"], siret="12345678901234").status_code == 422      # check digit
    assert _export(world, canteen["id"], siret="123").status_code == 422
    mapping = tmp_path / "macantine.json"
    mapping.write_text(json.dumps({"sirets": {canteen["id"]: "99999900700001"}, "families": {}, "local_km": 80}))
    _set_siret(app, canteen["id"], None)
    app.config["TERRIL_MACANTINE_MAPPING"] = str(mapping)
    try:
        assert {r["siret"] for r in _rows(_export(world, canteen["id"], as_of=LAST_DAY))} == {"99999900700001"}
    finally:
        app.config.pop("TERRIL_MACANTINE_MAPPING")
        _set_siret(app, canteen["id"], canteen["siret"])


def test_no_siret_no_file_and_the_422_names_the_canteen(planned):
    app, world = planned
    canteen = world.scenario["canteens"][1]
    _set_siret(app, canteen["id"], None)
    try:
        res = _export(world, canteen["id"], who="canteen2", as_of=LAST_DAY)
    finally:
        _set_siret(app, canteen["id"], canteen["siret"])
    assert res.status_code == 422 and res.mimetype == "application/problem+json"
    assert canteen["name"] in res.json["detail_fr"] and canteen["id"] in res.json["detail"]
    assert res.json["errors"][0]["field"] == "siret"


def test_luhn_check_digit():
    assert luhn_valid("73282932000074") and not luhn_valid("73282932000075")
    canteens = build_demo_scenario(WEEK)["canteens"]
    assert canteens and all(c.get("siret") for c in canteens)
    for c in canteens:
        assert len(c["siret"]) == 14 and luhn_valid(c["siret"]) and c["siret"].startswith("9999990")  # fictional


def test_shares_on_a_small_known_example():
    def buy(price, labels=(), local=True):
        return Purchase("2026-12-01", "f", "F", "p", "P", 1, "kg", price, "AUTRES", tuple(labels), 5.0, local)

    out = shares([buy(30, ["BIO"]), buy(20, ["LABEL_ROUGE"], local=False), buy(50)])
    assert out["total_eur"] == 100 and out["bio_share"] == 0.3 and out["egalim_share"] == 0.5
    assert out["local_share"] == 0.8
    assert shares([])["bio_share"] == 0.0
    assert macantine.delivered_by([buy(1)], date(2026, 11, 30)) == ([], [buy(1)])


def test_a_canteen_sees_only_its_own_purchases(planned):
    _, world = planned
    other = world.scenario["canteens"][1]["id"]
    assert _export(world, other).status_code == 404
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
    week = res.json["this_week"]
    assert week["total_eur"] == pytest.approx(total, abs=0.02)
    assert 0 <= week["bio_share"] <= 1 and 0 < week["local_share"] <= 1
    assert res.json["year_to_date"]["total_eur"] == week["total_eur"]
    assert [w["week"] for w in res.json["year_to_date"]["weeks"]] == [WEEK]
