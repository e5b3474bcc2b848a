"""The demo territory's data and the demo week scenario (orders/demo.py)."""

import csv
import datetime as dt
import json
import math
import re
import subprocess
import sys
from pathlib import Path

import pytest

from orders import demo

# Lens-Liévin basin, generous: Mazingarbe/Aix-Noulette (west) to Harnes (east), Souchez to Wingles.
LAT_MIN, LAT_MAX = 50.38, 50.51
LON_MIN, LON_MAX = 2.69, 2.92
HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


@pytest.fixture(scope="module")
def scenario():
    return demo.build_demo_scenario()


def _all_sites(s):
    return [s["hub"], *s["producers"], *s["canteens"], *s["relay_points"]]


def _metres(lat1, lon1, lat2, lon2):
    dy = (lat2 - lat1) * 111_320
    dx = (lon2 - lon1) * 111_320 * math.cos(math.radians(lat1))
    return math.hypot(dx, dy)


def test_data_files_present_with_sources():
    for name in ("places.csv", "crates.csv", "portions.csv", "demo_sites.csv"):
        with open(demo.DATA_DIR / name, encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        assert rows, name
        assert all(r["source"].strip() for r in rows), f"{name}: every row needs a source"
    assert (demo.DATA_DIR / "README.md").is_file()
    assert json.loads((demo.DATA_DIR / "demo_week.json").read_text(encoding="utf-8"))["source"]


def test_loaders_types():
    places = demo.load_places()
    assert places["Base 11/19 (Loos-en-Gohelle)"]["kind"] == "hub"
    assert isinstance(places["Lens"]["lat"], float)
    crates = demo.load_crates()
    assert len(crates) == 13
    assert crates["yaourt"]["cold"] is True and crates["carotte"]["cold"] is False
    sites = demo.load_demo_sites()
    assert len({s["id"] for s in sites}) == len(sites)
    assert all(isinstance(s["collect"], bool) and isinstance(s["service_min"], int) for s in sites)


def test_top_level_fields(scenario):
    assert list(scenario) == [
        "territory",
        "week",
        "hub",
        "road_factor",
        "speed_kmh",
        "products",
        "producers",
        "offers",
        "grammages",
        "canteens",
        "meal_orders",
        "relay_points",
        "basket_types",
        "basket_orders",
        "vehicles",
        "targets",
    ]
    assert scenario["territory"] == "Lens-Liévin"
    assert scenario["week"] == "2026-W49"
    assert scenario["road_factor"] == 1.3 and scenario["speed_kmh"] == 40
    assert scenario["targets"] == {"maternelle": 1.0, "foyer": 0.15}


def test_hub_is_base_11_19(scenario):
    hub = scenario["hub"]
    base = demo.load_places()["Base 11/19 (Loos-en-Gohelle)"]
    assert hub["id"] == "hub" and hub["name"] == "Base 11/19"
    assert (hub["lat"], hub["lon"]) == (base["lat"], base["lon"])


def test_counts(scenario):
    assert len(scenario["producers"]) == 5
    assert len(scenario["relay_points"]) == 10
    kinds = [c["kind"] for c in scenario["canteens"]]
    assert len(kinds) >= 4
    assert {"maternelle", "elementaire", "foyer"} <= set(kinds)
    assert set(kinds) <= {"maternelle", "elementaire", "foyer"}
    vans = {v["van"] for v in scenario["vehicles"]}
    assert 2 <= len(vans) <= 3
    assert any(v["cold"] for v in scenario["vehicles"])
    assert {b["id"] for b in scenario["basket_types"]} >= {"petit", "moyen"}


def test_ids_unique(scenario):
    site_ids = [x["id"] for x in _all_sites(scenario)]
    assert len(site_ids) == len(set(site_ids))
    for key in ("products", "basket_types", "vehicles"):
        ids = [x["id"] for x in scenario[key]]
        assert len(ids) == len(set(ids)), key


def test_references_resolve(scenario):
    products = {p["id"] for p in scenario["products"]}
    producers = {p["id"] for p in scenario["producers"]}
    canteens = {c["id"] for c in scenario["canteens"]}
    relays = {r["id"] for r in scenario["relay_points"]}
    basket_types = {b["id"] for b in scenario["basket_types"]}
    for o in scenario["offers"]:
        assert o["producer"] in producers and o["product"] in products
        assert o["quantity"] > 0 and o["unit_price"] > 0 and o["lot"] > 0
    for mo in scenario["meal_orders"]:
        assert mo["canteen"] in canteens
        assert mo["lines"]
        for line in mo["lines"]:
            assert line["product"] in products
            assert all(n > 0 for n in line["meals"].values())
    for bo in scenario["basket_orders"]:
        assert bo["relay_point"] in relays and bo["basket_type"] in basket_types
        assert 5 <= bo["count"] <= 25
    for g in scenario["grammages"]:
        assert g["product"] in products
        assert g["age_group"] in ("maternelle", "elementaire", "adulte", "foyer")


def test_grammages_cover_meal_lines(scenario):
    grammages = {(g["product"], g["age_group"]): g for g in scenario["grammages"]}
    assert len(grammages) == len(scenario["grammages"]), "one grammage per (product, age group)"
    for mo in scenario["meal_orders"]:
        for line in mo["lines"]:
            for group in line["meals"]:
                g = grammages[(line["product"], group)]
                assert g["grams"] > 0 and 0 < g["yield"] <= 1


def test_carrot_default_is_cooked_garnish(scenario):
    g = {(x["product"], x["age_group"]): x for x in scenario["grammages"]}
    assert g[("carotte", "maternelle")]["grams"] == 100
    assert g[("carotte", "maternelle")]["yield"] == 0.80


def test_meal_lines_match_canteen_kind(scenario):
    kinds = {c["id"]: c["kind"] for c in scenario["canteens"]}
    for mo in scenario["meal_orders"]:
        for line in mo["lines"]:
            assert set(line["meals"]) == {kinds[mo["canteen"]]}


def test_coordinates_in_lens_lievin(scenario):
    for site in _all_sites(scenario):
        assert LAT_MIN <= site["lat"] <= LAT_MAX, site["id"]
        assert LON_MIN <= site["lon"] <= LON_MAX, site["id"]
    coords = [(s["lat"], s["lon"]) for s in _all_sites(scenario)]
    assert len(coords) == len(set(coords)), "no two sites coincide"


def test_sites_near_their_commune_centre(scenario):
    places = demo.load_places()
    for site in [*scenario["producers"], *scenario["canteens"], *scenario["relay_points"]]:
        centre = places[site["commune"]]
        d = _metres(centre["lat"], centre["lon"], site["lat"], site["lon"])
        assert 50 < d < 1000, (site["id"], d)


def test_days_within_iso_week(scenario):
    monday = dt.date.fromisocalendar(2026, 49, 1)
    week = {(monday + dt.timedelta(days=i)).isoformat() for i in range(7)}
    days = [mo["day"] for mo in scenario["meal_orders"]]
    days += [bo["day"] for bo in scenario["basket_orders"]]
    days += [d for v in scenario["vehicles"] for d in v["days"]]
    assert set(days) <= week
    assert set(days) == {"2026-12-01", "2026-12-03"}


def test_other_week_shifts_dates_only():
    a = demo.build_demo_scenario("2026-W49")
    b = demo.build_demo_scenario("2026-W50")
    assert b["week"] == "2026-W50"
    assert {mo["day"] for mo in b["meal_orders"]} == {"2026-12-08", "2026-12-10"}
    shifted = json.dumps(a, ensure_ascii=False)
    for old, new in (("2026-W49", "2026-W50"), ("2026-12-01", "2026-12-08"), ("2026-12-03", "2026-12-10")):
        shifted = shifted.replace(old, new)
    assert json.loads(shifted) == b


def test_bad_week_rejected():
    for week in ("2026-49", "2026-W54", "W49", ""):
        with pytest.raises(ValueError):
            demo.build_demo_scenario(week)


def test_windows_and_shifts(scenario):
    for site in [*scenario["canteens"], *scenario["relay_points"]]:
        start, end = site["window"]
        assert HHMM.match(start) and HHMM.match(end) and start < end
        assert site["service_min"] > 0
    for c in scenario["canteens"]:
        assert c["window"][1] <= "10:00", "canteens are delivered before the kitchen starts"
    for r in scenario["relay_points"]:
        assert r["window"][0] >= "16:00"
    for v in scenario["vehicles"]:
        start, end = v["shift"]
        assert HHMM.match(start) and HHMM.match(end) and start < end
        assert v["capacity_kg"] > 0 and v["capacity_crates"] > 0
        assert v["driver"] and v["cost_per_km"] > 0 and v["cost_per_hour"] > 0
    # some shift covers the canteen windows, some the relay-point windows
    assert any(v["shift"][0] <= "07:00" and v["shift"][1] >= "10:00" for v in scenario["vehicles"])
    assert any(v["shift"][0] <= "16:00" and v["shift"][1] >= "19:00" for v in scenario["vehicles"])


def test_french_accents(scenario):
    names = [s["name"] for s in _all_sites(scenario)] + [p["name"] for p in scenario["products"]]
    text = " ".join(names)
    for accented in ("é", "Œ"):
        assert accented in text
    assert any(c["name"].startswith("École") for c in scenario["canteens"])
    assert any("Résidence" in c["name"] for c in scenario["canteens"] if c["kind"] == "foyer")
    product_names = {p["id"]: p["name"] for p in scenario["products"]}
    assert product_names["pomme-de-terre"] == "Pomme de terre"
    assert product_names["oeuf"] == "Œuf"
    assert scenario["territory"] == "Lens-Liévin"


def test_products_from_crates(scenario):
    crates = demo.load_crates()
    for p in scenario["products"]:
        assert p["unit"] == "kg"
        assert p["crate_kg"] == crates[p["id"]]["crate_kg"]
        assert p["cold"] == crates[p["id"]]["cold"]
        assert p["category"]


def test_winter_week_offers_nothing_out_of_season(scenario):
    offered = {o["product"] for o in scenario["offers"]}
    assert not offered & {"fraise", "tomate", "courgette"}
    used = {line["product"] for mo in scenario["meal_orders"] for line in mo["lines"]}
    assert used <= offered


def _needs_by_kind(scenario):
    """kg needed per (product, kind), each line rounded up to the product's smallest lot."""
    grammages = {(g["product"], g["age_group"]): g for g in scenario["grammages"]}
    kinds = {c["id"]: c["kind"] for c in scenario["canteens"]}
    lot = {}
    for o in scenario["offers"]:
        lot[o["product"]] = min(lot.get(o["product"], o["lot"]), o["lot"])
    needs = {}
    for mo in scenario["meal_orders"]:
        for line in mo["lines"]:
            for group, meals in line["meals"].items():
                g = grammages[(line["product"], group)]
                kg = g["grams"] * meals / g["yield"] / 1000
                rounded = math.ceil(kg / lot[line["product"]] - 1e-9) * lot[line["product"]]
                key = (line["product"], kinds[mo["canteen"]])
                needs[key] = needs.get(key, 0) + rounded
    return needs


def test_scarcity_leaves_maternelle_whole(scenario):
    supply = {}
    for o in scenario["offers"]:
        supply[o["product"]] = supply.get(o["product"], 0) + o["quantity"]
    needs = _needs_by_kind(scenario)
    products = {p for p, _ in needs}
    scarce = set()
    for p in products:
        canteen_need = sum(v for (q, _), v in needs.items() if q == p)
        assert supply[p] >= needs.get((p, "maternelle"), 0), f"maternelles can be served {p}"
        if supply[p] < canteen_need:
            scarce.add(p)
    assert 1 <= len(scarce) <= 2, scarce


def test_deterministic():
    a = json.dumps(demo.build_demo_scenario(), ensure_ascii=False)
    b = json.dumps(demo.build_demo_scenario(), ensure_ascii=False)
    assert a == b


def test_write_scenario_roundtrip(tmp_path):
    path = demo.write_scenario(tmp_path / "demo.json")
    assert json.loads(path.read_text(encoding="utf-8")) == demo.build_demo_scenario()


def test_module_prints_json():
    root = Path(demo.__file__).resolve().parent.parent
    out = subprocess.run(
        [sys.executable, "-m", "orders.demo", "2026-W50"], cwd=root, capture_output=True, check=True
    ).stdout
    data = json.loads(out.decode("utf-8"))
    assert data["week"] == "2026-W50" and data["hub"]["name"] == "Base 11/19"
