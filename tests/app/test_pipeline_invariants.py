"""Invariants 4–6 of SCENARIO.md on whole plans of generated weeks (portioning + routing, no database)."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.planning import agree
from app.planning.generate import generate_week
from app.planning.pipeline import PlanSettings, plan, portion
from orders.invariants import violations
from orders.plan import Plan
from orders.scenario import Scenario

FAST = PlanSettings(portioning_time_limit_s=3.0, routing_time_limit_s=1.0)


def check_plan(scenario: Scenario, body: Plan) -> None:
    assert violations(scenario, body) == []


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), scarcity=st.sampled_from([0.6, 1.0, 1.4]))
def test_generated_weeks_keep_the_routing_invariants(seed, scarcity):
    scenario = generate_week(seed=seed, scarcity=scarcity, producers=4, products=8, canteens=4, relay_points=6)
    check_plan(scenario, plan(scenario, FAST))


def test_the_same_week_gives_the_same_plan():  # invariant 6: deterministic
    scenario = generate_week(seed=3, producers=4, products=8, canteens=4, relay_points=6)
    first, second = plan(scenario, FAST), plan(scenario, FAST)
    for key in ("allocations", "shortfalls", "baskets", "rounds", "unserved", "totals"):
        assert getattr(first, key) == getattr(second, key), key


def test_the_demo_week_keeps_the_invariants():
    from orders.demo import build_demo_scenario

    scenario = Scenario.from_dict(build_demo_scenario())
    body = plan(scenario, FAST)
    check_plan(scenario, body)
    assert body.target("maternelle").served == pytest.approx(1.0)
    assert not body.unserved


def test_goods_of_a_stop_no_round_reaches_go_back_to_the_portioning():
    """Invariant 8: a relay point whose window no van can keep gets no allocation (so no delivery
    note); its baskets become `not_delivered` shortfalls and its goods go to stops the rounds reach."""
    base = generate_week(seed=5, producers=4, products=8, canteens=4, relay_points=6, scarcity=0.6)
    lost = base.relay_points[0]
    scenario = base.replace(relay_points=(lost.__class__(**{**{f: getattr(lost, f) for f in lost.__slots__},
                                                            "window": ("04:00", "04:30")}),) + base.relay_points[1:])
    after = plan(scenario, FAST)
    assert violations(scenario, after) == []
    assert {u.site for u in after.unserved} == {lost.id}
    assert not [a for a in after.allocations if a.consumer == lost.id]
    missed = [s for s in after.shortfalls if s.consumer == lost.id]
    assert missed and all(s.reason == "not_delivered" and s.text for s in missed)
    assert {s.basket_type for s in missed} == {b.basket_type for b in scenario.basket_orders if b.relay_point == lost.id}
    # its goods were portioned again among the stops the rounds reach
    assert after.allocations == portion(agree.without_stops(scenario, {(lost.id, d) for d in scenario.delivery_days}),
                                        FAST).allocations
    assert after.solver["routing"]["reportions"] >= 1
