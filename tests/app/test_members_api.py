"""Members API: households of a relay point, subscriptions and capacity, pauses, the waiting list,
deriving the basket orders, privacy between relay points, and the bad inputs (nothing stored)."""
from __future__ import annotations

from sqlmodel import select

from app.db import get_session
from app.models import BasketOrder, Member, Pause, Subscription
from tests.app.world import WEEK, build_world


def relay_with_slot(world, site="rp-lens", capacity=3, weekday=1):
    r = world.post(f"/api/v1/relay-points/{site}/pickup-slots",
                   json={"weekday": weekday, "start": "17:00", "end": "19:00", "capacity_baskets": capacity})
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def add_member(world, name, site="rp-lens", basket="moyen", who="relay", **sub):
    r = world.post(f"/api/v1/relay-points/{site}/members", json={"name": name, "email": f"{ascii(name.lower())[1:-1].replace(chr(92), '')}@ex.test"},
                   who=who)
    assert r.status_code == 201, r.get_json()
    member = r.get_json()
    r = world.post(f"/api/v1/members/{member['id']}/subscriptions",
                   json={"basket_type_id": basket, "start": "2026-11-02", **sub}, who=who)
    assert r.status_code == 201, r.get_json()
    return member, r.get_json()


def test_members_subscribe_up_to_capacity_then_wait_and_a_freed_place_is_offered_in_order(app):
    world = build_world(app, state="orders_open")
    relay_with_slot(world, capacity=2)
    (a, sa), (_, sb) = add_member(world, "Alice"), add_member(world, "Bruno")
    (_, sc), (_, sd) = add_member(world, "Chloé"), add_member(world, "Driss")
    assert [s["status"] for s in (sa, sb, sc, sd)] == ["active", "active", "waiting", "waiting"]
    waiting = world.get("/api/v1/relay-points/rp-lens/waiting-list", who="relay").get_json()
    assert [(w["rank"], w["member"]["name"]) for w in waiting] == [(1, "Chloé"), (2, "Driss")]

    assert world.delete(f"/api/v1/members/{a['id']}/subscriptions/{sa['id']}", who="relay").status_code == 204
    waiting = world.get("/api/v1/relay-points/rp-lens/waiting-list", who="relay").get_json()
    assert [(w["member"]["name"], w["subscription"]["status"]) for w in waiting] == [
        ("Chloé", "offered"), ("Driss", "waiting")]
    # Chloé lets it go: the place goes to Driss
    r = world.post(f"/api/v1/relay-points/rp-lens/waiting-list/{sc['id']}/answer", json={"accept": False},
                   who="relay")
    assert r.status_code == 200 and r.get_json()["status"] == "ended"
    r = world.post(f"/api/v1/relay-points/rp-lens/waiting-list/{sd['id']}/answer", json={"accept": True},
                   who="relay")
    assert r.status_code == 200 and r.get_json()["status"] == "active"
    assert world.get("/api/v1/relay-points/rp-lens/waiting-list", who="relay").get_json() == []


def test_derive_counts_members_with_pauses_and_every_other_week_and_keeps_the_managers_edit(app):
    world = build_world(app, state="orders_open")
    relay_with_slot(world, capacity=50, weekday=1)  # Tuesday: 2026-12-01
    # the demo's hand orders of rp-lens are removed: this relay point now orders from its members
    with app.app_context():
        session = get_session()
        for row in session.exec(select(BasketOrder).where(BasketOrder.relay_point_id == "rp-lens")).all():
            session.delete(row)
        session.commit()
    for name in ("Alice", "Bruno", "Chloé"):
        add_member(world, name)
    paused, _ = add_member(world, "Driss")
    add_member(world, "Emma", frequency="every_other_week")  # from W45: W45, W47, W49 → due
    add_member(world, "Farid", frequency="every_other_week", start="2026-11-09")  # W46, W48 → not due
    r = world.post(f"/api/v1/members/{paused['id']}/pauses", json={"start": "2026-11-30", "end": "2026-12-06"},
                   who="relay")
    assert r.status_code == 201

    r = world.post(f"/api/v1/weeks/{WEEK}/basket-orders/derive", json={}, who="relay")
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["created"] == [{"relay_point": "rp-lens", "day": "2026-12-01", "basket_type": "moyen",
                                        "count": 4}]
    orders = world.get(f"/api/v1/basket-orders?week={WEEK}&site=rp-lens", who="relay").get_json()["items"]
    assert [(o["count"], o["derived_from_members"], o["derived_count"]) for o in orders] == [(4, True, 4)]

    # the manager adds one by hand; a second derivation keeps the manager's count
    r = world.patch(f"/api/v1/basket-orders/{orders[0]['id']}", json={"count": 5}, who="relay")
    assert r.status_code == 200
    pause_id = world.get(f"/api/v1/members/{paused['id']}/pauses", who="relay").get_json()[0]["id"]
    assert world.delete(f"/api/v1/members/{paused['id']}/pauses/{pause_id}", who="relay").status_code == 204
    r = world.post(f"/api/v1/weeks/{WEEK}/basket-orders/derive", json={}, who="relay")
    assert r.get_json()["kept_edited"][0]["count"] == 5 and r.get_json()["kept_edited"][0]["derived"] == 5


def test_bad_inputs_name_the_field_and_store_nothing(app):
    world = build_world(app, state="orders_open")
    relay_with_slot(world)
    member, _ = add_member(world, "Alice")
    r = world.post(f"/api/v1/members/{member['id']}/pauses", json={"start": "2026-12-10", "end": "2026-12-01"},
                   who="relay")
    assert r.status_code == 422 and r.get_json()["errors"][0]["field"] == "end"
    assert r.headers["Content-Type"].startswith("application/problem+json")
    r = world.call("PUT", "/api/v1/relay-points/rp-lens/membership", "relay", json={"basket_types": ["petit"]})
    assert r.status_code == 200
    r = world.post(f"/api/v1/members/{member['id']}/subscriptions",
                   json={"basket_type_id": "famille", "start": "2026-12-01"}, who="relay")
    assert r.status_code == 422 and r.get_json()["errors"][0]["field"] == "basket_type_id"
    # a member of another relay point: 404 naming the member, for reads and writes
    r = world.get(f"/api/v1/members/{member['id']}", who="relay2")
    assert r.status_code == 404 and r.get_json()["errors"][0]["field"] == "member_id"
    r = world.post(f"/api/v1/members/{member['id']}/pauses", json={"start": "2026-12-01", "end": "2026-12-06"},
                   who="relay2")
    assert r.status_code == 404 and r.get_json()["errors"][0]["field"] == "member_id"
    assert world.get("/api/v1/relay-points/rp-lens/members", who="relay2").status_code == 403
    assert world.get("/api/v1/relay-points/rp-lens/members", who="producer").status_code == 403
    with app.app_context():
        session = get_session()
        assert session.exec(select(Pause)).all() == []
        assert len(session.exec(select(Subscription)).all()) == 1
        assert len(session.exec(select(Member)).all()) == 1
    # the coordinator sees the relay point's members, with their contact
    listed = world.get("/api/v1/relay-points/rp-lens/members").get_json()
    assert [(m["name"], m["email"]) for m in listed] == [("Alice", "alice@ex.test")]


def test_derive_refuses_an_unknown_relay_point_and_a_closed_week(app):
    world = build_world(app, state="orders_open")
    r = world.post(f"/api/v1/weeks/{WEEK}/basket-orders/derive", json={"relay_point_id": "mat-loos"})
    assert r.status_code == 422 and r.get_json()["errors"][0]["field"] == "relay_point_id"
    r = world.post(f"/api/v1/weeks/{WEEK}/basket-orders/derive", json={"relay_point_id": "rp-lens"}, who="relay2")
    assert r.status_code == 422 and r.get_json()["errors"][0]["field"] == "relay_point_id"
    assert world.post("/api/v1/weeks/2026-W50/basket-orders/derive", json={}).status_code == 404


def test_derive_on_demand_waits_for_the_orders_window(app):
    world = build_world(app, state="closed")
    r = world.post(f"/api/v1/weeks/{WEEK}/basket-orders/derive", json={}, who="relay")
    assert r.status_code == 409 and r.get_json()["errors"][0]["field"] == "week"
