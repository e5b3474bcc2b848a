"""Producer page: this week's offer grid (one row per product) and the pick list to print."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from sqlmodel import select

from app.db import get_session, unit_of_work
from app.models import Offer, Week
from app.services import documents, market, planning, weeks
from app.web.blueprint import blp
from app.web.common import (
    chosen_week,
    own_site,
    page,
    parse_number,
    products,
    send_pdf,
    territory_weeks,
    user,
)
from orders import cycle
from orders.errors import DomainError
from reports.summary import reason_label


def _offers(week: Week | None, site_id: str) -> dict[str, Offer]:
    if week is None:
        return {}
    rows = get_session().exec(select(Offer).where(Offer.week_id == week.id, Offer.producer_id == site_id))
    return {o.product_id: o for o in rows.all()}


def _values_of(offers: dict[str, Offer]) -> dict[str, dict]:
    return {pid: {"quantite": o.quantity, "prix": o.unit_price_eur, "lot": o.lot} for pid, o in offers.items()}


def _previous_offers(week: Week, site_id: str) -> dict[str, Offer]:
    previous = get_session().exec(select(Week).where(Week.territory_id == week.territory_id,
                                                     Week.iso_week == cycle.previous_week(week.iso_week))).first()
    return _offers(previous, site_id)


def _render(site, week, values, errors, status=200, notice=None):
    session = get_session()
    plan = planning.current_plan(session, week) if week is not None else None
    unsold = [u for u in planning.week_plan(plan).unsold if u.producer == site.id] if plan is not None else []
    window_open = week is not None and week.state == "offers_open"
    deadline = weeks.deadlines(session, week).get("offers_close") if week is not None else None
    return render_template("producteur.html", site=site, week=week, weeks=territory_weeks(site.territory_id),
                           products=products(), values=values, offers=_offers(week, site.id), errors=errors,
                           plan=plan, unsold=unsold, reason_fr=reason_label, window_open=window_open,
                           deadline=deadline,
                           deadline_fr=cycle.format_when_fr(deadline) if deadline else None,
                           notice=notice), status


@blp.get("/producteur/<site_id>")
@page("producer", "coordinator")
def producer_page(site_id: str):
    site = own_site(site_id, "producer")
    week = chosen_week(site.territory_id)
    values = _values_of(_offers(week, site.id))
    notice = None
    if week is not None and request.args.get("copier"):
        previous = _previous_offers(week, site.id)
        if previous:
            values = _values_of(previous)
            notice = "Offres de la semaine précédente recopiées : vérifiez-les puis enregistrez."
        else:
            notice = "Aucune offre la semaine précédente : rien à recopier."
    return _render(site, week, values, {}, notice=notice)


def _read_grid(form, catalogue) -> tuple[dict[str, dict], dict[str, str]]:
    values: dict[str, dict] = {}
    errors: dict[str, str] = {}
    for pid in catalogue:
        row = {}
        for key in ("quantite", "prix", "lot"):
            raw = form.get(f"{key}-{pid}", "")
            try:
                row[key] = parse_number(raw)
            except ValueError:
                row[key] = raw
                errors[f"{key}-{pid}"] = "Nombre invalide."
        values[pid] = row
    return values, errors


@blp.post("/producteur/<site_id>")
@page("producer", "coordinator")
def producer_save(site_id: str):
    site = own_site(site_id, "producer")
    week = weeks.find_week(get_session(), request.form.get("semaine", ""), site.territory_id)
    catalogue = products()
    values, errors = _read_grid(request.form, catalogue)
    if errors:
        return _render(site, week, values, errors, 422)
    changed = 0
    try:
        with unit_of_work() as session:
            existing = _offers(week, site.id)
            for pid, row in values.items():
                qty, price, lot = row["quantite"], row["prix"], row["lot"] or 1.0
                offer = existing.get(pid)
                version = request.form.get(f"version-{pid}", type=int)
                current = (offer.quantity, offer.unit_price_eur, offer.lot) if offer else None
                try:
                    if not qty:
                        if offer is not None:
                            market.delete_offer(session, user(), offer.id, version)
                            changed += 1
                        continue
                    if price is None:
                        errors[f"prix-{pid}"] = "Indiquez le prix unitaire."
                        continue
                    data = {"quantity": qty, "unit_price_eur": price, "lot": lot}
                    if offer is None:
                        market.create_offer(session, user(), {"week": week.iso_week, "producer_id": site.id,
                                                              "product_id": pid, **data}, site.territory_id)
                        changed += 1
                    elif current != (qty, price, lot):
                        market.update_offer(session, user(), offer.id, data, version)
                        changed += 1
                except DomainError as exc:
                    errors[f"{_field(exc)}-{pid}"] = exc.detail_fr
                    if exc.field == "week":
                        raise
            if errors:
                raise _GridInvalid()
    except _GridInvalid:
        return _render(site, week, values, errors, 422)
    except DomainError as exc:
        return _render(site, week, values, {"_form": exc.detail_fr}, exc.status)
    flash(f"Offres enregistrées ({changed} modification{'s' if changed > 1 else ''}).", "succes")
    return redirect(url_for("web.producer_page", site_id=site.id, semaine=week.iso_week), code=303)


class _GridInvalid(Exception):
    """Some rows were refused: roll the whole grid back and show the errors next to the rows."""


def _field(exc: DomainError) -> str:
    return {"unit_price_eur": "prix", "lot": "lot", "quantity": "quantite"}.get(exc.field or "", "quantite")


@blp.get("/producteur/<site_id>/bon-de-preparation.pdf")
@page("producer", "coordinator")
def producer_pick_list(site_id: str):
    site = own_site(site_id, "producer")
    week = weeks.find_week(get_session(), request.args.get("semaine", ""), site.territory_id)
    plan = planning.require_plan(get_session(), week)
    return send_pdf(week, plan, documents.pick_list_doc(get_session(), week, plan, site))
