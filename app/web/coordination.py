"""Coordination page: the week's state and deadlines, the planning buttons, allocation and rounds.

Portioning, rounds and publication are jobs on the task queue (`app/jobs/`): a button submits the
job and comes back to the page, which shows the job's stage and progress while it runs (the page's
script polls `/coordination/travaux/<id>`, the job as JSON), then its result or its French error.
No solver runs and no document is rendered in these requests.
"""
from __future__ import annotations

from collections import defaultdict

from flask import flash, redirect, render_template, request, url_for
from sqlmodel import select

from app.auth import current_user
from app.db import get_session, unit_of_work
from app.jobs import state as job_state
from app.jobs.submit import fresh, submit
from app.models import FINISHED_STATES, Job, Territory
from app.services import alerts, corrections, delivery, documents, planning, weeks
from app.web.blueprint import blp
from app.web.common import (
    DEADLINE_FR,
    STATE_FR,
    chosen_week,
    day_fr,
    page,
    parse_number,
    products,
    send_pdf,
    sites,
    territory_of,
    territory_weeks,
    vehicle_name,
)
from app.web.driver import rounds_of_week, stops_of
from orders import cycle
from orders.errors import DomainError
from reports.summary import tier_label
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
                                    title=f"Tournée {vehicle_name(rnd.vehicle_id)} du {day_fr(rnd.day)}")
    return out


KIND_FR = {"portioning": "Répartition", "rounds": "Calcul des tournées", "publish": "Publication de la semaine",
           "documents": "Production des documents"}
JOB_STATE_FR = {"queued": "en attente", "running": "en cours", "succeeded": "terminé", "failed": "en échec",
                "cancelled": "annulé"}
ACTION_KINDS = {"repartition": "portioning", "tournees": "rounds", "publier": "publish"}


def job_message_fr(job: Job) -> str | None:
    """What a finished job did, in French (its error's `detail_fr` when it failed)."""
    result = job.result or {}
    if job.state == "failed":
        return (job.error or {}).get("detail_fr") or "Le travail a échoué."
    if job.state == "cancelled":
        return "Travail annulé."
    if job.state != "succeeded":
        return None
    if job.kind == "portioning":
        return (f"Répartition calculée (version {result.get('plan_version')}) : {result.get('allocations', 0)} "
                f"lignes d'allocation, {result.get('shortfalls', 0)} manques.")
    if job.kind == "rounds":
        return f"Tournées calculées (version {result.get('plan_version')}) : {result.get('rounds', 0)} tournées."
    count = len(result.get("documents", []))
    if job.kind == "publish":
        return f"Semaine {job.iso_week} publiée : les {count} documents sont prêts."
    return f"{count} documents prêts."


def job_view(job: Job) -> dict:
    out = job_state.job_out(job)
    out.update(kind_fr=KIND_FR.get(job.kind, job.kind), state_fr=JOB_STATE_FR.get(job.state, job.state),
               message_fr=job_message_fr(job), finished=job.state in FINISHED_STATES)
    return out


def _shown_job(week) -> Job | None:
    """The job named by `?travail=`, else the week's job under way, if any."""
    session = get_session()
    wanted = request.args.get("travail", type=int)
    if wanted is not None:
        job = session.get(Job, wanted)
        return job if job is not None and week is not None and job.week_id == week.id else None
    if week is None:
        return None
    return session.exec(select(Job).where(Job.week_id == week.id, Job.state.in_(("queued", "running")))
                        .order_by(Job.id.desc())).first()


@blp.get("/coordination")
@page("coordinator")
def coordination_page():
    session = get_session()
    week = chosen_week(territory_of())
    job = _shown_job(week)
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
        plannable=week is not None and week.state in planning.PLANNABLE,
        job=job_view(job) if job is not None else None, **_fairness_context(session, plan))


def _fairness_context(session, plan) -> dict:
    """Alerts, fairness, unsold stock, the policy and the crates each site holds."""
    body = planning.week_plan(plan) if plan is not None else None
    terr = session.get(Territory, territory_of())
    return {"alerts": alerts.open_alerts(session, terr.id), "fairness": body.fairness if body else None,
            "unsold": body.unsold if body else (), "policy": corrections.policy_view(terr),
            "crates": delivery.crate_balances(session, terr.id), "palier": tier_label}


@blp.post("/coordination/alertes/<int:alert_id>")
@page("coordinator")
def resolve_alert(alert_id: int):
    with unit_of_work() as session:
        alerts.resolve(session, territory_of(), alert_id, current_user().name)
    flash("Alerte marquée comme traitée.", "succes")
    return redirect(url_for("web.coordination_page") + "#alertes", 303)


@blp.post("/coordination/politique")
@page("coordinator")
def coordination_policy():
    """The policy form: one row per tier (name, kinds, site ids, share in %); an empty name drops it."""
    tiers, i = [], 0
    while f"nom-{i}" in request.form:
        name = request.form.get(f"nom-{i}", "").strip()
        if name:
            sites_ = [s.strip() for s in request.form.get(f"sites-{i}", "").split(",") if s.strip()]
            share = parse_number(request.form.get(f"part-{i}")) or 0.0
            tiers.append({"name": name, "target": share / 100, "kinds": request.form.getlist(f"publics-{i}"),
                          "sites": sites_})
        i += 1
    try:
        with unit_of_work() as session:
            corrections.set_policy(session, session.get(Territory, territory_of()), {"tiers": tiers}, current_user().name)
    except DomainError as exc:
        flash(f"Politique non enregistrée : {exc.detail_fr}", "erreur")
    else:
        flash("Politique de répartition enregistrée : elle s'applique à la prochaine répartition.", "succes")
    return redirect(url_for("web.coordination_page") + "#politique", 303)


def _run(action: str) -> tuple[str | None, int | None]:
    """A button: a state change (its French message) or a job submitted (its id, shown by the page)."""
    reason = (request.form.get("motif") or "").strip() or None
    actor = current_user().name
    if action == "etat":
        with unit_of_work() as session:
            week = weeks.find_week(session, request.form.get("semaine", ""), territory_of())
            weeks.transition(session, week, request.form.get("vers", ""), current_user(), reason)
        return f"La semaine {week.iso_week} est maintenant « {STATE_FR.get(week.state, week.state)} ».", None
    week = weeks.find_week(get_session(), request.form.get("semaine", ""), territory_of())
    job, created = submit(ACTION_KINDS[action], week, actor, {"reason": reason} if reason else {})
    return (None if created else "Un travail identique était déjà en cours : le voici."), job.id


@blp.post("/coordination/<action>")
@page("coordinator")
def coordination_action(action: str):
    if action not in ("etat", *ACTION_KINDS):
        return redirect(url_for("web.coordination_page"), code=303)
    job_id = None
    try:
        message, job_id = _run(action)
        if message:
            flash(message, "succes")
    except DomainError as exc:
        flash(exc.detail_fr, "erreur")
    return redirect(url_for("web.coordination_page", semaine=request.form.get("semaine"), travail=job_id), code=303)


@blp.get("/coordination/travaux/<int:job_id>")
@page("coordinator")
def coordination_job(job_id: int):
    """The job as JSON for the page's script (the page's session, not a bearer token)."""
    from app.jobs.reaper import reap

    job = get_session().get(Job, job_id)
    if job is None or job.territory_id != territory_of():
        return {"detail_fr": "Travail introuvable."}, 404
    if job.state not in FINISHED_STATES:
        reap(job_id=job.id)
        job = fresh(job.id)
    return job_view(job)


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
