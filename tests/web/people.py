"""The demo world with a password for every user, and sign-in through the pages' own form."""
from __future__ import annotations

import re

from sqlmodel import select
from werkzeug.security import generate_password_hash

from app.db import unit_of_work
from app.models import User
from tests.app.world import WEEK, World, build_world

PASSWORD = "terril-mot-de-passe"
NAMES = {
    "coordinator": "Claire Coordination",
    "producer": "Paul Producteur",
    "producer2": "Pauline Productrice",
    "relay": "Rachid Relais",
    "canteen": "Carole Cantine",
    "driver": "Karim Benali",
}
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')

__all__ = ["NAMES", "PASSWORD", "WEEK", "build_people", "csrf_of", "sign_in"]


def build_people(app, state: str = "offers_open") -> World:
    world = build_world(app, state=state)
    with app.app_context():
        with unit_of_work() as session:
            for user in session.exec(select(User)).all():
                user.password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
                session.add(user)
    return world


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def sign_in(client, who: str, password: str = PASSWORD):
    """Sign `who` in with a test client; returns the response of the POST (a 303 when it worked)."""
    token = csrf_of(client.get("/connexion").get_data(as_text=True))
    return client.post("/connexion", data={"csrf_token": token, "nom": NAMES.get(who, who),
                                           "mot_de_passe": password})
