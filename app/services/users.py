"""Use cases of the API's users: create one (with its token, shown once), find one, deactivate one."""
from __future__ import annotations

from sqlmodel import Session, select

from app.auth import create_user
from app.models import Site, User
from orders.errors import InvalidInput, NotFound


def find(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("User not found.", "Utilisateur introuvable.", "user_id")
    return user


def create(session: Session, data: dict) -> tuple[User, str]:
    """A new user and its API token; its site must exist and its name be free (422 naming the field)."""
    if data.get("site_id") and session.get(Site, data["site_id"]) is None:
        raise InvalidInput(f"Unknown site {data['site_id']!r}.", "Site inconnu.", "site_id")
    if session.exec(select(User).where(User.name == data["name"])).first():
        raise InvalidInput(f"A user named {data['name']!r} exists.", "Ce nom est déjà pris.", "name")
    return create_user(session, data["name"], data["role"], data.get("site_id"), data.get("email"))


def deactivate(session: Session, user_id: int) -> User:
    """Their tokens stop working; the audit trail keeps their name."""
    user = find(session, user_id)
    user.active = False
    session.add(user)
    return user
