"""Driver page: today's rounds first, then the week's, each with a big button to its route sheet."""
from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from flask import jsonify, render_template, request
from marshmallow import ValidationError
from sqlmodel import select

from app.api.delivery import ConfirmationSchema
from app.api.plans import visible_round
from app.auth import current_user
from app.db import get_session, unit_of_work
from app.errors import problem
from app.models import Round, RoundStop, Vehicle, Week
from app.services import delivery, documents, planning
from app.services.rounds import stops_of as stops_by_round
from app.web.blueprint import blp
from app.web.common import chosen_week, page, products, send_pdf, sites, territory_of, territory_weeks
from orders.delivery import OUTCOMES_FR
from orders.errors import DomainError
from reports import formatting


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


@blp.get("/chauffeur/tournees/<int:round_id>")
@page("driver", "coordinator")
def round_page(round_id: int):
    """The round on a phone: stops in order, address with a map link, drops, and the confirmation
    form of each delivery stop (sent by static/confirmations.js, kept while offline)."""
    session = get_session()
    rnd = visible_round(round_id)
    week = session.get(Week, rnd.week_id)
    stops = stops_of([rnd])[rnd.id]
    done = {(c.site_id, c.day): c for c in delivery.of_week(session, week)}
    return render_template("chauffeur_tournee.html", r=rnd, week=week, stops=stops, sites=sites(),
                           vehicles={v.id: v for v in session.exec(select(Vehicle)).all()},
                           confirmed={s.id: done.get((s.site_id, rnd.day)) for s in stops},
                           products=products(), outcomes=OUTCOMES_FR,
                           confirmable=week.state in delivery.CONFIRMABLE)


@blp.post("/chauffeur/tournees/<int:round_id>/arrets/<int:stop_id>/confirmation")
@page("driver", "coordinator")
def confirm_stop(round_id: int, stop_id: int):
    """The page's twin of `POST /api/v1/rounds/{id}/stops/{id}/confirmation` (session and CSRF)."""
    try:
        data = ConfirmationSchema().load(request.get_json(silent=True) or {})
    except ValidationError as exc:
        return problem(422, "Invalid confirmation.", detail_fr="Confirmation incomplète ou invalide.",
                       errors=[{"field": k, "message": str(v)} for k, v in sorted(exc.messages.items())])
    try:
        with unit_of_work() as session:
            row, created = delivery.confirm(session, current_user(), round_id, stop_id, data)
            answer = {"id": row.id, "outcome": row.outcome, "outcome_fr": OUTCOMES_FR[row.outcome],
                      "at": formatting.time_hm(row.at.astimezone(ZoneInfo("Europe/Paris")))}
    except DomainError as exc:
        return problem(exc.status, exc.detail, code=exc.code, detail_fr=exc.detail_fr,
                       errors=[{"field": exc.field, "message": exc.detail_fr}] if exc.field else [])
    return jsonify(answer), 201 if created else 200
