"""Subscribable calendar feeds: a secret, revocable URL per user and calendar, stored hashed.

A calendar application subscribes by URL and sends no `Authorization` header, so the URL itself
carries the credential: `/api/v1/calendars/drivers/<id>/<token>.ics` or
`/api/v1/calendars/relay-points/<site>/<token>.ics`. The token is 32 random bytes (`cal_` + URL-safe
base64); the database keeps only SHA-256(feed : subject : token), so a token is bound to its own
feed — presented on any other calendar's URL it hashes to nothing and the answer is 404 — and a
stolen database gives no usable URL. It grants one thing: reading that one feed (GET, no other
endpoint accepts it). Each user holds at most one live URL per calendar: issuing a new one revokes
the previous one; a revoked URL, a deactivated user, or a user who lost the right to the calendar
(a relay manager moved to another site) answers 404, like an unknown one, so nothing leaks.

Not signed with `SECRET_KEY` on purpose: rotating the key must not break every subscription; the
random secret plus the scoped hash gives the same guarantees (unguessable, bound to its feed,
revocable by deleting nothing but setting `revoked_at`).
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime

from sqlmodel import Session, select

from app.models import Site, User
from app.models.trust import FeedToken

FEEDS = ("driver", "relay")


def _digest(feed: str, subject: str, token: str) -> str:
    return hashlib.sha256(f"{feed}:{subject}:{token}".encode()).hexdigest()


def may_read(user: User, feed: str, subject: str, session: Session) -> bool:
    """Whether `user` may read the calendar (the same rule as the bearer-token endpoints)."""
    if not user.active:
        return False
    if user.role == "coordinator":
        return True
    if feed == "driver":
        return user.role == "driver" and str(user.id) == subject
    site = session.get(Site, subject)
    return user.role == "relay" and user.site_id == subject and site is not None and site.kind == "relay"


def live(session: Session, user: User, feed: str, subject: str) -> FeedToken | None:
    return session.exec(select(FeedToken).where(
        FeedToken.user_id == user.id, FeedToken.feed == feed, FeedToken.subject == subject,
        FeedToken.revoked_at.is_(None)).order_by(FeedToken.id.desc())).first()


def revoke(session: Session, user: User, feed: str, subject: str) -> int:
    """Revoke the user's URLs of this calendar; return how many were live."""
    rows = session.exec(select(FeedToken).where(
        FeedToken.user_id == user.id, FeedToken.feed == feed, FeedToken.subject == subject,
        FeedToken.revoked_at.is_(None))).all()
    now = datetime.now(UTC)
    for row in rows:
        row.revoked_at = now
        session.add(row)
    return len(rows)


def issue(session: Session, user: User, feed: str, subject: str) -> str:
    """A new secret for this user and calendar (the previous one is revoked); shown once."""
    assert feed in FEEDS
    revoke(session, user, feed, subject)
    token = "cal_" + secrets.token_urlsafe(32)
    session.add(FeedToken(user_id=user.id, feed=feed, subject=subject, token_hash=_digest(feed, subject, token),
                          created_at=datetime.now(UTC)))
    session.flush()
    return token


def holder(session: Session, feed: str, subject: str, token: str) -> User | None:
    """The user a live token of this feed belongs to, if they may still read it; else None (404)."""
    if feed not in FEEDS or not token.startswith("cal_") or len(token) > 100:
        return None
    digest = _digest(feed, subject, token)
    found = session.exec(select(FeedToken, User).join(User, User.id == FeedToken.user_id)
                         .where(FeedToken.token_hash == digest)).first()
    if found is None:
        return None
    row, user = found
    if (row.revoked_at is not None or row.feed != feed or row.subject != subject
            or not hmac.compare_digest(row.token_hash, digest) or not may_read(user, feed, subject, session)):
        return None
    return user
