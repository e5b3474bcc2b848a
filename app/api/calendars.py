"""iCalendar feeds over HTTP: with a bearer token, or by a secret subscription URL.

Calendar applications subscribe by URL and can send no header, so each user may ask for a
secret, revocable URL per calendar (`app/interop/feeds.py`): `POST …/subscription` returns it
once (201), `DELETE …/subscription` revokes it (204); the URL serves that one feed, read-only, and
answers 404 once revoked. Routes live on the interop blueprint.
"""
from __future__ import annotations

from flask import Response, current_app, url_for
from flask.views import MethodView
from marshmallow import Schema, fields

from app.api.interop import SECURITY, _own_site, blp
from app.auth import current_user, forbid_unless, require
from app.db import get_session, unit_of_work
from app.interop import feeds, ical
from app.models import Site, User
from orders.errors import NotFound

ICS = {"200": {"description": "an iCalendar feed (RFC 5545)", "content": {"text/calendar": {}}}}
PUBLIC = ICS  # unknown, revoked or no longer allowed URL: 404 (documented for every path with a parameter)


class CalendarSubscriptionSchema(Schema):
    url = fields.String(metadata={"description": "the secret feed URL: shown once, give it to the calendar app"})
    feed = fields.String(metadata={"description": "driver or relay"})
    subject = fields.String(metadata={"description": "the driver's user id or the relay point's site id"})


def _ics(data: bytes, name: str) -> Response:
    return Response(data, mimetype="text/calendar",
                    headers={"Content-Disposition": f'inline; filename="{name}.ics"', "Cache-Control": "private"})


def _driver(user_id: int) -> User:
    driver = get_session().get(User, user_id)
    if driver is None or driver.role != "driver":
        raise NotFound("Unknown driver.", "Chauffeur inconnu.", "user_id")
    return driver


def _driver_ics(driver: User) -> Response:
    return _ics(ical.driver_feed(get_session(), driver.id, driver.name, current_app.config["TERRIL_TIMEZONE"]),
                f"tournees-{driver.id}")


def _relay_ics(site: Site) -> Response:
    return _ics(ical.relay_feed(get_session(), site, current_app.config["TERRIL_TIMEZONE"]), f"livraisons-{site.id}")


def _unknown_url() -> NotFound:
    return NotFound("Unknown or revoked calendar URL.", "Adresse de calendrier inconnue ou révoquée.", "token")


def feed_url(feed: str, subject: str, token: str) -> str:
    if feed == "driver":
        return url_for("interop.DriverFeed", user_id=int(subject), token=token, _external=True)
    return url_for("interop.RelayFeed", site_id=subject, token=token, _external=True)


def _subscribe(feed: str, subject: str):
    with unit_of_work() as session:
        token = feeds.issue(session, current_user(), feed, subject)
    return {"url": feed_url(feed, subject, token), "feed": feed, "subject": subject}


def _unsubscribe(feed: str, subject: str):
    with unit_of_work() as session:
        feeds.revoke(session, current_user(), feed, subject)
    return "", 204


def _own_driver(user_id: int) -> User:
    user = current_user()
    forbid_unless(user.role == "coordinator" or user.id == user_id, hide=True)
    return _driver(user_id)


@blp.route("/calendars/drivers/<int:user_id>.ics")
class DriverCalendar(MethodView):
    @require("coordinator", "driver")
    @blp.doc(security=SECURITY, responses=ICS)
    @blp.doc(operationId="getDriverCalendar")
    def get(self, user_id):
        """A driver's rounds, one event per round (a driver: only their own)."""
        return _driver_ics(_own_driver(user_id))


@blp.route("/calendars/relay-points/<string:site_id>.ics")
class RelayCalendar(MethodView):
    @require("coordinator", "relay")
    @blp.doc(security=SECURITY, responses=ICS)
    @blp.doc(operationId="getRelayPointCalendar")
    def get(self, site_id):
        """A relay point's deliveries, one event per delivery day at the estimated arrival."""
        return _relay_ics(_own_site(site_id, ("relay",)))


@blp.route("/calendars/drivers/<int:user_id>/subscription")
class DriverSubscription(MethodView):
    @require("coordinator", "driver")
    @blp.doc(security=SECURITY)
    @blp.response(201, CalendarSubscriptionSchema)
    @blp.doc(operationId="createDriverCalendarSubscription")
    def post(self, user_id):
        """A new secret URL of this driver's calendar for the caller (the previous one is revoked)."""
        driver = _own_driver(user_id)
        return _subscribe("driver", str(driver.id))

    @require("coordinator", "driver")
    @blp.doc(security=SECURITY)
    @blp.response(204)
    @blp.doc(operationId="revokeDriverCalendarSubscription")
    def delete(self, user_id):
        """Revoke the caller's secret URL of this driver's calendar: it answers 404 from now on."""
        driver = _own_driver(user_id)
        return _unsubscribe("driver", str(driver.id))


@blp.route("/calendars/relay-points/<string:site_id>/subscription")
class RelaySubscription(MethodView):
    @require("coordinator", "relay")
    @blp.doc(security=SECURITY)
    @blp.response(201, CalendarSubscriptionSchema)
    @blp.doc(operationId="createRelayPointCalendarSubscription")
    def post(self, site_id):
        """A new secret URL of this relay point's calendar for the caller (the previous one is revoked)."""
        site = _own_site(site_id, ("relay",))
        return _subscribe("relay", site.id)

    @require("coordinator", "relay")
    @blp.doc(security=SECURITY)
    @blp.response(204)
    @blp.doc(operationId="revokeRelayPointCalendarSubscription")
    def delete(self, site_id):
        """Revoke the caller's secret URL of this relay point's calendar: it answers 404 from now on."""
        site = _own_site(site_id, ("relay",))
        return _unsubscribe("relay", site.id)


@blp.route("/calendars/drivers/<int:user_id>/<string:token>.ics")
class DriverFeed(MethodView):
    @blp.doc(security=[], responses=PUBLIC)
    @blp.doc(operationId="getDriverCalendarBySubscription")
    def get(self, user_id, token):
        """The driver's calendar by its secret subscription URL (no header needed; read-only)."""
        if feeds.holder(get_session(), "driver", str(user_id), token) is None:
            raise _unknown_url()
        return _driver_ics(_driver(user_id))


@blp.route("/calendars/relay-points/<string:site_id>/<string:token>.ics")
class RelayFeed(MethodView):
    @blp.doc(security=[], responses=PUBLIC)
    @blp.doc(operationId="getRelayPointCalendarBySubscription")
    def get(self, site_id, token):
        """The relay point's calendar by its secret subscription URL (no header needed; read-only)."""
        site = get_session().get(Site, site_id)
        if site is None or feeds.holder(get_session(), "relay", site_id, token) is None:
            raise _unknown_url()
        return _relay_ics(site)
