"""Every API endpoint refuses anonymous callers, and coordinator-only endpoints refuse other roles.

The endpoint list is read from the app's URL map, so a new endpoint is covered the day it lands;
ownership rules (own offers, own orders, own rounds) are tested with their resources.
"""
from __future__ import annotations

import re

import pytest

from tests.app.world import build_world

ROLES = ("producer", "relay", "canteen", "driver")
# (method, rule) that any signed-in role may call; everything else under /api/v1 is coordinator-only
# unless listed in OWNER_ROLES with the roles that may use it on their own resources
OPEN_TO_ALL = {("GET", "/api/v1/products/"), ("GET", "/api/v1/products/<key>"), ("GET", "/api/v1/sites/"),
               ("GET", "/api/v1/sites/<key>"), ("GET", "/api/v1/vehicles/"), ("GET", "/api/v1/vehicles/<key>"),
               ("GET", "/api/v1/basket-types/"), ("GET", "/api/v1/basket-types/<key>"),
               ("GET", "/api/v1/grammages/"), ("GET", "/api/v1/grammages/<key>"), ("GET", "/api/v1/weeks/"),
               ("GET", "/api/v1/weeks/<week>"), ("GET", "/api/v1/users/me"), ("GET", "/api/v1/policy")}
PUBLIC = {("GET", "/api/v1/openapi.json"), ("GET", "/api/v1/docs"), ("GET", "/api/v1/redoc"),
          ("GET", "/api/v1/docs/"), ("GET", "/api/v1/redoc/"),
          # secret calendar subscription URLs: the token in the URL is the credential, unknown → 404
          # (tests/trust/test_feeds.py)
          ("GET", "/api/v1/calendars/drivers/<user_id>/<token>.ics"),
          ("GET", "/api/v1/calendars/relay-points/<site_id>/<token>.ics")}


def _endpoints(app):
    out = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            out.append((method, re.sub(r"<(?:\w+:)?(\w+)>", r"<\1>", rule.rule)))
    return out


def _concrete(rule: str) -> str:
    """A URL of the rule: real site ids where a site is named, 1 for every other id."""
    rule = (rule.replace("<site_id>", "rp-lens").replace("<producer_id>", "ferme-terril")
            .replace("<week>", "2026-W49").replace("<day>", "2026-12-01").replace("<filename>", "x"))
    return re.sub(r"<(?:key|int|\w+_id)>", "1", rule)


def test_every_endpoint_refuses_anonymous_callers(app):
    world = build_world(app)
    checked = 0
    for method, rule in _endpoints(app):
        if (method, rule) in PUBLIC or rule.startswith("/api/v1/docs") or rule.startswith("/api/v1/redoc"):
            continue
        res = world.call(method, _concrete(rule), who=None, json={})
        assert res.status_code == 401, (method, rule, res.status_code)
        assert res.mimetype == "application/problem+json"
        checked += 1
    assert checked >= 30


def test_a_bad_token_is_refused(app):
    world = build_world(app)
    res = world.client.get("/api/v1/products/", headers={"Authorization": "Bearer trl_nope"})
    assert res.status_code == 401


@pytest.mark.parametrize("role", ROLES)
def test_coordinator_only_endpoints_refuse_other_roles(app, role):
    world = build_world(app)
    owner_endpoints = ("/api/v1/offers", "/api/v1/basket-orders", "/api/v1/meal-orders", "/api/v1/rounds",
                       "/api/v1/producers/", "/api/v1/sites/<site_id>/weeks", "/api/v1/users/me",
                       "/api/v1/weeks/<week>/rounds", "/api/v1/weeks/<week>/days", "/api/v1/calendars",
                       "/api/v1/members/<member_id>/account", "/api/v1/members/<member_id>/payments",
                       # households: a relay point's manager on its own (tests/app/test_members_privacy.py)
                       "/api/v1/relay-points/", "/api/v1/members/<member_id>",
                       "/api/v1/weeks/<week>/basket-orders/derive")
    for method, rule in _endpoints(app):
        if (method, rule) in PUBLIC or (method, rule) in OPEN_TO_ALL or rule.startswith(("/api/v1/docs",
                                                                                          "/api/v1/redoc")):
            continue
        if rule.startswith(owner_endpoints):
            continue
        res = world.call(method, _concrete(rule), who=role, json={})
        assert res.status_code == 403, (role, method, rule, res.status_code)


def test_roles_reach_only_their_own_kind_of_order(app):
    world = build_world(app, state="orders_open")
    assert world.get("/api/v1/offers", who="relay").status_code == 403
    assert world.get("/api/v1/meal-orders", who="relay").status_code == 403
    assert world.get("/api/v1/basket-orders", who="canteen").status_code == 403
    assert world.get("/api/v1/basket-orders", who="driver").status_code == 403
    mine = world.get("/api/v1/meal-orders?page_size=500", who="canteen").json["items"]
    assert mine and {o["canteen_id"] for o in mine} == {world.scenario["canteens"][0]["id"]}
    other = world.get("/api/v1/meal-orders?page_size=500", who="canteen2").json["items"]
    theirs = other[0]["id"]
    assert world.get(f"/api/v1/meal-orders/{theirs}", who="canteen").status_code == 404
    assert world.patch(f"/api/v1/meal-orders/{theirs}", {"lines": []}, who="canteen").status_code == 404
    assert world.delete(f"/api/v1/meal-orders/{theirs}", who="canteen").status_code == 404


def test_users_endpoint_creates_a_user_and_shows_the_token_once(app):
    world = build_world(app)
    res = world.post("/api/v1/users", {"name": "Nouveau relais", "role": "relay",
                                       "site_id": world.scenario["relay_points"][2]["id"]})
    assert res.status_code == 201 and res.json["token"].startswith("trl_")
    me = world.client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {res.json['token']}"})
    assert me.json["name"] == "Nouveau relais" and "token" not in me.json
    listed = world.get("/api/v1/users?page_size=100").json["items"]
    assert all("token" not in u for u in listed)
