"""The one plan checker: every plan, whichever engine made it, is verified here before it is kept.

`violations(prepared, plan)` lists, in English, what breaks Terril's rules (empty = valid), with exact
integer times (seconds) and loads (grams, crates):
- each task in at most one round, once, or listed as dropped — and the dropped list says exactly
  that; a stop whose cold and ambient goods travel apart is served by those two visits (each may be
  dropped), never by its whole task (the two one right after the other in the same van are one
  visit: one service time);
- cold goods (and their farm pickups) only in refrigerated vans;
- a farm pickup on the same round as its delivery, before it;
- the load on board within the van's kg and crate capacity all along the round;
- every service starting inside its window, on a schedule that leaves after the shift opens and is
  back before it closes; a van's second trip leaves after the first is back and reloaded.
"""

from __future__ import annotations

from routing.prepare import Prepared
from routing.search import Plan


def violations(prepared: Prepared, plan: Plan) -> list[str]:
    out: list[str] = []
    tasks = prepared.tasks
    if len(plan.routes) != len(prepared.vehicles):
        return [f"{len(plan.routes)} routes for {len(prepared.vehicles)} vehicle slots"]
    visited: dict[int, int] = {}
    for v, route in enumerate(plan.routes):
        for t in route:
            if not 0 <= t < len(tasks):
                out.append(f"unknown task {t}")
                continue
            if t in visited:
                out.append(f"task {t} ({tasks[t].stop.id}) visited twice")
            visited[t] = v
    if out:
        return out
    for t, task in enumerate(tasks):
        if prepared.split_of(t) is not None and t in visited:
            out.append(f"{task.stop.id} served whole where its cold and ambient goods travel apart")
    if tuple(sorted(plan.dropped)) != prepared.dropped(set(visited)):
        out.append(f"dropped list {sorted(plan.dropped)} != unvisited {list(prepared.dropped(set(visited)))}")
    end_of: dict[int, int] = {}
    for v, route in enumerate(plan.routes):
        vehicle = prepared.vehicles[v]
        for t in route:
            if tasks[t].cold and not vehicle.cold:
                out.append(f"cold goods of {tasks[t].stop.id} in {vehicle.id}, not refrigerated")
            pair = tasks[t].pair
            if pair is not None and visited.get(pair) != v:
                out.append(f"pickup and delivery of {tasks[t].stop.id} not on the same round")
            if tasks[t].kind == "pickup" and pair is not None and pair in route \
                    and route.index(pair) < route.index(t):
                out.append(f"{tasks[t].stop.id} delivered before its goods are picked up")
        out += _loads(prepared, v, route)
        open_s = vehicle.shift.start_min * 60
        if prepared.trip_of(v) > 1 and plan.routes[v]:
            if not plan.routes[v - 1]:
                out.append(f"{vehicle.id}: second trip without a first")
            open_s = max(open_s, end_of.get(v - 1, open_s) + prepared.reload_s)
        end, problems = _times(prepared, v, route, open_s)
        end_of[v] = end
        out += problems
    return out


def _loads(prepared: Prepared, v: int, route: tuple[int, ...]) -> list[str]:
    vehicle = prepared.vehicles[v]
    tasks = [prepared.tasks[t] for t in route]
    cap_g, cap_c = round(vehicle.capacity_kg * 1000), vehicle.capacity_crates
    grams = sum(t.load_g for t in tasks if t.kind == "delivery") - sum(t.load_g for t in tasks if t.kind == "pickup")
    crates = sum(t.crates for t in tasks if t.kind == "delivery") - sum(t.crates for t in tasks if t.kind == "pickup")
    out = []
    for i in range(len(tasks) + 1):
        if grams > cap_g or crates > cap_c or grams < 0 or crates < 0:
            out.append(f"{vehicle.id}: {grams / 1000:.1f} kg / {crates} crates on board (capacity "
                       f"{vehicle.capacity_kg:g} kg / {cap_c}) after {i} visits")
            break
        if i < len(tasks):
            sign = 1 if tasks[i].kind == "pickup" else -1
            grams += sign * tasks[i].load_g
            crates += sign * tasks[i].crates
    return out


def _times(prepared: Prepared, v: int, route: tuple[int, ...], open_s: int) -> tuple[int, list[str]]:
    """Earliest schedule from `open_s`: the end time and the windows or shift it breaks."""
    vehicle = prepared.vehicles[v]
    close_s = vehicle.shift.end_min * 60
    here, t, out, previous = prepared.vehicle_start[v], open_s, [], None
    for i in route:
        task = prepared.tasks[i]
        if previous is not None and task.group is not None and previous.group == task.group:
            t -= previous.service_s  # the two temperature parts of a stop, one after the other: one visit
        t += prepared.duration_s[here][task.site]
        lo, hi = task.window_s or (0, close_s)
        t = max(t, lo)
        if t > hi:
            out.append(f"{vehicle.id}: {task.stop.id} served at {t // 60} min, window closes at {hi // 60}")
        t += task.service_s
        here, previous = task.site, task
    if route:
        t += prepared.duration_s[here][prepared.vehicle_end[v]]
        if t > close_s:
            out.append(f"{vehicle.id}: back at {t // 60} min, shift ends at {close_s // 60}")
    return (t if route else open_s), out
