"""The members' own page: this week's basket and its contents, pause the next week, history.

A household signs in with a password (role `member`, linked by `Member.user_id`); it sees its own
row only. "Next week" is the first week whose orders are still open: the one a pause still
changes (after the close, the relay point's order is fixed).
"""
from __future__ import annotations

from datetime import timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from sqlmodel import col, select

from app.db import get_session, unit_of_work
from app.models import BasketType, Collection, Pause, Site, Subscription, Week
from app.services import member_orders, members, planning, weeks
from app.web.accounts import member_account_view
from app.web.blueprint import blp
from app.web.common import page, products, user
from orders import calendar, cycle
from orders.members import holiday_suggestions

OPEN = ("draft", "offers_open", "orders_open")


def _member():
    member = members.member_of_user(get_session(), user())
    if member is None or member.status == "erased":
        abort(404)
    return member


def _weeks(territory_id: str) -> tuple[Week | None, Week | None]:
    """(the week to show: the first not delivered; the next week a pause still changes)."""
    rows = list(get_session().exec(select(Week).where(Week.territory_id == territory_id)
                                   .order_by(Week.iso_week)).all())
    shown = next((w for w in rows if w.state != "delivered"), rows[-1] if rows else None)
    pausable = next((w for w in rows if w.state in OPEN), None)
    return shown, pausable


def _my_baskets(member, week: Week | None) -> list[dict]:
    """This week's baskets of the member: day, type, how many, cut, and the planned contents."""
    if week is None:
        return []
    session = get_session()
    plan = planning.current_plan(session, week)
    contents = {}
    if plan is not None:
        contents = {(b.relay_point, b.day, b.basket_type): b.contents for b in planning.week_plan(plan).baskets}
    out = []
    for cut in member_orders.allotment(session, week, [member.relay_point_id]):
        if member.id not in cut.kept:
            continue
        out.append({"day": cut.day, "basket_type": cut.basket_type, "count": cut.kept[member.id],
                    "cut": cut.members_cut.get(member.id, 0),
                    "contents": contents.get((cut.relay_point, cut.day.isoformat(), cut.basket_type), ())})
    return out


@blp.get("/adherent")
@page("member")
def member_page():
    session = get_session()
    member = _member()
    site = session.get(Site, member.relay_point_id)
    week, pausable = _weeks(site.territory_id)
    pauses = list(session.exec(select(Pause).where(Pause.member_id == member.id).order_by(Pause.start)).all())
    paused_next = pausable is not None and any(
        p.start <= weeks.week_dates(pausable.iso_week)[0] and p.end >= weeks.week_dates(pausable.iso_week)[1]
        for p in pauses)
    history = session.exec(select(Collection, Week.iso_week).join(Week, Week.id == Collection.week_id)
                           .where(Collection.member_id == member.id).order_by(col(Collection.day).desc())
                           .limit(30)).all()
    subs = list(session.exec(select(Subscription).where(Subscription.member_id == member.id)
                             .order_by(Subscription.created_at)).all())
    types = {t.id: t.name for t in session.exec(select(BasketType)).all()}
    deadline = weeks.deadlines(session, pausable).get("orders_close") if pausable is not None else None
    suggestions = _suggestions(pausable)
    return render_template("adherent.html", member=member, site=site, week=week, baskets=_my_baskets(member, week),
                           pausable=pausable, paused_next=paused_next, pauses=pauses, history=history,
                           subs=subs, types=types, products=products(),
                           pausable_span=weeks.week_dates(pausable.iso_week) if pausable else None,
                           suggestions=suggestions,
                           deadline_fr=cycle.format_when_fr(deadline) if deadline else None,
                           compte=member_account_view(member))


@blp.post("/adherent/pause")
@page("member")
def member_pause():
    member = _member()
    site = get_session().get(Site, member.relay_point_id)
    _, pausable = _weeks(site.territory_id)
    if pausable is None or request.form.get("semaine") != pausable.iso_week:
        flash("Cette semaine ne peut plus être mise en pause : la commande du point relais est close.", "erreur")
        return redirect(url_for("web.member_page"), code=303)
    monday, sunday = weeks.week_dates(pausable.iso_week)
    with unit_of_work() as session:
        members.create_pause(session, user(), member.id, monday, sunday)
    flash(f"Pause enregistrée pour la semaine du {_span(monday)} : pas de panier cette semaine-là.", "succes")
    return redirect(url_for("web.member_page"), code=303)


@blp.post("/adherent/pause/<int:pause_id>/annuler")
@page("member")
def member_unpause(pause_id: int):
    member = _member()
    pause = get_session().get(Pause, pause_id)
    site = get_session().get(Site, member.relay_point_id)
    _, pausable = _weeks(site.territory_id)
    first_open = weeks.week_dates(pausable.iso_week)[0] if pausable else None
    if pause is None or pause.member_id != member.id or first_open is None or pause.end < first_open:
        flash("Cette pause ne peut plus être annulée.", "erreur")
        return redirect(url_for("web.member_page"), code=303)
    with unit_of_work() as session:
        members.delete_pause(session, user(), member.id, pause_id)
    flash("Pause annulée.", "succes")
    return redirect(url_for("web.member_page"), code=303)


def _suggestions(pausable: Week | None) -> list:
    """The coming school holidays (zone B) as pauses, from the first week a pause still changes."""
    if pausable is None:
        return []
    return holiday_suggestions([h for h in calendar.load_school_holidays() if h.zone == "B"],
                               weeks.week_dates(pausable.iso_week)[0])


@blp.post("/adherent/pause-vacances")
@page("member")
def member_pause_holidays():
    member = _member()
    site = get_session().get(Site, member.relay_point_id)
    _, pausable = _weeks(site.territory_id)
    chosen = next((s for s in _suggestions(pausable) if s.start.isoformat() == request.form.get("debut")
                   and s.end.isoformat() == request.form.get("fin")), None)
    if chosen is None:
        flash("Ces vacances ne peuvent plus être mises en pause.", "erreur")
        return redirect(url_for("web.member_page"), code=303)
    with unit_of_work() as session:
        members.create_pause(session, user(), member.id, chosen.start, chosen.end)
    flash(f"Pause enregistrée pendant les {chosen.label[:1].lower()}{chosen.label[1:]} ({_dates(chosen.start, chosen.end)}).", "succes")
    return redirect(url_for("web.member_page"), code=303)


@blp.post("/adherent/place/<int:subscription_id>")
@page("member")
def member_answer(subscription_id: int):
    """Take or let go the place offered from the waiting list."""
    from flask import current_app

    from app.services import member_mail, notify

    _member()
    accept = request.form.get("reponse") == "oui"
    with unit_of_work() as session:
        _, messages = members.answer_offer(session, user(), subscription_id, accept)
    member_mail.send(get_session(), notify.Mailer.from_config(current_app.config), messages)
    flash("Bienvenue : votre abonnement commence." if accept else "C'est noté : la place est proposée au foyer "
          "suivant.", "succes")
    return redirect(url_for("web.member_page"), code=303)


def _dates(first, last) -> str:
    from reports import formatting

    return formatting.date_span(first, last)


def _span(monday) -> str:
    from reports import formatting

    return formatting.date_span(monday, monday + timedelta(days=6))
