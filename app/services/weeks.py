"""Use cases of the week: find or open a week, move it through the cycle, guard its windows.

The states and their order are the weekly cycle's (`orders/cycle.py`); this module is the only
place that changes `Week.state`, and every change is written to `WeekEvent` and the audit trail.
"""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session, select

from app.models import Territory, User, Week, WeekEvent
from app.services import audit
from orders import cycle
from orders.errors import Conflict, DeadlinePassed, InvalidInput, NotFound

STATE_ORDER = [state.value for state in cycle.WeekState]

# each window: the state in which it is open, the deadline that opens it, the one that closes it
WINDOWS = {
    "offers": ("offers_open", "offers_open", "offers_close"),
    "orders": ("orders_open", "offers_close", "orders_close"),
}


def territory(session: Session, territory_id: str) -> Territory:
    row = session.get(Territory, territory_id)
    if row is None:
        raise NotFound(f"Unknown territory {territory_id!r}.", f"Territoire inconnu : {territory_id}.",
                       "territory")
    return row


def schedule_of(terr: Territory) -> cycle.CycleSchedule:
    return cycle.CycleSchedule.from_dict(terr.schedule or {})


def week_dates(iso_week: str) -> tuple[date, date]:
    """Monday and Sunday of an ISO week."""
    try:
        monday = cycle.week_monday(iso_week)
    except ValueError as exc:
        raise InvalidInput(str(exc), f"Semaine invalide : {iso_week}.", "week") from exc
    return monday, monday + timedelta(days=6)


def find_week(session: Session, iso_week: str, territory_id: str) -> Week:
    week_dates(iso_week)
    row = session.exec(select(Week).where(Week.territory_id == territory_id,
                                          Week.iso_week == iso_week)).first()
    if row is None:
        raise NotFound(f"Week {iso_week} does not exist yet.", f"La semaine {iso_week} n'existe pas encore.",
                       "week")
    return row


def create_week(session: Session, iso_week: str, territory_id: str, user: User | None) -> Week:
    terr = territory(session, territory_id)
    week_dates(iso_week)
    exists = session.exec(select(Week).where(Week.territory_id == territory_id,
                                             Week.iso_week == iso_week)).first()
    if exists is not None:
        raise Conflict(f"Week {iso_week} already exists.", f"La semaine {iso_week} existe déjà.", "iso_week")
    days = [d.isoformat() for d in cycle.delivery_days(schedule_of(terr), iso_week)]
    week = Week(territory_id=territory_id, iso_week=iso_week, state="draft", delivery_days=days,
                updated_at=datetime.now(UTC))
    session.add(week)
    session.flush()
    audit.record(session, user, "week", week.iso_week, "create", None, audit.snapshot(week), week.id)
    return week


def deadlines(session: Session, week: Week) -> dict[str, datetime]:
    return cycle.deadlines(schedule_of(territory(session, week.territory_id)), week.iso_week)


def check_window(session: Session, week: Week, window: str) -> None:
    """Refuse a change outside its window with 409 and the deadline that passed (FR and EN)."""
    open_state, opening_deadline, closing = WINDOWS[window]
    if week.state == open_state:
        return
    when = deadlines(session, week).get(closing)
    if STATE_ORDER.index(week.state) < STATE_ORDER.index(open_state):
        opening = deadlines(session, week).get(opening_deadline)
        label_fr = "les offres" if window == "offers" else "les commandes"
        raise Conflict(
            f"The {window} of week {week.iso_week} are not open yet (week is {week.state}).",
            f"La saisie pour {label_fr} de la semaine {week.iso_week} n'est pas encore ouverte"
            + (f" (ouverture le {cycle.format_when_fr(opening)})." if opening else "."),
            "week")
    fr, en = cycle.deadline_message(closing, when, schedule_of(territory(session, week.territory_id)).timezone)
    raise DeadlinePassed(en, fr, "week")


def transition(session: Session, week: Week, to: str, user: User | None, reason: str | None = None,
               *, actor: str | None = None) -> Week:
    """Move a week to `to`; going backwards is a reopening and must give a reason."""
    try:
        backwards = cycle.is_reopen(week.state, to)
        if backwards:
            if user is not None and user.role != "coordinator":
                raise Conflict("Only a coordinator may reopen a week.",
                               "Seule la coordination peut rouvrir une semaine.", "to")
            if not reason:
                raise InvalidInput("Reopening a week needs a reason.",
                                   "Rouvrir une semaine demande un motif.", "reason")
            new_state = cycle.reopen(week.state, to).value
        else:
            new_state = cycle.transition(week.state, to).value
    except cycle.InvalidTransition as exc:
        raise Conflict(str(exc), f"Passage impossible de « {week.state} » à « {to} ».", "to") from exc
    before = audit.snapshot(week)
    old = week.state
    week.state = new_state
    week.version += 1
    week.updated_at = datetime.now(UTC)
    session.add(week)
    session.add(WeekEvent(week_id=week.id, from_state=old, to_state=new_state,
                          actor=actor or (user.name if user else "scheduler"), reason=reason,
                          at=datetime.now(UTC)))
    audit.record(session, user, "week", week.iso_week, "reopen" if backwards else "transition",
                 before, audit.snapshot(week), week.id, actor=actor)
    return week
