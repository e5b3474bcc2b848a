"""The members' page without a browser: a household sees only its own basket, pauses next week or
the coming school holidays, and the relay manager's zero on a derived line survives the close."""
from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import select
from werkzeug.security import generate_password_hash

from app.db import get_session, unit_of_work
from app.models import BasketOrder, Pause, User
from app.services import member_orders, members, weeks
from tests.web.people import PASSWORD, WEEK, build_people, csrf_of, sign_in


def _two_households(app):
    with app.app_context(), unit_of_work() as session:
        boss = session.exec(select(User).where(User.role == "coordinator")).first()
        for row in session.exec(select(BasketOrder).where(BasketOrder.relay_point_id == "rp-lens")).all():
            session.delete(row)
        members.create_slot(session, boss, "rp-lens", {"weekday": 1, "start": "17:00", "end": "19:00",
                                                       "capacity_baskets": 10})
        ids = []
        for name in ("Alice Martin", "Bruno Lefebvre"):
            m = members.create_member(session, boss, "rp-lens", {"name": name, "phone": "06 00 00 00 01"})
            members.create_subscription(session, boss, m.id, {"basket_type_id": "moyen", "start": date(2026, 11, 2)},
                                        now=datetime(2026, 10, 1, tzinfo=UTC))
            ids.append(m.id)
        account = members.link_user(session, boss, ids[0], "Alice Martin")
        account.password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
        member_orders.derive_orders(session, weeks.find_week(session, WEEK, "lens-lievin"), user=boss)
    return ids


def test_a_household_sees_its_own_basket_and_pauses_the_school_holidays(app):
    build_people(app, state="orders_open")
    alice, _ = _two_households(app)
    client = app.test_client()
    assert sign_in(client, "Alice Martin").headers["Location"].endswith("/adherent")
    page = client.get("/adherent").get_data(as_text=True)
    assert "Mon panier" in page and "1 panier à retirer" in page and "Panier moyen" in page
    assert "Bruno Lefebvre" not in page and "06 00 00 00 01" not in page
    assert "Pause pendant les vacances de Noël" in page
    r = client.post("/adherent/pause-vacances", data={"csrf_token": csrf_of(page), "debut": "2026-12-19",
                                                      "fin": "2027-01-03"})
    assert r.status_code == 303
    # a made-up period is refused, nothing stored
    r = client.post("/adherent/pause-vacances", data={"csrf_token": csrf_of(page), "debut": "2026-12-01",
                                                      "fin": "2027-06-30"})
    assert r.status_code == 303
    with app.app_context():
        assert [(p.member_id, p.start, p.end) for p in get_session().exec(select(Pause)).all()] == [
            (alice, date(2026, 12, 19), date(2027, 1, 3))]
    # the member's pages stop at its own page: no relay page, no other household
    assert client.get("/relais/rp-lens").status_code == 403
    assert client.get("/coordination").status_code == 403


def test_a_zero_on_a_derived_line_is_kept_at_the_close(app):
    build_people(app, state="orders_open")
    _two_households(app)
    client = app.test_client()
    sign_in(client, "relay")
    page = client.get(f"/relais/rp-lens?semaine={WEEK}").get_data(as_text=True)
    assert "2 foyers inscrits" in page
    r = client.post("/relais/rp-lens", data={"csrf_token": csrf_of(page), "semaine": WEEK,
                                            "paniers-2026-12-01-moyen": "0"})
    assert r.status_code == 303
    with app.app_context(), unit_of_work() as session:
        week = weeks.find_week(session, WEEK, "lens-lievin")
        report = member_orders.derive_orders(session, week)
        (row,) = session.exec(select(BasketOrder).where(BasketOrder.relay_point_id == "rp-lens")).all()
        assert (row.count, row.derived_count) == (0, 2) and report.kept_edited[0]["count"] == 0


def test_a_waiting_household_takes_the_place_offered_from_its_page(app):
    build_people(app, state="orders_open")
    with app.app_context(), unit_of_work() as session:
        boss = session.exec(select(User).where(User.role == "coordinator")).first()
        slot, _ = members.create_slot(session, boss, "rp-lens", {"weekday": 1, "start": "17:00", "end": "19:00",
                                                                 "capacity_baskets": 1})
        first = members.create_member(session, boss, "rp-lens", {"name": "Alice Martin"})
        sub_a = members.create_subscription(session, boss, first.id, {"basket_type_id": "moyen",
                                                                      "start": date(2026, 11, 2)})
        later = members.create_member(session, boss, "rp-lens", {"name": "Bruno Lefebvre"})
        sub_b = members.create_subscription(session, boss, later.id, {"basket_type_id": "moyen",
                                                                      "start": date(2026, 11, 2)})
        assert sub_b.status == "waiting"
        account = members.link_user(session, boss, later.id, "Bruno Lefebvre")
        account.password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
        ids = (first.id, sub_a.id, sub_b.id)
    relay = app.test_client()
    sign_in(relay, "relay")
    page = relay.get(f"/relais/rp-lens?semaine={WEEK}").get_data(as_text=True)
    assert "Liste d'attente" in page and "Bruno Lefebvre" in page
    with app.app_context(), unit_of_work() as session:
        boss = session.exec(select(User).where(User.role == "coordinator")).first()
        messages = members.end_subscription(session, boss, ids[0], ids[1])
        assert [m.kind for m in messages] == ["member_place_offered"]
        assert "Une place vient de se libérer" in messages[0].body
    client = app.test_client()
    sign_in(client, "Bruno Lefebvre")
    page = client.get("/adherent").get_data(as_text=True)
    assert "Je prends la place" in page
    r = client.post(f"/adherent/place/{ids[2]}", data={"csrf_token": csrf_of(page), "reponse": "oui"})
    assert r.status_code == 303
    assert "Bienvenue" in client.get("/adherent").get_data(as_text=True)
