"""The invariants every plan keeps (docs/SCENARIO.md), checked on a typed scenario and its plan.

`violations(scenario, plan)` returns one line per broken invariant, naming it ("invariant 5: …"),
so tests, the season simulation and a curious coordinator use the same checker. An empty list
means the plan keeps invariants 1, 2 (whole lots per offer and day), 4, 5, 6 and 8.
"""
from __future__ import annotations

from collections import defaultdict

from orders.plan import Plan
from orders.scenario import Scenario

EPS = 1e-6


def _hhmm(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def violations(scenario: Scenario, plan: Plan) -> list[str]:
    out: list[str] = []
    out += _supply(scenario, plan)
    if plan.routed:
        out += _rounds(scenario, plan)
    return out


def _supply(scenario: Scenario, plan: Plan) -> list[str]:
    out = []
    offers = {o.id: o for o in scenario.offers}
    by_pair = defaultdict(list)
    for o in scenario.offers:
        by_pair[(o.producer, o.product)].append(o)
    taken: dict[tuple[str, str], float] = defaultdict(float)
    taken_day: dict[tuple[str, str, str], float] = defaultdict(float)
    for a in plan.allocations:
        key = a.offer if a.offer in offers else None
        taken[(a.producer, a.product)] += a.quantity
        taken_day[(key or f"{a.producer}/{a.product}", a.day, a.product)] += a.quantity
        if a.quantity < -EPS:
            out.append(f"invariant 1: negative allocation {a}")
    for (producer, product), qty in taken.items():
        offered = sum(o.quantity for o in by_pair.get((producer, product), ()))
        if qty > offered + EPS:
            out.append(f"invariant 1: {producer} gives {qty:g} of {product}, offered {offered:g}")
    for (offer_id, day, _), qty in taken_day.items():
        offer = offers.get(offer_id)
        if offer is not None:
            lots = qty / offer.lot
            if abs(lots - round(lots)) > 1e-6:
                out.append(f"invariant 2: offer {offer_id} gives {qty:g} on {day}, not whole lots of {offer.lot:g}")
    return out


def _rounds(scenario: Scenario, plan: Plan) -> list[str]:
    out = []
    vehicles = {v.id: v for v in scenario.vehicles}
    products = scenario.products_by_id()
    consumers = scenario.consumers_by_id()
    visited: dict[tuple[str, str], int] = defaultdict(int)
    for rnd in plan.rounds:
        van = vehicles.get(rnd.vehicle)
        if van is None:
            out.append(f"invariant 5: round {rnd.id} uses unknown vehicle {rnd.vehicle}")
            continue
        if not (_hhmm(van.shift[0]) <= _hhmm(rnd.start) <= _hhmm(rnd.end) <= _hhmm(van.shift[1])):
            out.append(f"invariant 5: round {rnd.id} ({rnd.start}–{rnd.end}) outside shift {van.shift}")
        deliveries = rnd.deliveries
        if sum(s.load_kg for s in deliveries) > van.capacity_kg + EPS:
            out.append(f"invariant 5: round {rnd.id} carries more than {van.capacity_kg:g} kg")
        if sum(s.crates for s in deliveries) > van.capacity_crates:
            out.append(f"invariant 5: round {rnd.id} carries more than {van.capacity_crates} crates")
        for stop in deliveries:
            visited[(rnd.day, stop.site)] += 1
            consumer = consumers.get(stop.site)
            if consumer is not None and consumer.window and not (
                    _hhmm(consumer.window[0]) <= _hhmm(stop.arrival) <= _hhmm(consumer.window[1])):
                out.append(f"invariant 5: {stop.site} reached at {stop.arrival}, window {consumer.window}")
            for drop in stop.drops:
                if products[drop.product].cold and not van.cold:
                    out.append(f"invariant 5: cold {drop.product} in ambient van {van.id}")
    allocated = {(a.day, a.consumer) for a in plan.allocations}
    unserved = {(u.day, u.site) for u in plan.unserved}
    for key, count in visited.items():
        if count != 1:
            out.append(f"invariant 4: {key[1]} visited {count} times on {key[0]}")
    for key in sorted(allocated - set(visited) - unserved):
        out.append(f"invariant 4: {key[1]} has goods on {key[0]} but no round and no reason")
    for key in sorted(allocated & unserved):
        out.append(f"invariant 8: {key[1]} has goods on {key[0]} that no round carries")
    for key in sorted(set(visited) & unserved):
        out.append(f"invariant 4: {key[1]} both visited and unserved on {key[0]}")
    for u in plan.unserved:
        if not (u.reason and u.reason_fr):
            out.append(f"invariant 4: unserved {u.site} on {u.day} without a reason")
    tol = 0.01 * len(plan.rounds) + 1e-9
    if abs(plan.totals.km - sum(r.km for r in plan.rounds)) > tol:
        out.append("invariant 6: total km differ from the rounds' sum")
    if abs(plan.totals.minutes - sum(r.minutes for r in plan.rounds)) > tol:
        out.append("invariant 6: total minutes differ from the rounds' sum")
    if abs(plan.totals.cost - sum(r.cost for r in plan.rounds)) > tol:
        out.append("invariant 6: total cost differs from the rounds' sum")
    return out
