"""iCalendar feeds: UIDs say what the event is and survive a re-plan, SEQUENCE and LAST-MODIFIED move
only when an event changes, an empty feed is still a valid calendar; node-ical and ical.js read them."""
from __future__ import annotations

from datetime import datetime

import pytest
from icalendar import Calendar
from sqlmodel import select

from app.auth import create_user
from app.db import unit_of_work
from app.interop.ical import Revision, revisions
from app.models import Plan, Round, RoundStop, User
from app.services import planning, weeks
from tests.app.planned_world import planned_app
from tests.app.world import WEEK
from tests.interop.conftest import node_script  # noqa: F401  (the npm parsers' fixture)


@pytest.fixture(scope="module")
def planned(template_db, tmp_path_factory):
    app, world = planned_app(template_db, tmp_path_factory)
    yield app, world
    app.extensions["terril_engine"].dispose()


def _driver(app) -> User:
    with app.app_context(), unit_of_work() as session:
        return session.exec(select(User).where(User.role == "driver")).first()


def _events(data: bytes) -> dict[str, dict]:
    cal = Calendar.from_ical(data)
    return {str(e["uid"]): {"sequence": int(e.get("sequence", 0)), "modified": e.decoded("last-modified"),
                            "stamp": e.decoded("dtstamp"), "start": e.decoded("dtstart"),
                            "description": str(e.get("description"))}
            for e in cal.walk("VEVENT")}


def _rounds(app) -> list[Round]:
    with app.app_context(), unit_of_work() as session:
        return session.exec(select(Round).order_by(Round.day, Round.vehicle_id)).all()


def _replan(app):
    with app.app_context(), unit_of_work() as session:
        planning.plan_week(session, weeks.find_week(session, WEEK, app.config["TERRIL_TERRITORY"]), "test", "re-plan")


def test_feeds_before_and_after_a_replan(planned):
    app, world = planned
    driver = _driver(app)
    relay = world.scenario["relay_points"][0]["id"]
    driver_url, relay_url = f"/api/v1/calendars/drivers/{driver.id}.ics", f"/api/v1/calendars/relay-points/{relay}.ics"
    first_rounds = _rounds(app)
    mine = [r for r in first_rounds if r.driver_user_id == driver.id]
    assert mine
    before = _events(world.get(driver_url).data)
    assert set(before) == {f"round-{r.day.isoformat()}-{r.vehicle_id}-lens-lievin@terril" for r in mine}
    assert all(e["sequence"] == 0 and e["stamp"] == e["modified"] for e in before.values())
    relay_before = _events(world.get(relay_url, who="relay").data)
    assert relay_before and all(uid.startswith("delivery-") and f"-{relay}-lens-lievin@" in uid
                                for uid in relay_before)
    assert world.get(driver_url).data == world.get(driver_url).data      # same bytes while nothing changes

    _replan(app)
    second_rounds = _rounds(app)
    assert {r.plan_id for r in second_rounds}.isdisjoint({r.plan_id for r in first_rounds})   # rows recreated
    after = _events(world.get(driver_url).data)
    kept = set(before) & set(after)
    assert kept and set(after) == {f"round-{r.day.isoformat()}-{r.vehicle_id}-lens-lievin@terril"
                                   for r in second_rounds if r.driver_user_id == driver.id}
    for uid in kept:
        same = before[uid]["description"] == after[uid]["description"] and before[uid]["start"] == after[uid]["start"]
        if same:
            assert after[uid]["sequence"] == before[uid]["sequence"] and after[uid]["modified"] == before[uid]["modified"]
        else:
            assert after[uid]["sequence"] == before[uid]["sequence"] + 1
            assert after[uid]["modified"] > before[uid]["modified"]
    relay_after = _events(world.get(relay_url, who="relay").data)
    assert set(relay_before) & set(relay_after)

    # a round changes (its start moves): that event, and only it, gets a new SEQUENCE and LAST-MODIFIED
    with app.app_context(), unit_of_work() as session:
        rnd = session.exec(select(Round).where(Round.driver_user_id == driver.id)
                           .order_by(Round.day, Round.vehicle_id)).first()
        hours, minutes = rnd.start.split(":")
        rnd.start = f"{int(hours) - 1:02d}:{minutes}"
        uid = f"round-{rnd.day.isoformat()}-{rnd.vehicle_id}-lens-lievin@terril"
        plan_time = session.get(Plan, rnd.plan_id).created_at
    moved = _events(world.get(driver_url).data)
    assert moved[uid]["sequence"] == after[uid]["sequence"] + 1
    assert moved[uid]["modified"].replace(tzinfo=None) == plan_time.replace(tzinfo=None, microsecond=0)
    assert {u: e["sequence"] for u, e in moved.items() if u != uid} == \
        {u: e["sequence"] for u, e in after.items() if u != uid}


def test_revisions_count_changes_not_versions():
    t = [datetime(2026, 11, 25, h) for h in range(5)]
    history = [(t[0], {"a": "1", "b": "1"}), (t[1], {"a": "1", "b": "2"}), (t[2], {"a": "1"}),
               (t[3], {"a": "1", "b": "2", "c": "1"}), (t[4], {"a": "3", "b": "2", "c": "1"})]
    assert revisions(history) == {"a": Revision(1, t[0], t[4]), "b": Revision(1, t[0], t[1]),
                                  "c": Revision(0, t[3], t[3])}


def test_an_empty_feed_is_a_valid_calendar(planned):
    app, world = planned
    with app.app_context(), unit_of_work() as session:
        idle, _ = create_user(session, "Denis Dépôt", "driver", None)
        idle_id = idle.id
    res = world.get(f"/api/v1/calendars/drivers/{idle_id}.ics")
    assert res.status_code == 200
    cal = Calendar.from_ical(res.data)
    assert not cal.walk("VEVENT") and cal.walk("VTIMEZONE")
    assert b"BEGIN:VTIMEZONE" in res.data and b"PRODID" in res.data and b"VERSION:2.0" in res.data


def test_feeds_keep_their_old_guarantees(planned):
    app, world = planned
    driver = _driver(app)
    with app.app_context(), unit_of_work() as session:
        rounds = session.exec(select(Round).where(Round.driver_user_id == driver.id)).all()
        stops = {(r.day.isoformat(), r.vehicle_id): len(session.exec(
            select(RoundStop).where(RoundStop.round_id == r.id)).all()) for r in rounds}
    res = world.get(f"/api/v1/calendars/drivers/{driver.id}.ics", who="driver")
    assert res.status_code == 200 and res.mimetype == "text/calendar"
    events = Calendar.from_ical(res.data).walk("VEVENT")
    assert len(events) == len(rounds)
    for event in events:
        day = str(event["uid"])[len("round-"):][:10]
        vehicle = next(v for (d, v) in stops if d == day and str(event["uid"]).startswith(f"round-{d}-{v}-"))
        assert str(event["description"]).count("\n") + 1 == stops[(day, vehicle)]
        assert event.decoded("dtstart").tzinfo is not None
    assert world.get(f"/api/v1/calendars/drivers/{driver.id}.ics", who=None).status_code == 401
    assert world.get(f"/api/v1/calendars/drivers/{driver.id}.ics", who="relay").status_code == 403
    other = world.scenario["relay_points"][1]["id"]
    assert world.get(f"/api/v1/calendars/relay-points/{other}.ics", who="relay").status_code == 404


def test_node_ical_and_ical_js_read_the_feeds(planned, node_script, tmp_path):  # noqa: F811
    app, world = planned
    driver = _driver(app)
    relay = world.scenario["relay_points"][0]["id"]
    with app.app_context(), unit_of_work() as session:
        idle, _ = create_user(session, "Eve Vide", "driver", None)
    feeds = {"driver": world.get(f"/api/v1/calendars/drivers/{driver.id}.ics").data,
             "relay": world.get(f"/api/v1/calendars/relay-points/{relay}.ics").data,
             "empty": world.get(f"/api/v1/calendars/drivers/{idle.id}.ics").data}
    files = []
    for name, data in feeds.items():
        (tmp_path / f"{name}.ics").write_bytes(data)
        files.append(str(tmp_path / f"{name}.ics"))
    out = node_script("ical_check.mjs", *files)
    for name, data, parsed in zip(feeds, feeds.values(), out, strict=True):
        expected = _events(data)
        for parser in ("nodeIcal", "icalJs"):
            got = parsed[parser]
            assert got["error"] is None, (name, parser, got["error"])
            assert {e["uid"]: e["sequence"] for e in got["events"]} == \
                {uid: e["sequence"] for uid, e in expected.items()}, (name, parser)
        assert parsed["icalJs"]["timezones"] == ["Europe/Paris"]
