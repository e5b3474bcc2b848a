"""The work of each job kind: portioning and rounds here, documents and publication in `publication.py`.

Each runs the existing use case (`app/services/planning.py`) in one unit of work and records the
job's success in that same transaction (`state.finish_in`): the plan version, its rounds and the
job's `succeeded` are committed together, so a retry after a worker's death finds either nothing
(and plans once) or a finished job (and does nothing) — never a second plan version. No progress
is written from inside a transaction that has written (on SQLite that would wait on itself).
"""
from __future__ import annotations

from app.db import get_session, unit_of_work
from app.jobs import state
from app.jobs.runner import JobContext
from app.models import Plan, Week
from app.services import planning


def plan_result(plan: Plan, week: Week) -> dict:
    body = plan.plan
    return {"plan_version": plan.version, "plan": f"/api/v1/weeks/{week.iso_week}/plan",
            "rounds_url": f"/api/v1/weeks/{week.iso_week}/rounds",
            "allocations": len(body.get("allocations", [])), "shortfalls": len(body.get("shortfalls", [])),
            "rounds": len(body.get("rounds", [])), "unserved": len(body.get("unserved", [])),
            "km": round(float(body.get("totals", {}).get("km", 0.0)), 1)}


def portioning(ctx: JobContext) -> None:
    config, job = ctx.app.config, ctx.job
    ctx.step(0.05, "Lecture des offres et des commandes")
    with unit_of_work() as session:
        week = session.get(Week, job.week_id)
        ctx.expect(0.1, 0.9, config["TERRIL_PORTIONING_TIME_LIMIT"] + 0.5, "Répartition des produits (solveur)")
        plan = planning.run_portioning(session, week, job.created_by, job.params.get("reason"))
        state.finish_in(session, job.id, ctx.attempt, plan_result(plan, week), "Répartition calculée")


def rounds(ctx: JobContext) -> None:
    config, job = ctx.app.config, ctx.job
    reason = job.params.get("reason")
    ctx.step(0.05, "Lecture de la semaine")
    with unit_of_work() as session:  # a week with no plan yet is portioned first, in its own transaction
        week = session.get(Week, job.week_id)
        if planning.current_plan(session, week) is None:
            ctx.expect(0.05, 0.35, config["TERRIL_PORTIONING_TIME_LIMIT"] + 0.5, "Répartition des produits (solveur)")
            planning.run_portioning(session, week, job.created_by, reason)
    with unit_of_work() as session:  # (a retry finds that plan and routes it: no second portioning)
        week = session.get(Week, job.week_id)
        routing_s = 2 * config["TERRIL_ROUTING_TIME_LIMIT"] + 1.0  # two delivery days, the demo's rhythm
        ctx.expect(0.4, 0.9, routing_s, "Calcul des tournées (solveur)")
        plan = planning.run_routing(session, week, job.created_by, reason)
        state.finish_in(session, job.id, ctx.attempt, plan_result(plan, week), "Tournées calculées")


def shortage(ctx: JobContext) -> None:
    """A shortage reported on a published week: re-plan what it changes, new documents for the
    affected consumers, producers and rounds only, then tell the consumers (`services/shortage.py`)."""
    from app.services import shortage as service

    config, job, params = ctx.app.config, ctx.job, ctx.job.params
    ctx.step(0.05, "Prise en compte du manque")
    with unit_of_work() as session:
        week = session.get(Week, job.week_id)
        ctx.expect(0.1, 0.8, config["TERRIL_PORTIONING_TIME_LIMIT"] + 2 * config["TERRIL_ROUTING_TIME_LIMIT"] + 3.0,
                   "Nouvelle répartition et tournées (solveurs), documents modifiés")
        plan, changes, why = service.apply(session, week, int(params["offer_id"]), float(params["quantity"]),
                                           params["reason"], job.created_by)
        result = {**plan_result(plan, week), "changed_consumers": [list(k) for k in changes.consumers],
                  "documents": service.affected_documents(week, plan)}
        state.finish_in(session, job.id, ctx.attempt, result, "Manque pris en compte, consommateurs prévenus")
    session = get_session()  # after the commit; each e-mail records itself (its own units of work), once
    week = session.get(Week, job.week_id)
    service.tell_consumers(session, week, planning.require_plan(session, week), changes, why, None)
