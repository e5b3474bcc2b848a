"""The cycle with members: orders derived when orders close, the published plan handed out, and the
households that go without told by e-mail in French; the cuts rotate over three weeks."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from app.auth import create_user
from app.db import get_session
from app.models import BasketOrder, Collection, JobRun, Member, Plan, User, Week
from app.services import cycle_jobs, members, weeks
from orders.plan import BasketPlan
from orders.plan import Plan as WeekPlan
from tests.app.test_notify import smtp_sink  # noqa: F401  (fixture)
from tests.app.world import build_world

PARIS = ZoneInfo("Europe/Paris")
TERR = "lens-lievin"
NAMES = ("Alice Martin", "Bruno Lefebvre", "Chloé Dubois", "Driss Haddad")


@pytest.fixture
def short_plans(monkeypatch):
    """plan_week stores a plan giving rp-lens one basket fewer than ordered; publish_week publishes."""
    def plan_week(session, week, actor, reason=None):
        orders = session.exec(select(BasketOrder).where(BasketOrder.week_id == week.id)).all()
        baskets = tuple(BasketPlan(o.relay_point_id, o.day.isoformat(), o.basket_type_id,
                                   o.count - (o.relay_point_id == "rp-lens"), o.count) for o in orders)
        session.add(Plan(week_id=week.id, version=1, created_at=datetime.now(UTC), created_by=actor,
                         inputs_hash="test", plan=WeekPlan(week=week.iso_week, baskets=baskets).to_dict()))
        weeks.transition(session, week, "planned", None, reason, actor=actor)

    def publish_week(session, week, actor):
        weeks.transition(session, week, "published", None, actor=actor)

    monkeypatch.setattr("app.services.planning.plan_week", plan_week)
    monkeypatch.setattr("app.services.planning.publish_week", publish_week)


def test_three_weeks_derive_at_close_and_rotate_the_cut_basket(app, smtp_sink, short_plans):  # noqa: F811
    build_world(app, state="published")
    with app.app_context():
        session = get_session()
        boss = session.exec(select(User).where(User.role == "coordinator")).first()
        for order in session.exec(select(BasketOrder)).all():
            order.standing = False
            session.add(order)
        members.create_slot(session, boss, "rp-lens", {"weekday": 1, "start": "17:00", "end": "19:00",
                                                       "capacity_baskets": 10})
        made = []
        for i, name in enumerate(NAMES):
            member = members.create_member(session, boss, "rp-lens",
                                           {"name": name, "email": f"foyer{i}@ex.test"})
            members.create_subscription(session, boss, member.id, {"basket_type_id": "moyen", "start":
                                        datetime(2026, 11, 2).date()}, now=datetime(2026, 10, 1 + i, tzinfo=UTC))
            made.append(member.id)
        session.commit()

        now, end = datetime(2026, 12, 7, 0, 0, tzinfo=PARIS), datetime(2026, 12, 26, 0, 0, tzinfo=PARIS)
        while now <= end:
            report = cycle_jobs.tick(session, now)
            assert report.errors == [], (now, report.errors)
            now += timedelta(hours=2)

        cut_by_week = {}
        for iso in ("2026-W51", "2026-W52", "2026-W53"):
            week = weeks.find_week(session, iso, TERR)
            (order,) = session.exec(select(BasketOrder).where(BasketOrder.week_id == week.id,
                                                              BasketOrder.relay_point_id == "rp-lens")).all()
            assert (order.count, order.derived_from_members, order.derived_count) == (4, True, 4)
            rows = session.exec(select(Collection).where(Collection.week_id == week.id)).all()
            assert sum(r.count for r in rows) == 3
            cut_by_week[iso] = [r.member_id for r in rows if r.cut]
        # the newest subscriber first, then the next one: never the same household twice
        assert cut_by_week == {"2026-W51": [made[3]], "2026-W52": [made[2]], "2026-W53": [made[1]]}
        closes = [r for r in session.exec(select(JobRun).where(JobRun.job == "transition")).all()
                  if r.detail.get("to") == "closed"]
        assert all(r.detail["members"]["created"] == 1 for r in closes)

    cuts = [m for m in smtp_sink.messages if m["subject"].startswith("Pas de panier")]
    assert [m["to"] for m in cuts] == [["foyer3@ex.test"], ["foyer2@ex.test"], ["foyer1@ex.test"]]
    first = cuts[0]
    assert first["subject"] == "Pas de panier « Panier moyen » pour vous le mardi 15 décembre 2026"
    assert "Bonjour Driss Haddad" in first["body"] and "Épicerie" in first["body"]


def test_a_week_handed_out_twice_tells_each_household_once(app, smtp_sink, short_plans):  # noqa: F811
    build_world(app, state="orders_open")
    with app.app_context():
        session = get_session()
        boss, _ = create_user(session, "Coord 2", "coordinator")
        for row in session.exec(select(BasketOrder).where(BasketOrder.relay_point_id == "rp-lens")).all():
            session.delete(row)
        members.create_slot(session, boss, "rp-lens", {"weekday": 1, "start": "17:00", "end": "19:00",
                                                       "capacity_baskets": 10})
        for name in NAMES[:2]:
            m = members.create_member(session, boss, "rp-lens", {"name": name, "email": "x@ex.test"})
            members.create_subscription(session, boss, m.id, {"basket_type_id": "moyen",
                                                              "start": datetime(2026, 11, 2).date()})
        session.commit()
        week = weeks.find_week(session, "2026-W49", TERR)
        now = datetime(2026, 11, 25, 12, 0, tzinfo=PARIS)  # orders close
        for _ in range(3):
            assert cycle_jobs.tick(session, now).errors == []
            now += timedelta(hours=2)
        session.refresh(week)
        assert week.state in ("planned", "published")
        while week.state != "published":
            cycle_jobs.tick(session, now)
            now += timedelta(hours=6)
            session.refresh(week)
        cycle_jobs.tick(session, now)
        assert len([m for m in smtp_sink.messages if m["subject"].startswith("Pas de panier")]) == 1
        assert session.exec(select(Member)).all()
        assert isinstance(session.get(Week, week.id), Week)
