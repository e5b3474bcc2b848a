"""Money on the pages: the relay manager records payments (a refused one is a French message and
stores nothing), the member reads its balances and statement, a garden's MANNE included."""
from __future__ import annotations

from datetime import date

from sqlmodel import select
from werkzeug.security import generate_password_hash

from app.db import get_session, unit_of_work
from app.models import Garden, Member, Payment, User
from app.services import gardens
from app.services import members as member_service
from tests.web.people import PASSWORD, build_people, csrf_of, sign_in


def _household(app, world) -> int:
    relay = world.scenario["relay_points"][0]["id"]
    with app.app_context():
        with unit_of_work() as session:
            coordinator = session.exec(select(User).where(User.role == "coordinator")).first()
            member = member_service.create_member(session, coordinator, relay, {"name": "Foyer Delattre"})
            account = member_service.link_user(session, coordinator, member.id, "Foyer Delattre")
            account.password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
            session.add(account)
            garden = gardens.create_garden(session, coordinator, _territory(session), {
                "member_id": member.id, "place": "Jardin de la cité", "area_m2": 50, "start": date(2026, 1, 1)})
            gardens.add_contribution(session, coordinator, garden.id, {"kind": "hours", "quantity": 1.5,
                                                                       "day": date(2026, 11, 20)})
            return member.id


def _territory(session) -> str:
    from app.models import Territory

    return session.exec(select(Territory)).first().id


def test_the_relay_records_payments_and_the_member_reads_its_account(app):
    world = build_people(app, state="orders_open")
    member_id = _household(app, world)
    relay = world.scenario["relay_points"][0]["id"]
    client = app.test_client()
    assert sign_in(client, "relay").status_code == 303
    page = client.get(f"/relais/{relay}").get_data(as_text=True)
    assert "Paiements des foyers" in page and "Foyer Delattre" in page
    token = csrf_of(page)
    refused = client.post(f"/relais/{relay}/paiements", data={"csrf_token": token, "adherent": member_id,
                                                              "moyen": "manne", "montant": "16"},
                          follow_redirects=True).get_data(as_text=True)
    assert "Paiement refusé" in refused and "MANNE insuffisante" in refused
    negative = client.post(f"/relais/{relay}/paiements", data={"csrf_token": token, "adherent": member_id,
                                                               "moyen": "cash", "montant": "-3"},
                           follow_redirects=True).get_data(as_text=True)
    assert "Paiement refusé" in negative
    with app.app_context():
        assert get_session().exec(select(Payment)).all() == []
    done = client.post(f"/relais/{relay}/paiements", data={"csrf_token": token, "adherent": member_id,
                                                           "moyen": "manne", "montant": "5,50"},
                       follow_redirects=True).get_data(as_text=True)
    assert "Paiement enregistré : 5,50\u00a0MANNE" in done
    client.post(f"/relais/{relay}/paiements", data={"csrf_token": token, "adherent": member_id,
                                                    "moyen": "cash", "montant": "4"})
    me = app.test_client()
    assert sign_in(me, "Foyer Delattre").status_code == 303
    mine = me.get("/adherent").get_data(as_text=True)
    assert "Mon compte" in mine
    assert "9,50\u00a0€" in mine  # 5,50 € in MANNE + 4 € cash, no basket charged yet
    assert "9,50\u00a0MANNE" in mine  # 15 MANNE earned in the garden, 5,50 spent
    assert "Jardin n°" in mine and "1,5 heures de jardinage" in mine and "ADH" not in mine
    with app.app_context():
        assert len(get_session().exec(select(Payment)).all()) == 2
        assert get_session().exec(select(Garden)).first().member_id == member_id
        assert get_session().get(Member, member_id).name == "Foyer Delattre"
