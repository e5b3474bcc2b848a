"""RGPD for households: the access export (article 15) and the erasure (article 17).

* `export_member`: everything stored about one member, as JSON-safe data: the member's row, its
  sign-in (name and role, never the password hash), subscriptions, pauses, extra baskets,
  collections (week, day, basket type, handed out, cut, collected) and the e-mails sent to it.
* `erase_member`: the personal data goes (name replaced by « Foyer anonymisé n° ID », e-mail,
  phone and notes emptied, the sign-in deleted with its tokens, the e-mails' addresses and texts
  emptied); what counts stays, linked to the anonymous row: subscriptions (type, dates), pauses,
  collections; so the statistics of baskets derived, cut and collected per week are unchanged.
  The audit trail holds no personal field of a member (see `app/services/members.py`).
"""
from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import Session, col, delete, select, update

from app.models import (
    ApiToken,
    AuditEntry,
    Collection,
    ExtraBasket,
    Member,
    Notification,
    Pause,
    PickupSlot,
    Subscription,
    User,
    Week,
)
from orders.errors import NotFound


def _plain(row) -> dict:
    return {k: (v.isoformat() if isinstance(v, date | datetime) else v) for k, v in row.model_dump().items()}


def _member(session: Session, member_id: int) -> Member:
    member = session.get(Member, member_id)
    if member is None:
        raise NotFound(f"Member {member_id} not found.", f"Adhérent n° {member_id} introuvable.", "member_id")
    return member


def _notifications(session: Session, member: Member) -> list[Notification]:
    query = select(Notification).where(col(Notification.key).startswith(f"member{member.id}:"))
    rows = list(session.exec(query).all())
    if member.user_id is not None:
        rows += [n for n in session.exec(select(Notification).where(Notification.user_id == member.user_id)).all()
                 if n not in rows]
    return rows


def export_member(session: Session, member_id: int) -> dict:
    member = _member(session, member_id)
    user = session.get(User, member.user_id) if member.user_id else None
    collections = session.exec(select(Collection, Week.iso_week).join(Week, Week.id == Collection.week_id)
                               .where(Collection.member_id == member.id).order_by(Collection.day)).all()
    return {
        "member": _plain(member),
        "sign_in": {"name": user.name, "role": user.role, "email": user.email, "active": user.active,
                    "created_at": user.created_at.isoformat()} if user else None,
        "subscriptions": [_plain(s) for s in session.exec(select(Subscription).where(
            Subscription.member_id == member.id).order_by(Subscription.id)).all()],
        "pauses": [_plain(p) for p in session.exec(select(Pause).where(Pause.member_id == member.id)
                                                   .order_by(Pause.start)).all()],
        "extra_baskets": [_plain(e) for e in session.exec(select(ExtraBasket).where(
            ExtraBasket.member_id == member.id).order_by(ExtraBasket.day)).all()],
        "collections": [{**_plain(c), "week": iso} for c, iso in collections],
        "emails": [{"sent_at": n.sent_at.isoformat() if n.sent_at else None, "status": n.status,
                    "to": n.email, "subject": n.subject, "body": n.body}
                   for n in sorted(_notifications(session, member), key=lambda n: n.id)],
    }


def erase_member(session: Session, member_id: int) -> tuple[Member, list]:
    """Erase the member's personal data, keep its anonymous statistics; never commits. Returns the
    member and the e-mails offering its freed places to the waiting list (sent after the commit)."""
    from app.services.members import offer_free_places

    member = _member(session, member_id)
    for note in _notifications(session, member):
        note.email, note.body, note.subject = None, "", "(message effacé)"
        note.user_id = None
        session.add(note)
    if member.user_id is not None:
        user_id, member.user_id = member.user_id, None
        session.add(member)
        session.flush()
        session.exec(delete(ApiToken).where(ApiToken.user_id == user_id))
        session.exec(update(AuditEntry).where(AuditEntry.user_id == user_id).values(actor=f"compte-efface-{user_id}"))
        user = session.get(User, user_id)
        if user is not None:  # audit entries may point at the user: keep the row, emptied
            user.name, user.email, user.password_hash, user.active = f"compte-efface-{user_id}", None, None, False
            session.add(user)
    member.name = f"Foyer anonymisé n° {member.id}"
    member.email = member.phone = member.notes = None
    member.status = "erased"
    member.version += 1
    now = datetime.now(UTC)
    slots = set()
    for sub in session.exec(select(Subscription).where(Subscription.member_id == member.id,
                                                       Subscription.status != "ended")).all():
        sub.status, sub.end = "ended", min(sub.end or now.date(), now.date())
        slots.add(sub.slot_id)
        session.add(sub)
    session.add(member)
    session.flush()
    messages = []
    for slot_id in sorted(slots):
        messages += offer_free_places(session, session.get(PickupSlot, slot_id), now)
    return member, messages
