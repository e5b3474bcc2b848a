"""Portioning, routing, publication and documents through the API, on the demo week."""
from __future__ import annotations

import io
import json

import pytest
from pypdf import PdfReader
from sqlmodel import select

from app.db import get_session
from app.models import Plan, Round, User
from tests.app.world import WEEK, build_world


def run_job(world, url: str, body: dict | None = None):
    """POST a long run (a job): wait for it (`Prefer: wait=60`), check it succeeded, return the job."""
    res = world.post(url, body or {}, headers={"Prefer": "wait=60"})
    assert res.status_code == 200, res.json
    assert res.headers["Location"] == f"/api/v1/jobs/{res.json['id']}"
    assert res.json["state"] == "succeeded", res.json
    return res


@pytest.fixture
def planned(app):
    """The demo week, closed, then portioned and routed through the API."""
    world = build_world(app, state="closed")
    run_job(world, f"/api/v1/weeks/{WEEK}/rounds", {"reason": "premier calcul"})
    return world


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_portioning_meets_the_maternelle_target_and_respects_offers(app):
    world = build_world(app, state="closed")
    job = run_job(world, f"/api/v1/weeks/{WEEK}/portioning").json
    assert job["kind"] == "portioning" and job["result"]["plan_version"] == 1 and job["progress"] == 1.0
    res = world.get(job["result"]["plan"])
    plan = res.json["plan"]
    assert res.json["version"] == 1
    assert plan["targets"]["maternelle"]["served"] == pytest.approx(1.0, abs=0.05)
    assert plan["targets"]["foyer"]["served"] >= 0.15
    offered = {(o["producer"], o["product"]): o for o in world.scenario["offers"]}
    used: dict = {}
    per_day: dict = {}  # lots are pooled across the consumers an offer serves on a day (invariant 2)
    for line in plan["allocations"]:
        key = (line["producer"], line["product"])
        per_day[(key, line["day"])] = per_day.get((key, line["day"]), 0) + line["quantity"]
        used[key] = used.get(key, 0) + line["quantity"]
    for (key, day), quantity in per_day.items():
        lots = quantity / offered[key]["lot"]
        assert lots == pytest.approx(round(lots), abs=1e-6), (key, day, quantity)  # whole lots a day
    for key, quantity in used.items():
        assert quantity <= offered[key]["quantity"] + 1e-6  # invariant 1
    run_job(world, f"/api/v1/weeks/{WEEK}/portioning", {"reason": "une ferme a corrigé son offre"})
    again = world.get(f"/api/v1/weeks/{WEEK}/plan")
    assert again.json["version"] == 2 and again.json["reason"] == "une ferme a corrigé son offre"
    with app.app_context():
        versions = get_session().exec(select(Plan).order_by(Plan.version)).all()
        assert [(p.version, p.current) for p in versions] == [(1, False), (2, True)]


def test_portioning_refused_while_orders_are_open(app):
    world = build_world(app, state="orders_open")
    res = world.post(f"/api/v1/weeks/{WEEK}/portioning", {})
    assert res.status_code == 409 and res.mimetype == "application/problem+json"


def test_rounds_serve_every_allocated_consumer_once_within_capacity(app, planned):
    world = planned
    plan = world.get(f"/api/v1/weeks/{WEEK}/plan").json["plan"]
    vehicles = {v["id"]: v for v in world.scenario["vehicles"]}
    served = {}
    for rnd in plan["rounds"]:
        vehicle = vehicles[rnd["vehicle"]]
        deliveries = [s for s in rnd["stops"] if s.get("kind", "delivery") == "delivery"]
        assert sum(s["load_kg"] for s in deliveries) <= vehicle["capacity_kg"] + 1e-6
        assert sum(s["crates"] for s in deliveries) <= vehicle["capacity_crates"]
        assert vehicle["shift"][0] <= rnd["start"] and rnd["end"] <= vehicle["shift"][1]
        for stop in deliveries:
            key = (rnd["day"], stop["site"])
            assert key not in served, f"{key} visited twice"
            served[key] = rnd["vehicle"]
    consumers = {(a["day"], a["consumer"]) for a in plan["allocations"]}
    unserved = {(u["day"], u["site"]) for u in plan["unserved"]}
    assert consumers == set(served) | unserved  # invariant 4
    assert plan["totals"]["km"] == pytest.approx(sum(r["km"] for r in plan["rounds"]), abs=0.05)  # invariant 6
    assert world.get(f"/api/v1/weeks/{WEEK}").json["state"] == "planned"


def test_driver_sees_only_their_rounds_and_prints_the_sheet(app, planned):
    world = planned
    with app.app_context():
        rounds = get_session().exec(select(Round).order_by(Round.id)).all()
        driver = get_session().exec(select(User).where(User.role == "driver")).one()
        mine_ids = [r.id for r in rounds if r.driver_user_id == driver.id]
        assert mine_ids and all(r.driver == driver.name for r in rounds if r.id in mine_ids)
        mine, theirs = mine_ids[0], next(r.id for r in rounds if r.driver_user_id != driver.id)
    listed = world.get(f"/api/v1/weeks/{WEEK}/rounds", who="driver").json["items"]
    assert [r["id"] for r in listed] == mine_ids
    assert world.get(f"/api/v1/rounds/{theirs}", who="driver").status_code == 404
    assert world.get(f"/api/v1/rounds/{theirs}/sheet.pdf", who="driver").status_code == 404
    res = world.get(f"/api/v1/rounds/{mine}/sheet.pdf", who="driver")
    assert res.status_code == 200 and res.mimetype == "application/pdf"
    text = _pdf_text(res.data)
    stops = world.get(f"/api/v1/rounds/{mine}", who="driver").json["stops"]
    names = {s["id"]: s["name"] for s in world.scenario["canteens"] + world.scenario["relay_points"]}
    # the loading order (last stop first) comes first; the stop blocks, in round order, come last
    positions = [text.rfind(names[s["site_id"]]) for s in stops if s["site_id"] in names]
    assert all(p >= 0 for p in positions) and positions == sorted(positions)  # stop order kept
    assert "Feuille de route" in text


def test_documents_follow_roles_and_are_cached_per_plan_version(app, planned):
    world = planned
    farm = world.scenario["producers"][0]["id"]
    other = world.scenario["producers"][1]["id"]
    assert world.get(f"/api/v1/producers/{farm}/weeks/{WEEK}/picklist.pdf", who="producer").status_code == 200
    assert world.get(f"/api/v1/producers/{other}/weeks/{WEEK}/picklist.pdf", who="producer").status_code == 404
    rp = world.scenario["relay_points"][0]["id"]
    note = world.get(f"/api/v1/sites/{rp}/weeks/{WEEK}/delivery-note.pdf", who="relay")
    assert note.status_code == 200
    assert "Bon de livraison" in _pdf_text(note.data)
    assert world.get(f"/api/v1/sites/{rp}/weeks/{WEEK}/delivery-note.pdf", who="relay2").status_code == 404
    summary = world.get(f"/api/v1/weeks/{WEEK}/summary.pdf")
    assert summary.status_code == 200 and "maternelle" in _pdf_text(summary.data).lower()
    html = world.get(f"/api/v1/weeks/{WEEK}/summary.html")
    assert html.mimetype == "text/html" and "Content-Security-Policy" in html.headers
    assert world.get(f"/api/v1/weeks/{WEEK}/summary.pdf").data == summary.data  # cached bytes
    day = world.get(f"/api/v1/weeks/{WEEK}/days/2026-12-01/sheets.pdf")
    assert day.status_code == 200 and day.data.startswith(b"%PDF")
    assert world.get(f"/api/v1/weeks/{WEEK}/summary.docx").status_code == 404


def test_publishing_writes_the_documents_and_moves_the_week(app, planned):
    world = planned
    job = run_job(world, f"/api/v1/weeks/{WEEK}/publish").json
    assert world.get(f"/api/v1/weeks/{WEEK}").json["state"] == "published"
    hrefs = [d["href"] for d in job["result"]["documents"]]
    assert f"/api/v1/weeks/{WEEK}/summary.pdf" in hrefs and any("/sheet.pdf" in h for h in hrefs)
    from pathlib import Path

    files = list(Path(app.config["TERRIL_DOCUMENTS_DIR"]).rglob("*.pdf"))
    names = {f.name for f in files}
    assert any(n.startswith("feuille-de-route-") for n in names)
    assert any(n.startswith("bon-de-preparation-") for n in names)
    assert f"synthese-{WEEK}.pdf" in names
    assert world.post(f"/api/v1/weeks/{WEEK}/portioning", {}).status_code == 409


def test_scenario_run_prints_the_plan_json_without_a_database(app, runner, tmp_path):
    from orders.demo import build_demo_scenario

    scenario = build_demo_scenario()
    path = tmp_path / "week.json"
    path.write_text(json.dumps(scenario), encoding="utf-8")
    result = runner.invoke(args=["scenario", "run", str(path)])
    assert result.exit_code == 0, result.output
    plan = json.loads(result.output)
    assert plan["week"] == scenario["week"]
    assert {"allocations", "shortfalls", "targets", "baskets", "rounds", "unserved", "totals", "solver"} <= set(plan)
    again = json.loads(runner.invoke(args=["scenario", "run", str(path)]).output)
    assert again["allocations"] == plan["allocations"]  # invariant 6: same scenario, same plan
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    refused = runner.invoke(args=["scenario", "run", str(bad)])
    assert refused.exit_code != 0 and "illisible" in refused.output


def test_scenario_export_round_trips_the_stored_week(app, runner):
    build_world(app, state="closed")
    result = runner.invoke(args=["scenario", "export", "--week", WEEK])
    assert result.exit_code == 0, result.output
    exported = json.loads(result.output)
    from orders.demo import build_demo_scenario

    original = build_demo_scenario()
    assert len(exported["offers"]) == len(original["offers"])
    assert sorted((o["canteen"], o["day"]) for o in exported["meal_orders"]) == sorted(
        (o["canteen"], o["day"]) for o in original["meal_orders"])


def test_a_locked_round_keeps_its_order_when_the_rounds_are_planned_again(app, planned):
    world = planned
    rounds = world.get(f"/api/v1/weeks/{WEEK}/rounds?page_size=50").json["items"]
    target = max(rounds, key=lambda r: len(r["stops"]))
    consumers = {c["id"] for c in world.scenario["canteens"] + world.scenario["relay_points"]}
    # last week's sequence, as the driver likes it: the reverse of today's plan
    with app.app_context():
        from app.db import unit_of_work
        from app.models import RoundStop

        with unit_of_work() as session:
            stops = session.exec(select(RoundStop).where(RoundStop.round_id == target["id"])).all()
            for stop in stops:
                stop.seq = len(stops) + 1 - stop.seq
                session.add(stop)
    wanted = [s["site_id"] for s in reversed(target["stops"]) if s["site_id"] in consumers]
    assert world.patch(f"/api/v1/rounds/{target['id']}", {"locked": True}, who="driver").status_code == 403
    res = world.patch(f"/api/v1/rounds/{target['id']}", {"locked": True})
    assert res.status_code == 200 and res.json["locked"] is True
    run_job(world, f"/api/v1/weeks/{WEEK}/rounds", {"reason": "ordre verrouillé"})
    again = world.get(f"/api/v1/weeks/{WEEK}/plan")
    new = next(r for r in again.json["plan"]["rounds"] if r["vehicle"] == target["vehicle_id"]
               and r["day"] == target["day"])
    assert new["locked"] is True
    assert [s["site"] for s in new["stops"] if s["site"] in consumers] == wanted


def test_get_portioning_returns_the_allocation_part_of_the_current_plan(app, planned):
    world = planned
    whole = world.get(f"/api/v1/weeks/{WEEK}/plan").json
    part = world.get(f"/api/v1/weeks/{WEEK}/portioning").json
    assert part["version"] == whole["version"]
    assert part["plan"]["allocations"] == whole["plan"]["allocations"]
    assert part["plan"]["targets"] == whole["plan"]["targets"]
    assert "rounds" not in part["plan"] and whole["plan"]["rounds"]


def test_portioning_with_a_missing_grammage_is_a_422_naming_product_and_age_group(app):
    world = build_world(app, state="closed")
    grammages = world.get("/api/v1/grammages/?product=yaourt&age_group=maternelle").json["items"]
    assert len(grammages) == 1
    assert world.delete(f"/api/v1/grammages/{grammages[0]['id']}").status_code == 204
    res = world.post(f"/api/v1/weeks/{WEEK}/portioning", {}, headers={"Prefer": "wait=60"})
    assert res.status_code == 200 and res.json["state"] == "failed"  # the job ran and failed
    error = res.json["error"]
    assert error["status"] == 422 and "yaourt" in error["detail"] and "maternelle" in error["detail"]
    assert "yaourt" in error["detail_fr"]
    assert world.get(f"/api/v1/weeks/{WEEK}/plan").status_code == 404  # nothing stored
