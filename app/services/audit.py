"""The audit trail: every offer, order and week change, with who, when, before and after."""
from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import Session, SQLModel

from app.models import AuditEntry, User


def snapshot(row: SQLModel | None) -> dict | None:
    """A JSON-safe copy of a row's columns (dates as ISO strings)."""
    if row is None:
        return None
    out = {}
    for key, value in row.model_dump().items():
        out[key] = value.isoformat() if isinstance(value, date | datetime) else value
    return out


def record(session: Session, user: User | None, entity: str, entity_id: object, action: str,
           before: dict | None, after: dict | None, week_id: int | None = None,
           actor: str | None = None) -> AuditEntry:
    entry = AuditEntry(at=datetime.now(UTC), user_id=user.id if user else None,
                       actor=actor or (user.name if user else "system"), entity=entity,
                       entity_id=str(entity_id), action=action, week_id=week_id,
                       before=before, after=after)
    session.add(entry)
    return entry
