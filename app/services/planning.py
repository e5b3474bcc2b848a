"""Use cases of the plan: portion a week, route it, publish it; every run is a new plan version.

The database side only: the week is exported as a scenario document (`services/scenario.py`) and
handed to the pure pipeline (`app/planning/pipeline.py`); the result is stored as a `Plan` row
(the plan JSON, the hash of its inputs, who ran it and why) and, for rounds, as `Round` and
`RoundStop` rows so drivers and documents can query them. Re-running replaces the current plan
explicitly: the old version stays, marked `current = False`, and the new one records the reason.
"""
from __future__ import annotations

import hashlib
import json
import logging
from datetime import UTC, date, datetime
from pathlib import Path

from flask import current_app
from sqlmodel import Session, delete, select

from app.models import Plan, Round, RoundStop, Territory, User, Vehicle, Week
from app.planning.pipeline import PlanSettings, portion, route
from app.services import corrections, weeks
from app.services.scenario import export_scenario
from orders import contract
from orders import scenario as S
from orders.errors import Conflict, NotFound
from orders.plan import Plan as WeekPlan
from orders.scenario import Scenario

log = logging.getLogger(__name__)
PLANNABLE = ("closed", "planned")


def settings() -> PlanSettings:
    config = current_app.config
    options: tuple = ()
    if config["TERRIL_MATRIX_PROVIDER"] == "osrm":
        options = (("base_url", config["TERRIL_OSRM_URL"]),)
    cache = Path(current_app.instance_path) / "matrices"
    return PlanSettings(portioning_time_limit_s=config["TERRIL_PORTIONING_TIME_LIMIT"],
                        routing_time_limit_s=config["TERRIL_ROUTING_TIME_LIMIT"],
                        matrix=config["TERRIL_MATRIX_PROVIDER"], matrix_options=options,
                        matrix_cache_dir=str(cache))


def inputs_hash(scenario: Scenario) -> str:
    return hashlib.sha256(json.dumps(scenario.to_dict(), sort_keys=True, default=str).encode()).hexdigest()


def week_plan(row: Plan) -> WeekPlan:
    """The typed plan stored in a plan version's row."""
    return WeekPlan.from_dict(row.plan)


def current_plan(session: Session, week: Week) -> Plan | None:
    return session.exec(select(Plan).where(Plan.week_id == week.id, Plan.current == True)  # noqa: E712
                        .order_by(Plan.version.desc())).first()


def require_plan(session: Session, week: Week) -> Plan:
    plan = current_plan(session, week)
    if plan is None:
        raise NotFound(f"Week {week.iso_week} has no plan yet.",
                       f"La semaine {week.iso_week} n'a pas encore de plan : lancez la répartition.", "week")
    return plan


def _check_plannable(week: Week) -> None:
    if week.state not in PLANNABLE:
        raise Conflict(f"Week {week.iso_week} is {week.state}: plan it once orders are closed (and before "
                       "publishing).",
                       f"La semaine {week.iso_week} est à l'état « {week.state} » : on planifie une semaine "
                       "dont les commandes sont closes et qui n'est pas encore publiée.", "week")


def _new_version(session: Session, week: Week, body: dict, actor: str, reason: str | None,
                 digest: str) -> Plan:
    previous = current_plan(session, week)
    version = 1
    if previous is not None:
        previous.current = False
        session.add(previous)
        version = previous.version + 1
        reason = reason or "nouveau calcul"
    session.flush()
    plan = Plan(week_id=week.id, version=version, current=True, created_at=datetime.now(UTC),
                created_by=actor, reason=reason, inputs_hash=digest, plan=body)
    session.add(plan)
    session.flush()
    return plan


def with_policy_version(session: Session, week: Week, plan: WeekPlan, scenario: Scenario) -> WeekPlan:
    """The plan records the policy it used (with its content hash, `version`) and the territory's policy
    version it came from (`territory_version`, bumped at every change)."""
    terr = session.get(Territory, week.territory_id)
    used = plan.policy if isinstance(plan.policy, dict) else contract.to_dict(scenario.policy or S.Policy())
    return plan.replace(policy={**used, "territory_version": terr.policy_version})


def run_portioning(session: Session, week: Week, actor: str, reason: str | None = None) -> Plan:
    """Portion the week; a new plan version holding the allocation (rounds come with routing)."""
    _check_plannable(week)
    scenario = export_scenario(session, week)
    body = with_policy_version(session, week, portion(scenario, settings()), scenario).to_dict()
    plan = _new_version(session, week, body, actor, reason, inputs_hash(scenario))
    _store_rounds(session, week, plan)
    return plan


def run_routing(session: Session, week: Week, actor: str, reason: str | None = None) -> Plan:
    """Route the current allocation; a new plan version with the rounds; the week becomes planned."""
    _check_plannable(week)
    base = require_plan(session, week)
    scenario = export_scenario(session, week)
    digest = inputs_hash(scenario)
    if digest != base.inputs_hash:
        raise Conflict("Offers or orders changed since the portioning: run the portioning again.",
                       "Les offres ou commandes ont changé depuis la répartition : relancez-la d'abord.", "week")
    routed = route(scenario, week_plan(base), settings(), locked_rounds(session, week, scenario))
    plan = _new_version(session, week, routed.to_dict(), actor, reason or "tournées calculées", digest)
    _store_rounds(session, week, plan)
    if week.state == "closed":
        weeks.transition(session, week, "planned", None, actor=actor)
    return plan


def locked_rounds(session: Session, week: Week, scenario: Scenario) -> dict[str, list[tuple[str, list[str]]]]:
    """The rounds the coordinator locked, by day: (vehicle, consumer ids in their locked order)."""
    return corrections.locked_rounds(session, week, set(scenario.consumers_by_id()))


def set_locked(session: Session, rnd: Round, locked: bool, actor: str) -> Round:
    """Lock (or unlock) a round's order (see `services/corrections.py`)."""
    return corrections.set_locked(session, rnd, locked, actor)


def replan_published(session: Session, week: Week, actor: str, reason: str) -> Plan:
    """Portion and route a published week again (a shortage on the morning): pins, the policy and
    the round locks are kept, the week stays published; a new plan version."""
    if week.state != "published":
        raise Conflict(f"Week {week.iso_week} is {week.state}, not published.",
                       f"La semaine {week.iso_week} n'est pas publiée.", "week")
    scenario = export_scenario(session, week)
    portioned = with_policy_version(session, week, portion(scenario, settings()), scenario)
    routed = route(scenario, portioned, settings(), locked_rounds(session, week, scenario))
    plan = _new_version(session, week, routed.to_dict(), actor, reason, inputs_hash(scenario))
    _store_rounds(session, week, plan)
    return plan


def plan_week(session: Session, week: Week, actor: str, reason: str | None = None) -> Plan:
    """Portion then route: the whole plan of a closed week (what the scheduler runs)."""
    run_portioning(session, week, actor, reason)
    return run_routing(session, week, actor, reason)


def plan_rounds(session: Session, week: Week, actor: str, reason: str | None = None) -> Plan:
    """Route the current portioning, portioning the week first when it has no plan yet."""
    if current_plan(session, week) is None:
        run_portioning(session, week, actor, reason)
    return run_routing(session, week, actor, reason)


def portioning_part(body: dict) -> dict:
    """The portioning half of a plan body: allocations, shortfalls, targets, baskets and its solver line."""
    return WeekPlan.from_dict(body).portioning_dict()


def _driver_user(session: Session, vehicle: Vehicle | None, name: str | None) -> int | None:
    if vehicle is not None and vehicle.driver_user_id:
        return vehicle.driver_user_id
    if not name:
        return None
    user = session.exec(select(User).where(User.role == "driver", User.name == name)).first()
    return user.id if user else None


def _store_rounds(session: Session, week: Week, plan: Plan) -> None:
    old_ids = select(Round.id).where(Round.week_id == week.id)
    session.exec(delete(RoundStop).where(RoundStop.round_id.in_(old_ids)))  # stops first: they point to rounds
    session.exec(delete(Round).where(Round.week_id == week.id))
    session.flush()
    locks = corrections.is_locked(session, week)
    for rnd in week_plan(plan).rounds:
        vehicle = session.get(Vehicle, rnd.vehicle)
        row = Round(plan_id=plan.id, week_id=week.id, day=date.fromisoformat(rnd.day),
                    vehicle_id=rnd.vehicle, driver=rnd.driver,
                    driver_user_id=_driver_user(session, vehicle, rnd.driver),
                    start=rnd.start, end=rnd.end, km=rnd.km, minutes=rnd.minutes,
                    locked=(rnd.day, rnd.vehicle) in locks)
        session.add(row)
        session.flush()
        for seq, stop in enumerate(rnd.stops, start=1):
            session.add(RoundStop(round_id=row.id, seq=seq, site_id=stop.site, arrival=stop.arrival,
                                  departure=stop.departure, load_kg=stop.load_kg, crates=stop.crates,
                                  drops=[contract.to_dict(d) for d in stop.drops]))
    session.flush()


def publish_week(session: Session, week: Week, actor: str, acknowledge: bool = False) -> Plan:
    """Render and cache the week's documents, then mark the week published; a week with no offers
    or a missed policy target is held (`alerts.PublicationHeld`) unless `acknowledge`."""
    from app.services import documents

    plan = require_plan(session, week)
    if week.state != "planned":
        raise Conflict(f"Week {week.iso_week} is {week.state}; only a planned week is published.",
                       f"Seule une semaine planifiée peut être publiée (état : {week.state}).", "week")
    from app.services import alerts  # (alerts reads plans)

    alerts.check_publication(session, week, plan, acknowledge=acknowledge)
    documents.write_week(session, week, plan, Path(current_app.config["TERRIL_DOCUMENTS_DIR"]))
    weeks.transition(session, week, "published", None, actor=actor)
    return plan
