"""From a `RoutingProblem` to the solver's nodes: sort, split oversize loads, build the matrix, diagnose.

Everything the solver can tell is impossible *before* searching is decided here, with its reason:
no vehicle, no coordinates, cold goods without a cold van, a single crate heavier than every van, a
window no vehicle can reach even on a round of its own (window_infeasible), or reachable but without
coming back before the end of the shift (shift). What remains goes to the search; a stop the search
drops anyway is unserved for lack of vehicles or hours (fleet).

A load larger than the biggest eligible van is cut into `parts` chunks of whole crates, each a task
of its own (kg shared in proportion to crates), so several rounds may visit the same stop.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from routing.matrix import UNREACHABLE, HaversineProvider, MatrixProvider
from routing.model import REASON_FR, Drop, Reason, RoutingProblem, Site, Stop, Unserved, Vehicle

DAY_S = 24 * 3600


@dataclass(frozen=True, slots=True)
class Task:
    """A node to visit: a delivery (or a chunk of one) or the pickup that feeds it."""

    stop: Stop
    kind: str  # "delivery" | "pickup"
    site: int  # row in the matrix
    site_id: str
    name: str
    load_g: int
    crates: int
    drops: tuple[Drop, ...]
    service_s: int
    window_s: tuple[int, int] | None
    cold: bool
    part: int
    parts: int
    pair: int | None = None  # index of the partner task (pickup <-> delivery)
    alt: str = "whole"  # "whole" | "cold" | "ambient": the stop's cold or ambient goods on their own
    group: int | None = None  # temperature split: index of the "whole" task these parts replace

    @property
    def load_kg(self) -> float:
        return self.load_g / 1000.0


@dataclass(frozen=True, slots=True)
class Prepared:
    """The solver's input: tasks, vehicles (sorted), and the matrix over `sites`."""

    problem: RoutingProblem
    vehicles: tuple[Vehicle, ...]
    vehicle_start: tuple[int, ...]  # matrix row of each vehicle's start
    vehicle_end: tuple[int, ...]
    tasks: tuple[Task, ...]
    sites: tuple[str, ...]
    distance_m: tuple[tuple[int, ...], ...]
    duration_s: tuple[tuple[int, ...], ...]
    unserved: tuple[Unserved, ...]
    trip: tuple[int, ...] = ()  # per vehicle slot: 1, or 2 for a van's second trip (empty = all 1)
    reload_s: int = 0  # time at the hub between two trips of a van

    def trip_of(self, v: int) -> int:
        return self.trip[v] if self.trip else 1

    def split_of(self, t: int) -> tuple[int, int] | None:
        """The (cold, ambient) tasks that may replace whole task `t`, if it may be split."""
        nxt = t + 1
        if nxt + 1 < len(self.tasks) and self.tasks[nxt].group == t:
            return nxt, nxt + 1
        return None

    def dropped(self, visited: set[int]) -> tuple[int, ...]:
        """Tasks not served. A stop that may be split is served by its cold and ambient tasks (its
        whole task stands for them in the model but is never visited): those count, not the whole."""
        out = []
        for t in range(len(self.tasks)):
            if t in visited or self.split_of(t) is not None:
                continue
            out.append(t)
        return tuple(out)


def unserved(stop: Stop, reason: Reason, part: int = 1, parts: int = 1) -> Unserved:
    return Unserved(stop.id, stop.site_id, reason, REASON_FR[reason], part, parts)


def prepare(problem: RoutingProblem, provider: MatrixProvider | None = None, *, split_cold: bool = False,
            trips: int = 1, reload_min: int = 20) -> Prepared:
    """`split_cold`: a stop with cold and ambient goods is served by two visits, its cold goods in a
    cold van and the rest in any van (the same van, one visit after the other, makes them one). `trips` > 1: each van may come back to the hub
    (`reload_min` there) and leave again within its shift."""
    stops = tuple(sorted(problem.stops, key=lambda s: s.id))
    vehicles = tuple(v for v in sorted(problem.vehicles, key=lambda v: v.id) for _ in range(max(1, trips)))
    trip = tuple(i % max(1, trips) + 1 for i in range(len(vehicles))) if trips > 1 else ()
    if len({s.id for s in stops}) != len(stops) or len({v.id for v in problem.vehicles}) != len(problem.vehicles):
        raise ValueError("stop ids and vehicle ids must be unique")
    dropped: list[Unserved] = []
    if not vehicles:
        dropped = [unserved(s, Reason.NO_VEHICLE) for s in stops]
        return Prepared(problem, vehicles, (), (), (), (), (), (), tuple(dropped))

    sites, distance, duration = _matrix(problem, stops, vehicles, provider)
    row = {site_id: i for i, site_id in enumerate(sites)}
    starts = tuple(row[(v.start or problem.depot).id] for v in vehicles)
    ends = tuple(row[(v.end or problem.depot).id] for v in vehicles)

    tasks: list[Task] = []
    for stop in stops:
        if stop.site_id not in row or (stop.pickup is not None and stop.pickup.site.id not in row):
            dropped.append(unserved(stop, Reason.NO_COORDINATES))
            continue
        eligible = [i for i, v in enumerate(vehicles) if v.cold or not stop.cold]
        if not eligible:
            dropped.append(unserved(stop, Reason.COLD))
            continue
        chunks = split_load(stop, [vehicles[i] for i in eligible])
        if chunks is None:
            dropped.append(unserved(stop, Reason.CAPACITY))
            continue
        for part, (load_g, crates, drops) in enumerate(chunks, start=1):
            parts = len(chunks)
            delivery = _delivery(stop, row[stop.site_id], load_g, crates, drops, part, parts)
            pickup = _pickup(stop, row, load_g, crates, drops, part, parts) if stop.pickup else None
            reason = _diagnose(delivery, pickup, [vehicles[i] for i in eligible],
                               [starts[i] for i in eligible], [ends[i] for i in eligible], duration)
            if reason is not None:
                dropped.append(unserved(stop, reason, part, parts))
                continue
            if pickup is None:
                tasks.append(delivery)
                if split_cold and parts == 1:
                    tasks.extend(_temperature_parts(stop, delivery, len(tasks) - 1))
            else:
                first = len(tasks)
                tasks.append(_with_pair(pickup, first + 1))
                tasks.append(_with_pair(delivery, first))
    return Prepared(problem, vehicles, starts, ends, tuple(tasks), sites, distance, duration, tuple(dropped),
                    trip, reload_min * 60)


def _temperature_parts(stop: Stop, whole: Task, index: int) -> list[Task]:
    """A cold task (cold drops, cold vans only) and an ambient task (the rest), kg in proportion to
    crates; none when the stop's goods are all cold or all ambient."""
    cold = tuple(d for d in stop.drops if d.cold)
    ambient = tuple(d for d in stop.drops if not d.cold)
    if not cold or not ambient or not stop.cold:
        return []
    cold_crates, crates = sum(d.crates for d in cold), sum(d.crates for d in stop.drops)
    cold_g = round(whole.load_g * cold_crates / crates) if crates else whole.load_g // 2
    out = []
    for alt, drops, grams, n, is_cold in (("cold", cold, cold_g, cold_crates, True),
                                          ("ambient", ambient, whole.load_g - cold_g, crates - cold_crates, False)):
        out.append(Task(stop, "delivery", whole.site, whole.site_id, whole.name, grams, n, drops,
                        whole.service_s, whole.window_s, is_cold, 1, 1, None, alt, index))
    return out


def _with_pair(task: Task, pair: int) -> Task:
    return Task(task.stop, task.kind, task.site, task.site_id, task.name, task.load_g, task.crates,
                task.drops, task.service_s, task.window_s, task.cold, task.part, task.parts, pair, task.alt,
                task.group)


def _window(window) -> tuple[int, int] | None:
    return None if window is None else (window.start_min * 60, window.end_min * 60)


def _delivery(stop: Stop, site: int, load_g: int, crates: int, drops, part: int, parts: int) -> Task:
    return Task(stop, "delivery", site, stop.site_id, stop.name, load_g, crates, drops,
                stop.service_min * 60, _window(stop.window), stop.cold, part, parts)


def _pickup(stop: Stop, row: dict[str, int], load_g: int, crates: int, drops, part: int, parts: int) -> Task:
    """The farm visit feeding (a part of) `stop`: all its goods, or the pickup's own share of them."""
    pickup = stop.pickup
    assert pickup is not None
    if pickup.load_kg is not None:
        share = load_g / max(1, round(stop.load_kg * 1000))  # this part's share of the stop
        load_g = min(load_g, round(pickup.load_kg * 1000 * share))
        crates = min(crates, math.ceil((pickup.crates or 0) * share - 1e-9))
        drops = tuple(Drop(d.product, round(d.quantity * share, 3), math.ceil(d.crates * share - 1e-9), d.cold)
                      for d in pickup.drops)
    site = pickup.site
    return Task(stop, "pickup", row[site.id], site.id, site.name, load_g, crates, drops,
                pickup.service_min * 60, _window(pickup.window), stop.cold, part, parts)


def _matrix(problem: RoutingProblem, stops: Sequence[Stop], vehicles: Sequence[Vehicle],
            provider: MatrixProvider | None):
    """Sites with coordinates (or named by the explicit matrix), sorted by id, depot first."""
    candidates: dict[str, Site] = {problem.depot.id: problem.depot}
    for v in vehicles:
        for site in (v.start, v.end):
            if site is not None:
                candidates.setdefault(site.id, site)
    for s in stops:
        candidates.setdefault(s.site_id, s.site)
        if s.pickup is not None:
            candidates.setdefault(s.pickup.site.id, s.pickup.site)
    if problem.matrix is not None:
        m = problem.matrix
        if not m.site_ids:
            raise ValueError("a matrix given with the problem must name its rows (site_ids)")
        index = {sid: i for i, sid in enumerate(m.site_ids)}
        sites = [sid for sid in candidates if sid in index]
        rows = [index[s] for s in sites]
        distance = tuple(tuple(m.distance_m[i][j] for j in rows) for i in rows)
        duration = tuple(tuple(m.duration_s[i][j] for j in rows) for i in rows)
    else:
        sites = [sid for sid, site in candidates.items() if site.has_coordinates]
        points = [(candidates[s].lat, candidates[s].lon) for s in sites]
        m = (provider or HaversineProvider()).matrix(points)  # type: ignore[arg-type]
        distance, duration = m.distance_m, m.duration_s
    for needed in [problem.depot.id, *(s.id for v in vehicles for s in (v.start, v.end) if s is not None)]:
        if needed not in sites:
            raise ValueError(f"vehicle start/end site {needed!r} has no coordinates")
    return tuple(sites), distance, duration


def split_load(stop: Stop, vehicles: Sequence[Vehicle]) -> list[tuple[int, int, tuple[Drop, ...]]] | None:
    """Chunks (grams, crates, drops) that each fit one of `vehicles`; None if a single crate fits none.

    The number of chunks is the smallest over the vehicles; crates are spread evenly, kg in
    proportion to crates (by kg alone when the stop has no crates).
    """
    load_g = round(stop.load_kg * 1000)
    best: int | None = None
    for v in vehicles:
        cap_g, cap_c = round(v.capacity_kg * 1000), v.capacity_crates
        if stop.crates == 0:
            n = 1 if load_g == 0 else (math.ceil(load_g / cap_g) if cap_g > 0 else None)
        else:
            n = None
            if cap_c > 0:
                start = max(math.ceil(stop.crates / cap_c), math.ceil(load_g / cap_g) if cap_g > 0 else stop.crates)
                for k in range(max(1, start), stop.crates + 1):
                    sizes = _even(stop.crates, k)
                    if max(sizes) <= cap_c and math.ceil(load_g * max(sizes) / stop.crates) <= cap_g:
                        n = k
                        break
        if n is not None and (best is None or n < best):
            best = n
    if best is None:
        return None
    if best == 1:
        return [(load_g, stop.crates, stop.drops)]
    if stop.crates == 0:
        sizes_g = _even(load_g, best)
        return [(g, 0, _share_drops(stop.drops, i, best)) for i, g in enumerate(sizes_g)]
    sizes = _even(stop.crates, best)
    grams = _even_by(load_g, sizes)
    return [(g, c, _drops_for_crates(stop.drops, sum(sizes[:i]), c)) for i, (g, c) in enumerate(zip(grams, sizes, strict=True))]


def _even(total: int, k: int) -> list[int]:
    base, extra = divmod(total, k)
    return [base + (1 if i < extra else 0) for i in range(k)]


def _even_by(total: int, weights: list[int]) -> list[int]:
    """Split `total` in proportion to `weights`, integers summing exactly to `total`."""
    whole = sum(weights)
    cuts = [total * sum(weights[: i + 1]) // whole for i in range(len(weights))]
    return [c - p for c, p in zip(cuts, [0, *cuts[:-1]], strict=True)]


def _share_drops(drops: tuple[Drop, ...], i: int, k: int) -> tuple[Drop, ...]:
    return tuple(Drop(d.product, d.quantity / k, 0, d.cold) for d in drops)


def _drops_for_crates(drops: tuple[Drop, ...], first: int, count: int) -> tuple[Drop, ...]:
    """The drops carried by crates [first, first+count) when crates are taken drop after drop."""
    out: list[Drop] = []
    position = 0
    for d in drops:
        lo, hi = max(first, position), min(first + count, position + d.crates)
        if d.crates == 0:
            if first == 0:
                out.append(d)
        elif hi > lo:
            out.append(Drop(d.product, d.quantity * (hi - lo) / d.crates, hi - lo, d.cold))
        position += d.crates
    return tuple(out)


def _diagnose(delivery: Task, pickup: Task | None, vehicles: Sequence[Vehicle], starts: Sequence[int],
              ends: Sequence[int], duration) -> Reason | None:
    """None if some eligible vehicle can serve the task on a round of its own, else the reason."""
    reasons: set[Reason] = set()
    for v, start, end in zip(vehicles, starts, ends, strict=True):
        open_s, close_s = v.shift.start_min * 60, v.shift.end_min * 60
        t, here, ok = open_s, start, True
        for task in (pickup, delivery):
            if task is None:
                continue
            leg = duration[here][task.site]
            if leg >= UNREACHABLE:
                reasons.add(Reason.UNREACHABLE)
                ok = False
                break
            lo, hi = task.window_s or (open_s, close_s)
            t = max(t + leg, lo)
            if t > min(hi, close_s):
                reasons.add(Reason.WINDOW_INFEASIBLE)
                ok = False
                break
            t += task.service_s
            here = task.site
        if not ok:
            continue
        back = duration[here][end]
        if back >= UNREACHABLE:
            reasons.add(Reason.UNREACHABLE)
        elif t + back > close_s:
            reasons.add(Reason.SHIFT)
        else:
            return None
    for reason in (Reason.SHIFT, Reason.WINDOW_INFEASIBLE, Reason.UNREACHABLE):
        if reason in reasons:
            return reason
    return Reason.FLEET
