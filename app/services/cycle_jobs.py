"""The weekly cycle's jobs as plain functions of (session, now): what the scheduler runs every minute.

`tick(session, now)` looks at every territory and does what the clock says is due, in order:

1. **open the next week**: at `offers_open` of delivery week W+1 (Monday 08:00 of week W by
   default) the Week row is created if nobody created it, and the **standing orders** are copied
   into it (once per week, keyed in `JobRun`);
2. **advance the weeks** of the previous, current and next ISO weeks through `due_transitions`,
   one step at a time and in order: plain steps through `app.services.weeks.transition(...,
   actor="scheduler")`, `closed → planned` through `planning.plan_week`, `planned → published`
   through `planning.publish_week`. A failed plan is recorded and retried after `PLAN_RETRY`;
3. **send the reminders** that are due (`reminders_due`) to those who have not acted yet.

Transactions: every step — opening a week, copying its standing orders, one transition, one
plan or publication, a reminder's record — is its own unit of work (`app.db.unit_of_work`),
committed with its `JobRun` record or rolled back whole: a failing step stores nothing of
itself (only an error `JobRun`, in a unit of work of its own, for the retry delay and the logs)
and the steps before it stay done. E-mails are recorded before they are sent
(`notify.notify`'s separate units of work).

Idempotent: a step already applied is not due any more (the week's state moved), a once-only
step carries a unique `JobRun.key`, a reminder a unique `Notification.key`. Running a tick twice
at the same `now` changes nothing the second time; a tick after a downtime applies the missed
transitions once each, in order, and skips the reminders whose deadline passed.

A week a coordinator **reopened** (its last `WeekEvent` goes backwards) is left alone: the
scheduler would otherwise close it again at once, its deadline being past. Once the coordinator
moves it forward by hand, the scheduler takes over again.
"""
from __future__ import annotations

import hashlib
import importlib
import json
import logging
import time as monotonic
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app, has_app_context
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from app.db import unit_of_work
from app.models import (
    BasketOrder,
    JobRun,
    MealOrder,
    Notification,
    Offer,
    Site,
    Territory,
    User,
    Week,
    WeekEvent,
)
from app.services import alerts, audit, delivery, member_cycle, notify, weeks
from orders import calendar, cycle
from orders.errors import DomainError

log = logging.getLogger(__name__)

ACTOR = "scheduler"
#: After a failed plan or publication, wait this long (on the job's clock) before trying again.
PLAN_RETRY = timedelta(minutes=30)
#: How far back standing orders are looked for (covers the summer holidays).
STANDING_LOOKBACK_WEEKS = 12


@dataclass
class TickReport:
    """What one tick did: one line per action (for the CLI and the logs)."""

    now: datetime
    actions: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- the tick


def tick(session: Session, now: datetime, *, mailer: notify.Mailer | None = None,
         territory_ids: list[str] | None = None) -> TickReport:
    """Run everything due at `now` (timezone-aware) for every territory, each step its own unit of work.

    `session` must not be inside a unit of work: the steps commit one by one."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"'now' must be timezone-aware, got {now!r}")
    if mailer is None and has_app_context():
        mailer = notify.Mailer.from_config(current_app.config)
    report = TickReport(now)
    if territory_ids:
        ids = list(territory_ids)
    else:
        with unit_of_work(session):
            ids = sorted(session.exec(select(Territory.id)).all())
    for territory_id in ids:
        try:
            _tick_territory(session, territory_id, now, mailer, report)
        except (DomainError, SQLAlchemyError, ValueError) as exc:  # the failed step rolled back
            report.errors.append(f"{territory_id}: {exc}")
            log.exception("cycle.tick_failed territory=%s", territory_id)
    return report


def _tick_territory(session: Session, territory_id: str, now: datetime, mailer: notify.Mailer | None,
                    report: TickReport) -> None:
    with unit_of_work(session):
        terr = weeks.territory(session, territory_id)
        try:
            schedule = weeks.schedule_of(terr)
        except ValueError as exc:
            _record_once(session, "schedule", terr.id, None, now, "error", {"error": str(exc)},
                         bad_schedule_key(terr.id, terr.schedule))
            schedule, error = None, exc
    if schedule is None:
        report.errors.append(f"{terr.id}: {error}")
        return
    current = cycle.iso_week_of(now.astimezone(schedule.tz).date())
    upcoming = cycle.next_week(current)
    _open_week(session, terr, schedule, upcoming, now, report)
    window = (cycle.previous_week(current), current, upcoming)
    with unit_of_work(session):
        rows = session.exec(select(Week).where(Week.territory_id == terr.id, col(Week.iso_week).in_(window),
                                               Week.state != cycle.WeekState.DELIVERED.value)
                            .order_by(Week.iso_week)).all()
    _send_alerts(session, terr, now, mailer)
    for week in rows:
        iso = week.iso_week
        try:
            _advance(session, terr, schedule, week, now, report)
            _remind(session, terr, schedule, week, now, mailer, report)
            member_cycle.after_publication(session, terr, week, now, mailer, report.actions)
            if week.state == cycle.WeekState.PUBLISHED.value:
                with unit_of_work(session):
                    alerts.check_unconfirmed_rounds(session, terr, now)
        except (DomainError, SQLAlchemyError, ValueError) as exc:  # the failed step rolled back
            with unit_of_work(session):
                _record(session, "tick", terr.id, iso, now, "error", {"error": str(exc)})
            report.errors.append(f"{terr.id} {iso}: {exc}")
            log.exception("cycle.week_failed territory=%s week=%s", terr.id, iso)


def _send_alerts(session: Session, terr: Territory, now: datetime, mailer: notify.Mailer | None) -> None:
    """E-mail the open alerts to the coordinators (each once per person; `services/alerts.py`)."""
    alerts.send_emails(session, mailer, terr, now)


# --------------------------------------------------------------------------- job records


def _record(session: Session, job: str, territory_id: str | None, week: str | None, now: datetime,
            outcome: str, detail: dict, key: str | None = None, started_at: float | None = None) -> JobRun:
    elapsed = monotonic.monotonic() - started_at if started_at is not None else 0.0
    run = JobRun(job=job, territory_id=territory_id, week=week, key=key, started=now,
                 finished=now + timedelta(seconds=elapsed), outcome=outcome, detail=detail)
    session.add(run)
    return run


def bad_schedule_key(territory_id: str, schedule) -> str:
    """The once-only key of "this schedule is invalid": a SHA-256 of the schedule's canonical JSON, the
    same in every process (the builtin `hash()` is salted per process: a restart would record it again)."""
    text = json.dumps(schedule, sort_keys=True, separators=(",", ":"), default=str, ensure_ascii=False)
    return f"{territory_id}:bad-schedule:{hashlib.sha256(text.encode()).hexdigest()[:16]}"


def _done(session: Session, key: str) -> bool:
    return session.exec(select(JobRun.id).where(JobRun.key == key)).first() is not None


def _record_once(session: Session, job: str, territory_id: str, week: str | None, now: datetime,
                 outcome: str, detail: dict, key: str) -> None:
    if not _done(session, key):
        _record(session, job, territory_id, week, now, outcome, detail, key)


# --------------------------------------------------------------------------- opening a week


def _open_week(session: Session, terr: Territory, schedule: cycle.CycleSchedule, iso_week: str, now: datetime,
               report: TickReport) -> None:
    times = cycle.deadlines(schedule, iso_week)
    if now < times["offers_open"] or now >= times["delivered"]:
        return
    created = False
    with unit_of_work(session):
        week = session.exec(select(Week).where(Week.territory_id == terr.id, Week.iso_week == iso_week)).first()
        if week is None:
            t0 = monotonic.monotonic()
            week = weeks.create_week(session, iso_week, terr.id, None)
            _record(session, "open_week", terr.id, iso_week, now, "ok", {"delivery_days": week.delivery_days},
                    f"{terr.id}:{iso_week}:open_week", t0)
            created = True
    if created:
        report.actions.append(f"{terr.id} {iso_week}: semaine créée")
    key = f"{terr.id}:{iso_week}:standing_orders"
    with unit_of_work(session):
        if week.state not in ("draft", "offers_open", "orders_open") or _done(session, key):
            return
        t0 = monotonic.monotonic()
        detail = copy_standing_orders(session, terr, schedule, week)
        outcome = "error" if detail["unknown_calendar"] else ("ok" if detail["copied"] else "skipped")
        _record(session, "standing_orders", terr.id, iso_week, now, outcome, detail, key, t0)
    report.actions.append(f"{terr.id} {iso_week}: {len(detail['copied'])} commandes permanentes copiées, "
                          f"{len(detail['skipped'])} jours sautés")


def _skip_reason(day: date, canteen_kind: str | None) -> str:
    if calendar.is_public_holiday(day):
        return "public_holiday"
    if canteen_kind in ("maternelle", "elementaire"):
        if day.weekday() >= 5:
            return "weekend"
        if calendar.is_school_holiday(day):
            return "school_holiday"
    return "not_a_delivery_day"


def _target_day(schedule: cycle.CycleSchedule, week: Week, weekday: int, canteen_kind: str | None
                ) -> tuple[date | None, str | None]:
    """The day of `week` a standing order of `weekday` moves to, or (None, reason) when skipped."""
    raw = cycle.week_monday(week.iso_week) + timedelta(days=weekday)
    try:
        days = cycle.delivery_days(schedule, week.iso_week, canteen_kind, weekdays=[weekday])
    except calendar.SchoolCalendarUnknown:
        return None, "school_calendar_unknown"
    if not days or days[0].isoformat() not in (week.delivery_days or []):
        try:
            return None, _skip_reason(raw, canteen_kind)
        except calendar.SchoolCalendarUnknown:
            return None, "school_calendar_unknown"
    return days[0], None


def _latest_rows(session: Session, model, site_column, terr: Territory, week: Week) -> dict:
    """The rows of the most recent earlier week, per (site, weekday), for `model`'s orders."""
    first = cycle.week_monday(week.iso_week) - timedelta(weeks=STANDING_LOOKBACK_WEEKS)
    earliest = cycle.iso_week_of(first)
    query = (select(model, Week.iso_week).join(Week, Week.id == model.week_id)
             .where(Week.territory_id == terr.id, Week.iso_week < week.iso_week, Week.iso_week >= earliest)
             .order_by(Week.iso_week, model.id))
    latest: dict[tuple[str, int], tuple[str, list]] = {}
    for row, iso in session.exec(query).all():
        slot = (getattr(row, site_column), row.day.weekday())
        if slot not in latest or latest[slot][0] < iso:
            latest[slot] = (iso, [])
        if latest[slot][0] == iso:
            latest[slot][1].append(row)
    return latest


def copy_standing_orders(session: Session, terr: Territory, schedule: cycle.CycleSchedule, week: Week) -> dict:
    """Copy the standing meal and basket orders into `week`, unless changed; return what happened.

    For each canteen (relay point) and weekday, the orders of the most recent earlier week that
    has any order on that weekday are the reference: when they are `standing`, they are copied
    to the same weekday of `week` (still `standing`), unless the site already ordered for that
    day (it changed its order). A day the site cannot take is skipped with its reason: a public
    holiday, or for school canteens a weekend or a school holiday. To stop a standing order, a
    canteen sets `standing` to false on its last order.
    """
    kinds = {s.id: s.canteen_kind for s in session.exec(select(Site).where(Site.territory_id == terr.id)).all()}
    copied: list[dict] = []
    skipped: list[dict] = []
    unchanged: list[dict] = []
    meal_taken = {(o.canteen_id, o.day) for o in session.exec(select(MealOrder).where(MealOrder.week_id == week.id))}
    for (canteen_id, weekday), (iso, rows) in sorted(_latest_rows(session, MealOrder, "canteen_id", terr,
                                                                  week).items()):
        source = [r for r in rows if r.standing]
        if not source or canteen_id not in kinds:
            continue
        day, reason = _target_day(schedule, week, weekday, kinds[canteen_id] or "foyer")
        if day is None:
            skipped.append({"site": canteen_id, "kind": "meal", "weekday": weekday, "from": iso, "reason": reason,
                            "day": (cycle.week_monday(week.iso_week) + timedelta(days=weekday)).isoformat()})
            continue
        if (canteen_id, day) in meal_taken:
            unchanged.append({"site": canteen_id, "kind": "meal", "day": day.isoformat()})
            continue
        order = MealOrder(week_id=week.id, canteen_id=canteen_id, day=day, standing=True,
                          lines=[dict(line) for line in source[0].lines])
        session.add(order)
        session.flush()
        audit.record(session, None, "meal_order", order.id, "create", None, audit.snapshot(order), week.id,
                     actor=ACTOR)
        copied.append({"site": canteen_id, "kind": "meal", "day": day.isoformat(), "from": iso})
    basket_taken = {(o.relay_point_id, o.day)
                    for o in session.exec(select(BasketOrder).where(BasketOrder.week_id == week.id))}
    for (relay_id, weekday), (iso, rows) in sorted(_latest_rows(session, BasketOrder, "relay_point_id", terr,
                                                                week).items()):
        source = [r for r in rows if r.standing]
        if not source:
            continue
        day, reason = _target_day(schedule, week, weekday, None)
        if day is None:
            skipped.append({"site": relay_id, "kind": "basket", "weekday": weekday, "from": iso, "reason": reason,
                            "day": (cycle.week_monday(week.iso_week) + timedelta(days=weekday)).isoformat()})
            continue
        if (relay_id, day) in basket_taken:
            unchanged.append({"site": relay_id, "kind": "basket", "day": day.isoformat()})
            continue
        for src in sorted(source, key=lambda r: r.basket_type_id):
            order = BasketOrder(week_id=week.id, relay_point_id=relay_id, basket_type_id=src.basket_type_id,
                                day=day, count=src.count, standing=True)
            session.add(order)
            session.flush()
            audit.record(session, None, "basket_order", order.id, "create", None, audit.snapshot(order),
                         week.id, actor=ACTOR)
            copied.append({"site": relay_id, "kind": "basket", "basket_type": src.basket_type_id,
                           "day": day.isoformat(), "from": iso})
    unknown = [s for s in skipped if s["reason"] == "school_calendar_unknown"]
    if unknown:
        log.error("cycle.standing_orders school calendar unknown for %s; run `flask calendar "
                  "update-school-holidays`", sorted({s["day"] for s in unknown}))
    return {"copied": copied, "skipped": skipped, "unchanged": unchanged, "unknown_calendar": len(unknown)}


# --------------------------------------------------------------------------- transitions


def _reopened(session: Session, week: Week) -> bool:
    last = session.exec(select(WeekEvent).where(WeekEvent.week_id == week.id)
                        .order_by(col(WeekEvent.id).desc())).first()
    return last is not None and cycle.is_reopen(last.from_state, last.to_state)


def _reason(step: cycle.DueTransition, schedule: cycle.CycleSchedule) -> str:
    return f"échéance « {step.deadline} » ({cycle.format_when_fr(step.at.astimezone(schedule.tz))})"


def _advance(session: Session, terr: Territory, schedule: cycle.CycleSchedule, week: Week, now: datetime,
             report: TickReport) -> None:
    steps = cycle.due_transitions(schedule, week.iso_week, week.state, now)
    if not steps:
        return
    with unit_of_work(session):
        reopened = _reopened(session, week)
    if reopened:
        log.info("cycle.skip_reopened territory=%s week=%s state=%s", terr.id, week.iso_week, week.state)
        return
    for step in steps:
        t0 = monotonic.monotonic()
        detail = {"from": step.from_state.value, "to": step.to_state.value, "deadline": step.deadline,
                  "due": step.at.isoformat()}
        if step.to_state is cycle.WeekState.PLANNED:
            if not _planning_step(session, terr, schedule, week, step, now, "plan", detail, t0, report):
                return
            continue
        if step.to_state is cycle.WeekState.PUBLISHED:
            if not _planning_step(session, terr, schedule, week, step, now, "publish", detail, t0, report):
                return
            continue
        if step.to_state is cycle.WeekState.DELIVERED:  # the confirmations close a week; the clock reminds
            with unit_of_work(session):
                closed = delivery.close_if_done(session, week, ACTOR)
                if closed:
                    _record(session, "transition", terr.id, week.iso_week, now, "ok", detail, None, t0)
                else:  # stops still unconfirmed: the week stays published, the coordinator is alerted
                    alerts.check_unconfirmed_rounds(session, terr, now)
                    _record_once(session, "delivered_check", terr.id, week.iso_week, now, "skipped", detail,
                                 f"{terr.id}:{week.iso_week}:delivered_check")
            if closed:
                report.actions.append(f"{terr.id} {week.iso_week}: {step.from_state.value} → {step.to_state.value}")
            return
        with unit_of_work(session):
            if step.to_state is cycle.WeekState.CLOSED:  # the members' basket orders, with the close
                detail["members"] = member_cycle.derive_at_close(session, week)
            weeks.transition(session, week, step.to_state.value, None, _reason(step, schedule), actor=ACTOR)
            _record(session, "transition", terr.id, week.iso_week, now, "ok", detail, None, t0)
        report.actions.append(f"{terr.id} {week.iso_week}: {step.from_state.value} → {step.to_state.value}")


def _recent_failure(session: Session, terr: Territory, week: Week, job: str, now: datetime) -> JobRun | None:
    return session.exec(select(JobRun).where(JobRun.job == job, JobRun.territory_id == terr.id,
                                             JobRun.week == week.iso_week, JobRun.outcome == "error",
                                             JobRun.started > now - PLAN_RETRY)
                        .order_by(col(JobRun.id).desc())).first()


def _planning_step(session: Session, terr: Territory, schedule: cycle.CycleSchedule, week: Week,
                   step: cycle.DueTransition, now: datetime, job: str, detail: dict, t0: float,
                   report: TickReport) -> bool:
    """Plan or publish through `app.services.planning`; True when the week reached the next state.

    One unit of work: the plan versions, rounds, transition and `JobRun` are stored together or
    not at all; a failure is then recorded in a unit of work of its own (the retry waits for it)."""
    with unit_of_work(session):
        failed_recently = _recent_failure(session, terr, week, job, now) is not None
    if failed_recently:
        return False
    iso, target = week.iso_week, step.to_state.value
    try:
        with unit_of_work(session):
            planning = importlib.import_module("app.services.planning")
            if job == "plan":
                planning.plan_week(session, week, actor=ACTOR,
                                   reason=f"planification automatique, {_reason(step, schedule)}")
            else:
                planning.publish_week(session, week, actor=ACTOR)
            if week.state == step.from_state.value:  # the planning service left the state to us
                weeks.transition(session, week, target, None, _reason(step, schedule), actor=ACTOR)
            _record(session, job, terr.id, iso, now, "ok", detail, None, t0)
    except alerts.PublicationHeld as exc:  # no offers or a missed target: held at planned, with an alert
        with unit_of_work(session):
            alerts.held_alert(session, week, exc)
            _record_once(session, job, terr.id, iso, now, "skipped", {**detail, "held": exc.detail_fr},
                         f"{terr.id}:{iso}:publication_held")
        report.actions.append(f"{terr.id} {iso}: publication retenue ({exc.detail_fr})")
        return False
    except Exception as exc:  # noqa: BLE001 - a failed solver must not stop the cycle; recorded and retried
        with unit_of_work(session):
            _record(session, job, terr.id, iso, now, "error",
                    {**detail, "error": f"{type(exc).__name__}: {exc}"[:2000]}, None, t0)
        report.errors.append(f"{terr.id} {iso}: {job} failed: {exc}")
        log.exception("cycle.%s_failed territory=%s week=%s", job, terr.id, iso)
        return False
    report.actions.append(f"{terr.id} {iso}: {step.from_state.value} → {target} ({job})")
    return True


# --------------------------------------------------------------------------- reminders


def _recipients(session: Session, terr: Territory, schedule: cycle.CycleSchedule, week: Week,
                kind: str) -> list[User]:
    """Active users who have not acted: producers without an offer, buyers without an order."""
    roles = ("producer",) if kind == "offers" else ("canteen", "relay")
    users = session.exec(select(User).join(Site, Site.id == User.site_id)
                         .where(Site.territory_id == terr.id, col(User.role).in_(roles), User.active == True)  # noqa: E712
                         .order_by(User.id)).all()
    if kind == "offers":
        acted = set(session.exec(select(Offer.producer_id).where(Offer.week_id == week.id)).all())
        return [u for u in users if u.site_id not in acted]
    meals = set(session.exec(select(MealOrder.canteen_id).where(MealOrder.week_id == week.id)).all())
    baskets = set(session.exec(select(BasketOrder.relay_point_id).where(BasketOrder.week_id == week.id)).all())
    out = []
    for user in users:
        if user.site_id in meals or user.site_id in baskets:
            continue
        if user.role == "canteen" and not _canteen_has_delivery(session, schedule, week, user.site_id):
            continue  # nothing to order: a school canteen during the school holidays
        if not week.delivery_days:
            continue
        out.append(user)
    return out


def _canteen_has_delivery(session: Session, schedule: cycle.CycleSchedule, week: Week, site_id: str) -> bool:
    site = session.get(Site, site_id)
    try:
        days = cycle.delivery_days(schedule, week.iso_week, site.canteen_kind or "foyer")
    except calendar.SchoolCalendarUnknown:
        return True  # better a useless reminder than a missed order
    return any(d.isoformat() in (week.delivery_days or []) for d in days)


def _remind(session: Session, terr: Territory, schedule: cycle.CycleSchedule, week: Week, now: datetime,
            mailer: notify.Mailer | None, report: TickReport) -> None:
    for reminder in cycle.reminders_due(schedule, week.iso_week, now):
        if week.state != ("offers_open" if reminder.kind == "offers" else "orders_open"):
            continue
        t0 = monotonic.monotonic()
        deadline = reminder.deadline.astimezone(schedule.tz)
        outcome: dict[str, list[int]] = {"sent": [], "skipped": [], "failed": []}
        with unit_of_work(session):
            recipients = _recipients(session, terr, schedule, week, reminder.kind)
        for user in recipients:
            key = f"{terr.id}:{reminder.key}:user{user.id}"
            subject, body = notify.reminder_text(reminder.kind, week.iso_week, deadline, user.name)
            with unit_of_work(session):
                before = _notification_state(session, key)
            # notify records, then sends, in units of work of its own
            row = notify.notify(session, mailer, key, f"reminder_{reminder.kind}", user, subject, body, now,
                                territory_id=terr.id, week=week.iso_week)
            if before == (row.status, row.attempts):
                continue  # already handled by an earlier tick
            outcome.setdefault(row.status, []).append(user.id)
        if any(outcome.values()):
            status = "error" if outcome["failed"] else ("ok" if outcome["sent"] else "skipped")
            with unit_of_work(session):
                _record(session, "reminder", terr.id, week.iso_week, now, status,
                        {"kind": reminder.kind, "deadline": deadline.isoformat(), **outcome}, None, t0)
            report.actions.append(f"{terr.id} {week.iso_week}: rappel {reminder.kind} "
                                  f"({len(outcome['sent'])} envoyés, {len(outcome['skipped'])} sans e-mail)")


def _notification_state(session: Session, key: str) -> tuple[str, int] | None:
    row = session.exec(select(Notification).where(Notification.key == key)).first()
    return None if row is None else (row.status, row.attempts)
