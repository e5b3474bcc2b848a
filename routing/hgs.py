"""A second search engine behind Terril's routing model: PyVRP's iterated local search.

`representable(prepared)` says whether PyVRP can hold the prepared day exactly; `solve_hgs` builds the
same model as `routing.search` (same matrix, same capacities in grams and crates, same windows, shifts
as vehicle time windows, the same cost formula, the same drop penalty) and returns a `Plan` over the
prepared tasks, which `routing.check` verifies like any other plan.

Mapping:
- a task is a client (optional, prize = the drop penalty), delivering [grams, crates];
- a vehicle is a vehicle type of one, between its start and end depots, tw = its shift, fixed cost,
  cost per metre and per second of route duration (waiting included, as in OR-Tools' span cost);
- cold chain: vans that are not refrigerated use a second profile whose arcs into cold clients take
  longer than any shift, so a feasible plan never puts cold goods in them.
Not representable (the OR-Tools engine alone routes these days): farm pickups (paired visits), locked
rounds, temperature splits and second trips.

Determinism: PyVRP is seeded and stops after `iterations`, or after `no_improvement` iterations
without a better plan, or at the time limit, whichever comes first: the same day gives the same plan
when an iteration limit binds first (small days; on big days at a short budget the time limit binds).
"""

from __future__ import annotations

import math
import warnings

from routing.prepare import DAY_S, Prepared
from routing.search import Plan, arc_cost_per_km

UNITS_PER_EUR = 360_000
"""PyVRP's integer cost units: €/km per metre (× 360) and €/h per second (× 100) are integers."""
CRATE_UNITS = 10_000
"""A crate in PyVRP's load units: its load penalties are per unit, and a crate (about 10 kg) must
weigh as much as 10 000 grams do, or the search ignores crate excess (penalty at its maximum)."""


def available() -> bool:
    try:
        import pyvrp  # noqa: F401
    except ImportError:
        return False
    return True


def representable(prepared: Prepared) -> bool:
    return (bool(prepared.tasks) and not prepared.problem.locked
            and all(t.kind == "delivery" and t.alt == "whole" for t in prepared.tasks)
            and all(trip == 1 for trip in prepared.trip))


def build_model(prepared: Prepared, penalty_units: int):
    """The PyVRP model of `prepared`; `penalty_units` is the drop penalty in 1/36000 € (search units)."""
    from pyvrp import Model

    dist, dur = prepared.distance_m, prepared.duration_s
    tasks, vehicles = prepared.tasks, prepared.vehicles
    horizon = max([DAY_S] + [v.shift.end_min * 60 for v in vehicles]
                  + [t.window_s[1] for t in tasks if t.window_s is not None])
    m = Model()
    ambient = m.add_profile(name="ambient")
    cold_profile = m.add_profile(name="cold")
    depot_sites = sorted(set(prepared.vehicle_start) | set(prepared.vehicle_end))
    depot_of = {}
    locations = []  # (matrix row, is cold client)
    for s in depot_sites:
        loc = m.add_location(x=0, y=0, name=f"depot {s}")
        depot_of[s] = m.add_depot(loc, name=prepared.sites[s])
        locations.append((loc, s, False))
    per_km = arc_cost_per_km(prepared)
    for v, vehicle in enumerate(vehicles):
        m.add_vehicle_type(
            num_available=1, capacity=[round(vehicle.capacity_kg * 1000), vehicle.capacity_crates * CRATE_UNITS],
            start_depot=depot_of[prepared.vehicle_start[v]], end_depot=depot_of[prepared.vehicle_end[v]],
            fixed_cost=round(vehicle.fixed_cost * UNITS_PER_EUR),
            tw_early=vehicle.shift.start_min * 60, tw_late=vehicle.shift.end_min * 60,
            unit_distance_cost=round(per_km[v] * UNITS_PER_EUR / 1000),
            unit_duration_cost=round(vehicle.cost_per_hour * UNITS_PER_EUR / 3600),
            profile=cold_profile if vehicle.cold else ambient, name=vehicle.id)
    prize = penalty_units * (UNITS_PER_EUR // 36_000)
    for t, task in enumerate(tasks):
        loc = m.add_location(x=0, y=0, name=f"task {t}")
        lo, hi = task.window_s or (0, horizon)
        m.add_client(loc, delivery=[task.load_g, task.crates * CRATE_UNITS], service_duration=task.service_s,
                     tw_early=lo, tw_late=hi, prize=prize + len(tasks) - t, required=False, name=str(t))
        locations.append((loc, task.site, task.cold))
    forbidden = 4 * horizon
    for a, row, _ in locations:
        for b, col, cold in locations:
            if a is b:
                continue
            d, s = dist[row][col], dur[row][col]
            m.add_edge(a, b, distance=d, duration=s, profile=cold_profile)
            m.add_edge(a, b, distance=d, duration=forbidden if cold else s, profile=ambient)
    return m, len(depot_sites)


HIGH_FIXED_COST_EUR = 1000.0
HIGH_MAX_PENALTY = 1e10
"""PyVRP's penalties per unit of excess load or time warp grow up to its default cap (1e5), enough for
the territory's vans (50 € a day fixed) but not for days whose vans cost more than
`HIGH_FIXED_COST_EUR` fixed (Solomon's 10 000 €, so that fewer vans win): in 1/360 000 € a van's
fixed cost dwarfs any penalty and PyVRP stays infeasible. There the cap is raised to 1e10 (measured:
C101 infeasible at 2 s with the default, the best known with 1e8 and 1e10; on the territory's days
the raised cap made PyVRP 4.5 % dearer on one ×8 day, so it is not used there)."""


def solve_params(prepared: Prepared | None = None):
    from pyvrp import PenaltyParams, SolveParams

    if prepared is not None and max((v.fixed_cost for v in prepared.vehicles), default=0) > HIGH_FIXED_COST_EUR:
        return SolveParams(penalty=PenaltyParams(max_penalty=HIGH_MAX_PENALTY))
    return SolveParams()


def solve_hgs(prepared: Prepared, penalty_units: int, iterations: int, seconds: float, seed: int = 1,
              no_improvement: int = 0) -> Plan | None:
    """Stops at the first of: `iterations` (0 = no limit), `no_improvement` iterations without a
    better plan (0 = no such stop), `seconds` (wall clock, counted from the call: building the model
    is part of the budget)."""
    import time

    from pyvrp.stop import MaxIterations, MaxRuntime, MultipleCriteria, NoImprovement

    began = time.perf_counter()
    model, _ = build_model(prepared, penalty_units)
    criteria = [MaxRuntime(max(0.01, seconds - (time.perf_counter() - began)))]
    if iterations:
        criteria.append(MaxIterations(iterations))
    if no_improvement:
        criteria.append(NoImprovement(no_improvement))
    stop = MultipleCriteria(criteria)
    with warnings.catch_warnings():  # "penalty reached its maximum": an infeasible day, checked below
        warnings.simplefilter("ignore")
        result = model.solve(stop=stop, seed=seed, display=False, collect_stats=False,
                             params=solve_params(prepared))
    if not result.is_feasible():
        return None
    routes: list[tuple[int, ...]] = [()] * len(prepared.vehicles)
    seen: set[int] = set()
    for route in result.best.routes():
        tasks = tuple(a.idx for a in route if a.is_client())  # clients count from 0, in task order
        routes[route.vehicle_type()] = tasks
        seen.update(tasks)
    dropped = tuple(t for t in range(len(prepared.tasks)) if t not in seen)
    return Plan(tuple(routes), dropped, math.inf)  # type: ignore[arg-type]  # costed by the caller

