"""The scheduler on the delivery day (issue 18): the clock no longer marks a week delivered while
stops are unconfirmed (it alerts instead), and a week without offers is held at planned."""
from __future__ import annotations

import uuid
from datetime import timedelta

from sqlmodel import delete, select

from app.db import get_session, unit_of_work
from app.models import Alert, Offer, Territory, Week
from app.services import cycle_jobs, weeks
from orders import cycle
from tests.app.test_delivery_day import consumer_stops, publish, url
from tests.app.world import WEEK, build_world


def _deadlines(app) -> dict:
    with app.app_context():
        terr = get_session().get(Territory, "lens-lievin")
        return cycle.deadlines(weeks.schedule_of(terr), WEEK)


def _state(app) -> str:
    with app.app_context():
        return get_session().exec(select(Week).where(Week.iso_week == WEEK)).one().state


def test_the_clock_alerts_instead_of_closing_a_week_with_unconfirmed_stops(app):
    world = build_world(app, state="closed")
    publish(app, world)
    stops = consumer_stops(app, world)
    world.post(url(*stops[0]), {"id": str(uuid.uuid4()), "outcome": "delivered"})
    after = _deadlines(app)["delivered"] + timedelta(hours=1)
    with app.app_context():
        report = cycle_jobs.tick(get_session(), after)
        assert report.errors == []
        kinds = {a.kind for a in get_session().exec(select(Alert).where(Alert.week == WEEK))}
    assert _state(app) == "published" and kinds == {"round_unconfirmed"}
    for rnd, stop in stops[1:]:
        assert world.post(url(rnd, stop), {"id": str(uuid.uuid4()), "outcome": "delivered"}).status_code == 201
    assert _state(app) == "delivered"  # the last confirmation closed it


def test_a_week_without_offers_is_held_at_planned_by_the_scheduler(app):
    build_world(app, state="closed")
    with app.app_context():
        with unit_of_work() as session:
            week = session.exec(select(Week).where(Week.iso_week == WEEK)).one()
            session.exec(delete(Offer).where(Offer.week_id == week.id))
    times = _deadlines(app)
    with app.app_context():
        session = get_session()
        assert cycle_jobs.tick(session, times["planning"] + timedelta(minutes=5)).errors == []
        report = cycle_jobs.tick(session, times["publish"] + timedelta(minutes=5))
        assert report.errors == [] and any("publication retenue" in a for a in report.actions)
        alerts = session.exec(select(Alert).where(Alert.week == WEEK)).all()
    assert _state(app) == "planned"
    assert [a.kind for a in alerts] == ["publication_held"] and "aucune offre" in alerts[0].message_fr
