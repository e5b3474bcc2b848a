"""The last crate of an offer can't be promised twice: concurrent writers holding one ETag.

Meaningful on PostgreSQL (`TEST_DATABASE_URL`), where requests really run in parallel; on SQLite
the same assertions hold because writers queue on the database lock and then re-check.
"""
from __future__ import annotations

import threading
from datetime import date

from sqlmodel import select

from app.db import get_session
from app.models import MealOrder, Offer
from tests.app.world import WEEK, build_world

N = 8


def _burst(app, requests: list[tuple[str, str, dict, dict]]) -> list[tuple[int, dict]]:
    """Fire (method, url, json, headers) all at once from N threads; return (status, body) each."""
    barrier = threading.Barrier(len(requests))
    out: list[tuple[int, dict]] = []
    lock = threading.Lock()

    def send(method, url, body, headers):
        client = app.test_client()
        barrier.wait()
        res = client.open(url, method=method, json=body, headers=headers)
        with lock:
            out.append((res.status_code, res.json))

    threads = [threading.Thread(target=send, args=r) for r in requests]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def test_concurrent_patches_with_one_etag_exactly_one_wins(app):
    world = build_world(app, state="offers_open")
    offers = world.get("/api/v1/offers", who="producer").json["items"]
    offer = offers[0]
    res = world.get(f"/api/v1/offers/{offer['id']}", who="producer")
    tag = res.headers["ETag"]
    auth = {"Authorization": f"Bearer {world.tokens['producer']}", "If-Match": tag}
    results = _burst(app, [("PATCH", f"/api/v1/offers/{offer['id']}", {"quantity": 100 + i}, dict(auth))
                           for i in range(N)])
    statuses = sorted(s for s, _ in results)
    assert statuses == [200] + [412] * (N - 1), statuses
    winner = next(body for s, body in results if s == 200)
    with app.app_context():
        stored = get_session().get(Offer, offer["id"])
        assert stored.quantity == winner["quantity"]
        assert stored.version == int(tag.strip('"v')) + 1


def test_sequential_patches_chain_versions(app):
    world = build_world(app, state="offers_open")
    offer = world.get("/api/v1/offers", who="producer").json["items"][0]
    tag = world.get(f"/api/v1/offers/{offer['id']}", who="producer").headers["ETag"]
    first = world.patch(f"/api/v1/offers/{offer['id']}", {"quantity": 1}, who="producer", headers={"If-Match": tag})
    assert first.status_code == 200
    stale = world.patch(f"/api/v1/offers/{offer['id']}", {"quantity": 2}, who="producer", headers={"If-Match": tag})
    assert stale.status_code == 412 and stale.mimetype == "application/problem+json"
    fresh = world.patch(f"/api/v1/offers/{offer['id']}", {"quantity": 3}, who="producer",
                        headers={"If-Match": first.headers["ETag"]})
    assert fresh.status_code == 200 and fresh.json["quantity"] == 3


def test_concurrent_creations_of_one_meal_order_one_201_others_409(app):
    world = build_world(app, state="orders_open")
    canteen = world.scenario["canteens"][0]["id"]
    with app.app_context():
        taken = {o.day.isoformat() for o in get_session().exec(
            select(MealOrder).where(MealOrder.canteen_id == canteen)).all()}
    grammage = world.get("/api/v1/grammages/?page_size=1").json["items"][0]
    day = next(d for d in ("2026-11-30", "2026-12-01", "2026-12-02", "2026-12-03", "2026-12-04") if d not in taken)
    body = {"week": WEEK, "canteen_id": canteen, "day": day,
            "lines": [{"product": grammage["product_id"], "meals": {grammage["age_group"]: 40}}]}
    auth = {"Authorization": f"Bearer {world.tokens['canteen']}"}
    results = _burst(app, [("POST", "/api/v1/meal-orders", body, dict(auth)) for _ in range(N)])
    statuses = sorted(s for s, _ in results)
    assert statuses == [201] + [409] * (N - 1), (statuses, [b for s, b in results if s not in (201, 409)])
    with app.app_context():
        rows = get_session().exec(select(MealOrder).where(MealOrder.canteen_id == canteen,
                                                          MealOrder.day == date.fromisoformat(day))).all()
        assert len(rows) == 1
