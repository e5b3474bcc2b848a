"""Helpers shared by the API blueprints: pagination, ETags, the territory of a request."""
from __future__ import annotations

from flask import current_app, request
from sqlalchemy import func
from sqlmodel import Session, select

from orders.errors import InvalidInput


def territory_id() -> str:
    return request.args.get("territory") or current_app.config["TERRIL_TERRITORY"]


def paginate(session: Session, query, args: dict) -> dict:
    page, size = args["page"], args["page_size"]
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    items = session.exec(query.offset((page - 1) * size).limit(size)).all()
    return {"items": items, "page": page, "page_size": size, "total": total}


def etag(version: int) -> str:
    return f'"v{version}"'


def if_match() -> int | None:
    """The version a client expects (from `If-Match: "v3"`), or None when it sent none."""
    header = request.headers.get("If-Match")
    if not header or header.strip() == "*":
        return None
    value = header.strip().removeprefix("W/").strip('"')
    if not value.startswith("v") or not value[1:].isdigit():
        raise InvalidInput("If-Match must be an ETag returned by this API, such as \"v3\".",
                           "L'en-tête If-Match doit reprendre l'ETag renvoyé par l'API (ex. \"v3\").",
                           "If-Match")
    return int(value[1:])
