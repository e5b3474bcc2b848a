"""Use cases of the reference data: products, sites, vehicles, basket types, grammages.

One generic set of use cases for every table (`Reference` describes the table): find, list,
create, update, delete, each write with its audit entry in the caller's transaction (the unit of
work commits). Deleting a row still referenced by offers or orders fails on the database's
foreign keys (409 through app/errors.py) and nothing is lost.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, SQLModel, select

from app.models import User
from app.services import audit
from orders.errors import Conflict, NotFound


@dataclass(frozen=True)
class Reference:
    """A reference table: its audit entity name, model, French title, list filters, territory."""

    entity: str
    model: type[SQLModel]
    title: str
    filters: dict[str, str]  # query argument -> column
    territorial: bool = False


def find(session: Session, ref: Reference, key) -> SQLModel:
    row = session.get(ref.model, key)
    if row is None:
        raise NotFound(f"{ref.model.__name__} {key!r} not found.", f"{ref.title} introuvable : {key}.", "id")
    return row


def list_query(ref: Reference, args: dict):
    """The rows matching the list filters given in `args`, by id."""
    query = select(ref.model)
    for arg, column in ref.filters.items():
        if args.get(arg):
            query = query.where(getattr(ref.model, column) == args[arg])
    return query.order_by(ref.model.id)


def create(session: Session, user: User, ref: Reference, data: dict, territory_id: str) -> SQLModel:
    """Insert a row (in the request's territory when the table has one) and its audit entry."""
    data = dict(data)
    if ref.territorial:
        data.setdefault("territory_id", territory_id)
    if "id" in data and session.get(ref.model, data["id"]) is not None:
        raise Conflict(f"{ref.model.__name__} {data['id']!r} already exists.",
                       f"{ref.title} « {data['id']} » existe déjà.", "id")
    row = ref.model(**data)
    session.add(row)
    session.flush()
    audit.record(session, user, ref.entity, row.id, "create", None, audit.snapshot(row))
    return row


def update(session: Session, user: User, ref: Reference, key, changes: dict) -> SQLModel:
    """Change some fields of a row (never its id) and record before and after."""
    row = find(session, ref, key)
    before = audit.snapshot(row)
    for field, value in changes.items():
        if field != "id":
            setattr(row, field, value)
    session.add(row)
    session.flush()
    audit.record(session, user, ref.entity, row.id, "update", before, audit.snapshot(row))
    return row


def delete(session: Session, user: User, ref: Reference, key) -> None:
    """Delete a row and record what it was; the flush makes a still-referenced row fail here (409)."""
    row = find(session, ref, key)
    audit.record(session, user, ref.entity, row.id, "delete", audit.snapshot(row), None)
    session.delete(row)
    session.flush()
