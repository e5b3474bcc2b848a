"""One use case, one transaction: a step that fails stores nothing of itself (app/db.py `unit_of_work`).

Services never commit; the unit of work commits once, also when use cases nest, and the scheduler
runs each step of a tick in its own unit of work. The only writes committed on their own are
explicit `separate_unit_of_work`s (an e-mail's record before it leaves).
"""
from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from app.auth import create_user
from app.db import engine, get_session, separate_unit_of_work, unit_of_work
from app.models import (
    AuditEntry,
    BasketOrder,
    JobRun,
    MealOrder,
    Notification,
    Offer,
    Plan,
    Product,
    Round,
    User,
    Week,
    WeekEvent,
)
from app.services import cycle_jobs, market, notify, planning, reference, weeks
from orders.errors import Conflict
from tests.app.test_scheduler_cycle import _prepare_world
from tests.app.world import WEEK, build_world

PARIS = ZoneInfo("Europe/Paris")
TERR = "lens-lievin"
PRODUCTS = reference.Reference("products", Product, "Produit", {})


class Boom(RuntimeError):
    pass


def _fresh(app, model, *where):
    """Rows as another connection sees them (what was really committed)."""
    with app.app_context(), Session(engine()) as other:
        return list(other.exec(select(model).where(*where)).all())


def test_nested_units_of_work_commit_once_at_the_outermost(app):
    build_world(app)
    with app.app_context():
        coordinator = get_session().exec(select(User).where(User.role == "coordinator")).one()
        with pytest.raises(Boom), unit_of_work() as session:
            with unit_of_work(session):  # a use case calling another joins its transaction
                reference.create(session, coordinator, PRODUCTS, {"id": "navet", "name": "Navet",
                                                                 "category": "legume"}, TERR)
            assert _fresh(app, Product, Product.id == "navet") == []  # the inner one did not commit
            raise Boom("a later step fails")
        assert _fresh(app, Product, Product.id == "navet") == []
        assert _fresh(app, AuditEntry, AuditEntry.entity_id == "navet") == []
        with unit_of_work() as session:
            with unit_of_work(session):
                reference.create(session, coordinator, PRODUCTS, {"id": "navet", "name": "Navet",
                                                                 "category": "legume"}, TERR)
        assert [p.id for p in _fresh(app, Product, Product.id == "navet")] == ["navet"]


def test_a_separate_unit_of_work_refuses_to_commit_someone_elses_transaction(app):
    with app.app_context():
        with unit_of_work() as session, pytest.raises(RuntimeError, match="inside another"):
            with separate_unit_of_work(session):
                pass


def test_a_reference_write_failing_after_its_insert_stores_nothing(app, monkeypatch):
    world = build_world(app)

    def failing_record(*args, **kwargs):
        raise Boom("the audit log is unavailable")

    monkeypatch.setattr("app.services.audit.record", failing_record)
    res = world.post("/api/v1/products/", json={"id": "navet", "name": "Navet", "category": "legume"})
    assert res.status_code == 500 and res.content_type == "application/problem+json"
    assert _fresh(app, Product, Product.id == "navet") == []
    res = world.patch("/api/v1/products/carotte", json={"name": "Carotte violette"})
    assert res.status_code == 500
    assert [p.name for p in _fresh(app, Product, Product.id == "carotte")] != ["Carotte violette"]
    assert world.delete("/api/v1/products/carotte").status_code == 500
    assert len(_fresh(app, Product, Product.id == "carotte")) == 1


def test_portion_then_route_failing_in_the_routing_keeps_no_plan_version(app, monkeypatch):
    build_world(app, state="closed")

    def failing_routing(*args, **kwargs):
        raise Boom("routing failed")

    monkeypatch.setattr(planning, "run_routing", failing_routing)
    with app.app_context():
        week = weeks.find_week(get_session(), WEEK, TERR)
        with pytest.raises(Boom), unit_of_work() as session:
            planning.plan_rounds(session, week, "Claire Coordination", "essai")
    assert _fresh(app, Plan) == [] and _fresh(app, Round) == []  # the portioning ran, and was undone


def test_a_duplicate_create_undoes_only_itself(app):
    """The insert's savepoint: a grid or an import reports the refused row and carries on."""
    build_world(app)
    with app.app_context():
        session = get_session()
        user = session.exec(select(User).where(User.role == "coordinator")).one()
        data = {"week": WEEK, "producer_id": "ferme-terril", "quantity": 10, "unit_price_eur": 2.0}
        taken = {o.product_id for o in session.exec(select(Offer)).all() if o.producer_id == "ferme-terril"}
        free = [p.id for p in session.exec(select(Product).order_by(Product.id)).all() if p.id not in taken]
        with unit_of_work() as session:
            market.create_offer(session, user, {**data, "product_id": free[0]}, TERR)
            with pytest.raises(Conflict):
                market.create_offer(session, user, {**data, "product_id": free[0]}, TERR)
            market.create_offer(session, user, {**data, "product_id": free[1]}, TERR)
    stored = {o.product_id for o in _fresh(app, Offer, Offer.producer_id == "ferme-terril")}
    assert {free[0], free[1]} <= stored


def test_a_failing_plan_step_of_the_scheduler_stores_nothing_of_itself(app, monkeypatch):
    _prepare_world(app)

    def plan_week(session, week, actor, reason=None):
        weeks.transition(session, week, "planned", None, reason, actor=actor)  # written, then...
        raise Boom("solver exploded")

    monkeypatch.setattr("app.services.planning.plan_week", plan_week)
    with app.app_context():
        report = cycle_jobs.tick(get_session(), datetime(2026, 12, 9, 14, 0, tzinfo=PARIS))
    assert any("solver exploded" in e for e in report.errors)
    week = _fresh(app, Week, Week.iso_week == "2026-W51")[0]
    assert week.state == "closed"  # the steps before it are stored, each in its own unit of work
    assert [e.to_state for e in _fresh(app, WeekEvent, WeekEvent.week_id == week.id)][-1] == "closed"
    runs = _fresh(app, JobRun, JobRun.week == "2026-W51")
    assert [r.outcome for r in runs if r.job == "plan"] == ["error"]
    assert {"open_week", "standing_orders", "transition"} <= {r.job for r in runs if r.outcome != "error"}


def test_standing_orders_copy_failing_halfway_copies_nothing(app, monkeypatch):
    _prepare_world(app)
    calls = []

    def failing_audit(*args, **kwargs):
        calls.append(args[2])
        if len(calls) == 2:
            raise ValueError("audit log full")  # after the first copied order was flushed

    monkeypatch.setattr("app.services.cycle_jobs.audit.record", failing_audit)
    with app.app_context():
        report = cycle_jobs.tick(get_session(), datetime(2026, 12, 7, 8, 0, tzinfo=PARIS))
    assert any("audit log full" in e for e in report.errors)
    week = _fresh(app, Week, Week.iso_week == "2026-W51")
    assert len(week) == 1  # opening the week was its own step, committed
    assert _fresh(app, MealOrder, MealOrder.week_id == week[0].id) == []
    assert _fresh(app, BasketOrder, BasketOrder.week_id == week[0].id) == []
    assert [r.job for r in _fresh(app, JobRun, JobRun.week == "2026-W51")] == ["open_week"]
    monkeypatch.undo()
    with app.app_context():
        report = cycle_jobs.tick(get_session(), datetime(2026, 12, 7, 8, 5, tzinfo=PARIS))
    assert report.errors == []
    assert _fresh(app, MealOrder, MealOrder.week_id == week[0].id)  # the next tick copies them, once


def test_an_e_mail_is_recorded_before_it_leaves(app):
    build_world(app)
    seen = []

    class CheckingMailer:
        def send(self, to, subject, body, *, to_name=None):
            seen.append([(n.status, n.attempts) for n in _fresh(app, Notification, Notification.key == "k1")])
            raise OSError("relay down")

    with app.app_context():
        session = get_session()
        with unit_of_work(session):
            user, _ = create_user(session, "Paula", "producer", "ferme-terril", "paula@ferme.test")
        with pytest.raises(RuntimeError, match="inside another"), unit_of_work(session):
            notify.notify(session, CheckingMailer(), "k1", "reminder_offers", user, "Sujet", "Corps",
                          datetime(2026, 11, 23, 11, 0, tzinfo=UTC))
        row = notify.notify(session, CheckingMailer(), "k1", "reminder_offers", user, "Sujet", "Corps",
                            datetime(2026, 11, 23, 11, 0, tzinfo=UTC))
    assert seen == [[("pending", 1)]]  # committed before the send
    assert row.status == "failed"
    assert [(n.status, n.error) for n in _fresh(app, Notification, Notification.key == "k1")] == [
        ("failed", "OSError: relay down")]
