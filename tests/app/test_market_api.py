"""Offers and orders through the API: windows, ownership, validation, audit, optimistic locking."""
from __future__ import annotations

import pytest
from sqlmodel import select

from app.db import get_session
from app.models import AuditEntry, BasketOrder, MealOrder, Offer
from tests.app.world import WEEK, build_world

PROBLEM = "application/problem+json"


@pytest.fixture
def world(app):
    return build_world(app, state="offers_open")


def _free_product(world) -> str:
    """A product the first farm does not offer yet in the demo week."""
    farm = world.scenario["producers"][0]["id"]
    offered = {o["product"] for o in world.scenario["offers"] if o["producer"] == farm}
    return sorted({p["id"] for p in world.scenario["products"]} - offered)[0]


def _offer(world, who="producer", **changes):
    body = {"week": WEEK, "producer_id": world.scenario["producers"][0]["id"], "product_id": _free_product(world),
            "quantity": 120, "unit_price_eur": 1.8, "lot": 5}
    body.update(changes)
    return world.post("/api/v1/offers", body, who=who)


def _count(app, model):
    with app.app_context():
        return len(get_session().exec(select(model)).all())


def test_producer_publishes_an_offer_and_it_is_audited(app, world):
    before = _count(app, Offer)
    res = _offer(world)
    assert res.status_code == 201, res.json
    assert res.json["quantity"] == 120 and res.json["week"] == WEEK
    assert _offer(world).status_code == 409
    assert res.headers["ETag"] == '"v1"'
    assert _count(app, Offer) == before + 1
    with app.app_context():
        entry = get_session().exec(select(AuditEntry).where(AuditEntry.entity == "offer")).all()[-1]
        assert entry.actor == "Paul Producteur" and entry.action == "create"
        assert entry.before is None and entry.after["quantity"] == 120


def test_producer_cannot_publish_for_another_farm(app, world):
    res = _offer(world, who="producer2")
    assert res.status_code == 403
    assert res.mimetype == PROBLEM
    assert res.json["errors"][0]["field"] == "producer_id"


@pytest.mark.parametrize("changes, field", [
    ({"quantity": -5}, "quantity"),
    ({"quantity": "beaucoup"}, "quantity"),
    ({"lot": 0}, "lot"),
    ({"product_id": "truffe"}, "product_id"),
    ({"week": "2026-W60"}, "week"),
    ({"harvest_date": "2027-03-01"}, "harvest_date"),
    ({"unexpected": 1}, "unexpected"),
])
def test_bad_offer_is_refused_with_the_field_and_nothing_is_stored(app, world, changes, field):
    before = _count(app, Offer)
    res = _offer(world, **changes)
    assert 400 <= res.status_code < 500, res.json
    assert res.mimetype == PROBLEM
    assert field in [e["field"] for e in res.json["errors"]], res.json
    assert _count(app, Offer) == before


def test_malformed_json_is_a_400_problem(world):
    res = world.post("/api/v1/offers", None, data="{not json", headers={"Content-Type": "application/json"})
    assert res.status_code == 400
    assert res.mimetype == PROBLEM


def test_offer_update_with_stale_etag_is_refused(app, world):
    offer = _offer(world).json
    url = f"/api/v1/offers/{offer['id']}"
    first = world.patch(url, {"quantity": 100}, who="producer", headers={"If-Match": '"v1"'})
    assert first.status_code == 200 and first.headers["ETag"] == '"v2"'
    stale = world.patch(url, {"quantity": 90}, who="producer", headers={"If-Match": '"v1"'})
    assert stale.status_code == 412
    assert world.get(url, who="producer").json["quantity"] == 100
    with app.app_context():
        entries = get_session().exec(select(AuditEntry).where(AuditEntry.entity == "offer",
                                                              AuditEntry.action == "update")).all()
        assert [(e.before["quantity"], e.after["quantity"]) for e in entries] == [(120, 100)]


def test_offer_of_another_producer_is_hidden(world):
    offer = _offer(world).json
    assert world.get(f"/api/v1/offers/{offer['id']}", who="producer2").status_code == 404
    assert world.get(f"/api/v1/offers/{offer['id']}", who="relay").status_code == 403


def test_offer_changes_refused_after_the_deadline_with_a_bilingual_message(app, world):
    offer = _offer(world).json
    assert world.post(f"/api/v1/weeks/{WEEK}/transitions", {"to": "orders_open"}).status_code == 200
    res = world.patch(f"/api/v1/offers/{offer['id']}", {"quantity": 10}, who="producer")
    assert res.status_code == 409
    assert res.json["code"] == "deadline_passed"
    assert "offer deadline passed" in res.json["detail"].lower()
    assert "mardi 24 novembre 2026 à 12:00" in res.json["detail_fr"]
    assert world.get(f"/api/v1/offers/{offer['id']}").json["quantity"] == 120


def test_listing_is_paginated_and_filtered_by_week_and_site(world):
    page = world.get(f"/api/v1/offers?week={WEEK}&page_size=5").json
    assert page["total"] == len(world.scenario["offers"]) and len(page["items"]) == 5
    own = world.get("/api/v1/offers?page_size=500", who="producer").json
    farm = world.scenario["producers"][0]["id"]
    assert own["items"] and {o["producer_id"] for o in own["items"]} == {farm}
    site = world.get(f"/api/v1/offers?site={farm}&page_size=500").json
    assert site["total"] == own["total"]


@pytest.fixture
def orders_world(app):
    return build_world(app, state="orders_open")


def test_relay_orders_baskets_for_its_own_relay_point_only(app, orders_world):
    world = orders_world
    rp = world.scenario["relay_points"][0]["id"]
    body = {"week": WEEK, "relay_point_id": rp, "basket_type_id": "petit", "day": "2026-12-04", "count": 7}
    assert world.post("/api/v1/basket-orders", body, who="relay").status_code == 201
    assert world.post("/api/v1/basket-orders", body, who="relay2").status_code == 403
    again = world.post("/api/v1/basket-orders", body, who="relay")
    assert again.status_code == 409
    outside = world.post("/api/v1/basket-orders", {**body, "day": "2026-12-09"}, who="relay")
    assert outside.status_code == 422 and outside.json["errors"][0]["field"] == "day"


def test_canteen_meal_order_needs_a_grammage_for_each_age_group(app, orders_world):
    world = orders_world
    canteen = world.scenario["canteens"][0]["id"]
    body = {"week": WEEK, "canteen_id": canteen, "day": "2026-12-02",
            "lines": [{"product": "carotte", "meals": {"maternelle": 80}}]}
    res = world.post("/api/v1/meal-orders", body, who="canteen")
    assert res.status_code == 201, res.json
    assert res.json["lines"] == [{"product": "carotte", "meals": {"maternelle": 80}}]
    with app.app_context():
        from app.db import unit_of_work
        from app.models import Grammage

        with unit_of_work() as session:
            for row in session.exec(select(Grammage).where(Grammage.product_id == "poire")).all():
                session.delete(row)
    before = _count(app, MealOrder)
    res = world.post("/api/v1/meal-orders", {**body, "day": "2026-12-04",
                                             "lines": [{"product": "poire", "meals": {"maternelle": 10}}]},
                     who="canteen")
    assert res.status_code == 422
    assert "poire" in res.json["detail"] and "maternelle" in res.json["detail"]
    assert res.json["errors"][0]["field"] == "lines.0.meals.maternelle"
    assert _count(app, MealOrder) == before


def test_orders_refused_once_orders_closed(app, orders_world):
    world = orders_world
    assert world.post(f"/api/v1/weeks/{WEEK}/transitions", {"to": "closed"}).status_code == 200
    rp = world.scenario["relay_points"][0]["id"]
    before = _count(app, BasketOrder)
    res = world.post("/api/v1/basket-orders", {"week": WEEK, "relay_point_id": rp, "basket_type_id": "petit",
                                               "day": "2026-12-04", "count": 3}, who="relay")
    assert res.status_code == 409
    assert "mercredi 25 novembre 2026 à 12:00" in res.json["detail_fr"]
    assert _count(app, BasketOrder) == before


def test_coordinator_reopens_a_week_with_a_reason_and_it_is_recorded(app, orders_world):
    world = orders_world
    world.post(f"/api/v1/weeks/{WEEK}/transitions", {"to": "closed"})
    no_reason = world.post(f"/api/v1/weeks/{WEEK}/transitions", {"to": "orders_open"})
    assert no_reason.status_code == 422
    res = world.post(f"/api/v1/weeks/{WEEK}/transitions",
                     {"to": "orders_open", "reason": "La cantine de Grenay a oublié"})
    assert res.status_code == 200 and res.json["state"] == "orders_open"
    with app.app_context():
        from app.models import WeekEvent

        events = get_session().exec(select(WeekEvent).order_by(WeekEvent.id)).all()
        assert [(e.from_state, e.to_state) for e in events][-1] == ("closed", "orders_open")
        assert events[-1].reason == "La cantine de Grenay a oublié"
    skip = world.post(f"/api/v1/weeks/{WEEK}/transitions", {"to": "published"})
    assert skip.status_code == 409


def test_week_shows_its_deadlines(world):
    week = world.get(f"/api/v1/weeks/{WEEK}").json
    assert week["state"] == "offers_open"
    assert week["deadlines"]["orders_close"].startswith("2026-11-25T12:00:00+01:00")
    assert week["delivery_days"] == ["2026-12-01", "2026-12-03"]
