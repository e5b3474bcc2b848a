"""Why a stop is left over, and the smallest change that serves it — found by re-solving relaxed days.

For the stops the search dropped (reason `fleet`):
1. the binding constraint: the day is re-solved once per relaxation — every van refrigerated
   (`cold_capacity`), crate room ×10 (`crates`), kg ×10 (`kg`), the unserved stops' windows removed
   (`window`), shifts four hours longer (`shift`); the first relaxation (in that order) under which
   the stop is served names its reason. None serving it leaves `fleet`.
2. ways out, each checked by re-solving the day *with the change applied* (`apply_way_out`), so
   a proposed change is one that serves the stop: its window N minutes wider on each side (N = 15,
   30, 60, 90, 120), the fewest crates moved to another day (cold goods first when the cold is what
   binds; found by bisection), one more van like one of the day's (refrigerated for cold goods).
   The proposal is the first that works in an order that follows the binding constraint (window
   first for `window`; moving crates, then a van, for capacity; a van first for `shift`/`fleet`);
   the others are not sought (`alternatives` stays empty: each costs re-solves).
Re-solves are short (`SolverParams.explain_solutions` solutions each, one engine), so the search is
seeded and bounded like any other: the same day gives the same explanation.
"""

from __future__ import annotations

import math
import time
from dataclasses import replace

from routing.model import (
    REASON_FR,
    SHIFT_EXPLAINED_FR,
    Drop,
    Reason,
    RoutingProblem,
    RoutingResult,
    Stop,
    TimeWindow,
    Vehicle,
    WayOut,
)
from routing.params import SolverParams
from routing.prepare import Prepared

WINDOW_STEPS_MIN = (15, 30, 60, 90, 120)
MAX_EXPLAINED = 6
"""Stops explained with a way out per day (the first by id); others get their binding constraint."""


def explain(problem: RoutingProblem, prepared: Prepared, result: RoutingResult, params: SolverParams) -> RoutingResult:
    from routing.solver import solve, with_matrix

    began = time.perf_counter()
    base = with_matrix(problem, prepared)
    quick = replace(params, explain=False, rescue=False, workers=1, solution_limit=params.explain_solutions,
                    time_limit_s=max(1.0, params.time_budget_s(len(prepared.tasks))))
    deadline = began + params.explain_share * params.time_budget_s(len(prepared.tasks))
    solves = 0

    def left_over(day: RoutingProblem) -> set[str]:
        nonlocal solves
        solves += 1
        return {u.stop_id for u in solve(day, quick).unserved}

    stops = {s.id: s for s in problem.stops}
    targets = sorted({u.stop_id for u in result.unserved if u.reason == Reason.FLEET})
    binding: dict[str, Reason] = {}
    for reason, relaxed in _relaxations(base, [stops[t] for t in targets]):
        still = left_over(relaxed)
        for t in targets:
            if t not in binding and t not in still:
                binding[t] = reason
    ways: dict[str, list[WayOut]] = {}
    for t in targets[:MAX_EXPLAINED]:
        if time.perf_counter() > deadline:
            break
        ways[t] = _ways_out(base, stops[t], binding.get(t, Reason.FLEET), left_over)
    unserved = []
    for u in result.unserved:
        if u.reason != Reason.FLEET:
            unserved.append(u)
            continue
        reason = binding.get(u.stop_id, Reason.FLEET)
        found = ways.get(u.stop_id, [])
        text = SHIFT_EXPLAINED_FR if reason == Reason.SHIFT else REASON_FR[reason]
        unserved.append(replace(u, reason=reason, reason_fr=text, way_out=found[0] if found else None,
                                alternatives=tuple(found[1:])))
    stats = {**result.stats, "explain": {"seconds": round(time.perf_counter() - began, 2), "solves": solves}}
    return replace(result, unserved=tuple(unserved), stats=stats,
                   seconds=round(result.seconds + time.perf_counter() - began, 3))


def _relaxations(day: RoutingProblem, targets: list[Stop]):
    ids = {s.id for s in targets}
    if any(s.cold for s in targets):
        yield Reason.COLD_CAPACITY, replace(day, vehicles=tuple(replace(v, cold=True) for v in day.vehicles))
    yield Reason.CRATES, replace(day, vehicles=tuple(replace(v, capacity_crates=v.capacity_crates * 10)
                                                     for v in day.vehicles))
    yield Reason.KG, replace(day, vehicles=tuple(replace(v, capacity_kg=v.capacity_kg * 10) for v in day.vehicles))
    if any(s.window is not None for s in targets):
        yield Reason.WINDOW, replace(day, stops=tuple(replace(s, window=None) if s.id in ids else s
                                                      for s in day.stops))
    yield Reason.SHIFT, replace(day, vehicles=tuple(
        replace(v, shift=TimeWindow(v.shift.start_min, min(24 * 60, v.shift.end_min + 240))) for v in day.vehicles))


def _ways_out(day: RoutingProblem, stop: Stop, reason: Reason, left_over) -> list[WayOut]:
    def serves(way: WayOut) -> bool:
        return stop.id not in left_over(apply_way_out(day, stop.id, way))

    finders = {
        "wider_window": lambda: _smallest(serves, [_wider(stop, n) for n in WINDOW_STEPS_MIN] if stop.window else []),
        "move_crates": lambda: _fewest_crates(day, stop, reason, serves),
        "extra_van": lambda: _first(serves, (_extra_van(v, stop) for v in _templates(day, stop))),
    }
    order = {Reason.WINDOW: ("wider_window", "move_crates", "extra_van"),
             Reason.COLD_CAPACITY: ("move_crates", "extra_van", "wider_window"),
             Reason.CRATES: ("move_crates", "extra_van", "wider_window"),
             Reason.KG: ("move_crates", "extra_van", "wider_window")}.get(
        reason, ("extra_van", "wider_window", "move_crates"))
    for kind in order:  # the first that works is the proposal (the others are not sought)
        way = finders[kind]()
        if way is not None:
            return [way]
    return []


def _first(serves, candidates) -> WayOut | None:
    for way in candidates:
        if serves(way):
            return way
    return None


def _smallest(serves, candidates: list[WayOut]) -> WayOut | None:
    """Bisection over changes ordered from small to large (a larger one serves if a smaller does)."""
    if not candidates or not serves(candidates[-1]):
        return None
    lo, hi = -1, len(candidates) - 1
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if serves(candidates[mid]):
            hi = mid
        else:
            lo = mid
    return candidates[hi]


def apply_way_out(day: RoutingProblem, stop_id: str, way: WayOut) -> RoutingProblem:
    """The day with the change `way` made (to the stop `stop_id`, or to the fleet)."""
    if way.kind == "extra_van":
        template = next(v for v in day.vehicles if v.id == way.vehicle_like)
        taken = {v.id for v in day.vehicles}
        new_id = next(f"{template.id}+{i}" for i in range(1, len(taken) + 2) if f"{template.id}+{i}" not in taken)
        extra = replace(template, id=new_id, driver=None, cold=template.cold or way.cold)
        return replace(day, vehicles=(*day.vehicles, extra))
    stops = []
    for s in day.stops:
        if s.id == stop_id:
            if way.kind == "wider_window" and s.window is not None:
                s = replace(s, window=TimeWindow(max(0, s.window.start_min - way.minutes),
                                                 min(24 * 60, s.window.end_min + way.minutes)))
            elif way.kind == "move_crates":
                s = _without_crates(s, way.crates, way.cold)
        stops.append(s)
    return replace(day, stops=tuple(stops))


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _wider(stop: Stop, minutes: int) -> WayOut:
    assert stop.window is not None
    lo, hi = max(0, stop.window.start_min - minutes), min(24 * 60, stop.window.end_min + minutes)
    return WayOut("wider_window", f"élargir le créneau de {minutes} minutes de chaque côté ({_hhmm(lo)}–"
                  f"{_hhmm(hi)} au lieu de {_hhmm(stop.window.start_min)}–{_hhmm(stop.window.end_min)}) "
                  "permet de servir ce point", minutes=minutes)


def _templates(day: RoutingProblem, stop: Stop) -> list[Vehicle]:
    """One van of each kind the day has (same shift, capacities, start and end), cold ones first for
    cold goods."""
    seen, out = set(), []
    for v in sorted(day.vehicles, key=lambda v: (not v.cold, v.id) if stop.cold else (v.id,)):
        key = (v.shift, v.capacity_kg, v.capacity_crates, v.start, v.end, v.cold or stop.cold)
        if key not in seen:
            seen.add(key)
            out.append(v)
    return out


def _extra_van(template: Vehicle, stop: Stop) -> WayOut:
    kind = "véhicule frigorifique" if template.cold or stop.cold else "véhicule"
    return WayOut("extra_van", f"un {kind} de plus ce jour-là, en service de {_hhmm(template.shift.start_min)} "
                  f"à {_hhmm(template.shift.end_min)} ({template.capacity_kg:g} kg, {template.capacity_crates} "
                  "caisses), permet de servir ce point", cold=template.cold or stop.cold, vehicle_like=template.id)


def _fewest_crates(day: RoutingProblem, stop: Stop, reason: Reason, serves) -> WayOut | None:
    """Bisection on the number of crates moved (assumes fewer crates never serve worse)."""
    if stop.crates < 2:
        return None
    cold_first = reason == Reason.COLD_CAPACITY or stop.cold

    def way(n: int) -> WayOut:
        moved = _moved_kg(stop, n, cold_first)
        what = "dont les produits frais" if cold_first and any(d.cold for d in stop.drops) else ""
        return WayOut("move_crates", f"livrer {n} caisse{'s' if n > 1 else ''} ({moved:g} kg{', ' + what if what else ''}) "
                      "de ce point un autre jour permet de servir le reste ce jour-là", crates=n, kg=moved,
                      cold=cold_first)

    hi = stop.crates - 1
    if not serves(way(hi)):
        return None
    lo = 0  # serves(lo) is False (the stop is unserved as it is)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if serves(way(mid)):
            hi = mid
        else:
            lo = mid
    return way(hi)


def _order(stop: Stop, cold_first: bool) -> list[int]:
    return sorted(range(len(stop.drops)), key=lambda i: (not stop.drops[i].cold if cold_first else 0,
                                                         -stop.drops[i].crates, i))


def _moved_kg(stop: Stop, n: int, cold_first: bool) -> float:
    return round(stop.load_kg - _without_crates(stop, n, cold_first).load_kg, 1)


def _without_crates(stop: Stop, n: int, cold_first: bool) -> Stop:
    """The stop with `n` crates fewer: taken from its drops (cold ones first when `cold_first`),
    kg in proportion to crates."""
    n = max(0, min(n, stop.crates - 1))
    left = n
    drops = list(stop.drops)
    for i in _order(stop, cold_first):
        if left <= 0:
            break
        d = drops[i]
        take = min(left, d.crates)
        if take:
            keep = d.crates - take
            drops[i] = Drop(d.product, round(d.quantity * keep / d.crates, 3), keep, d.cold)
            left -= take
    drops_t = tuple(d for d in drops if d.crates > 0 or d.quantity > 0)
    crates = stop.crates - n
    kg = stop.load_kg * crates / stop.crates if stop.crates else stop.load_kg
    cold = any(d.cold for d in drops_t) if stop.drops else stop.cold
    return replace(stop, crates=crates, load_kg=math.floor(kg * 1000) / 1000, drops=drops_t, cold=cold)
