"""Plan a week scenario: portion, build the stops, route each day; a typed `Scenario` in, a typed `Plan` out.

The plan has the shape of SCENARIO.md ("The plan (output)"); every figure in `totals` is the sum of
the rounds' own figures, and the same scenario gives the same plan (both solvers are deterministic
under their solution limits).
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import routing
from app.planning import agree
from app.planning.stops import build_problems, collections, min_to_hhmm
from orders.plan import Drop, Plan, Round, Totals, Unserved, Visit
from orders.portioning import solve as solve_portioning
from orders.scenario import Scenario


@dataclass(frozen=True, slots=True)
class PlanSettings:
    """How hard the solvers search; see routing.SolverParams for the routing side."""

    portioning_time_limit_s: float = 10.0
    routing_time_limit_s: float | None = 2.0
    matrix: str = "haversine"
    matrix_options: tuple[tuple[str, object], ...] = ()
    matrix_cache_dir: str | None = None


def portion(scenario: Scenario, settings: PlanSettings = PlanSettings()) -> Plan:
    """The portioning part of the plan: allocations, shortfalls, targets, baskets, solver stats."""
    result = solve_portioning(scenario, time_limit_s=settings.portioning_time_limit_s)
    return Plan.from_dict({**result.to_dict(), "week": scenario.week})


def _provider(scenario: Scenario, settings: PlanSettings) -> routing.MatrixProvider:
    options = dict(settings.matrix_options)
    if settings.matrix == "haversine":
        options.setdefault("road_factor", scenario.road_factor)
        options.setdefault("speed_kmh", scenario.speed_kmh)
    return routing.provider_from_config(settings.matrix, cache_dir=settings.matrix_cache_dir,
                                        namespace=scenario.week, **options)


MAX_REPORTIONS = 3
"""How many times a routing may send undeliverable stops' goods back to the portioning."""


def route(scenario: Scenario, portioned: Plan, settings: PlanSettings = PlanSettings(),
          locked: dict[str, list[tuple[str, list[str]]]] | None = None) -> Plan:
    """The portioned plan with its rounds, unserved stops, collections, totals and routing stats.

    When a stop can't be served, its orders leave the scenario and the week is portioned again, so
    its goods go to stops the rounds reach (`agree.py`); at most `MAX_REPORTIONS` times, after
    which whatever is still unserved keeps no allocation either. `locked`: day → rounds whose order
    is kept, as (vehicle id, consumer ids in order); new stops may be inserted between theirs."""
    began = time.perf_counter()
    unserved: dict[tuple[str, str], Unserved] = {}
    current, plan, attempts = scenario, portioned, 0
    while True:
        routed = _route_once(current, plan, settings, locked)
        new = {(u.site, u.day): u for u in routed.unserved if (u.site, u.day) not in unserved}
        unserved.update(new)
        if not new:
            break
        current = agree.without_stops(scenario, unserved)
        if attempts == MAX_REPORTIONS:
            routed = routed.replace(allocations=tuple(a for a in routed.allocations
                                                      if (a.consumer, a.day) not in unserved))
            break
        attempts += 1
        plan = portion(current, settings)
    if not unserved:
        return _with_routing_stats(routed, began, 0)
    routed = routed.replace(
        unserved=tuple(unserved[key] for key in sorted(unserved, key=lambda k: (k[1], k[0]))),
        shortfalls=routed.shortfalls + agree.undelivered(scenario, unserved))
    return _with_routing_stats(routed.replace(targets=agree.targets_against(scenario, routed)), began, attempts)


def _with_routing_stats(plan: Plan, began: float, reportions: int) -> Plan:
    solver = dict(plan.solver or {})
    solver["routing"] = {**solver.get("routing", {}), "seconds": round(time.perf_counter() - began, 3),
                         "reportions": reportions}
    if plan.unserved:
        solver["routing"]["status"] = "partial"
    return plan.replace(solver=solver)


def _route_once(scenario: Scenario, portioned: Plan, settings: PlanSettings,
                locked: dict[str, list[tuple[str, list[str]]]] | None) -> Plan:
    provider = _provider(scenario, settings)
    params = routing.SolverParams(time_limit_s=settings.routing_time_limit_s)
    rounds: list[Round] = []
    unserved: list[Unserved] = []
    days = []
    for problem in build_problems(scenario, portioned.allocations, locked):
        locked_vans = {lock.vehicle_id for lock in problem.locked}
        result = routing.solve(problem, params, provider)
        days.append({"day": problem.day, "status": result.status, "objective": round(result.objective, 2),
                     "seconds": round(result.seconds, 3), "vehicles": result.vehicles_used})
        rounds.extend(_round(rnd, rnd.vehicle_id in locked_vans) for rnd in result.rounds)
        unserved.extend(Unserved(site=miss.site_id, stop=miss.stop_id, day=problem.day, reason=str(miss.reason),
                                 reason_fr=miss.reason_fr, way_out=miss.way_out.kind if miss.way_out else None,
                                 way_out_fr=miss.way_out_fr or None) for miss in result.unserved)
    solver = dict(portioned.solver or {})
    solver["routing"] = {"status": "solved" if not unserved else "partial", "days": days}
    return portioned.replace(
        rounds=tuple(rounds), unserved=tuple(unserved),
        collections=collections(scenario, portioned.allocations),
        totals=Totals(km=round(sum(r.km for r in rounds), 2), minutes=sum(r.minutes for r in rounds),
                      cost=round(sum(r.cost for r in rounds), 2)),
        solver=solver)


def _round(rnd: routing.Round, locked: bool) -> Round:
    return Round(
        id=f"{rnd.day}-{rnd.vehicle_id}", vehicle=rnd.vehicle_id, day=rnd.day, driver=rnd.driver,
        start=min_to_hhmm(rnd.start_min), end=min_to_hhmm(rnd.end_min),
        km=round(rnd.distance_m / 1000, 2), minutes=rnd.duration_min, cost=round(rnd.cost, 2), locked=locked,
        stops=tuple(Visit(site=v.site_id, stop=v.stop_id, name=v.name, kind=v.kind,
                          arrival=min_to_hhmm(v.arrival_min), departure=min_to_hhmm(v.departure_min),
                          load_kg=round(v.load_kg, 3), crates=v.crates,
                          drops=tuple(Drop(d.product, d.quantity, d.crates, d.cold) for d in v.drops))
                    for v in rnd.stops))


def plan(scenario: Scenario, settings: PlanSettings = PlanSettings()) -> Plan:
    """The whole plan of a scenario, in the order of SCENARIO.md's output."""
    return route(scenario, portion(scenario, settings), settings)
