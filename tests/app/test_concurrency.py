"""Two orders placed at the same moment for the same week never corrupt each other."""
from __future__ import annotations

import threading
from datetime import date

from sqlmodel import select

from app.db import get_session
from app.models import BasketOrder
from tests.app.world import WEEK, build_world


def test_concurrent_orders_for_one_week_are_all_kept_and_duplicates_refused(app):
    world = build_world(app, state="orders_open")
    relays = [("relay", world.scenario["relay_points"][0]["id"]), ("relay2", world.scenario["relay_points"][1]["id"])]
    barrier = threading.Barrier(8)
    results: list[tuple[str, int]] = []
    lock = threading.Lock()

    def place(who: str, site: str, basket: str):
        client = app.test_client()
        barrier.wait()
        res = client.post("/api/v1/basket-orders", json={
            "week": WEEK, "relay_point_id": site, "basket_type_id": basket, "day": "2026-12-04", "count": 9},
            headers={"Authorization": f"Bearer {world.tokens[who]}"})
        with lock:
            results.append((f"{site}/{basket}", res.status_code))

    threads = []
    for who, site in relays:
        for basket in ("petit", "moyen"):
            for _ in range(2):  # the same order twice at once: one must win, one must be refused
                threads.append(threading.Thread(target=place, args=(who, site, basket)))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    by_key: dict[str, list[int]] = {}
    for key, status in results:
        by_key.setdefault(key, []).append(status)
    assert len(by_key) == 4
    for key, statuses in by_key.items():
        assert sorted(statuses) == [201, 409], (key, statuses)
    with app.app_context():
        rows = get_session().exec(select(BasketOrder).where(BasketOrder.day == date(2026, 12, 4))).all()
        assert sorted((r.relay_point_id, r.basket_type_id, r.count) for r in rows) == sorted(
            (site, basket, 9) for _, site in relays for basket in ("petit", "moyen"))
