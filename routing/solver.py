"""`solve`: prepare, search (with vehicle reduction, optionally in parallel), and explain the result.

Phases share one time budget `B` (and each gets the solution limit):
1. first plan: the chosen first solution strategy then the metaheuristic, for `reduction_share × B`;
2. vehicle reduction, while it succeeds and time is left: remove the round with the fewest tasks,
   re-solve from the remaining rounds with that vehicle and the unused ones removed, and stop as soon
   as every task is served again (at most half the remaining time per attempt);
3. polish: the best plan found so far, on its own vehicles, for the rest of the budget.
With `workers` > 1 the whole pipeline runs in several processes with different first solution
strategies; the plan with fewest dropped tasks, then lowest cost, then earliest strategy wins.
"""

from __future__ import annotations

import logging
import math
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor

from routing.matrix import MatrixProvider
from routing.model import Reason, Round, RoutingProblem, RoutingResult, Visit
from routing.params import SolverParams
from routing.prepare import Prepared, prepare, unserved
from routing.search import Plan, Search, drop_penalty

log = logging.getLogger(__name__)


def solve(problem: RoutingProblem, params: SolverParams | None = None,
          provider: MatrixProvider | None = None) -> RoutingResult:
    """Route one day. `provider` computes the matrix when the problem carries none (default:
    `HaversineProvider()`). Never raises for an infeasible stop: it is listed in `unserved`."""
    params = params or SolverParams()
    began = time.perf_counter()
    prepared = prepare(problem, provider)
    if not prepared.tasks:
        return _result(prepared, Plan(tuple(() for _ in prepared.vehicles), (), 0), began, {})
    budget = params.time_budget_s(len(prepared.tasks)) - (time.perf_counter() - began)
    deadline = time.perf_counter() + max(0.05, budget)
    strategies = params.strategies()
    if len(strategies) == 1:
        plans = [_pipeline(prepared, params, strategies[0], deadline)]
    else:
        ctx = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=len(strategies), mp_context=ctx) as pool:
            futures = [pool.submit(_pipeline, prepared, params, s, deadline) for s in strategies]
            plans = [f.result() for f in futures]
    ranked = sorted(range(len(plans)), key=lambda i: (len(plans[i][0].dropped), plans[i][0].cost, i))
    plan, stats = plans[ranked[0]]
    stats = {**stats, "strategy": strategies[ranked[0]],
             "candidates": [{"strategy": s, "vehicles": p.used, "dropped": len(p.dropped), "cost": p.cost}
                            for s, (p, _) in zip(strategies, plans, strict=True)]}
    return _result(prepared, plan, began, stats)


def _pipeline(prepared: Prepared, params: SolverParams, strategy: str, deadline: float):
    penalty = drop_penalty(prepared, params.drop_penalty_eur)
    solutions = params.solutions_budget(len(prepared.tasks))
    all_vehicles = list(range(len(prepared.vehicles)))
    stats: dict[str, object] = {"phases": []}

    def run(fleet, seconds, start=None, stop_when_complete=False, lam=None):
        search = Search(prepared, fleet, penalty)
        seconds = max(0.01, min(seconds, deadline - time.perf_counter()))
        t0 = time.perf_counter()
        found = search.run(strategy, params.local_search_metaheuristic, lam or params.gls_lambda, seconds,
                           solutions, start, stop_when_complete, params.log_search)
        stats["phases"].append({"fleet": len(fleet), "seconds": round(time.perf_counter() - t0, 2),  # type: ignore[union-attr]
                                "vehicles": found.used if found else None,
                                "dropped": len(found.dropped) if found else None})
        return found

    first_share = params.reduction_share if params.vehicle_reduction else 1.0
    best = run(all_vehicles, (deadline - time.perf_counter()) * first_share)
    if best is None:  # no first solution at all: every task dropped is a valid plan
        return Plan(tuple(() for _ in prepared.vehicles), tuple(range(len(prepared.tasks))), 0), stats
    if params.vehicle_reduction and not best.dropped:
        reduced = True
        while reduced and best.used > 1:
            reduced = False
            used = [v for v in all_vehicles if best.routes[v]]
            locked = {lock.vehicle_id for lock in prepared.problem.locked}
            by_size = sorted((v for v in used if prepared.vehicles[v].id not in locked), key=lambda v: (len(best.routes[v]), sum(
                prepared.tasks[t].load_g for t in best.routes[v]), v))
            for removed in by_size[: params.reduction_tries]:
                left = deadline - time.perf_counter()
                if left < 0.05:
                    break
                attempt = run([v for v in used if v != removed], left * params.reduction_attempt_share, best,
                              stop_when_complete=True, lam=params.reduction_gls_lambda)
                if attempt is not None and not attempt.dropped:
                    best, reduced = attempt, True
                    break
    if deadline - time.perf_counter() > 0.05:
        fleet = [v for v in all_vehicles if best.routes[v]] if params.vehicle_reduction else all_vehicles
        if fleet:
            polished = run(fleet, deadline - time.perf_counter(), best)
            if polished is not None and (len(polished.dropped), polished.cost) <= (len(best.dropped), best.cost):
                best = polished
    return best, stats


def _result(prepared: Prepared, plan: Plan, began: float, stats: dict) -> RoutingResult:
    rounds = []
    objective = 0.0
    for v, route in enumerate(plan.routes):
        if route:
            rnd = _round(prepared, v, _parts_in_order(prepared, route))
            rounds.append(rnd)
            objective += rnd.cost
    dropped = list(prepared.unserved)
    for t in plan.dropped:
        task = prepared.tasks[t]
        if task.kind == "delivery":
            dropped.append(unserved(task.stop, Reason.FLEET, task.part, task.parts))
    dropped.sort(key=lambda u: (u.stop_id, u.part))
    if not prepared.problem.stops:
        status = "empty"
    else:
        status = "partial" if dropped else "solved"
    return RoutingResult(status, round(objective, 2), round(time.perf_counter() - began, 3), tuple(rounds),
                         tuple(dropped), stats)


def _parts_in_order(prepared: Prepared, route: tuple[int, ...]) -> tuple[int, ...]:
    """Consecutive parts of one split delivery are interchangeable: list them by part number."""
    out: list[int] = []
    for t in route:
        task = prepared.tasks[t]
        if out and task.kind == "delivery" and task.pair is None:
            run = len(out)
            while run > 0 and (prev := prepared.tasks[out[run - 1]]).stop.id == task.stop.id \
                    and prev.kind == "delivery" and prev.pair is None:
                run -= 1
            out[run:] = sorted([*out[run:], t], key=lambda i: prepared.tasks[i].part)
        else:
            out.append(t)
    return tuple(out)


def _round(prepared: Prepared, v: int, route: tuple[int, ...]) -> Round:
    """Times: latest departure that keeps the earliest-arrival schedule (no useless wait at the hub)."""
    vehicle = prepared.vehicles[v]
    dur, dist = prepared.duration_s, prepared.distance_m
    tasks = [prepared.tasks[t] for t in route]
    sites = [prepared.vehicle_start[v], *(t.site for t in tasks), prepared.vehicle_end[v]]
    open_s, close_s = vehicle.shift.start_min * 60, vehicle.shift.end_min * 60
    # backward pass: latest service start at each task that keeps the rest feasible
    latest = close_s - dur[sites[-2]][sites[-1]] - (tasks[-1].service_s if tasks else 0)
    for i in range(len(tasks) - 1, -1, -1):
        hi = tasks[i].window_s[1] if tasks[i].window_s else close_s
        latest = min(hi, latest)
        if i > 0:
            latest = latest - dur[sites[i]][sites[i + 1]] - tasks[i - 1].service_s
    depart = max(open_s, latest - dur[sites[0]][sites[1]])
    # forward pass: earliest service starts from that departure
    t, visits, distance = depart, [], 0
    # leaving the hub: every delivery's goods but what the round's pickups collect on the way
    on_board = (sum(task.load_g for task in tasks if task.kind == "delivery")
                - sum(task.load_g for task in tasks if task.kind == "pickup"))
    for i, task in enumerate(tasks):
        distance += dist[sites[i]][sites[i + 1]]
        lo = task.window_s[0] if task.window_s else open_s
        t = max(t + dur[sites[i]][sites[i + 1]], lo)
        visits.append(Visit(task.stop.id, task.site_id, task.name, t // 60, (t + task.service_s) // 60,
                            task.load_kg, task.crates, task.drops,
                            task.kind, on_board / 1000.0, task.part, task.parts))
        on_board += task.load_g if task.kind == "pickup" else -task.load_g
        t += task.service_s
    distance += dist[sites[-2]][sites[-1]]
    end = t + dur[sites[-2]][sites[-1]]
    hours = (end - depart) / 3600
    cost = vehicle.fixed_cost + vehicle.cost_per_km * distance / 1000 + vehicle.cost_per_hour * hours
    return Round(vehicle.id, vehicle.driver, prepared.problem.day, depart // 60, math.ceil(end / 60),
                 distance, math.ceil(end / 60) - depart // 60, round(cost, 2), tuple(visits))
