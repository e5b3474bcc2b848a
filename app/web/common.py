"""Helpers shared by the pages: who may see a page, which week is shown, French formats, PDFs."""
from __future__ import annotations

import functools
from datetime import date

from flask import Response, abort, current_app, g, redirect, request, url_for
from sqlmodel import select

from app.auth import current_user
from app.db import get_session
from app.models import BasketType, Product, Site, User, Vehicle, Week
from app.services import documents, weeks
from orders import cycle
from reports import formatting
from reports.summary import reason_label

ROLE_FR = {"coordinator": "Coordination", "producer": "Producteur", "relay": "Point relais",
           "canteen": "Cantine", "driver": "Chauffeur", "member": "Adhérent"}
STATE_FR = {"draft": "en préparation", "offers_open": "offres ouvertes", "orders_open": "commandes ouvertes",
            "closed": "commandes closes", "planned": "planifiée", "published": "publiée",
            "delivered": "livrée"}
DEADLINE_FR = {"offers_open": "Ouverture des offres", "offers_close": "Clôture des offres",
               "orders_close": "Clôture des commandes", "planning": "Planification",
               "publish": "Publication des documents", "delivered": "Fin des livraisons"}
UNIT_FR = {unit: formatting.unit_label(unit) for unit in ("kg", "piece", "bunch", "dozen", "basket")}
AGE_FR = {"maternelle": "Maternelle", "elementaire": "Élémentaire", "adulte": "Adulte", "foyer": "Foyer"}


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
    """The pages' `nombre()`: reports/formatting.py's number (12,5 ; 1 200), `digits` decimals at most."""
    return formatting.number(value, digits)


def day_fr(value: date | str) -> str:
    """The pages' `jour()`: ``mardi 1er décembre`` (reports/formatting.py)."""
    return formatting.date_long(value, with_year=False)


def parse_number(raw: str | None) -> float | None:
    """A form number (decimal comma allowed); None when empty; ValueError when not a number."""
    text = (raw or "").strip().replace(formatting.NNBSP, "").replace(formatting.NBSP, "").replace(" ", "")
    text = text.replace(",", ".")
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


def _names(model) -> dict[str, str]:
    """id → display name of a small reference table, read once per request."""
    cache = g.setdefault("display_names", {})
    if model.__name__ not in cache:
        cache[model.__name__] = {row.id: row.name or row.id for row in get_session().exec(select(model)).all()}
    return cache[model.__name__]


def item_name(item_id: str) -> str:
    """The pages' `article()`: a product's or a basket type's name (a plan line names either)."""
    return _names(Product).get(item_id) or _names(BasketType).get(item_id) or item_id


def site_name(site_id: str) -> str:
    """The pages' `lieu()`: a site's name (a farm, a canteen, a relay point), never its id."""
    return _names(Site).get(site_id) or site_id


def vehicle_name(vehicle_id: str) -> str:
    """The pages' `vehicule()`: the vehicle's name, never its id."""
    return _names(Vehicle).get(vehicle_id) or vehicle_id


def template_globals() -> dict:
    return {"ROLE_FR": ROLE_FR, "STATE_FR": STATE_FR, "UNIT_FR": UNIT_FR, "AGE_FR": AGE_FR,
            "DEADLINE_FR": DEADLINE_FR, "article": item_name, "vehicule": vehicle_name, "lieu": site_name,
            "raison": reason_label}
