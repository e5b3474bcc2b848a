"""Alerts to the coordinator (issue 18): held publications, unconfirmed rounds, crates to take back,
e-mailed once by the scheduler's side (aiosmtpd)."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from sqlmodel import delete, select

from app.auth import create_user
from app.db import get_session, unit_of_work
from app.models import Alert, Offer, Territory, Week
from app.services import alerts, notify, planning
from orders.alerts import Hold, publication_holds
from orders.demo import build_demo_scenario
from orders.plan import Plan, TargetOutcome
from orders.scenario import Scenario
from tests.app.test_delivery_day import consumer_stops, publish, url
from tests.app.test_notify import smtp_sink  # noqa: F401  (fixture)
from tests.app.test_planning_api import run_job
from tests.app.world import WEEK, build_world


def test_holds_name_a_week_without_offers_and_each_target_missed_against_all_orders():
    scenario = Scenario.from_dict(build_demo_scenario(WEEK))
    nothing = Plan(week=WEEK, targets=(("foyer", TargetOutcome(target=0.15, served=1.0)),
                                       ("maternelle", TargetOutcome(target=1.0, served=1.0))))
    # the plan says 100 % (of the lines it could serve) but nothing was allocated: measured against
    # every meal ordered, both targets are missed
    assert publication_holds(scenario, nothing) == [Hold("target_missed", "foyer", 0.0, 0.15),
                                                    Hold("target_missed", "maternelle", 0.0, 1.0)]
    assert publication_holds(scenario.replace(offers=()), nothing)[0] == Hold("no_offers")
    assert alerts.hold_text(Hold("target_missed", "maternelle", 0.8, 1.0)) == \
        "objectif maternelles non atteint : 80\u00a0% servis pour 100\u00a0% visés"


def test_a_week_without_offers_is_held_at_planned_with_an_alert(app):
    world = build_world(app, state="closed")
    with app.app_context():
        with unit_of_work() as session:
            week = session.exec(select(Week).where(Week.iso_week == WEEK)).one()
            session.exec(delete(Offer).where(Offer.week_id == week.id))
    run_job(world, f"/api/v1/weeks/{WEEK}/rounds")
    with app.app_context():
        session = get_session()
        week = session.exec(select(Week).where(Week.iso_week == WEEK)).one()
        row = planning.require_plan(session, week)
        with pytest.raises(alerts.PublicationHeld) as caught:
            alerts.check_publication(session, week, row)
        assert "aucune offre" in caught.value.detail_fr and "maternelles" in caught.value.detail_fr
        with unit_of_work() as tx:
            alerts.held_alert(tx, week, caught.value)
            alerts.held_alert(tx, week, caught.value)  # raised once
        alerts.check_publication(session, week, row, acknowledge=True)  # the coordinator's say-so
    listed = world.get("/api/v1/alerts").json
    assert [a["kind"] for a in listed] == ["publication_held"] and "aucune offre" in listed[0]["message_fr"]
    assert world.get("/api/v1/alerts", who="driver").status_code == 403
    done = world.post(f"/api/v1/alerts/{listed[0]['id']}/resolution", {})
    assert done.status_code == 200 and done.json["resolved_by"] == "Claire Coordination"
    assert world.get("/api/v1/alerts").json == []


def test_crates_above_a_sites_threshold_and_unconfirmed_rounds_alert_and_are_mailed(app, smtp_sink):  # noqa: F811
    world = build_world(app, state="closed")
    publish(app, world)
    rnd, stop = consumer_stops(app, world)[0]
    assert world.patch(f"/api/v1/sites/{stop['site_id']}", {"crate_alert_threshold": 3}).status_code == 200
    body = {"id": str(uuid.uuid4()), "outcome": "delivered", "crates_left": 5, "crates_back": 0}
    assert world.post(url(rnd, stop), body).status_code == 201
    kinds = [a["kind"] for a in world.get("/api/v1/alerts").json]
    assert kinds == ["crates_above_threshold"]
    with app.app_context():
        session = get_session()
        terr = session.get(Territory, "lens-lievin")
        with unit_of_work() as tx:
            early = alerts.check_unconfirmed_rounds(tx, terr, datetime(2026, 11, 30, 8, 0, tzinfo=UTC))
            late = alerts.check_unconfirmed_rounds(tx, terr, datetime(2026, 12, 4, 20, 0, tzinfo=UTC))
        assert early == [] and len(late) == len(world.get(f"/api/v1/weeks/{WEEK}/rounds?page_size=100").json["items"])
        coordinator, _ = create_user(session, "Cora Coordination", "coordinator", None, "cora@terril.test")
        session.commit()
        mailer = notify.Mailer.from_config(app.config)
        now = datetime(2026, 12, 4, 20, 5, tzinfo=UTC)
        alerts.send_emails(session, mailer, terr, now)
        alerts.send_emails(session, mailer, terr, now)  # once per alert and person
        open_count = len(session.exec(select(Alert).where(Alert.resolved_at.is_(None))).all())
    mails = [m for m in smtp_sink.messages if m["to"] == ["cora@terril.test"]]
    assert len(mails) == open_count and any("caisses" in m["body"] for m in mails)
    assert all(m["subject"].startswith("Terril — alerte") for m in mails)
