"""Coordination page: the week's state and deadlines, the planning buttons, allocation and rounds."""
from __future__ import annotations

from collections import defaultdict

from flask import flash, redirect, render_template, request, url_for

from app.auth import current_user
from app.db import get_session, unit_of_work
from app.services import documents, planning, weeks
from app.web.blueprint import blp
from app.web.common import (
    DEADLINE_FR,
    STATE_FR,
    chosen_week,
    page,
    products,
    send_pdf,
    sites,
    territory_of,
    territory_weeks,
)
from app.web.driver import rounds_of_week, stops_of
from orders import cycle
from orders.errors import DomainError
from reports.svg import MapPoint, route_map_svg

# the state a coordinator moves the week to by hand (planning and publication have their own buttons)
MANUAL_NEXT = {"draft": "offers_open", "offers_open": "orders_open", "orders_open": "closed",
               "published": "delivered"}


def _maps(rounds, stops, by_id) -> dict[int, str]:
    hub = next((s for s in by_id.values() if s.kind == "hub" and s.lat is not None), None)
    hub_point = MapPoint("H", hub.lat, hub.lon) if hub else None
    out = {}
    for rnd in rounds:
        points = [MapPoint(str(s.seq), by_id[s.site_id].lat, by_id[s.site_id].lon) for s in stops[rnd.id]
                  if by_id.get(s.site_id) is not None and by_id[s.site_id].lat is not None]
        out[rnd.id] = route_map_svg(hub_point, points, width=520, height=320,
                                    title=f"Tournée {rnd.vehicle_id} du {rnd.day.isoformat()}")
    return out


@blp.get("/coordination")
@page("coordinator")
def coordination_page():
    session = get_session()
    week = chosen_week(territory_of())
    plan = planning.current_plan(session, week) if week is not None else None
    rounds = rounds_of_week(week, driver_only=False)
    stops = stops_of(rounds)
    by_id = sites()
    allocations = defaultdict(list)
    for line in (plan.plan.get("allocations", []) if plan else []):
        allocations[line["consumer"]].append(line)
    deadlines = weeks.deadlines(session, week) if week is not None else {}
    next_state = MANUAL_NEXT.get(week.state) if week is not None else None
    return render_template(
        "coordination.html", week=week, weeks=territory_weeks(territory_of()), plan=plan, rounds=rounds,
        stops=stops, sites=by_id, products=products(), allocations=dict(sorted(allocations.items())),
        deadlines=[(DEADLINE_FR.get(k, k), cycle.format_when_fr(v)) for k, v in deadlines.items()],
        next_state=next_state, next_state_fr=STATE_FR.get(next_state or "", ""), maps=_maps(rounds, stops, by_id),
        plannable=week is not None and week.state in planning.PLANNABLE)


def _run(action: str) -> str:
    """Run one button's use case in its transaction; the French message to show once committed."""
    session_week = request.form.get("semaine", "")
    reason = (request.form.get("motif") or "").strip() or None
    actor = current_user().name
    with unit_of_work() as session:
        week = weeks.find_week(session, session_week, territory_of())
        if action == "etat":
            weeks.transition(session, week, request.form.get("vers", ""), current_user(), reason)
            return f"La semaine {week.iso_week} est maintenant « {STATE_FR.get(week.state, week.state)} »."
        elif action == "repartition":
            plan = planning.run_portioning(session, week, actor, reason)
            return (f"Répartition calculée (version {plan.version}) : {len(plan.plan.get('allocations', []))} "
                    f"lignes d'allocation, {len(plan.plan.get('shortfalls', []))} manques.")
        elif action == "tournees":
            if planning.current_plan(session, week) is None:
                planning.run_portioning(session, week, actor, reason)
            plan = planning.run_routing(session, week, actor, reason)
            return f"Tournées calculées (version {plan.version}) : {len(plan.plan.get('rounds', []))} tournées."
        planning.publish_week(session, week, actor)
        return f"Semaine {week.iso_week} publiée : les documents sont prêts."


@blp.post("/coordination/<action>")
@page("coordinator")
def coordination_action(action: str):
    if action not in ("etat", "repartition", "tournees", "publier"):
        return redirect(url_for("web.coordination_page"), code=303)
    try:
        flash(_run(action), "succes")
    except DomainError as exc:
        flash(exc.detail_fr, "erreur")
    return redirect(url_for("web.coordination_page", semaine=request.form.get("semaine")), code=303)


@blp.get("/coordination/synthese.pdf")
@page("coordinator")
def summary_pdf():
    week = weeks.find_week(get_session(), request.args.get("semaine", ""), territory_of())
    plan = planning.require_plan(get_session(), week)
    return send_pdf(week, plan, documents.summary_doc(get_session(), week, plan))


@blp.get("/coordination/jours/<day>/feuilles-de-route.pdf")
@page("coordinator")
def day_sheets_pdf(day: str):
    week = weeks.find_week(get_session(), request.args.get("semaine", ""), territory_of())
    plan = planning.require_plan(get_session(), week)
    return send_pdf(week, plan, documents.day_sheets_doc(get_session(), week, plan, day))
