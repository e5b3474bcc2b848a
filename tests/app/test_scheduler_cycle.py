"""The weekly cycle runs itself: `cycle_jobs.tick` driven by a simulated clock, without APScheduler.

The clock walks from Monday 7 December 2026 to Sunday 27 December 2026 (delivery weeks 2026-W51,
W52 and W53 prepared in turn); the Noël school holidays of zone B start on Saturday 19 December,
so the school canteens' standing orders are skipped in W52 and W53 while the foyer logement and
the relay points keep theirs. Planning and publishing are faked (the solvers are tested elsewhere).
"""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from app.db import get_session
from app.models import BasketOrder, JobRun, MealOrder, Notification, Offer, User, Week, WeekEvent
from app.services import cycle_jobs, weeks
from tests.app.test_notify import smtp_sink  # noqa: F401  (fixture)
from tests.app.world import build_world

PARIS = ZoneInfo("Europe/Paris")
TERR = "lens-lievin"


def paris(*args) -> datetime:
    return datetime(*args, tzinfo=PARIS)


@pytest.fixture
def planning_calls(monkeypatch):
    """Fake plan_week / publish_week that move the state like the real ones, and record their calls."""
    class Calls(list):
        failures: list[str]

    calls = Calls()
    failures: list[str] = []

    def plan_week(session, week, actor, reason=None):
        if failures:
            raise RuntimeError(failures.pop())
        calls.append(("plan", week.iso_week, actor))
        weeks.transition(session, week, "planned", None, reason, actor=actor)

    def publish_week(session, week, actor):
        calls.append(("publish", week.iso_week, actor))
        weeks.transition(session, week, "published", None, actor=actor)

    monkeypatch.setattr("app.services.planning.plan_week", plan_week)
    monkeypatch.setattr("app.services.planning.publish_week", publish_week)
    calls.failures = failures
    return calls


def _prepare_world(app):
    """Demo week W49 published, with standing orders and e-mail addresses for some users."""
    world = build_world(app, state="published")
    with app.app_context():
        session = get_session()
        w49 = weeks.find_week(session, "2026-W49", TERR)
        for order in session.exec(select(MealOrder).where(MealOrder.week_id == w49.id)).all():
            order.standing = order.canteen_id in ("mat-loos", "foyer-lievin")
            session.add(order)
        for order in session.exec(select(BasketOrder).where(BasketOrder.week_id == w49.id)).all():
            order.standing = order.relay_point_id == "rp-lens"
            session.add(order)
        emails = {"Paul Producteur": "paul@ferme.test", "Carole Cantine": "carole@mat-loos.test",
                  "Cédric Cantine": "cedric@mat-grenay.test", "Rose Relais": "rose@rp-lievin.test"}
        for user in session.exec(select(User)).all():
            user.email = emails.get(user.name)
            session.add(user)
        session.commit()
    return world


def _runs(session: Session, job: str | None = None) -> list[JobRun]:
    query = select(JobRun).order_by(JobRun.id)
    if job:
        query = query.where(JobRun.job == job)
    return list(session.exec(query).all())


def _orders(session: Session, iso_week: str) -> tuple[set, set]:
    week = weeks.find_week(session, iso_week, TERR)
    meals = {(o.canteen_id, o.day.isoformat(), o.standing)
             for o in session.exec(select(MealOrder).where(MealOrder.week_id == week.id))}
    baskets = {(o.relay_point_id, o.basket_type_id, o.day.isoformat(), o.count)
               for o in session.exec(select(BasketOrder).where(BasketOrder.week_id == week.id))}
    return meals, baskets


def test_three_weeks_run_themselves_across_the_noel_school_holidays(app, smtp_sink, planning_calls):  # noqa: F811
    _prepare_world(app)
    start, end = paris(2026, 12, 7, 0, 0), paris(2026, 12, 27, 22, 0)
    with app.app_context():
        session = get_session()
        now = start
        while now <= end:
            if now == paris(2026, 12, 14, 10, 0):  # Paul publishes an offer for W52 before the reminder
                w52 = weeks.find_week(session, "2026-W52", TERR)
                session.add(Offer(week_id=w52.id, producer_id="ferme-terril", product_id="carotte",
                                  quantity=100, unit_price_eur=1.2))
                session.commit()
            report = cycle_jobs.tick(session, now)
            assert report.errors == [], (now, report.errors)
            now += timedelta(hours=2)

        # every transition, at its deadline, in order, by the scheduler
        transitions = [(r.week, r.detail["from"], r.detail["to"], r.started.astimezone(PARIS).replace(tzinfo=None))
                       for r in _runs(session) if r.job in ("transition", "plan", "publish")]
        expected = [("2026-W49", "published", "delivered", datetime(2026, 12, 7, 0, 0))]
        for iso, monday in (("2026-W51", 7), ("2026-W52", 14), ("2026-W53", 21)):
            expected += [(iso, "draft", "offers_open", datetime(2026, 12, monday, 8)),
                         (iso, "offers_open", "orders_open", datetime(2026, 12, monday + 1, 12)),
                         (iso, "orders_open", "closed", datetime(2026, 12, monday + 2, 12)),
                         (iso, "closed", "planned", datetime(2026, 12, monday + 2, 14)),
                         (iso, "planned", "published", datetime(2026, 12, monday + 3, 8))]
        expected += [("2026-W51", "published", "delivered", datetime(2026, 12, 18, 0, 0)),
                     ("2026-W52", "published", "delivered", datetime(2026, 12, 25, 0, 0))]
        assert sorted(transitions, key=lambda t: (t[3], t[0])) == sorted(expected, key=lambda t: (t[3], t[0]))
        assert [t for t in transitions if t[0] == "2026-W51"] == [e for e in expected if e[0] == "2026-W51"]
        states = {w.iso_week: w.state for w in session.exec(select(Week)).all()}
        assert states == {"2026-W49": "delivered", "2026-W51": "delivered", "2026-W52": "delivered",
                          "2026-W53": "published"}
        events = session.exec(select(WeekEvent)).all()
        assert len(events) == len(expected) and {e.actor for e in events} == {"scheduler"}
        assert planning_calls == [(job, iso, "scheduler") for iso in ("2026-W51", "2026-W52", "2026-W53")
                                  for job in ("plan", "publish")]
        assert [(r.week, r.started.astimezone(PARIS).day) for r in _runs(session, "open_week")] == [
            ("2026-W51", 7), ("2026-W52", 14), ("2026-W53", 21)]

        # standing orders: copied, and skipped on the school holidays for the école maternelle
        w51_meals, w51_baskets = _orders(session, "2026-W51")
        assert w51_meals == {("mat-loos", "2026-12-15", True), ("mat-loos", "2026-12-17", True),
                             ("foyer-lievin", "2026-12-15", True), ("foyer-lievin", "2026-12-17", True)}
        w52_meals, w52_baskets = _orders(session, "2026-W52")
        assert w52_meals == {("foyer-lievin", "2026-12-22", True), ("foyer-lievin", "2026-12-24", True)}
        w53_meals, w53_baskets = _orders(session, "2026-W53")
        assert w53_meals == {("foyer-lievin", "2026-12-29", True), ("foyer-lievin", "2026-12-31", True)}
        assert {(r, t, c) for r, t, _d, c in w51_baskets} == {("rp-lens", "petit", 15), ("rp-lens", "moyen", 20),
                                                               ("rp-lens", "moyen", 10), ("rp-lens", "famille", 6)}
        assert {d for *_x, d, _c in w52_baskets} == {"2026-12-22", "2026-12-24"} and len(w52_baskets) == 4
        assert {d for *_x, d, _c in w53_baskets} == {"2026-12-29", "2026-12-31"} and len(w53_baskets) == 4
        standing = {r.week: r.detail for r in _runs(session, "standing_orders")}
        assert {(s["site"], s["day"], s["reason"]) for s in standing["2026-W52"]["skipped"]} == {
            ("mat-loos", "2026-12-22", "school_holiday"), ("mat-loos", "2026-12-24", "school_holiday")}
        assert {(s["site"], s["day"], s["from"]) for s in standing["2026-W53"]["skipped"]} == {
            ("mat-loos", "2026-12-29", "2026-W51"), ("mat-loos", "2026-12-31", "2026-W51")}
        assert standing["2026-W51"]["skipped"] == []

        # reminders: to those who had not acted, once, at the reminder time; none without e-mail sent
        notes = session.exec(select(Notification).order_by(Notification.id)).all()
        users = {u.id: u.name for u in session.exec(select(User)).all()}
        got = sorted((n.week, n.kind, users[n.user_id], n.status, n.sent_at.astimezone(PARIS).replace(tzinfo=None)
                      if n.sent_at else None) for n in notes)
        assert got == sorted([
            ("2026-W51", "reminder_offers", "Paul Producteur", "sent", datetime(2026, 12, 7, 12)),
            ("2026-W51", "reminder_offers", "Pauline Productrice", "skipped", None),
            ("2026-W51", "reminder_orders", "Cédric Cantine", "sent", datetime(2026, 12, 8, 12)),
            ("2026-W51", "reminder_orders", "Rose Relais", "sent", datetime(2026, 12, 8, 12)),
            # Rachid and Carole have standing orders; W52: Paul has offered, the écoles are on holiday
            ("2026-W52", "reminder_offers", "Pauline Productrice", "skipped", None),
            ("2026-W52", "reminder_orders", "Rose Relais", "sent", datetime(2026, 12, 15, 12)),
            ("2026-W53", "reminder_offers", "Paul Producteur", "sent", datetime(2026, 12, 21, 12)),
            ("2026-W53", "reminder_offers", "Pauline Productrice", "skipped", None),
            ("2026-W53", "reminder_orders", "Rose Relais", "sent", datetime(2026, 12, 22, 12)),
        ])
    subjects = sorted((m["to"][0], m["subject"]) for m in smtp_sink.messages)
    assert subjects == sorted([
        ("paul@ferme.test", "Rappel : publiez vos offres avant mardi 8 décembre 2026 à 12:00"),
        ("cedric@mat-grenay.test", "Rappel : passez votre commande avant mercredi 9 décembre 2026 à 12:00"),
        ("rose@rp-lievin.test", "Rappel : passez votre commande avant mercredi 9 décembre 2026 à 12:00"),
        ("rose@rp-lievin.test", "Rappel : passez votre commande avant mercredi 16 décembre 2026 à 12:00"),
        ("paul@ferme.test", "Rappel : publiez vos offres avant mardi 22 décembre 2026 à 12:00"),
        ("rose@rp-lievin.test", "Rappel : passez votre commande avant mercredi 23 décembre 2026 à 12:00"),
    ])


def test_a_restart_mid_week_applies_missed_transitions_once_in_order(app, planning_calls, smtp_sink):  # noqa: F811
    _prepare_world(app)
    engine = app.extensions["terril_engine"]
    t1, t2 = paris(2026, 12, 7, 9, 0), paris(2026, 12, 10, 9, 0)
    with app.app_context():
        with Session(engine) as first:  # the scheduler before it was killed
            cycle_jobs.tick(first, t1)
        with Session(engine) as second:  # a new process, two and a half days later
            report = cycle_jobs.tick(second, t2)
            assert report.errors == []
            runs = _runs(second)
            after_restart = [(r.job, r.detail.get("from"), r.detail.get("to")) for r in runs if r.started == t2]
            assert after_restart == [("transition", "offers_open", "orders_open"),
                                     ("transition", "orders_open", "closed"),
                                     ("plan", "closed", "planned"), ("publish", "planned", "published")]
            assert weeks.find_week(second, "2026-W51", TERR).state == "published"
            count = (len(runs), len(second.exec(select(WeekEvent)).all()), len(second.exec(select(MealOrder)).all()))
        with Session(engine) as third:  # the same tick again: nothing to do
            report = cycle_jobs.tick(third, t2)
            assert report.actions == [] and report.errors == []
            assert (len(_runs(third)), len(third.exec(select(WeekEvent)).all()),
                    len(third.exec(select(MealOrder)).all())) == count
            # the reminders of the downtime are not sent late (their deadlines passed)
            assert third.exec(select(Notification)).all() == []
    assert planning_calls == [("plan", "2026-W51", "scheduler"), ("publish", "2026-W51", "scheduler")]
    assert smtp_sink.messages == []


def test_a_failed_plan_is_recorded_and_retried_after_a_pause(app, planning_calls):
    _prepare_world(app)
    planning_calls.failures.append("solver exploded")
    with app.app_context():
        session = get_session()
        cycle_jobs.tick(session, paris(2026, 12, 9, 14, 0))
        week = weeks.find_week(session, "2026-W51", TERR)
        assert week.state == "closed"
        failed = _runs(session, "plan")
        assert [(r.outcome, "solver exploded" in r.detail["error"]) for r in failed] == [("error", True)]
        cycle_jobs.tick(session, paris(2026, 12, 9, 14, 10))  # too soon: no new attempt
        assert len(_runs(session, "plan")) == 1 and week.state == "closed"
        cycle_jobs.tick(session, paris(2026, 12, 9, 14, 45))
        assert [r.outcome for r in _runs(session, "plan")] == ["error", "ok"]
        assert weeks.find_week(session, "2026-W51", TERR).state == "planned"


def test_a_reopened_week_is_left_to_the_coordinator(app, planning_calls):
    _prepare_world(app)
    with app.app_context():
        session = get_session()
        cycle_jobs.tick(session, paris(2026, 12, 9, 12, 30))
        week = weeks.find_week(session, "2026-W51", TERR)
        assert week.state == "closed"
        coordinator = session.exec(select(User).where(User.role == "coordinator")).one()
        weeks.transition(session, week, "orders_open", coordinator, "une cantine a oublié sa commande")
        session.commit()
        cycle_jobs.tick(session, paris(2026, 12, 9, 15, 0))
        assert weeks.find_week(session, "2026-W51", TERR).state == "orders_open"
        weeks.transition(session, week, "closed", coordinator)
        session.commit()
        cycle_jobs.tick(session, paris(2026, 12, 9, 15, 10))
        assert weeks.find_week(session, "2026-W51", TERR).state == "planned"


def test_tick_refuses_a_naive_clock(app):
    with app.app_context(), pytest.raises(ValueError):
        cycle_jobs.tick(get_session(), datetime(2026, 12, 7, 8, 0))
