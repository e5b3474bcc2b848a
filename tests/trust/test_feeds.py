"""Subscribable calendar feeds: a secret URL per user and calendar, stored hashed, scoped, revocable.

A calendar application can send no header: the URL carries the credential. It reads that one
feed and nothing else; a revoked, replaced, foreign or guessed URL answers 404; the pages of the
driver and of the relay point create and revoke it.
"""
from __future__ import annotations

import hashlib
import re

from icalendar import Calendar
from sqlmodel import select

from app.db import unit_of_work
from app.models import User
from app.models.trust import FeedToken
from tests.web.people import build_people, csrf_of, sign_in


def _ids(app, world):
    with app.app_context(), unit_of_work() as session:
        driver = session.exec(select(User).where(User.role == "driver")).first().id
    return driver, world.scenario["relay_points"][0]["id"], world.scenario["relay_points"][1]["id"]


def _path(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def test_a_subscription_url_serves_its_feed_without_a_header_until_revoked(app):
    world = build_people(app)
    driver, relay, other_relay = _ids(app, world)
    res = world.post(f"/api/v1/calendars/drivers/{driver}/subscription", who="driver")
    assert res.status_code == 201, res.json
    url = _path(res.json["url"])
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    feed = world.client.get(url)  # no Authorization header: what a calendar application does
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    Calendar.from_ical(feed.data)
    # only the scoped hash is stored, never the token
    with app.app_context(), unit_of_work() as session:
        rows = session.exec(select(FeedToken)).all()
    assert [r.token_hash for r in rows] == [hashlib.sha256(f"driver:{driver}:{token}".encode()).hexdigest()]
    assert all(token not in str(vars(r)) for r in rows)
    # scoped to that feed: the same token on another calendar, or as a bearer token, is refused
    assert world.client.get(f"/api/v1/calendars/relay-points/{relay}/{token}.ics").status_code == 404
    assert world.client.get(f"/api/v1/calendars/drivers/{driver + 1}/{token}.ics").status_code == 404
    assert world.client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert world.client.get(f"/api/v1/calendars/drivers/{driver}.ics",
                            headers={"Authorization": f"Bearer {token}"}).status_code == 401
    # read-only: no other method on the URL
    assert world.client.post(url).status_code == 405
    # a guessed one is 404 too
    assert world.client.get(f"/api/v1/calendars/drivers/{driver}/cal_{'A' * 43}.ics").status_code == 404
    # revoked: 404
    assert world.delete(f"/api/v1/calendars/drivers/{driver}/subscription", who="driver").status_code == 204
    gone = world.client.get(url)
    assert gone.status_code == 404 and gone.mimetype == "application/problem+json"


def test_a_new_url_revokes_the_previous_one_and_owners_only_reach_their_own(app):
    world = build_people(app)
    driver, relay, other_relay = _ids(app, world)
    first = _path(world.post(f"/api/v1/calendars/relay-points/{relay}/subscription", who="relay").json["url"])
    second = _path(world.post(f"/api/v1/calendars/relay-points/{relay}/subscription", who="relay").json["url"])
    assert first != second
    assert world.client.get(first).status_code == 404 and world.client.get(second).status_code == 200
    # another relay point's calendar, or a driver's: not for this relay manager
    assert world.post(f"/api/v1/calendars/relay-points/{other_relay}/subscription", who="relay").status_code == 404
    assert world.post(f"/api/v1/calendars/drivers/{driver}/subscription", who="relay").status_code == 403
    # the coordinator's own URL is independent of the manager's
    coordinator = _path(world.post(f"/api/v1/calendars/relay-points/{relay}/subscription").json["url"])
    assert world.client.get(coordinator).status_code == 200 and world.client.get(second).status_code == 200
    # a deactivated user's URL stops at once
    with app.app_context(), unit_of_work() as session:
        manager = session.exec(select(User).where(User.role == "relay", User.site_id == relay)).first()
        manager.active = False
        session.add(manager)
    assert world.client.get(second).status_code == 404


def test_the_driver_and_relay_pages_create_show_once_and_revoke_the_url(app):
    world = build_people(app)
    driver, relay, _ = _ids(app, world)
    for who, page in (("driver", "/chauffeur"), ("relay", f"/relais/{relay}")):
        client = app.test_client()
        assert sign_in(client, who).status_code == 303
        html = client.get(page).get_data(as_text=True)
        assert "Abonnement au calendrier" in html and "Créer le lien d’abonnement" in html
        action = re.search(r'action="(/abonnements/[^"]+)"', html).group(1)
        shown = client.post(action, data={"csrf_token": csrf_of(html)})
        assert shown.status_code == 200
        url = re.search(r'value="(http[^"]+\.ics)"', shown.get_data(as_text=True)).group(1)
        assert app.test_client().get(_path(url)).status_code == 200
        html = client.get(page).get_data(as_text=True)
        assert "Un lien est actif" in html and url not in html  # shown once, never again
        revoke = re.search(r'action="(/abonnements/[^"]+/revocation)"', html).group(1)
        assert client.post(revoke, data={"csrf_token": csrf_of(html)}).status_code == 303
        assert app.test_client().get(_path(url)).status_code == 404
        assert "Un lien est actif" not in client.get(page).get_data(as_text=True)
    # without the CSRF token nothing is created
    client = app.test_client()
    sign_in(client, "driver")
    assert client.post(f"/abonnements/driver/{driver}").status_code == 400
    # a driver cannot subscribe to another driver's calendar through the page
    assert client.post(f"/abonnements/driver/{driver + 1}",
                       data={"csrf_token": csrf_of(client.get("/chauffeur").get_data(as_text=True))}).status_code == 404
