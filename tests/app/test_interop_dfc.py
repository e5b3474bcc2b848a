"""DFC JSON-LD (ontology 1.16): catalogue and orders parse with pyld and rdflib (no network), links are
links, prices carry VAT, every emitted @id answers, orders and catalogues import, old IRIs still read."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from pyld import jsonld
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF
from sqlmodel import select

from app.db import unit_of_work
from app.interop import dfc_context
from app.models import BasketOrder, Grammage, MealOrder, Offer
from tests.app.world import WEEK, build_world

DFCB = Namespace(dfc_context.DFC_B)
OLD_B = "http://static.datafoodconsortium.org/ontologies/DFC_BusinessOntology.owl#"
BASE = "http://localhost/api/v1/dfc/"


def _graph(document: dict) -> Graph:
    """JSON-LD → N-Quads with pyld (local contexts only) → an rdflib graph."""
    nquads = jsonld.to_rdf(document, {"format": "application/n-quads", **dfc_context.OPTIONS})
    return Graph().parse(data=nquads, format="nt")


def _orders(app):
    with app.app_context(), unit_of_work() as session:
        meals = sorted((o.canteen_id, o.day.isoformat(), repr(o.lines)) for o in session.exec(select(MealOrder)).all())
        baskets = sorted((o.relay_point_id, o.day.isoformat(), o.basket_type_id, o.count)
                         for o in session.exec(select(BasketOrder)).all())
    return meals, baskets


def test_catalog_speaks_the_1_16_context_with_links_and_vat(app):
    world = build_world(app, state="orders_open")
    res = world.get(f"/api/v1/dfc/catalog?week={WEEK}")
    assert res.status_code == 200 and res.mimetype == "application/ld+json"
    assert res.json["@context"][0] == dfc_context.CONTEXT_URL and "context_1.16.0" in dfc_context.CONTEXT_URL
    graph = _graph(res.json)
    assert not [t for t in graph.all_nodes() if "static.datafoodconsortium.org" in str(t)]
    with app.app_context(), unit_of_work() as session:
        offers = session.exec(select(Offer)).all()
    producer_offers = [s for s in graph.subjects(RDF.type, DFCB.Offer) if "/offers/baskets/" not in str(s)
                       and "/offers/meals/" not in str(s)]
    assert len(producer_offers) == len(offers)
    one = offers[0]
    offer = URIRef(f"{BASE}weeks/{WEEK}/offers/{one.producer_id}/{one.product_id}")
    price = graph.value(offer, DFCB.hasPrice)
    assert float(graph.value(price, DFCB.value)) == pytest.approx(one.unit_price_eur)
    assert float(graph.value(price, DFCB.VATrate)) == 5.5
    assert str(graph.value(price, DFCB.hasUnit)) == dfc_context.DFC_M + "Euro"
    assert float(graph.value(offer, DFCB.stockLimitation)) == pytest.approx(one.quantity)
    item = graph.value(offer, DFCB.offeredItem)
    assert isinstance(item, URIRef) and (item, RDF.type, DFCB.CatalogItem) in graph
    product = graph.value(item, DFCB.references)
    assert (product, RDF.type, DFCB.SuppliedProduct) in graph
    sale = list(graph.subjects(RDF.type, DFCB.SaleSession))
    assert len(sale) == 1 and (sale[0], DFCB.lists, offer) in graph
    assert len(list(graph.objects(sale[0], DFCB.lists))) == len(list(graph.subjects(RDF.type, DFCB.Offer)))
    for s, p, o in graph:
        if p not in (RDF.type, DFCB.hasUnit) and isinstance(o, Literal):
            assert not str(o).startswith("http"), (s, p, o)   # no link written as a string


def test_meal_offers_are_priced_per_meal_and_say_the_kilograms_of_a_meal(app):
    world = build_world(app, state="orders_open")
    graph = _graph(world.get(f"/api/v1/dfc/catalog?week={WEEK}").json)
    with app.app_context(), unit_of_work() as session:
        offers = [o for o in session.exec(select(Offer)).all() if o.product_id == "carotte"]
        grammage = session.exec(select(Grammage).where(Grammage.product_id == "carotte",
                                                       Grammage.age_group == "maternelle")).one()
    mean = sum(o.quantity * o.unit_price_eur for o in offers) / sum(o.quantity for o in offers)
    kg = grammage.grams / 1000 / grammage.yield_ratio
    offer = URIRef(f"{BASE}weeks/{WEEK}/offers/meals/carotte/maternelle")
    assert float(graph.value(graph.value(offer, DFCB.hasPrice), DFCB.value)) == pytest.approx(mean * kg, abs=1e-4)
    product = graph.value(graph.value(offer, DFCB.offeredItem), DFCB.references)
    qty = graph.value(product, DFCB.hasQuantity)
    assert float(graph.value(qty, DFCB.value)) == pytest.approx(kg, abs=1e-4)
    assert str(graph.value(qty, DFCB.hasUnit)) == dfc_context.DFC_M + "Kilogram"
    assert mean * kg < 1.0    # a meal's carrots cost cents, not a kilogram's price


def test_orders_have_a_date_and_priced_lines_and_round_trip(app):
    world = build_world(app, state="orders_open")
    before = _orders(app)
    exported = world.get(f"/api/v1/dfc/orders?week={WEEK}").json
    graph = _graph(exported)
    orders = list(graph.subjects(RDF.type, DFCB.Order))
    assert len(orders) == len({(s, d) for s, d, *_ in before[0] + before[1]})
    assert all(graph.value(o, DFCB.date) is not None for o in orders)
    lines = list(graph.subjects(RDF.type, DFCB.OrderLine))
    for line in lines:
        assert isinstance(graph.value(line, DFCB.quantity), Literal)
        price = graph.value(line, DFCB.hasPrice)
        assert price is not None and float(graph.value(price, DFCB.VATrate)) == 5.5
        assert isinstance(graph.value(line, DFCB.concerns), URIRef)
    with app.app_context(), unit_of_work() as session:
        for row in session.exec(select(MealOrder)).all() + session.exec(select(BasketOrder)).all():
            session.delete(row)
    assert _orders(app) == ([], [])
    imported_at = datetime.now(UTC)
    res = world.post("/api/v1/dfc/orders", exported)
    assert res.status_code == 200, res.json
    assert res.json["updated"] == 0
    assert _orders(app) == before
    assert world.post("/api/v1/dfc/orders", exported).json["created"] == 0
    assert _orders(app) == before
    # an order's date is its last change (the audit trail of the import)
    again = world.get(f"/api/v1/dfc/orders?week={WEEK}").json
    dates = [datetime.fromisoformat(n["dfc-b:date"]) for n in again["@graph"] if n["@type"] == "dfc-b:Order"]
    assert dates and all(d.tzinfo and d >= imported_at.replace(microsecond=0) - timedelta(seconds=1) for d in dates)


def test_every_emitted_id_answers_with_its_json_ld(app):
    world = build_world(app, state="orders_open")
    catalog = world.get(f"/api/v1/dfc/catalog?week={WEEK}").json
    orders = world.get(f"/api/v1/dfc/orders?week={WEEK}").json
    text = json.dumps([catalog, orders])
    ids = {n["@id"] for doc in (catalog, orders) for n in doc["@graph"]}
    linked = {v["@id"] for doc in (catalog, orders) for n in doc["@graph"] for v in _links(n)
              if v["@id"].startswith(BASE)}
    assert linked - ids <= {i for i in linked if "/enterprises/" in i}   # customers are linked, not listed
    for iri in sorted(ids | linked):
        res = world.get(iri.replace("http://localhost", ""))
        assert res.status_code == 200, iri
        assert res.mimetype == "application/ld+json" and res.json["@id"] == iri
        assert res.json["@context"][0] == dfc_context.CONTEXT_URL
    assert "static.datafoodconsortium.org" not in text
    assert world.get("/api/v1/dfc/weeks/2026-W49/offers/nobody/nothing").status_code == 404
    canteen = world.scenario["canteens"][0]["id"]
    assert world.get(f"/api/v1/dfc/enterprises/{canteen}", who="canteen").status_code == 403


def _links(node: dict):
    for key, value in node.items():
        for v in value if isinstance(value, list) else [value]:
            if isinstance(v, dict) and set(v) == {"@id"} and key != "dfc-b:hasUnit":
                yield v


def test_old_iris_and_string_links_still_import(app):
    world = build_world(app, state="orders_open")
    before = _orders(app)
    exported = world.get(f"/api/v1/dfc/orders?week={WEEK}").json
    # as written before 1.8: full static.datafoodconsortium.org IRIs, links as plain strings
    old = json.loads(json.dumps(exported).replace('"dfc-b:', f'"{OLD_B}'))
    old["@context"] = {"trl": dfc_context.TRL}
    for n in old["@graph"]:
        for key, val in list(n.items()):
            if isinstance(val, dict) and set(val) == {"@id"}:
                n[key] = val["@id"]
        if "trl:deliveryDay" in n:
            n["trl:deliveryDay"] = {"@value": n["trl:deliveryDay"]}
    with app.app_context(), unit_of_work() as session:
        for row in session.exec(select(MealOrder)).all() + session.exec(select(BasketOrder)).all():
            session.delete(row)
    res = world.post("/api/v1/dfc/orders", old)
    assert res.status_code == 200, res.json
    assert _orders(app) == before
    legacy = {**exported, "@context": ["http://static.datafoodconsortium.org/ontologies/context.json",
                                       dfc_context.EXTENSION]}
    assert world.post("/api/v1/dfc/orders", legacy).status_code == 200
    assert _orders(app) == before


def test_a_bad_order_line_refuses_the_whole_document(app):
    world = build_world(app, state="orders_open")
    before = _orders(app)
    exported = world.get(f"/api/v1/dfc/orders?week={WEEK}").json
    lines = [n for n in exported["@graph"] if n["@type"] == "dfc-b:OrderLine"]
    lines[0]["dfc-b:quantity"] = 999
    lines[-1]["dfc-b:concerns"] = {"@id": lines[-1]["dfc-b:concerns"]["@id"].rsplit("/", 2)[0] + "/inconnu"}
    res = world.post("/api/v1/dfc/orders", exported)
    assert res.status_code == 422 and res.mimetype == "application/problem+json"
    assert _orders(app) == before


def test_the_422_names_the_context_and_the_types_it_read(app):
    world = build_world(app, state="orders_open")
    doc = {"@context": "http://attacker.example/context.jsonld", "@type": "dfc-b:Order"}
    res = world.post("/api/v1/dfc/orders", doc)
    assert res.status_code == 422 and res.json["errors"][0]["field"] == "@context"
    assert "http://attacker.example/context.jsonld" in res.json["detail"]
    assert "context_1.16.0" in res.json["detail"]
    with pytest.raises(jsonld.JsonLdError):
        dfc_context.document_loader("https://example.org/anything")
    catalog = world.get(f"/api/v1/dfc/catalog?week={WEEK}").json
    res = world.post("/api/v1/dfc/orders", catalog)
    assert res.status_code == 422
    assert "dfc-b:Order" in res.json["detail"] and "dfc-b:Offer" in res.json["detail"]
    assert dfc_context.CONTEXT_URL in res.json["detail"]


def test_dfc_orders_respect_the_windows(app):
    world = build_world(app, state="closed")
    exported = world.get(f"/api/v1/dfc/orders?week={WEEK}").json
    assert world.post("/api/v1/dfc/orders", exported).status_code == 409


def _offers(app):
    with app.app_context(), unit_of_work() as session:
        return sorted((o.producer_id, o.product_id, o.quantity, o.unit_price_eur)
                      for o in session.exec(select(Offer)).all())


def test_a_producers_dfc_catalogue_becomes_its_offers(app):
    world = build_world(app, state="offers_open")
    farm = world.scenario["producers"][0]["id"]
    before = _offers(app)
    mine = [o for o in before if o[0] == farm]
    assert mine
    # the producer's own platform: its own IRIs, the product named; the farm is the route's
    graph = [{"@id": "https://farm.example/enterprise", "@type": "dfc-b:Enterprise",
              "dfc-b:supplies": [{"@id": f"https://farm.example/products/{i}"} for i in range(len(mine))]}]
    for i, (_, product, qty, unit_price) in enumerate(mine):
        graph += [
            {"@id": f"https://farm.example/products/{i}", "@type": "dfc-b:SuppliedProduct", "dfc-b:name": product},
            {"@id": f"https://farm.example/items/{i}", "@type": "dfc-b:CatalogItem", "dfc-b:sku": product,
             "dfc-b:references": {"@id": f"https://farm.example/products/{i}"}},
            {"@id": f"https://farm.example/offers/{i}", "@type": "dfc-b:Offer",
             "dfc-b:offeredItem": {"@id": f"https://farm.example/items/{i}"}, "dfc-b:stockLimitation": qty + 5,
             "dfc-b:hasPrice": {"@type": "dfc-b:Price", "dfc-b:value": unit_price + 0.5, "dfc-b:VATrate": 5.5}},
        ]
    doc = {"@context": dfc_context.CONTEXT_URL, "@graph": graph}
    url = f"/api/v1/producers/{farm}/weeks/{WEEK}/dfc-catalog"
    res = world.post(url, doc, who="producer")
    assert res.status_code == 200, res.json
    assert res.json == {"created": 0, "updated": len(mine), "rows": len(mine), "skipped": 0}
    after = _offers(app)
    assert [o for o in after if o[0] != farm] == [o for o in before if o[0] != farm]
    assert [o for o in after if o[0] == farm] == [(f, p, q + 5, pytest.approx(u + 0.5)) for f, p, q, u in mine]
    # another farm's catalogue is refused for this producer, nothing written
    other = world.scenario["producers"][1]["id"]
    res = world.post(f"/api/v1/producers/{other}/weeks/{WEEK}/dfc-catalog", doc, who="producer")
    assert res.status_code == 404 and _offers(app) == after
    # a product Terril does not know is named in the 422
    graph[1]["dfc-b:name"] = "Durian"
    graph[2]["dfc-b:sku"] = "durian"
    res = world.post(url, doc, who="producer")
    assert res.status_code == 422 and "Durian" in res.json["detail"] and _offers(app) == after


def test_terrils_own_catalogue_imports_back_unchanged(app):
    world = build_world(app, state="offers_open")
    before = _offers(app)
    catalog = world.get(f"/api/v1/dfc/catalog?week={WEEK}").json
    offers = len(catalog["@graph"]) and sum(n["@type"] == "dfc-b:Offer" for n in catalog["@graph"])
    for farm in sorted({o[0] for o in before}):
        res = world.post(f"/api/v1/producers/{farm}/weeks/{WEEK}/dfc-catalog", catalog)
        assert res.status_code == 200, res.json
        own = sum(o[0] == farm for o in before)
        assert res.json == {"created": 0, "updated": own, "rows": own, "skipped": offers - own}
    assert _offers(app) == before
