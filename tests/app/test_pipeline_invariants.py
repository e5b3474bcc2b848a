"""Invariants 4–6 of SCENARIO.md on whole plans of generated weeks (portioning + routing, no database)."""
from __future__ import annotations

from collections import defaultdict

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.planning.generate import generate_week
from app.planning.pipeline import PlanSettings, plan

FAST = PlanSettings(portioning_time_limit_s=3.0, routing_time_limit_s=1.0)


def check_plan(scenario: dict, body: dict) -> None:
    vehicles = {v["id"]: v for v in scenario["vehicles"]}
    products = {p["id"]: p for p in scenario["products"]}
    windows = {s["id"]: s.get("window") for s in scenario["canteens"] + scenario["relay_points"]}
    visited: dict[tuple[str, str], int] = defaultdict(int)
    for rnd in body["rounds"]:
        van = vehicles[rnd["vehicle"]]
        assert van["shift"][0] <= rnd["start"] <= rnd["end"] <= van["shift"][1]  # invariant 5: shift
        deliveries = [s for s in rnd["stops"] if s["kind"] == "delivery"]
        assert sum(s["load_kg"] for s in deliveries) <= van["capacity_kg"] + 1e-6  # invariant 5: kg
        assert sum(s["crates"] for s in deliveries) <= van["capacity_crates"]  # invariant 5: crates
        for stop in deliveries:
            visited[(rnd["day"], stop["site"])] += 1
            window = windows[stop["site"]]
            assert window[0] <= stop["arrival"] <= window[1]  # invariant 5: windows
            for drop in stop["drops"]:
                assert not products[drop["product"]]["cold"] or van["cold"]  # invariant 5: cold chain
    allocated = {(a["day"], a["consumer"]) for a in body["allocations"]}
    unserved = {(u["day"], u["site"]) for u in body["unserved"]}
    assert all(n == 1 for n in visited.values())  # invariant 4: exactly one round
    assert allocated == set(visited) | unserved and not (set(visited) & unserved)
    assert all(u["reason"] and u["reason_fr"] for u in body["unserved"])
    totals = body["totals"]  # invariant 6: totals are the sum of their parts
    assert totals["km"] == pytest.approx(sum(r["km"] for r in body["rounds"]), abs=0.01 * len(body["rounds"]) + 1e-9)
    assert totals["minutes"] == sum(r["minutes"] for r in body["rounds"])
    assert totals["cost"] == pytest.approx(sum(r["cost"] for r in body["rounds"]), abs=0.01 * len(body["rounds"]) + 1e-9)


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), scarcity=st.sampled_from([0.6, 1.0, 1.4]))
def test_generated_weeks_keep_the_routing_invariants(seed, scarcity):
    scenario = generate_week(seed=seed, scarcity=scarcity, producers=4, products=8, canteens=4, relay_points=6)
    check_plan(scenario, plan(scenario, FAST))


def test_the_same_week_gives_the_same_plan():  # invariant 6: deterministic
    scenario = generate_week(seed=3, producers=4, products=8, canteens=4, relay_points=6)
    first, second = plan(scenario, FAST), plan(scenario, FAST)
    for key in ("allocations", "shortfalls", "baskets", "rounds", "unserved", "totals"):
        assert first[key] == second[key], key


def test_the_demo_week_keeps_the_invariants():
    from orders.demo import build_demo_scenario

    scenario = build_demo_scenario()
    body = plan(scenario, FAST)
    check_plan(scenario, body)
    assert body["targets"]["maternelle"]["served"] == pytest.approx(1.0)
    assert not body["unserved"]
