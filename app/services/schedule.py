"""Use case of a territory's weekly cycle: replace it (the scheduler applies it from its next tick)."""
from __future__ import annotations

from sqlmodel import Session

from app.models import Territory, User
from app.services import audit, weeks
from orders import cycle


def replace_schedule(session: Session, user: User, territory_id: str, schedule: cycle.CycleSchedule) -> Territory:
    """Store the parsed schedule on the territory and record before and after in the audit trail."""
    terr = weeks.territory(session, territory_id)
    before = {"schedule": terr.schedule}
    terr.schedule = schedule.to_dict()
    session.add(terr)
    audit.record(session, user, "territory", terr.id, "schedule", before, {"schedule": terr.schedule})
    return terr
