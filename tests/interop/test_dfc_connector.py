"""The official DFC connector (@datafoodconsortium/connector, TypeScript, from npm) reads Terril's exports,
and Terril imports the documents the connector builds. Offline: the probe refuses every fetch."""
from __future__ import annotations

import json
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import select

from app.db import unit_of_work
from app.interop import dfc_context
from app.models import Grammage, MealOrder, Offer
from tests.app.world import WEEK, build_world

BASE = "http://localhost/api/v1/dfc/"
OLD_B = "http://static.datafoodconsortium.org/ontologies/DFC_BusinessOntology.owl#"
OLD_M = "http://static.datafoodconsortium.org/data/measures.rdf#"


def _read(node_script, tmp_path, *documents: dict) -> list[dict]:
    files = []
    for n, doc in enumerate(documents):
        path = tmp_path / f"doc{n}.json"
        path.write_text(json.dumps(doc), encoding="utf-8")
        files.append(str(path))
    out = node_script("dfc_check.mjs", "read", *files)
    assert out["fetched"] == []          # nothing needed the network: context preloaded, links in the documents
    return [d["objects"] for d in out["documents"]]


def test_the_connector_reads_every_object_of_the_catalogue_and_the_orders(app, node_script, tmp_path):
    world = build_world(app, state="orders_open")
    catalog = world.get(f"/api/v1/dfc/catalog?week={WEEK}").json
    orders = world.get(f"/api/v1/dfc/orders?week={WEEK}").json
    read_catalog, read_orders = _read(node_script, tmp_path, catalog, orders)
    expected = Counter(n["@type"].split(":")[1] for n in catalog["@graph"])
    assert Counter(o["type"] for o in read_catalog) == expected
    assert Counter(o["type"] for o in read_orders) == Counter(n["@type"].split(":")[1] for n in orders["@graph"])
    by_id = {o["id"]: o for o in read_catalog + read_orders}

    offers = [o for o in read_catalog if o["type"] == "Offer"]
    with app.app_context(), unit_of_work() as session:
        stored = {f"{o.producer_id}/{o.product_id}": o for o in session.exec(select(Offer)).all()}
        grammage = {(g.product_id, g.age_group): g for g in session.exec(select(Grammage)).all()}
    for offer in offers:
        item = by_id[offer["offeredItem"]]                       # a link the connector follows
        assert item["type"] == "CatalogItem" and offer["id"] in item["offers"]
        assert by_id[item["product"]]["type"] == "SuppliedProduct"
        assert offer["price"]["vat"] == 5.5 and offer["price"]["unit"] == "dfc-m:Euro"
        key = offer["id"].split("/offers/", 1)[1]
        if key in stored:
            assert offer["price"]["value"] == pytest.approx(stored[key].unit_price_eur)
            assert offer["stock"] == pytest.approx(stored[key].quantity)
    sale = next(o for o in read_catalog if o["type"] == "SaleSession")
    assert sale["offers"] == len(offers) and sale["begin"] and sale["end"]

    # meal offers: priced per meal, their product's quantity is one meal's raw kilograms
    meal = by_id[f"{BASE}weeks/{WEEK}/offers/meals/carotte/maternelle"]
    g = grammage[("carotte", "maternelle")]
    product = by_id[by_id[meal["offeredItem"]]["product"]]
    assert product["quantity"] == {"value": pytest.approx(g.grams / 1000 / g.yield_ratio, abs=1e-4),
                                   "unit": "dfc-m:Kilogram"}
    assert meal["price"]["value"] < 1

    for order in (o for o in read_orders if o["type"] == "Order"):
        assert order["date"] and order["number"] and order["saleSession"] == sale["id"]
        assert order["lines"] and all(by_id[line]["order"] == order["id"] for line in order["lines"])
    for line in (o for o in read_orders if o["type"] == "OrderLine"):
        assert line["quantity"] > 0
        offer = by_id[line["offer"]]                               # the line's offer, found in the catalogue
        assert line["price"] == offer["price"]                     # getPrice() answers: the offer's unit price
        if "/offers/meals/" in line["offer"]:
            kg = by_id[by_id[offer["offeredItem"]]["product"]]["quantity"]["value"]
            assert line["quantity"] * kg < line["quantity"]        # 220 meals are 220 portions, not 220 kg


def test_the_connector_knows_no_object_written_with_the_pre_1_8_iris(app, node_script, tmp_path):
    """Why the export moved to 1.16: the same catalogue with the old static IRIs reads as nothing."""
    world = build_world(app, state="offers_open")
    catalog = world.get(f"/api/v1/dfc/catalog?week={WEEK}").json
    text = json.dumps(catalog["@graph"]).replace('"dfc-b:', f'"{OLD_B}').replace('"dfc-m:', f'"{OLD_M}')
    old = {"@context": dfc_context.EXTENSION, "@graph": json.loads(text)}
    (read_old,) = _read(node_script, tmp_path, old)
    assert read_old == []
    # while Terril itself still reads such a document (old and current IRIs are accepted on import)
    farm = world.scenario["producers"][0]["id"]
    res = world.post(f"/api/v1/producers/{farm}/weeks/{WEEK}/dfc-catalog", old)
    own = sum(n["@type"] == "dfc-b:Offer" and f"/offers/{farm}/" in n["@id"] for n in catalog["@graph"])
    assert res.status_code == 200 and res.json["updated"] == own > 0, res.json


def _spec(world) -> dict:
    canteen = next(c for c in world.scenario["canteens"] if c["kind"] == "elementaire")
    return {
        "saleSession": f"{BASE}weeks/{WEEK}/sale-session", "client": f"{BASE}enterprises/{canteen['id']}",
        "seller": f"{BASE}enterprises/lens-lievin", "orderId": "https://shop.example/orders/1", "number": "42",
        "date": "2026-11-24T10:00:00+01:00", "deliveryDay": "2026-12-03",
        "lines": [{"id": "https://shop.example/orders/1/lines/1", "quantity": 123, "price": 0.23, "vat": 5.5,
                   "offer": f"{BASE}weeks/{WEEK}/offers/meals/carotte/elementaire"}],
        "catalog": {"enterprise": "https://farm.example/enterprise", "name": "Ferme", "items": []},
    }


def test_terril_imports_an_order_the_connector_built(app, node_script, tmp_path):
    world = build_world(app, state="orders_open")
    spec = _spec(world)
    canteen = spec["client"].rsplit("/", 1)[1]
    built = _build(node_script, spec, tmp_path)
    assert built["fetched"] == []
    res = world.post("/api/v1/dfc/orders", built["orders"])
    assert res.status_code == 200, res.json
    with app.app_context(), unit_of_work() as session:
        order = session.exec(select(MealOrder).where(MealOrder.canteen_id == canteen)
                             .where(MealOrder.day == date(2026, 12, 3))).one()
    assert order.lines == [{"product": "carotte", "meals": {"elementaire": 123}}]
    # the same order without Terril's delivery day: refused, naming the term
    spec.pop("deliveryDay")
    res = world.post("/api/v1/dfc/orders", _build(node_script, spec, tmp_path)["orders"])
    assert res.status_code == 422 and "trl:deliveryDay" in res.json["detail"]


def test_terril_imports_a_catalogue_the_connector_built(app, node_script, tmp_path):
    world = build_world(app, state="offers_open")
    farm = world.scenario["producers"][0]["id"]
    with app.app_context(), unit_of_work() as session:
        mine = session.exec(select(Offer).where(Offer.producer_id == farm).order_by(Offer.product_id)).all()
        before = [(o.product_id, o.quantity, o.unit_price_eur) for o in mine]
    spec = _spec(world)
    spec["catalog"]["items"] = [
        {"product": f"https://farm.example/products/{n}", "name": product, "item": f"https://farm.example/items/{n}",
         "offer": f"https://farm.example/offers/{n}", "sku": product, "price": price + 0.1, "vat": 5.5,
         "stock": qty + 1}
        for n, (product, qty, price) in enumerate(before)]
    built = _build(node_script, spec, tmp_path)
    res = world.post(f"/api/v1/producers/{farm}/weeks/{WEEK}/dfc-catalog", built["catalog"], who="producer")
    assert res.status_code == 200, res.json
    assert res.json == {"created": 0, "updated": len(before), "rows": len(before), "skipped": 0}
    with app.app_context(), unit_of_work() as session:
        after = [(o.product_id, o.quantity, o.unit_price_eur) for o in
                 session.exec(select(Offer).where(Offer.producer_id == farm).order_by(Offer.product_id)).all()]
    assert after == [(p, q + 1, pytest.approx(u + 0.1)) for p, q, u in before]


def _build(node_script, spec: dict, tmp: Path) -> dict:
    path = tmp / "spec.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    return node_script("dfc_check.mjs", "build", str(path))
