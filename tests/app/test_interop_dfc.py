"""DFC JSON-LD: catalogue and orders parse with pyld and rdflib (no network), orders round-trip."""
from __future__ import annotations

import pytest
from pyld import jsonld
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF
from sqlmodel import select

from app.db import unit_of_work
from app.interop import dfc
from app.models import BasketOrder, MealOrder, Offer
from tests.app.world import WEEK, build_world

DFCB = Namespace(dfc.DFC_B)


def _graph(document: dict) -> Graph:
    """JSON-LD → N-Quads with pyld (local context only) → an rdflib graph."""
    nquads = jsonld.to_rdf(document, {"format": "application/n-quads", **dfc.OPTIONS})
    return Graph().parse(data=nquads, format="nt")


def _orders(app):
    with app.app_context(), unit_of_work() as session:
        meals = sorted((o.canteen_id, o.day.isoformat(), repr(o.lines)) for o in session.exec(select(MealOrder)).all())
        baskets = sorted((o.relay_point_id, o.day.isoformat(), o.basket_type_id, o.count)
                         for o in session.exec(select(BasketOrder)).all())
    return meals, baskets


def test_catalog_is_dfc_json_ld_with_the_weeks_offers(app):
    world = build_world(app, state="orders_open")
    res = world.get(f"/api/v1/dfc/catalog?week={WEEK}")
    assert res.status_code == 200 and res.mimetype == "application/ld+json"
    assert res.json["@context"][0] == dfc.CONTEXT_URL
    graph = _graph(res.json)
    with app.app_context(), unit_of_work() as session:
        offers = session.exec(select(Offer)).all()
    producer_offers = [s for s in graph.subjects(RDF.type, DFCB.Offer) if "/offers/baskets/" not in str(s)
                       and "/offers/meals/" not in str(s)]
    assert len(producer_offers) == len(offers)
    one = offers[0]
    offer = URIRef(f"http://localhost/api/v1/dfc/weeks/{WEEK}/offers/{one.producer_id}/{one.product_id}")
    price = graph.value(offer, DFCB.hasPrice)
    assert float(graph.value(price, DFCB.value)) == pytest.approx(one.unit_price_eur)
    assert float(graph.value(offer, DFCB.stockLimitation)) == pytest.approx(one.quantity)
    item = graph.value(offer, DFCB.offeredItem)
    assert (item, RDF.type, DFCB.CatalogItem) in graph
    product = graph.value(item, DFCB.references)
    assert (product, RDF.type, DFCB.SuppliedProduct) in graph
    sale = list(graph.subjects(RDF.type, DFCB.SaleSession))
    assert len(sale) == 1 and (sale[0], DFCB.lists, offer) in graph
    assert len(list(graph.objects(sale[0], DFCB.lists))) == len(list(graph.subjects(RDF.type, DFCB.Offer)))


def test_orders_round_trip_export_parse_import(app):
    world = build_world(app, state="orders_open")
    before = _orders(app)
    exported = world.get(f"/api/v1/dfc/orders?week={WEEK}").json
    graph = _graph(exported)
    assert len(list(graph.subjects(RDF.type, DFCB.Order))) == len({(s, d) for s, d, *_ in before[0] + before[1]})
    line = next(iter(graph.subjects(RDF.type, DFCB.OrderLine)))
    assert isinstance(graph.value(line, DFCB.quantity), Literal)
    with app.app_context(), unit_of_work() as session:
        for row in session.exec(select(MealOrder)).all() + session.exec(select(BasketOrder)).all():
            session.delete(row)
    assert _orders(app) == ([], [])
    res = world.post("/api/v1/dfc/orders", exported)
    assert res.status_code == 200, res.json
    assert res.json["updated"] == 0
    assert _orders(app) == before
    # importing the same document again only updates, and changes nothing
    assert world.post("/api/v1/dfc/orders", exported).json["created"] == 0
    assert _orders(app) == before


def test_a_bad_order_line_refuses_the_whole_document(app):
    world = build_world(app, state="orders_open")
    before = _orders(app)
    exported = world.get(f"/api/v1/dfc/orders?week={WEEK}").json
    lines = [n for n in exported["@graph"] if n["@type"] == "dfc-b:OrderLine"]
    lines[0]["dfc-b:quantity"] = 999
    lines[-1]["dfc-b:concerns"] = lines[-1]["dfc-b:concerns"].rsplit("/", 1)[0] + "/inconnu"
    res = world.post("/api/v1/dfc/orders", exported)
    assert res.status_code == 422 and res.mimetype == "application/problem+json"
    assert _orders(app) == before


def test_remote_contexts_are_never_fetched(app):
    world = build_world(app, state="orders_open")
    doc = {"@context": "http://attacker.example/context.jsonld", "@type": "dfc-b:Order"}
    res = world.post("/api/v1/dfc/orders", doc)
    assert res.status_code == 422 and res.json["errors"][0]["field"] == "@context"
    with pytest.raises(jsonld.JsonLdError):
        dfc.document_loader("https://example.org/anything")


def test_dfc_orders_respect_the_windows(app):
    world = build_world(app, state="closed")
    exported = world.get(f"/api/v1/dfc/orders?week={WEEK}").json
    assert world.post("/api/v1/dfc/orders", exported).status_code == 409
