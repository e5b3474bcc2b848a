"""Users, bearer tokens and roles.

A token is 32 random bytes (URL-safe); only its SHA-256 is stored. Because the token has 256 bits
of entropy, a plain hash is the right tool (no need for a slow password hash), and lookups by hash
never compare secrets byte by byte in Python; the final check uses `hmac.compare_digest`.

Roles: coordinator (everything), producer (own offers), relay (own relay point's orders), canteen
(own canteen's orders), driver (reads own rounds). Ownership checks live with each use case.

Refused tokens are counted by the application's one limiter (`app/web/ratelimit.py`, shared with
the sign-in page): after `TERRIL_AUTH_FAILURES_PER_MINUTE` (default 20) refusals within a minute,
that token prefix from that address is refused with 429 (problem+json, `Retry-After`) without a
lookup, and any *bad* token from that address gets 429 instead of 401; a valid token is always
served. `request.remote_addr` is the client's only behind a configured proxy
(`TERRIL_TRUSTED_PROXIES`, `app/security.py`).
"""
from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
from datetime import UTC, datetime

from flask import current_app, g, request
from flask_smorest import abort
from sqlmodel import Session, select
from werkzeug.exceptions import TooManyRequests

from app.db import get_session
from app.models import ROLES, ApiToken, User
from app.web import ratelimit
from app.web.ratelimit import FailureLimiter
from orders.errors import InvalidInput


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_user(session: Session, name: str, role: str, site_id: str | None = None,
                email: str | None = None) -> tuple[User, str]:
    """Create a user and its first token; return both (the token is shown once, never stored)."""
    if role not in ROLES:
        raise InvalidInput(f"Unknown role {role!r}; expected one of {', '.join(ROLES)}.",
                           f"Rôle inconnu {role!r} ; rôles possibles : {', '.join(ROLES)}.", "role")
    if role in ("producer", "relay", "canteen") and not site_id:
        raise InvalidInput(f"A {role} user needs a site.", "Cet utilisateur doit être rattaché à un site.",
                           "site_id")
    user = User(name=name, role=role, site_id=site_id, email=email, created_at=datetime.now(UTC))
    session.add(user)
    session.flush()
    return user, issue_token(session, user)


def issue_token(session: Session, user: User, label: str | None = None) -> str:
    token = "trl_" + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=hash_token(token), label=label,
                         created_at=datetime.now(UTC)))
    return token


def user_for_token(session: Session, token: str) -> User | None:
    digest = hash_token(token)
    found = session.exec(select(ApiToken, User).join(User, User.id == ApiToken.user_id)
                         .where(ApiToken.token_hash == digest)).first()  # one query on every request
    if found is None:
        return None
    row, user = found
    if row.revoked or not user.active or not hmac.compare_digest(row.token_hash, digest):
        return None
    return user


TOKEN_PREFIX = 12  # "trl_" + 8 characters: 48 random bits, enough to tell tokens apart, useless to guess


def failed_auth_limiter() -> FailureLimiter:
    """The application's one limiter of refused credentials (shared with the sign-in page)."""
    return ratelimit.shared(current_app._get_current_object())


def _user_for_bearer(token: str) -> User | None:
    """Check a bearer token under the limiter (app/web/ratelimit.py has the policy)."""
    limiter, source = failed_auth_limiter(), request.remote_addr or "?"
    limit = int(current_app.config.get("TERRIL_AUTH_FAILURES_PER_MINUTE", 20))
    credential, everyone = ("token", source, token[:TOKEN_PREFIX]), ("source", source)
    wait_s = limiter.retry_after_s(credential, limit)
    if wait_s:
        raise TooManyRequests("This token was refused too often from this address; wait before retrying.",
                              retry_after=wait_s)
    user = user_for_token(get_session(), token)
    if user is None:
        wait_s = limiter.retry_after_s(everyone, limit)
        limiter.failed(credential, everyone)
        if wait_s:
            raise TooManyRequests("Too many refused tokens from this address; wait before retrying.",
                                  retry_after=wait_s)
    return user


def current_user() -> User | None:
    if "user" in g:
        return g.user
    user = None
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        user = _user_for_bearer(header[7:].strip())
    elif getattr(g, "session_user_id", None):
        user = get_session().get(User, g.session_user_id)
    g.user = user
    return user


def require(*roles: str):
    """Decorator: the caller must be signed in with one of `roles` (any role when none given)."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            user = current_user()
            if user is None:
                abort(401, message="Authentication required: send 'Authorization: Bearer <token>'.")
            if roles and user.role not in roles:
                abort(403, message=f"Role {user.role!r} may not do this.")
            return view(*args, **kwargs)

        return wrapper

    return decorate


def forbid_unless(condition: bool, *, hide: bool = False) -> None:
    """403 when the caller acts on another's resource; 404 where existence itself would leak."""
    if not condition:
        if hide:
            abort(404, message="Not found.")
        abort(403, message="This resource belongs to another site.")
