"""RGPD: who sees a household's personal data, the access export and the erasure (statistics kept)."""
from __future__ import annotations

import json
from datetime import UTC, date, datetime

from sqlmodel import select

from app.db import get_session, unit_of_work
from app.models import ApiToken, AuditEntry, Collection, Member, Notification, Pause, Subscription, User
from app.services import members, weeks
from app.services.member_privacy import export_member
from tests.app.world import build_world

PERSONAL = ("Alice Martin", "alice@ex.test", "06 11 22 33 44", "allergique au céleri")


def _alice(app, world):
    with app.app_context(), unit_of_work() as session:
        boss = session.exec(select(User).where(User.role == "coordinator")).first()
        members.create_slot(session, boss, "rp-lens", {"weekday": 1, "start": "17:00", "end": "19:00",
                                                       "capacity_baskets": 5})
        alice = members.create_member(session, boss, "rp-lens", {"name": PERSONAL[0], "email": PERSONAL[1],
                                                                 "phone": PERSONAL[2], "notes": PERSONAL[3]})
        members.create_subscription(session, boss, alice.id, {"basket_type_id": "moyen", "start": date(2026, 11, 2)})
        members.create_pause(session, boss, alice.id, date(2026, 12, 21), date(2027, 1, 3))
        account = members.link_user(session, boss, alice.id, "alice.martin")
        week = weeks.find_week(session, "2026-W49", "lens-lievin")
        session.add(Collection(week_id=week.id, member_id=alice.id, relay_point_id="rp-lens", day=date(2026, 12, 1),
                               basket_type_id="moyen", count=1, cut=0, collected=True))
        session.add(Notification(key=f"member{alice.id}:cut:2026-W48:2026-11-24:moyen", kind="member_basket_cut",
                                 email=PERSONAL[1], subject="Pas de panier", body=f"Bonjour {PERSONAL[0]}",
                                 created_at=datetime.now(UTC), status="sent", user_id=account.id))
        return alice.id, account.id


def test_only_the_relay_points_manager_and_the_coordinator_see_a_household(app):
    world = build_world(app)
    member_id, _ = _alice(app, world)
    for who in ("coordinator", "relay"):
        body = world.get(f"/api/v1/members/{member_id}", who=who).get_json()
        assert body["name"] == PERSONAL[0] and body["email"] == PERSONAL[1]
    for who in ("relay2", "producer", "canteen", "driver"):
        r = world.get(f"/api/v1/members/{member_id}", who=who)
        assert r.status_code in (403, 404) and PERSONAL[0] not in r.get_data(as_text=True)
        r = world.get("/api/v1/relay-points/rp-lens/members", who=who)
        assert r.status_code == 403 and PERSONAL[0] not in r.get_data(as_text=True)
        r = world.get("/api/v1/relay-points/rp-lens/waiting-list", who=who)
        assert r.status_code == 403
        r = world.get("/api/v1/sites/rp-lens/weeks/2026-W49/days/2026-12-01/collection-sheet.html", who=who)
        assert r.status_code == 403 and PERSONAL[0] not in r.get_data(as_text=True)
    # the manager's sheet names the household
    r = world.get("/api/v1/sites/rp-lens/weeks/2026-W49/days/2026-12-01/collection-sheet.html", who="relay")
    assert r.status_code == 200 and PERSONAL[0] in r.get_data(as_text=True)


def test_export_holds_everything_and_erase_keeps_anonymous_statistics(app, runner):
    world = build_world(app)
    member_id, user_id = _alice(app, world)
    result = runner.invoke(args=["members", "export", str(member_id)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["member"]["name"] == PERSONAL[0] and data["member"]["notes"] == PERSONAL[3]
    assert data["sign_in"]["name"] == "alice.martin" and "password_hash" not in json.dumps(data)
    assert [s["basket_type_id"] for s in data["subscriptions"]] == ["moyen"]
    assert [(p["start"], p["end"]) for p in data["pauses"]] == [("2026-12-21", "2027-01-03")]
    assert [(c["week"], c["collected"]) for c in data["collections"]] == [("2026-W49", True)]
    assert data["emails"][0]["to"] == PERSONAL[1]

    result = runner.invoke(args=["members", "erase", str(member_id), "--yes"])
    assert result.exit_code == 0, result.output
    assert "Foyer anonymisé" in result.output
    with app.app_context():
        session = get_session()
        member = session.get(Member, member_id)
        assert (member.status, member.email, member.phone, member.notes, member.user_id) == ("erased", None, None,
                                                                                             None, None)
        # statistics stay, linked to the anonymous row
        assert len(session.exec(select(Subscription).where(Subscription.member_id == member_id)).all()) == 1
        assert len(session.exec(select(Pause).where(Pause.member_id == member_id)).all()) == 1
        assert session.exec(select(Collection).where(Collection.member_id == member_id)).one().collected is True
        assert session.exec(select(ApiToken).where(ApiToken.user_id == user_id)).all() == []
        account = session.get(User, user_id)
        assert not account.active and account.password_hash is None
        # nothing personal is left anywhere in the database's text columns we write
        everything = json.dumps([export_member(session, member_id)]
                                + [n.model_dump() for n in session.exec(select(Notification)).all()]
                                + [a.model_dump() for a in session.exec(select(AuditEntry)).all()]
                                + [u.model_dump() for u in session.exec(select(User)).all()], default=str)
        for value in (*PERSONAL, "alice.martin"):
            assert value not in everything, value
    # erased households disappear from the lists and the API
    assert world.get(f"/api/v1/members/{member_id}", who="relay").status_code == 404
    assert world.get("/api/v1/relay-points/rp-lens/members", who="relay").get_json() == []
    assert runner.invoke(args=["members", "export", "999999"]).exit_code != 0
