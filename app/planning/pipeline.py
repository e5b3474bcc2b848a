"""Plan a week scenario: portion, build the stops, route each day, and write the plan JSON.

The plan has the shape of SCENARIO.md ("The plan (output)"); every figure in `totals` is the sum of
the rounds' own figures, and the same scenario gives the same plan (both solvers are deterministic
under their solution limits).
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import routing
from app.planning.stops import build_problems, collections, min_to_hhmm
from orders.portioning import PortioningInput
from orders.portioning import solve as solve_portioning


@dataclass(frozen=True, slots=True)
class PlanSettings:
    """How hard the solvers search; see routing.SolverParams for the routing side."""

    portioning_time_limit_s: float = 10.0
    routing_time_limit_s: float | None = 2.0
    matrix: str = "haversine"
    matrix_options: tuple[tuple[str, object], ...] = ()
    matrix_cache_dir: str | None = None


def portion(scenario: dict, settings: PlanSettings = PlanSettings()) -> dict:
    """The portioning part of the plan: allocations, shortfalls, targets, baskets, solver stats."""
    result = solve_portioning(PortioningInput.from_dict(scenario), time_limit_s=settings.portioning_time_limit_s)
    out = result.to_dict()
    out["week"] = scenario["week"]
    return out


def _provider(scenario: dict, settings: PlanSettings) -> routing.MatrixProvider:
    options = dict(settings.matrix_options)
    if settings.matrix == "haversine":
        options.setdefault("road_factor", float(scenario.get("road_factor", 1.3)))
        options.setdefault("speed_kmh", float(scenario.get("speed_kmh", 40)))
    return routing.provider_from_config(settings.matrix, cache_dir=settings.matrix_cache_dir,
                                        namespace=scenario["week"], **options)


def route(scenario: dict, portioning: dict, settings: PlanSettings = PlanSettings(),
          locked: dict[str, list[tuple[str, list[str]]]] | None = None) -> dict:
    """The routing part of the plan: rounds, unserved stops, totals, routing solver stats.

    `locked`: day → rounds whose order is kept, as (vehicle id, consumer ids in order); new stops
    may be inserted between theirs."""
    began = time.perf_counter()
    provider = _provider(scenario, settings)
    params = routing.SolverParams(time_limit_s=settings.routing_time_limit_s)
    rounds, unserved, days = [], [], []
    for problem in build_problems(scenario, portioning["allocations"], locked):
        locked_vans = {lock.vehicle_id for lock in problem.locked}
        result = routing.solve(problem, params, provider)
        days.append({"day": problem.day, "status": result.status, "objective": round(result.objective, 2),
                     "seconds": round(result.seconds, 3), "vehicles": result.vehicles_used})
        for rnd in result.rounds:
            rounds.append({**_round(rnd), "locked": rnd.vehicle_id in locked_vans})
        for miss in result.unserved:
            unserved.append({"site": miss.site_id, "stop": miss.stop_id, "day": problem.day,
                             "reason": str(miss.reason), "reason_fr": miss.reason_fr})
    cost = round(sum(r["cost"] for r in rounds), 2)
    return {
        "rounds": rounds,
        "unserved": unserved,
        "collections": collections(scenario, portioning["allocations"]),
        "totals": {"km": round(sum(r["km"] for r in rounds), 2),
                   "minutes": sum(r["minutes"] for r in rounds), "cost": cost},
        "solver": {"routing": {"status": "solved" if not unserved else "partial",
                               "seconds": round(time.perf_counter() - began, 3), "days": days}},
    }


def _round(rnd: routing.Round) -> dict:
    return {
        "id": f"{rnd.day}-{rnd.vehicle_id}", "vehicle": rnd.vehicle_id, "day": rnd.day, "driver": rnd.driver,
        "start": min_to_hhmm(rnd.start_min), "end": min_to_hhmm(rnd.end_min),
        "km": round(rnd.distance_m / 1000, 2), "minutes": rnd.duration_min, "cost": round(rnd.cost, 2),
        "stops": [{"site": v.site_id, "stop": v.stop_id, "name": v.name, "kind": v.kind,
                   "arrival": min_to_hhmm(v.arrival_min), "departure": min_to_hhmm(v.departure_min),
                   "load_kg": round(v.load_kg, 3), "crates": v.crates,
                   "drops": [{"product": d.product, "quantity": d.quantity, "crates": d.crates, "cold": d.cold}
                             for d in v.drops]}
                  for v in rnd.stops],
    }


def plan(scenario: dict, settings: PlanSettings = PlanSettings()) -> dict:
    """The whole plan of a scenario, in the order of SCENARIO.md's output."""
    portioned = portion(scenario, settings)
    routed = route(scenario, portioned, settings)
    return {
        "week": scenario["week"],
        "allocations": portioned["allocations"],
        "shortfalls": portioned["shortfalls"],
        "targets": portioned["targets"],
        "baskets": portioned["baskets"],
        "rounds": routed["rounds"],
        "unserved": routed["unserved"],
        "collections": routed["collections"],
        "totals": routed["totals"],
        "solver": {**portioned["solver"], **routed["solver"]},
    }
