"""The calendar subscription box of the driver and relay pages: create, show once, revoke.

The secret URL is stored hashed (`app/interop/feeds.py`), so a page can say that a live URL exists
but never show it again: creating one shows it once on its own page, to copy into the calendar
application; creating another or revoking makes the old one answer 404.
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for

from app.api.calendars import feed_url
from app.auth import current_user
from app.db import get_session, unit_of_work
from app.interop import feeds
from app.web.blueprint import blp
from app.web.common import page

NAMES_FR = {"driver": "vos tournées", "relay": "les livraisons du point relais"}


def _back(feed: str, subject: str) -> str:
    return url_for("web.driver_page") if feed == "driver" else url_for("web.relay_page", site_id=subject)


def _allowed(feed: str, subject: str) -> None:
    if feed not in feeds.FEEDS or not feeds.may_read(current_user(), feed, subject, get_session()):
        abort(404)


@blp.app_context_processor
def subscription_helpers():
    def abonnement(feed: str, subject: object):
        who = current_user()
        return feeds.live(get_session(), who, feed, str(subject)) if who is not None else None

    return {"abonnement": abonnement}


@blp.post("/abonnements/<feed>/<subject>")
@page("driver", "relay", "coordinator")
def subscribe(feed: str, subject: str):
    _allowed(feed, subject)
    with unit_of_work() as session:
        token = feeds.issue(session, current_user(), feed, subject)
    return render_template("abonnement.html", url=feed_url(feed, subject, token), what=NAMES_FR[feed],
                           back=_back(feed, subject))


@blp.post("/abonnements/<feed>/<subject>/revocation")
@page("driver", "relay", "coordinator")
def unsubscribe(feed: str, subject: str):
    _allowed(feed, subject)
    with unit_of_work() as session:
        feeds.revoke(session, current_user(), feed, subject)
    flash("Lien d'abonnement révoqué : les calendriers qui l'utilisaient ne reçoivent plus rien.", "info")
    return redirect(_back(feed, subject), code=303)
