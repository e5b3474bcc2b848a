"""The coordination page shows the fairness of the plan, unsold stock, alerts and the policy, and
edits the policy (issue 13 items 2 and 7, issue 18 item 5)."""
from __future__ import annotations

from sqlmodel import select

from app.db import get_session, unit_of_work
from app.models import Territory, Week
from app.services import alerts
from tests.app.test_planning_api import run_job
from tests.web.people import WEEK, build_people, csrf_of, sign_in


def test_the_page_shows_fairness_unsold_alerts_and_edits_the_policy(app):
    world = build_people(app, state="closed")
    run_job(world, f"/api/v1/weeks/{WEEK}/portioning")
    with app.app_context():
        with unit_of_work() as session:
            week = session.exec(select(Week).where(Week.iso_week == WEEK)).one()
            alerts.raise_alert(session, week.territory_id, WEEK, "crates_above_threshold", "k1",
                               "Le point relais garde 12 caisses du collectif.")
    client = app.test_client()
    assert sign_in(client, "coordinator").status_code == 303
    html = client.get(f"/coordination?semaine={WEEK}").get_data(as_text=True)
    assert "Équité de la répartition" in html and "Indice de Jain" in html and "maternelles" in html
    assert "Le point relais garde 12 caisses" in html and "Politique de répartition" in html
    for code in ("relay_point", "basket_rules", "time_limit", ">fair<"):
        assert code not in html.replace('value="relay_point"', ""), code
    token = csrf_of(html)
    res = client.post("/coordination/politique", data={
        "csrf_token": token, "nom-0": "Maternelles", "publics-0": "maternelle", "part-0": "100", "sites-0": "",
        "nom-1": "Foyer", "publics-1": "foyer", "part-1": "20", "sites-1": "", "nom-2": "", "part-2": "0"})
    assert res.status_code == 303
    with app.app_context():
        terr = get_session().get(Territory, "lens-lievin")
        assert terr.policy_version == 1
        assert [(t["name"], t["target"], t["kinds"]) for t in terr.policy["tiers"]] == [
            ("Maternelles", 1.0, ["maternelle"]), ("Foyer", 0.2, ["foyer"])]
    bad = client.post("/coordination/politique", data={"csrf_token": token, "nom-0": "X", "part-0": "50",
                                                       "sites-0": "nulle-part"}, follow_redirects=True)
    assert "Politique non enregistrée" in bad.get_data(as_text=True)
    with app.app_context():
        assert get_session().get(Territory, "lens-lievin").policy_version == 1
    alert_id = None
    with app.app_context():
        alert_id = alerts.open_alerts(get_session(), "lens-lievin")[0].id
    assert client.post(f"/coordination/alertes/{alert_id}", data={"csrf_token": token}).status_code == 303
    with app.app_context():
        assert alerts.open_alerts(get_session(), "lens-lievin") == []


def test_the_producer_page_lists_its_unsold_stock_with_the_reason(app):
    world = build_people(app, state="closed")
    run_job(world, f"/api/v1/weeks/{WEEK}/portioning")
    farm = world.scenario["producers"][0]["id"]
    with app.app_context():
        from app.services import planning

        with unit_of_work() as session:  # the stored plan says 30 kg of carrots stayed at this farm
            week = session.exec(select(Week).where(Week.iso_week == WEEK)).one()
            row = planning.require_plan(session, week)
            body = dict(row.plan)
            body["unsold"] = [u for u in body.get("unsold", []) if u["producer"] != farm] + [
                {"producer": farm, "product": "carotte", "quantity": 30.0, "reason": "lot_size", "day": "2026-12-01"}]
            row.plan = body
            session.add(row)
    client = app.test_client()
    assert sign_in(client, "producer").status_code == 303
    html = client.get(f"/producteur/{farm}").get_data(as_text=True)
    assert "Invendus de la semaine" in html and "reste inférieur à un lot" in html and "lot_size" not in html
