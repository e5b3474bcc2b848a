"""Driver page: today's rounds first, then the week's, each with a big button to its route sheet."""
from __future__ import annotations

from datetime import date

from flask import render_template
from sqlmodel import select

from app.api.plans import visible_round
from app.auth import current_user
from app.db import get_session
from app.models import Round, RoundStop, Vehicle, Week
from app.services import documents, planning
from app.services.rounds import stops_of as stops_by_round
from app.web.blueprint import blp
from app.web.common import chosen_week, page, send_pdf, sites, territory_of, territory_weeks


def rounds_of_week(week: Week | None, driver_only: bool) -> list[Round]:
    if week is None:
        return []
    query = select(Round).where(Round.week_id == week.id)
    if driver_only:
        query = query.where(Round.driver_user_id == current_user().id)
    return list(get_session().exec(query.order_by(Round.day, Round.start, Round.vehicle_id)).all())


def stops_of(rounds: list[Round]) -> dict[int, list[RoundStop]]:
    return stops_by_round(get_session(), rounds)


@blp.get("/chauffeur")
@page("driver", "coordinator")
def driver_page():
    week = chosen_week(territory_of())
    rounds = rounds_of_week(week, current_user().role == "driver")
    today = date.today()
    vehicles = {v.id: v for v in get_session().exec(select(Vehicle)).all()}
    return render_template("chauffeur.html", week=week, weeks=territory_weeks(territory_of()),
                           today_rounds=[r for r in rounds if r.day == today],
                           other_rounds=[r for r in rounds if r.day != today], stops=stops_of(rounds),
                           sites=sites(), vehicles=vehicles,
                           published=week is not None and week.state in ("published", "delivered"))


@blp.get("/tournees/<int:round_id>/feuille-de-route.pdf")
@page("driver", "coordinator")
def route_sheet(round_id: int):
    rnd = visible_round(round_id)
    week = get_session().get(Week, rnd.week_id)
    plan = planning.require_plan(get_session(), week)
    doc = documents.route_sheet_doc(get_session(), week, plan, rnd.day.isoformat(), rnd.vehicle_id)
    return send_pdf(week, plan, doc)
