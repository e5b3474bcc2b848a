"""`Idempotency-Key`: a retried POST returns the stored answer and creates nothing twice."""
from __future__ import annotations

import threading

from sqlalchemy import func
from sqlmodel import select

from app.db import get_session
from app.models import BasketOrder, IdempotencyRecord, Offer
from tests.app.world import WEEK, build_world

ORDER = {"week": WEEK, "relay_point_id": None, "basket_type_id": "petit", "day": "2026-12-04", "count": 7}


def _order(world) -> dict:
    return {**ORDER, "relay_point_id": world.scenario["relay_points"][0]["id"]}


def _count(app, model) -> int:
    with app.app_context():
        return get_session().exec(select(func.count()).select_from(model)).one()


def test_a_retried_order_returns_the_stored_answer_and_creates_nothing_twice(app):
    world = build_world(app, state="orders_open")
    before = _count(app, BasketOrder)
    headers = {"Idempotency-Key": "4b1c1d1e-retry"}
    first = world.post("/api/v1/basket-orders", _order(world), who="relay", headers=dict(headers))
    assert first.status_code == 201, first.json
    again = world.post("/api/v1/basket-orders", _order(world), who="relay", headers=dict(headers))
    assert again.status_code == 201
    assert again.json == first.json and again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert _count(app, BasketOrder) == before + 1
    # without a key, the same order is a duplicate: the domain refuses it
    assert world.post("/api/v1/basket-orders", _order(world), who="relay").status_code == 409


def test_json_key_order_does_not_make_a_different_request(app):
    world = build_world(app, state="orders_open")
    body = _order(world)
    headers = {"Idempotency-Key": "same-json"}
    first = world.post("/api/v1/basket-orders", body, who="relay", headers=dict(headers))
    reordered = dict(reversed(list(body.items())))
    assert world.post("/api/v1/basket-orders", reordered, who="relay", headers=dict(headers)).json == first.json


def test_the_same_key_with_another_body_is_refused(app):
    world = build_world(app, state="orders_open")
    headers = {"Idempotency-Key": "k-1"}
    before = _count(app, BasketOrder)
    assert world.post("/api/v1/basket-orders", _order(world), who="relay", headers=dict(headers)).status_code == 201
    other = world.post("/api/v1/basket-orders", {**_order(world), "count": 8}, who="relay", headers=dict(headers))
    assert other.status_code == 422 and other.mimetype == "application/problem+json"
    assert other.json["code"] == "idempotency_key_reused"
    assert _count(app, BasketOrder) == before + 1


def test_keys_are_scoped_to_the_user(app):
    world = build_world(app, state="offers_open")
    producers = world.scenario["producers"]
    headers = {"Idempotency-Key": "shared-key"}
    for who, producer in (("producer", producers[0]), ("producer2", producers[1])):
        res = world.post("/api/v1/offers", {"week": WEEK, "producer_id": producer["id"], "product_id": "courgette",
                                            "quantity": 40, "unit_price_eur": 1.2}, who=who, headers=dict(headers))
        assert res.status_code == 201, res.json
        assert res.headers.get("Idempotent-Replayed") is None


def test_a_failed_request_stores_nothing_and_can_be_retried(app):
    world = build_world(app, state="offers_open")  # orders are not open yet: 409
    headers = {"Idempotency-Key": "too-early"}
    refused = world.post("/api/v1/basket-orders", _order(world), who="relay", headers=dict(headers))
    assert refused.status_code == 409
    assert _count(app, IdempotencyRecord) == 0
    for to in ("orders_open",):
        assert world.post(f"/api/v1/weeks/{WEEK}/transitions", {"to": to}).status_code == 200
    assert world.post("/api/v1/basket-orders", _order(world), who="relay", headers=dict(headers)).status_code == 201


def test_an_invalid_key_is_a_400_problem(app):
    world = build_world(app, state="orders_open")
    before = _count(app, BasketOrder)
    res = world.post("/api/v1/basket-orders", _order(world), who="relay", headers={"Idempotency-Key": "x" * 201})
    assert res.status_code == 400 and res.json["code"] == "idempotency_key_invalid"
    assert _count(app, BasketOrder) == before


def test_concurrent_retries_with_one_key_create_one_order(app):
    world = build_world(app, state="orders_open")
    before = _count(app, BasketOrder)
    barrier = threading.Barrier(6)
    statuses: list[int] = []
    lock = threading.Lock()

    def place():
        client = app.test_client()
        barrier.wait()
        res = client.post("/api/v1/basket-orders", json=_order(world), headers={
            "Authorization": f"Bearer {world.tokens['relay']}", "Idempotency-Key": "burst"})
        with lock:
            statuses.append(res.status_code)

    threads = [threading.Thread(target=place) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert 201 in statuses and set(statuses) <= {201, 409}, statuses
    assert _count(app, BasketOrder) == before + 1
    assert _count(app, IdempotencyRecord) == 1
    with app.app_context():
        record = get_session().exec(select(IdempotencyRecord)).one()
        assert record.status == 201  # the winner's answer, never overwritten by a loser's 409


def test_offers_are_covered_too(app):
    world = build_world(app, state="offers_open")
    producer = world.scenario["producers"][0]["id"]
    before = _count(app, Offer)
    body = {"week": WEEK, "producer_id": producer, "product_id": "tomate", "quantity": 12, "unit_price_eur": 2.0}
    first = world.post("/api/v1/offers", body, who="producer", headers={"Idempotency-Key": "o-1"})
    second = world.post("/api/v1/offers", body, who="producer", headers={"Idempotency-Key": "o-1"})
    assert first.status_code == second.status_code == 201, first.json
    assert second.get_data() == first.get_data()
    assert _count(app, Offer) == before + 1
