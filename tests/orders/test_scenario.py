"""The typed week (orders/scenario.py): round trips, the shipped JSON Schema, errors with their JSON path."""
from __future__ import annotations

import copy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orders.demo import build_demo_scenario
from orders.plan import Plan, plan_schema
from orders.portioning.generate import generate_scenario
from orders.scenario import InvalidScenario, Scenario, generated_schema, schema_errors, shipped_schema


def test_the_shipped_schema_is_the_one_the_types_generate():
    assert shipped_schema() == generated_schema(), "run `python -m orders.scenario` to regenerate it"


def test_the_demo_week_reads_and_writes_back_the_same_scenario():
    scenario = Scenario.from_dict(build_demo_scenario("2026-W49"))
    assert Scenario.from_dict(scenario.to_dict()) == scenario
    assert schema_errors(scenario.to_dict()) == []


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), scarcity=st.floats(0.2, 1.5))
def test_generated_weeks_round_trip(seed, scarcity):
    scenario = Scenario.from_dict(generate_scenario(seed=seed, scarcity=scarcity, producers=3, products=6,
                                                    canteens=3, relay_points=3, days=2))
    assert Scenario.from_dict(scenario.to_dict()) == scenario


def test_defaults_are_stated_once_and_applied():
    data = {"territory": "T", "week": "2026-W49", "hub": {"id": "hub"},
            "products": [{"id": "oeuf", "unit": "piece", "unit_kg": 0.06}],
            "basket_types": [{"id": "petit", "price": 12, "target_kg": 4}],
            "vehicles": [{"id": "van", "capacity_kg": 800, "capacity_crates": 60}]}
    scenario = Scenario.from_dict(data)
    assert scenario.products[0].crate_kg == 10.0 and scenario.products[0].unit_kg == 0.06
    basket = scenario.basket_types[0]
    assert (basket.min_products, basket.max_share, basket.tolerance) == (4, 0.4, 0.1)
    van = scenario.vehicles[0]
    assert (van.shift, van.fixed_cost, van.cost_per_km, van.cost_per_hour) == (("06:30", "13:00"), 50.0, 0.35, 25.0)
    schema = generated_schema()["$defs"]
    assert schema["Vehicle"]["properties"]["fixed_cost"]["default"] == 50.0
    assert schema["BasketType"]["properties"]["min_products"]["default"] == 4


def test_errors_name_the_json_path_of_each_field():
    data = copy.deepcopy(build_demo_scenario("2026-W49"))
    data["offers"][3]["quantity"] = -5
    data["products"][1]["unit"] = "sac"
    data["vehicles"][0]["shift"] = ["6h30", "13:00"]
    del data["hub"]
    with pytest.raises(InvalidScenario) as caught:
        Scenario.from_dict(data)
    paths = {line.split(":", 1)[0] for line in caught.value.errors}
    assert paths == {"$", "$.offers[3].quantity", "$.products[1].unit", "$.vehicles[0].shift[0]"}
    assert caught.value.status == 422 and "Scénario invalide" in caught.value.detail_fr


def test_references_to_unknown_ids_are_errors_with_their_path():
    data = copy.deepcopy(build_demo_scenario("2026-W49"))
    data["offers"][0]["product"] = "truffe"
    data["basket_orders"][2]["relay_point"] = "rp-nulle-part"
    with pytest.raises(InvalidScenario) as caught:
        Scenario.from_dict(data)
    assert caught.value.errors == ["$.offers[0].product: unknown product 'truffe'",
                                   "$.basket_orders[2].relay_point: unknown relay point 'rp-nulle-part'"]


def test_a_plan_reads_back_what_it_wrote_and_old_plans_get_defaults():
    plan = Plan.from_dict({"week": "2026-W49", "allocations": [
        {"producer": "f", "product": "p", "consumer": "c", "day": "2026-12-01", "quantity": 5}],
        "targets": {"maternelle": {"target": 1.0, "served": 1.0}}})
    assert Plan.from_dict(plan.to_dict()) == plan
    assert plan.allocations[0].crates == 0 and plan.unsold == () and not plan.routed
    assert plan.target("maternelle").missing_kg == 0.0
    assert "Round" in plan_schema()["$defs"]
