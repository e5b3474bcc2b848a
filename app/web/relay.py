"""Relay point page: baskets per type and delivery day, their composition once planned, the note; the
households: the order derived from them, the signing sheets and the collections ticked per day."""
from __future__ import annotations

from datetime import date

from flask import Response, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import func
from sqlmodel import select

from app.db import get_session, unit_of_work
from app.models import BasketOrder, BasketType, Member, Week
from app.services import market, member_orders, members, planning, weeks
from app.web.accounts import relay_money_view
from app.web.blueprint import blp
from app.web.common import chosen_week, own_site, page, products, territory_weeks, user
from orders import cycle
from orders.errors import DomainError


def _types() -> list[BasketType]:
    return list(get_session().exec(select(BasketType).order_by(BasketType.price_eur)).all())


def _orders(week: Week | None, site_id: str) -> dict[tuple[str, str], BasketOrder]:
    if week is None:
        return {}
    rows = get_session().exec(select(BasketOrder).where(BasketOrder.week_id == week.id,
                                                         BasketOrder.relay_point_id == site_id))
    return {(o.day.isoformat(), o.basket_type_id): o for o in rows.all()}


def _render(site, week, counts: dict, standing: bool | None, errors: dict, status=200):
    session = get_session()
    orders = _orders(week, site.id)
    days = list(week.delivery_days) if week is not None else []
    for key, order in orders.items():
        counts.setdefault(key, order.count)
    if standing is None:
        standing = any(o.standing for o in orders.values())
    plan = planning.current_plan(session, week) if week is not None else None
    order = {t.id: i for i, t in enumerate(_types())}
    body = planning.week_plan(plan) if plan else None
    baskets = sorted((b for b in (body.baskets if body else ()) if b.relay_point == site.id),
                     key=lambda b: (b.day, order.get(b.basket_type, len(order))))
    deadline = weeks.deadlines(session, week).get("orders_close") if week is not None else None
    households = session.exec(select(func.count()).select_from(Member).where(
        Member.relay_point_id == site.id, Member.status == "active")).one()
    collections = {}
    if week is not None and households and week.state in ("planned", "published", "delivered"):
        collections = {day: member_orders.sheet_rows(session, week, site.id, date.fromisoformat(day))
                       for day in days}
    return render_template("relais.html", site=site, week=week, weeks=territory_weeks(site.territory_id),
                           days=days, types=_types(), counts=counts, orders=orders, standing=standing,
                           errors=errors, plan=plan, baskets=baskets, products=products(),
                           households=households, collections=collections,
                           waiting=members.waiting_list(session, user(), site.id) if households else [],
                           window_open=week is not None and week.state == "orders_open",
                           deadline_fr=cycle.format_when_fr(deadline) if deadline else None,
                           argent=relay_money_view(site)), status


@blp.get("/relais/<site_id>")
@page("relay", "coordinator")
def relay_page(site_id: str):
    site = own_site(site_id, "relay")
    return _render(site, chosen_week(site.territory_id), {}, None, {})


@blp.post("/relais/<site_id>")
@page("relay", "coordinator")
def relay_save(site_id: str):
    site = own_site(site_id, "relay")
    week = weeks.find_week(get_session(), request.form.get("semaine", ""), site.territory_id)
    standing = request.form.get("permanente") == "1"
    counts: dict[tuple[str, str], object] = {}
    errors: dict[str, str] = {}
    for day in week.delivery_days:
        for basket in _types():
            name = f"paniers-{day}-{basket.id}"
            raw = (request.form.get(name) or "").strip()
            if not raw:
                counts[(day, basket.id)] = 0
            elif raw.isdigit():
                counts[(day, basket.id)] = int(raw)
            else:
                counts[(day, basket.id)] = raw
                errors[name] = "Un nombre entier de paniers, s'il vous plaît."
    if errors:
        return _render(site, week, counts, standing, errors, 422)
    try:
        with unit_of_work() as session:
            existing = _orders(week, site.id)
            for (day, type_id), count in counts.items():
                order = existing.get((day, type_id))
                if order is None and count:
                    market.create_basket_order(session, user(), {
                        "week": week.iso_week, "relay_point_id": site.id, "basket_type_id": type_id,
                        "day": date.fromisoformat(day), "count": count, "standing": standing}, site.territory_id)
                elif order is not None and not count:
                    if not order.derived_from_members:
                        market.delete_basket_order(session, user(), order.id, None)
                    elif order.count:  # zero, not deleted: the derivation at the close would add it again
                        market.update_basket_order(session, user(), order.id, {"count": 0}, None)
                elif order is not None and (order.count, order.standing) != (count, standing):
                    market.update_basket_order(session, user(), order.id, {"count": count, "standing": standing},
                                               None)
    except DomainError as exc:
        return _render(site, week, counts, standing, {"_form": exc.detail_fr}, exc.status)
    flash("Commande de paniers enregistrée.", "succes")
    return redirect(url_for("web.relay_page", site_id=site.id, semaine=week.iso_week), code=303)


# --------------------------------------------------------------------------- households


@blp.post("/relais/<site_id>/calculer")
@page("relay", "coordinator")
def relay_derive(site_id: str):
    """The basket order from the members (what the cycle does when orders close), while it is open."""
    site = own_site(site_id, "relay")
    week = weeks.find_week(get_session(), request.form.get("semaine", ""), site.territory_id)
    try:
        with unit_of_work() as session:
            report = member_orders.derive_on_demand(session, user(), week, site.id)
    except DomainError as exc:
        flash(exc.detail_fr, "erreur")
        return redirect(url_for("web.relay_page", site_id=site.id, semaine=week.iso_week), code=303)
    kept = len(report.kept_edited) + len(report.kept_by_hand)
    flash("Commande calculée depuis les adhérents" + (f" ({kept} ligne{'s' if kept > 1 else ''} modifiée"
                                                      f"{'s' if kept > 1 else ''} à la main conservée"
                                                      f"{'s' if kept > 1 else ''})" if kept else "") + ".", "succes")
    return redirect(url_for("web.relay_page", site_id=site.id, semaine=week.iso_week), code=303)


@blp.post("/relais/<site_id>/retraits")
@page("relay", "coordinator")
def relay_collections(site_id: str):
    """The day's ticks: ticked households collected, the others not."""
    site = own_site(site_id, "relay")
    week = weeks.find_week(get_session(), request.form.get("semaine", ""), site.territory_id)
    try:
        day = date.fromisoformat(request.form.get("jour", ""))
        ticked = {(int(m), t) for m, _, t in (v.partition(":") for v in request.form.getlist("retire")) if m.isdigit()}
    except ValueError:
        abort(400)
    try:
        with unit_of_work() as session:
            rows = member_orders.record_collections(session, user(), week, site.id, day, ticked)
    except DomainError as exc:
        flash(exc.detail_fr, "erreur")
        return redirect(url_for("web.relay_page", site_id=site.id, semaine=week.iso_week), code=303)
    done = sum(1 for r in rows if r.collected)
    flash(f"Retraits enregistrés : {done} panier{'s' if done > 1 else ''} retiré{'s' if done > 1 else ''}, "
          f"{len(rows) - done} non retiré{'s' if len(rows) - done > 1 else ''}.", "succes")
    return redirect(url_for("web.relay_page", site_id=site.id, semaine=week.iso_week), code=303)


@blp.get("/relais/<site_id>/emargement/<day>.pdf")
@page("relay", "coordinator")
def relay_sheet(site_id: str, day: str):
    """The signing sheet of a day (PDF)."""
    from reports.collection_sheet import render_collection_sheet_pdf

    site = own_site(site_id, "relay")
    week = weeks.find_week(get_session(), request.args.get("semaine", ""), site.territory_id)
    try:
        when = date.fromisoformat(day)
    except ValueError:
        abort(404)
    sheet = member_orders.collection_sheet(get_session(), week, site, when)
    return Response(render_collection_sheet_pdf(sheet), mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="emargement-{site.id}-{day}.pdf"'})
