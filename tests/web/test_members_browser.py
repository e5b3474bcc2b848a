"""In headless Chromium: a household pauses next week from its own page, the relay point's order
derived from its members drops by one, and the signing sheet lists the other households."""
from __future__ import annotations

import io
from datetime import UTC, date, datetime

from pypdf import PdfReader
from sqlmodel import select
from werkzeug.security import generate_password_hash

from app.db import unit_of_work
from app.models import BasketOrder, User
from app.services import member_orders, members, weeks
from tests.web.people import PASSWORD, build_people
from tests.web.test_browser import browser, expect, open_as, pytestmark, server, shot  # noqa: F401

HOUSEHOLDS = ("Alice Martin", "Bruno Lefebvre", "Chloé Dubois")


def _households(app):
    with app.app_context(), unit_of_work() as session:
        boss = session.exec(select(User).where(User.role == "coordinator")).first()
        for row in session.exec(select(BasketOrder).where(BasketOrder.relay_point_id == "rp-lens")).all():
            session.delete(row)
        members.create_slot(session, boss, "rp-lens", {"weekday": 1, "start": "17:00", "end": "19:00",
                                                       "capacity_baskets": 10})
        for name in HOUSEHOLDS:
            m = members.create_member(session, boss, "rp-lens", {"name": name})
            members.create_subscription(session, boss, m.id, {"basket_type_id": "moyen", "start": date(2026, 11, 2)},
                                        now=datetime(2026, 10, 1, tzinfo=UTC))
            if name == "Alice Martin":
                account = members.link_user(session, boss, m.id, name)
                account.password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
        member_orders.derive_orders(session, weeks.find_week(session, "2026-W49", "lens-lievin"), user=boss)


def test_a_member_pauses_next_week_and_the_relay_points_order_drops_by_one(app, server, browser):  # noqa: F811
    build_people(app, state="orders_open")
    _households(app)

    relay = open_as(browser, server, "relay")
    tuesday = relay.get_by_label("Panier moyen — mardi 1er décembre")
    expect(tuesday).to_have_value("3")

    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-FR")
    member = context.new_page()
    member.goto(server + "/connexion")
    member.get_by_label("Nom d'utilisateur").fill("Alice Martin")
    member.get_by_label("Mot de passe").fill(PASSWORD)
    member.get_by_role("button", name="Se connecter").click()
    expect(member.get_by_role("heading", name="Mon panier")).to_be_visible()
    expect(member.get_by_text("1 panier à retirer")).to_be_visible()
    member.get_by_role("button", name="Mettre en pause la semaine prochaine").click()
    expect(member.get_by_role("status").first).to_contain_text("Pause enregistrée")
    expect(member.get_by_text("Aucun panier pour vous cette semaine.")).to_be_visible()
    shot(member, "adherent.png")

    relay.reload()
    relay.get_by_role("button", name="Calculer la commande depuis les adhérents").click()
    expect(relay.get_by_role("status").first).to_contain_text("Commande calculée depuis les adhérents")
    expect(relay.get_by_label("Panier moyen — mardi 1er décembre")).to_have_value("2")
    link = relay.get_by_role("link", name="Feuille d'émargement du mardi 1er décembre (PDF)")
    response = relay.context.request.get(server + link.get_attribute("href"))
    assert response.ok and response.headers["content-type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages)
    assert "Feuille d’émargement" in text and "Bruno Lefebvre" in text and "Chloé Dubois" in text
    assert "Alice Martin" not in text and "moyen" in text.lower()
    shot(relay, "relais-adherents.png")
