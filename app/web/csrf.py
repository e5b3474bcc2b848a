"""A small synchroniser-token CSRF guard: one random token per session, checked on every POST.

The token lives in the signed session cookie and is echoed by each form as `csrf_token`; a POST
whose field (or `X-CSRF-Token` header) does not match is refused with 400 and a French message.
The session cookie is also `SameSite=Lax`, a second line of defence.
"""
from __future__ import annotations

import hmac
import secrets

from flask import abort, request, session


def token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def rotate() -> str:
    session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def check() -> None:
    expected = session.get("csrf")
    sent = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token") or ""
    if not expected or not hmac.compare_digest(expected.encode(), sent.encode()):
        abort(400, description="csrf")
