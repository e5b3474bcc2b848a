"""Helpers shared by the pages: who may see a page, which week is shown, French formats, PDFs."""
from __future__ import annotations

import functools
from datetime import date

from flask import Response, abort, current_app, g, redirect, request, url_for
from sqlmodel import select

from app.auth import current_user
from app.db import get_session
from app.models import Product, Site, User, Week
from app.services import documents, weeks
from orders import cycle

ROLE_FR = {"coordinator": "Coordination", "producer": "Producteur", "relay": "Point relais",
           "canteen": "Cantine", "driver": "Chauffeur"}
STATE_FR = {"draft": "en préparation", "offers_open": "offres ouvertes", "orders_open": "commandes ouvertes",
            "closed": "commandes closes", "planned": "planifiée", "published": "publiée",
            "delivered": "livrée"}
DEADLINE_FR = {"offers_open": "Ouverture des offres", "offers_close": "Clôture des offres",
               "orders_close": "Clôture des commandes", "planning": "Planification",
               "publish": "Publication des documents", "delivered": "Fin des livraisons"}
UNIT_FR = {"kg": "kg", "piece": "pièce(s)", "bunch": "botte(s)", "dozen": "douzaine(s)", "basket": "panier(s)"}
AGE_FR = {"maternelle": "Maternelle", "elementaire": "Élémentaire", "adulte": "Adulte", "foyer": "Foyer"}
WEEKDAY_FR = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
MONTH_FR = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
            "octobre", "novembre", "décembre")


def user() -> User:
    return g.user


def page(*roles: str):
    """The caller must be signed in (else to the sign-in page) with one of `roles` (else 403)."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            who = current_user()
            if who is None or not who.active:
                return redirect(url_for("web.signin", suivant=request.full_path.rstrip("?")))
            if roles and who.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorate


def own_site(site_id: str, kind: str) -> Site:
    """The site of the page: its own manager or the coordinator; others get 404 (no leak)."""
    who = current_user()
    site = get_session().get(Site, site_id)
    if site is None or site.kind != kind or (who.role != "coordinator" and who.site_id != site_id):
        abort(404)
    return site


def territory_of(site: Site | None = None) -> str:
    if site is not None:
        return site.territory_id
    return request.args.get("territoire") or current_app.config["TERRIL_TERRITORY"]


def territory_weeks(territory_id: str) -> list[Week]:
    return list(get_session().exec(select(Week).where(Week.territory_id == territory_id)
                                   .order_by(Week.iso_week)).all())


def chosen_week(territory_id: str) -> Week | None:
    """`?semaine=` when given; else the first week not yet delivered from this week on; else the last."""
    requested = request.values.get("semaine")
    if requested:
        return weeks.find_week(get_session(), requested, territory_id)
    rows = territory_weeks(territory_id)
    if not rows:
        return None
    this_week = cycle.iso_week_of(date.today())
    for row in rows:
        if row.iso_week >= this_week and row.state != "delivered":
            return row
    return rows[-1]


def products() -> dict[str, Product]:
    return {p.id: p for p in get_session().exec(select(Product).order_by(Product.name)).all()}


def sites() -> dict[str, Site]:
    return {s.id: s for s in get_session().exec(select(Site)).all()}


def number(value: float | None, digits: int = 1) -> str:
    """French number: thin grouping, decimal comma, trailing zeros dropped (12,5 ; 1 200)."""
    if value is None:
        return ""
    text = f"{value:,.{digits}f}".replace(",", "\u202f").replace(".", ",")
    if "," in text:
        text = text.rstrip("0").rstrip(",")
    return text


def day_fr(value: date | str) -> str:
    day = date.fromisoformat(value) if isinstance(value, str) else value
    num = "1er" if day.day == 1 else str(day.day)
    return f"{WEEKDAY_FR[day.weekday()]} {num} {MONTH_FR[day.month - 1]}"


def parse_number(raw: str | None) -> float | None:
    """A form number (decimal comma allowed); None when empty; ValueError when not a number."""
    text = (raw or "").strip().replace("\u202f", "").replace(" ", "").replace(",", ".")
    if not text:
        return None
    value = float(text)
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(text)
    return value


def send_pdf(week: Week, plan, doc: documents.Document) -> Response:
    data = documents.pdf_bytes(week, plan, doc)
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{doc.filename}"'})


def template_globals() -> dict:
    return {"ROLE_FR": ROLE_FR, "STATE_FR": STATE_FR, "UNIT_FR": UNIT_FR, "AGE_FR": AGE_FR,
            "DEADLINE_FR": DEADLINE_FR}
