"""Terril against PyVRP on the territory's own days: `python -m bench.routing --territory`.

Each day is built exactly as the app builds it: a seeded generated week (`app.planning.generate`, the
sizes of `bench/scaling.py`), portioned, then `app.planning.stops.build_problems`, with the
haversine matrix of the pipeline's provider attached to the problem so that both engines read the
same matrix. Per day and budget:
- Terril: `routing.solve` with its defaults (the app's engine portfolio, `workers` processes) and
  the time limit;
- PyVRP alone: the same model (`routing.hgs.build_model`: same matrix, kg and crate capacities,
  windows, shifts, cold chain, costs, drop penalty), one process, `MaxRuntime` = the time limit,
  seed 1; run after Terril, never at the same time.
Both plans go through `routing.check` and are costed by Terril's formula (fixed + €/km + €/h per
round). `gap_pct` = 100 × (Terril − PyVRP) / PyVRP: ≤ 0 means Terril's plan is as cheap or cheaper;
`terril_as_good` compares (unserved stops, cost): a plan serving one more stop is better even when
dearer. Both get the same wall clock per day, model building included.
Prints one JSON object: a row per day and budget, and a summary per size and budget.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import replace

SIZES = {  # producers, products, canteens, relay points, days (as bench/scaling.py)
    "demo": (5, 14, 6, 10, 2),
    "x2": (10, 20, 12, 20, 2),
    "x4": (20, 30, 25, 40, 3),
    "x8": (40, 50, 50, 80, 4),
}


def territory_days(size: str, seed: int, cache_dir: str | None = None) -> list:
    """The routing problems of a generated week, each carrying its matrix (pickled under
    `cache_dir` when given: portioning the ×8 week takes a dozen seconds)."""
    if cache_dir:
        import pickle
        from pathlib import Path

        path = Path(cache_dir) / f"{size}-{seed}.pickle"
        if path.exists():
            return pickle.loads(path.read_bytes())
        days = territory_days(size, seed)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(pickle.dumps(days))
        return days
    from app.planning.generate import generate_week
    from app.planning.pipeline import PlanSettings, _provider, portion
    from app.planning.stops import build_problems
    from routing.prepare import prepare
    from routing.solver import with_matrix

    producers, products, canteens, relays, days = SIZES[size]
    scenario = generate_week(seed=seed, producers=producers, products=products, canteens=canteens,
                             relay_points=relays, days=days, scarcity=0.9)
    settings = PlanSettings(portioning_time_limit_s=20.0)
    portioned = portion(scenario, settings)
    provider = _provider(scenario, settings)  # the pipeline's own matrix provider
    return [with_matrix(p, prepare(p, provider)) for p in build_problems(scenario, portioned.allocations)]


def pyvrp_alone(problem, seconds: float):
    """PyVRP on Terril's model of the day, time limit only: (plan, prepared) or (None, prepared)."""
    from pyvrp.stop import MaxRuntime

    from routing.hgs import build_model, representable, solve_params
    from routing.prepare import prepare
    from routing.search import Plan, drop_penalty

    began = time.perf_counter()
    prepared = prepare(problem)
    if not representable(prepared):
        return None, prepared
    model, _ = build_model(prepared, drop_penalty(prepared, None))
    import warnings

    with warnings.catch_warnings():  # the same wall-clock budget as Terril: building the model counts
        warnings.simplefilter("ignore")
        result = model.solve(stop=MaxRuntime(max(0.01, seconds - (time.perf_counter() - began))), seed=1,
                             display=False, collect_stats=False, params=solve_params(prepared))
    routes = [()] * len(prepared.vehicles)
    seen: set[int] = set()
    for route in result.best.routes():
        routes[route.vehicle_type()] = tuple(a.idx for a in route if a.is_client())
        seen.update(routes[route.vehicle_type()])
    if not result.is_feasible():
        return None, prepared
    return Plan(tuple(routes), prepared.dropped(seen), 0), prepared


def run(sizes: list[str], seeds: list[int], budgets: list[float], workers: int | None,
        cache_dir: str | None = None) -> dict:
    from routing import SolverParams, solve
    from routing.check import violations
    from routing.solver import _cost

    rows = []
    for size in sizes:
        for seed in seeds:
            print(f"territory {size} seed {seed}: building the week…", file=sys.stderr, flush=True)
            for problem in territory_days(size, seed, cache_dir):
                for budget in budgets:
                    params = SolverParams(time_limit_s=budget, explain=False)
                    if workers is not None:
                        params = replace(params, workers=workers)
                    began = time.perf_counter()
                    terril = solve(problem, params)
                    t_seconds = time.perf_counter() - began
                    began = time.perf_counter()
                    plan, prepared = pyvrp_alone(problem, budget)
                    p_seconds = time.perf_counter() - began
                    row = {"size": size, "seed": seed, "day": problem.day, "stops": len(problem.stops),
                           "budget_s": budget, "terril_cost": terril.objective,
                           "terril_vehicles": terril.vehicles_used, "terril_unserved": len(terril.unserved),
                           "terril_engine": terril.stats.get("engine"), "terril_seconds": round(t_seconds, 2),
                           "rescued": "rescue" in terril.stats}
                    for c in terril.stats.get("candidates", []):  # each engine of the portfolio on its own
                        name = "pyvrp_in_terril" if c["engine"] == "pyvrp" else "ortools"
                        row.setdefault(f"{name}_cost", c["cost"])
                        row.setdefault(f"{name}_unserved", c["dropped"])
                    if plan is not None:
                        broken = violations(prepared, plan)
                        cost = round(_cost(prepared, plan), 2)
                        row.update({"pyvrp_cost": cost, "pyvrp_vehicles": plan.used,
                                    "pyvrp_unserved": len(plan.dropped), "pyvrp_seconds": round(p_seconds, 2),
                                    "pyvrp_valid": not broken,
                                    "gap_pct": round(100 * (terril.objective - cost) / cost, 2) if cost else 0.0,
                                    # fewer unserved stops first, then cost: is Terril's plan as good?
                                    "terril_as_good": (len(terril.unserved), terril.objective)
                                    <= (len(plan.dropped), cost + 0.005)})
                    rows.append(row)
                    print(f"  {json.dumps(row)}", file=sys.stderr, flush=True)
    summary = []
    for size in sizes:
        for budget in budgets:
            mine = [r for r in rows if r["size"] == size and r["budget_s"] == budget and "gap_pct" in r]
            if mine:
                summary.append({"size": size, "budget_s": budget, "days": len(mine),
                                "worst_gap_pct": max(r["gap_pct"] for r in mine),
                                "mean_gap_pct": round(sum(r["gap_pct"] for r in mine) / len(mine), 2),
                                "days_terril_worse": sum(1 for r in mine if not r["terril_as_good"]),
                                "days_terril_serves_more": sum(1 for r in mine if r["terril_unserved"] < r["pyvrp_unserved"]),
                                "worst_gap_pct_equal_service": max(
                                    [r["gap_pct"] for r in mine if r["terril_unserved"] == r["pyvrp_unserved"]] or [0.0]),
                                "terril_cost": round(sum(r["terril_cost"] for r in mine), 2),
                                "pyvrp_cost": round(sum(r["pyvrp_cost"] for r in mine), 2)})
    return {"rows": rows, "summary": summary}
