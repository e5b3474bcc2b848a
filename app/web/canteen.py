"""Canteen page: the week's meal orders per delivery day, the kilos they imply, and what was served.

Kilograms come from the grammages (`orders.grammage.GrammageTable`: grams × meals / yield); the
page shows them computed here and recomputes them live in the browser (`static/kilos.js`).
"""
from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from sqlmodel import select

from app.db import get_session, unit_of_work
from app.models import Grammage, MealOrder, Site, Week
from app.services import documents, market, planning, weeks
from app.web.blueprint import blp
from app.web.common import chosen_week, own_site, page, products, send_pdf, territory_weeks, user
from orders import cycle
from orders.errors import DomainError, InvalidInput
from orders.grammage import Grammage as GrammageRule
from orders.grammage import GrammageTable

KIND_GROUPS = {"maternelle": ["maternelle"], "elementaire": ["elementaire"], "foyer": ["foyer"]}


def _grammages() -> dict[tuple[str, str], Grammage]:
    return {(g.product_id, g.age_group): g for g in get_session().exec(select(Grammage)).all()}


def _orders(week: Week | None, site_id: str) -> dict[str, MealOrder]:
    if week is None:
        return {}
    rows = get_session().exec(select(MealOrder).where(MealOrder.week_id == week.id, MealOrder.canteen_id == site_id))
    return {o.day.isoformat(): o for o in rows.all()}


def _meals_of(order: MealOrder) -> dict[str, dict[str, int]]:
    return {line["product"]: dict(line["meals"]) for line in order.lines}


def _age_groups(site: Site, orders: dict[str, MealOrder]) -> list[str]:
    groups = list(KIND_GROUPS.get(site.canteen_kind or "", ["adulte"]))
    for order in orders.values():
        for line in order.lines:
            groups.extend(g for g in line["meals"] if g not in groups)
    return groups


def _kilos(table: GrammageTable, meals: dict[str, dict[str, int]]) -> dict[str, float]:
    out = {}
    for pid, by_group in meals.items():
        try:
            out[pid] = table.kg_needed(pid, {g: n for g, n in by_group.items() if isinstance(n, int)})
        except DomainError:
            out[pid] = 0.0
    return out


def _render(site, week, forms: dict[str, dict], errors: dict[str, dict], status=200):
    session = get_session()
    orders = _orders(week, site.id)
    groups = _age_groups(site, orders)
    grammages = _grammages()
    catalogue = products()
    lines = [pid for pid in catalogue if all((pid, g) in grammages for g in groups)
             or any(pid in f["meals"] for f in forms.values())]
    table = GrammageTable(GrammageRule(g.product_id, g.age_group, g.grams, g.yield_ratio)
                          for g in grammages.values())
    days = list(week.delivery_days) if week is not None else []
    for day in days:
        forms.setdefault(day, {"meals": _meals_of(orders[day]) if day in orders else {},
                               "standing": orders[day].standing if day in orders else False})
        forms[day]["kilos"] = _kilos(table, forms[day]["meals"])
    plan = planning.current_plan(session, week) if week is not None else None
    body = planning.week_plan(plan) if plan else None
    allocations = [a for a in (body.allocations if body else ()) if a.consumer == site.id]
    shortfalls = [s for s in (body.shortfalls if body else ()) if s.consumer == site.id]
    deadline = weeks.deadlines(session, week).get("orders_close") if week is not None else None
    return render_template("cantine.html", site=site, week=week, weeks=territory_weeks(site.territory_id),
                           days=days, orders=orders, forms=forms, errors=errors, groups=groups, lines=lines,
                           products=catalogue, grammages=grammages, plan=plan, allocations=allocations,
                           shortfalls=shortfalls, general=[m for d, e in errors.items() if d not in days
                                                           for m in e.values()], window_open=week is not None and week.state == "orders_open",
                           deadline_fr=cycle.format_when_fr(deadline) if deadline else None), status


@blp.get("/cantine/<site_id>")
@page("canteen", "coordinator")
def canteen_page(site_id: str):
    site = own_site(site_id, "canteen")
    return _render(site, chosen_week(site.territory_id), {}, {})


def _read_day(form, lines: list[str], groups: list[str]) -> tuple[dict[str, dict[str, int]], dict[str, str]]:
    meals: dict[str, dict[str, int]] = {}
    errors: dict[str, str] = {}
    for pid in lines:
        for group in groups:
            raw = (form.get(f"repas-{pid}-{group}") or "").strip()
            if not raw:
                continue
            if not raw.isdigit():
                errors[f"repas-{pid}-{group}"] = "Un nombre entier de repas, s'il vous plaît."
                meals.setdefault(pid, {})[group] = raw
            elif int(raw) > 0:
                meals.setdefault(pid, {})[group] = int(raw)
    return meals, errors


@blp.post("/cantine/<site_id>/jours/<day>")
@page("canteen", "coordinator")
def canteen_save(site_id: str, day: str):
    site = own_site(site_id, "canteen")
    week = weeks.find_week(get_session(), request.form.get("semaine", ""), site.territory_id)
    orders = _orders(week, site.id)
    groups = _age_groups(site, orders)
    lines = [pid for pid in products() if any(f"repas-{pid}-{g}" in request.form for g in groups)]
    meals, errors = _read_day(request.form, lines, groups)
    standing = request.form.get("permanente") == "1"
    form = {day: {"meals": meals, "standing": standing}}
    if errors:
        return _render(site, week, form, {day: errors}, 422)
    order = orders.get(day)
    version = request.form.get("version", type=int)
    body = [{"product": pid, "meals": by_group} for pid, by_group in meals.items()]
    try:
        with unit_of_work() as session:
            if not body and order is not None:
                market.delete_meal_order(session, user(), order.id, version)
                message = "Commande du jour supprimée."
            elif not body:
                message = "Aucun repas saisi : rien à enregistrer."
            elif order is None:
                market.create_meal_order(session, user(), {"week": week.iso_week, "canteen_id": site.id,
                                                           "day": _date(day), "lines": body, "standing": standing},
                                         site.territory_id)
                message = "Commande enregistrée."
            else:
                market.update_meal_order(session, user(), order.id, {"lines": body, "standing": standing}, version)
                message = "Commande mise à jour."
    except DomainError as exc:
        return _render(site, week, form, {day: {"_form": exc.detail_fr}}, exc.status)
    flash(message, "succes")
    return redirect(url_for("web.canteen_page", site_id=site.id, semaine=week.iso_week) + f"#jour-{day}", code=303)


def _date(day: str) -> date:
    try:
        return date.fromisoformat(day)
    except ValueError as exc:
        raise InvalidInput(f"Invalid day {day!r}.", "Jour de livraison invalide.", "day") from exc


@blp.get("/sites/<site_id>/bon-de-livraison.pdf")
@page("canteen", "relay", "coordinator")
def delivery_note(site_id: str):
    found = get_session().get(Site, site_id)
    site = own_site(site_id, found.kind if found is not None and found.kind in ("canteen", "relay") else "canteen")
    week = weeks.find_week(get_session(), request.args.get("semaine", ""), site.territory_id)
    plan = planning.require_plan(get_session(), week)
    return send_pdf(week, plan, documents.delivery_note_doc(get_session(), week, plan, site))
