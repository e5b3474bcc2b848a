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
from dataclasses import replace

from routing import hgs
from routing.check import violations
from routing.matrix import MatrixProvider
from routing.model import Matrix, Reason, Round, RoutingProblem, RoutingResult, Visit
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
    plan, stats = _portfolio(prepared, params, time.perf_counter() + max(0.05, budget))
    if plan.dropped and params.rescue:
        # a stop left over: let mixed stops travel in two vans and vans do a second trip
        rescue = prepare(with_matrix(problem, prepared), split_cold=not problem.locked, trips=2,
                         reload_min=params.reload_min)
        if rescue.tasks:
            again = _pipeline(rescue, replace(params, vehicle_reduction=False), params.strategies()[0],
                              time.perf_counter() + max(0.05, budget * params.rescue_share))[0]
            if not violations(rescue, again) and (len(again.dropped), _cost(rescue, again)) \
                    < (len(plan.dropped), _cost(prepared, plan)):
                stats = {**stats, "rescue": {"dropped_before": len(plan.dropped), "dropped": len(again.dropped)}}
                prepared, plan = rescue, again
    result = _result(prepared, plan, began, stats)
    if params.explain and any(u.reason == Reason.FLEET for u in result.unserved):
        from routing.explain import explain

        result = explain(problem, prepared, result, params)
    return result


def with_matrix(problem: RoutingProblem, prepared: Prepared) -> RoutingProblem:
    """The same day carrying the matrix `prepared` was built on (no provider call when re-solved)."""
    return replace(problem, matrix=Matrix(prepared.distance_m, prepared.duration_s, prepared.sites))


def _portfolio(prepared: Prepared, params: SolverParams, deadline: float) -> tuple[Plan, dict]:
    """Every engine of the portfolio on the same prepared day, in parallel processes when there are
    several workers; each plan goes through `routing.check`, the valid plan with the fewest
    dropped tasks, then the lowest cost (Terril's own formula), then the earliest engine, wins."""
    engines = _engines(prepared, params)
    jobs = [(_hgs_job if name == "pyvrp" else _pipeline, (prepared, params, name, deadline)) for name in engines]
    if len(jobs) == 1 or len(prepared.tasks) <= SEQUENTIAL_BELOW:
        outcomes = [fn(*args) for fn, args in jobs]
    elif multiprocessing.current_process().daemon:
        # a daemonic process (a job worker's) may not start children: the engines take turns, each
        # with an equal share of what is left of the budget
        outcomes = []
        for k, (fn, (prep, prm, name, _)) in enumerate(jobs):
            share = max(0.0, deadline - time.perf_counter()) / (len(jobs) - k)
            outcomes.append(fn(prep, prm, name, time.perf_counter() + share))
    else:
        ctx = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=len(jobs), mp_context=ctx) as pool:
            futures = [pool.submit(fn, *args) for fn, args in jobs]
            outcomes = [f.result() for f in futures]
    candidates = []
    for i, (name, (plan, stats)) in enumerate(zip(engines, outcomes, strict=True)):
        broken = violations(prepared, plan) if plan is not None else ["no plan"]
        if broken and plan is not None:
            log.error("plan rejected by the checker", extra={"engine": name, "violations": broken[:5]})
        cost = _cost(prepared, plan) if plan is not None else math.inf
        candidates.append({"engine": name, "valid": not broken, "vehicles": plan.used if plan else None,
                           "dropped": len(plan.dropped) if plan else None, "cost": round(cost, 2),
                           "_key": (0 if not broken else 1, len(plan.dropped) if plan else math.inf, cost, i),
                           "_plan": plan, "_stats": stats})
    best = min(candidates, key=lambda c: c["_key"])
    if best["_key"][0]:  # no valid plan at all (a bug): every task dropped is always valid
        empty = Plan(tuple(() for _ in prepared.vehicles), prepared.dropped(set()), 0)
        return empty, {"engine": None, "candidates": _public(candidates)}
    return best["_plan"], {**(best["_stats"] or {}), "engine": best["engine"], "strategy": best["engine"],
                           "candidates": _public(candidates)}


SEQUENTIAL_BELOW = 12
"""Days with fewer tasks than this run their engines one after the other (no process to fork)."""


def _public(candidates: list[dict]) -> list[dict]:
    return [{k: v for k, v in c.items() if not k.startswith("_")} for c in candidates]


def _engines(prepared: Prepared, params: SolverParams) -> list[str]:
    """OR-Tools pipelines by strategy, PyVRP in the second slot on the days it can represent."""
    strategies = list(params.strategies())
    if params.pyvrp and params.workers > 1 and hgs.representable(prepared) and hgs.available():
        return [strategies[0], "pyvrp", *strategies[1:params.workers - 1]]
    return strategies


def _hgs_job(prepared: Prepared, params: SolverParams, _name: str, deadline: float):
    penalty = drop_penalty(prepared, params.drop_penalty_eur)
    began = time.perf_counter()
    try:
        plan = hgs.solve_hgs(prepared, penalty, params.hgs_iterations_budget(len(prepared.tasks)),
                             deadline - time.perf_counter(), params.seed,
                             params.hgs_no_improvement_budget(len(prepared.tasks)))
    except Exception:  # noqa: BLE001 - the other engine's plan stands; never lose a day to one engine
        log.exception("PyVRP failed on this day")
        plan = None
    return plan, {"phases": [{"engine": "pyvrp", "seconds": round(time.perf_counter() - began, 2)}]}


def _cost(prepared: Prepared, plan: Plan) -> float:
    """Terril's cost of a plan in euros (fixed + €/km + €/h per round), whichever engine made it."""
    return sum(r.cost for r in _rounds(prepared, plan))


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


def _rounds(prepared: Prepared, plan: Plan) -> list[Round]:
    rounds: list[Round] = []
    back_s: dict[int, int] = {}
    for v, route in enumerate(plan.routes):
        if not route:
            continue
        open_s = back_s[v - 1] + prepared.reload_s if prepared.trip_of(v) > 1 and v - 1 in back_s else None
        second = v + 1 < len(plan.routes) and prepared.trip_of(v + 1) > 1 and bool(plan.routes[v + 1])
        rnd, back_s[v] = _round(prepared, v, _parts_in_order(prepared, route), open_s, earliest=second)
        rounds.append(rnd)
    return rounds


def _result(prepared: Prepared, plan: Plan, began: float, stats: dict) -> RoutingResult:
    rounds = _rounds(prepared, plan)
    objective = sum(r.cost for r in rounds)
    dropped = list(prepared.unserved)
    for t in plan.dropped:
        task = prepared.tasks[t]
        if task.kind == "delivery":
            dropped.append(replace(unserved(task.stop, Reason.FLEET, task.part, task.parts),
                                   temperature="" if task.alt == "whole" else task.alt))
    dropped.sort(key=lambda u: (u.stop_id, u.part, u.temperature))
    if not prepared.problem.stops:
        status = "empty"
    else:
        status = "partial" if dropped else "solved"
    return RoutingResult(status, round(objective, 2), round(time.perf_counter() - began, 3), tuple(rounds),
                         tuple(dropped), stats)


def _parts_in_order(prepared: Prepared, route: tuple[int, ...]) -> tuple[int, ...]:
    """Consecutive parts of one split delivery are interchangeable: list them by part number; a
    stop's cold and ambient parts one right after the other in the same van are its whole visit."""
    merged: list[int] = []
    for t in route:
        group = prepared.tasks[t].group
        if group is not None and merged and prepared.tasks[merged[-1]].group == group:
            merged[-1] = group
        else:
            merged.append(t)
    out: list[int] = []
    for t in merged:
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


def _round(prepared: Prepared, v: int, route: tuple[int, ...], open_after_s: int | None = None,
           earliest: bool = False) -> tuple[Round, int]:
    """Times: latest departure that keeps the earliest-arrival schedule (no useless wait at the hub);
    a first trip followed by a second leaves as early as it can. `open_after_s`: leave no earlier.
    Returns the round and its exact return time (s)."""
    vehicle = prepared.vehicles[v]
    dur, dist = prepared.duration_s, prepared.distance_m
    tasks = [prepared.tasks[t] for t in route]
    sites = [prepared.vehicle_start[v], *(t.site for t in tasks), prepared.vehicle_end[v]]
    open_s, close_s = max(vehicle.shift.start_min * 60, open_after_s or 0), vehicle.shift.end_min * 60
    # backward pass: latest service start at each task that keeps the rest feasible
    latest = close_s - dur[sites[-2]][sites[-1]] - (tasks[-1].service_s if tasks else 0)
    for i in range(len(tasks) - 1, -1, -1):
        hi = tasks[i].window_s[1] if tasks[i].window_s else close_s
        latest = min(hi, latest)
        if i > 0:
            latest = latest - dur[sites[i]][sites[i + 1]] - tasks[i - 1].service_s
    depart = open_s if earliest else max(open_s, latest - dur[sites[0]][sites[1]])
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
                            task.kind, on_board / 1000.0, task.part, task.parts,
                            "" if task.alt == "whole" else task.alt))
        on_board += task.load_g if task.kind == "pickup" else -task.load_g
        t += task.service_s
    distance += dist[sites[-2]][sites[-1]]
    end = t + dur[sites[-2]][sites[-1]]
    hours = (end - depart) / 3600
    trip = prepared.trip_of(v)
    fixed = vehicle.fixed_cost if trip == 1 else 0.0
    cost = fixed + vehicle.cost_per_km * distance / 1000 + vehicle.cost_per_hour * hours
    return Round(vehicle.id, vehicle.driver, prepared.problem.day, depart // 60, math.ceil(end / 60),
                 distance, math.ceil(end / 60) - depart // 60, round(cost, 2), tuple(visits), trip), end
