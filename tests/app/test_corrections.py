"""The coordinator's hand on the plan (issue 13): the policy as data, pins, locks that survive a
re-portioning."""
from __future__ import annotations

from sqlmodel import select

from app.db import get_session
from app.models import AllocationPin, RoundLock
from tests.app.test_planning_api import run_job
from tests.app.world import WEEK, build_world


def test_the_default_policy_comes_from_the_targets_and_a_new_one_is_versioned(app):
    world = build_world(app, state="closed")
    res = world.get("/api/v1/policy", who="relay")
    assert res.status_code == 200 and res.json["stored"] is False and res.json["version"] == 0
    assert [(t["name"], t["target"], t["kinds"]) for t in res.json["tiers"]] == [
        ("maternelle", 1.0, ["maternelle"]), ("foyer", 0.15, ["foyer"])]
    relay = world.scenario["relay_points"][0]["id"]
    tiers = [{"name": "maternelles", "target": 1.0, "kinds": ["maternelle"]},
             {"name": "relais-prioritaire", "target": 0.5, "sites": [relay]},
             {"name": "foyer", "target": 0.15, "kinds": ["foyer"]}]
    assert world.call("PUT", "/api/v1/policy", who="relay", json={"tiers": tiers}).status_code == 403
    res = world.call("PUT", "/api/v1/policy", json={"tiers": tiers})
    assert res.status_code == 200 and res.json["version"] == 1 and res.json["stored"] is True
    assert world.get("/api/v1/policy").json["tiers"][1]["sites"] == [relay]
    job = run_job(world, f"/api/v1/weeks/{WEEK}/portioning").json
    plan = world.get(job["result"]["plan"]).json["plan"]
    assert plan["policy"]["territory_version"] == 1 and plan["policy"]["version"]
    assert [t["name"] for t in plan["policy"]["tiers"]] == ["maternelles", "relais-prioritaire", "foyer"]


def test_a_bad_policy_is_refused_naming_the_field_and_nothing_changes(app):
    world = build_world(app, state="closed")
    res = world.call("PUT", "/api/v1/policy", json={"tiers": [{"name": "x", "target": 1.0, "sites": ["nulle-part"]}]})
    assert res.status_code == 422 and res.content_type.startswith("application/problem+json")
    assert "tiers[0].sites" in str(res.json)
    res = world.call("PUT", "/api/v1/policy", json={"tiers": [{"name": "x", "target": 2}]})
    assert res.status_code == 422 and "target" in str(res.json)
    assert world.get("/api/v1/policy").json["version"] == 0


def test_pins_are_stored_checked_and_kept_by_the_export(app):
    world = build_world(app, state="closed")
    canteen = world.scenario["canteens"][0]["id"]
    day = world.scenario["meal_orders"][0]["day"]
    body = {"consumer_id": canteen, "product": "carotte", "day": day, "quantity": 10, "reason": "promesse"}
    assert world.post(f"/api/v1/weeks/{WEEK}/pins", body, who="canteen").status_code == 403
    res = world.post(f"/api/v1/weeks/{WEEK}/pins", body)
    assert res.status_code == 201, res.json
    assert world.post(f"/api/v1/weeks/{WEEK}/pins", body).status_code == 409  # the same line twice
    bad = world.post(f"/api/v1/weeks/{WEEK}/pins", {**body, "day": "2026-12-06"})
    assert bad.status_code == 422 and "day" in str(bad.json)
    assert world.post(f"/api/v1/weeks/{WEEK}/pins", {**body, "quantity": 0}).status_code == 422
    listed = world.get(f"/api/v1/weeks/{WEEK}/pins").json
    assert [(p["consumer_id"], p["product"], p["quantity"]) for p in listed] == [(canteen, "carotte", 10.0)]
    with app.app_context():
        from app.services import weeks
        from app.services.scenario import export_scenario

        session = get_session()
        pins = export_scenario(session, weeks.find_week(session, WEEK, "lens-lievin")).pins
        assert [(p.consumer, p.product, p.quantity, p.forbid) for p in pins] == [(canteen, "carotte", 10.0, False)]
    assert world.delete(f"/api/v1/weeks/{WEEK}/pins/{res.json['id']}").status_code == 204
    with app.app_context():
        assert get_session().exec(select(AllocationPin)).all() == []


def test_a_round_lock_survives_a_re_portioning(app):
    world = build_world(app, state="closed")
    run_job(world, f"/api/v1/weeks/{WEEK}/rounds")
    rounds = world.get(f"/api/v1/weeks/{WEEK}/rounds").json["items"]
    target = max(rounds, key=lambda r: len(r["stops"]))
    order = [s["site_id"] for s in target["stops"]]
    assert world.patch(f"/api/v1/rounds/{target['id']}", {"locked": True}).status_code == 200
    run_job(world, f"/api/v1/weeks/{WEEK}/portioning", {"reason": "offre corrigée"})  # recreates the rounds
    with app.app_context():
        locks = get_session().exec(select(RoundLock)).all()
        assert [(lk.vehicle_id, lk.stop_ids) for lk in locks] == [(target["vehicle_id"], order)]
    run_job(world, f"/api/v1/weeks/{WEEK}/rounds")
    again = next(r for r in world.get(f"/api/v1/weeks/{WEEK}/rounds").json["items"]
                 if r["vehicle_id"] == target["vehicle_id"] and r["day"] == target["day"])
    assert again["locked"] is True
    kept = [s["site_id"] for s in again["stops"] if s["site_id"] in order]
    assert kept == [s for s in order if s in kept]
    assert world.patch(f"/api/v1/rounds/{again['id']}", {"locked": False}).status_code == 200
    with app.app_context():
        assert get_session().exec(select(RoundLock)).all() == []
