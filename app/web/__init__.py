"""The pages for the people who use Terril: French, server-rendered, plain HTML forms.

One blueprint (`web`) with a module per role (producer, canteen, relay, driver, coordination) and
the sign-in pages; views parse a form, call a use case of `app/services/`, and render. Sign-in is
a session cookie (`app/web/signin.py`); every POST carries the session's CSRF token. Pages carry a
Content-Security-Policy limited to this origin (no inline script or style).
"""
from __future__ import annotations

from flask import Flask

from app.web.blueprint import blp

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; "
       "object-src 'none'")


def init_app(app: Flask) -> None:
    from app.web import canteen, coordination, driver, feeds, member, producer, relay, signin  # noqa: F401  (routes)
    from app.web.cli import register as register_cli

    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config.setdefault("TERRIL_SIGNIN_MAX_ATTEMPTS", 5)
    app.config.setdefault("TERRIL_SIGNIN_WINDOW_S", 60.0)
    app.register_blueprint(blp)
    register_cli(app)
