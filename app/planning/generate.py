"""Seeded synthetic weeks with a geography: what-if planning, benchmarks and invariant tests.

`orders.portioning.generate.generate_scenario` makes the market (offers, meal and basket orders);
this adds what routing needs, in the Lens-Liévin basin: the hub at Base 11/19, every site at a
seeded random point of the basin's bounding box, canteen windows before the kitchen starts
(07:00–09:30), relay-point pickup slots (16:00–19:00), and a fleet sized to the demand (about one
van per eight stops and per half-day; afternoon vans, which carry baskets, and every other morning
van refrigerated), morning and afternoon shifts.
"""
from __future__ import annotations

import math
import random

from orders.portioning.generate import generate_scenario
from orders.scenario import Scenario

HUB = {"id": "hub", "name": "Base 11/19", "lat": 50.4497, "lon": 2.7794}
BOX = (50.39, 50.50, 2.70, 2.91)  # lat min, lat max, lon min, lon max: the communes around Lens


def generate_week(seed: int = 0, producers: int = 5, products: int = 14, canteens: int = 6,
                  relay_points: int = 10, days: int = 2, scarcity: float = 1.0,
                  week: str = "2026-W49") -> Scenario:
    scenario = generate_scenario(seed=seed, producers=producers, products=products, canteens=canteens,
                                 relay_points=relay_points, days=days, scarcity=scarcity, week=week)
    rng = random.Random(seed * 7919 + 17)

    def place(entry: dict) -> dict:
        return {**entry, "lat": round(rng.uniform(BOX[0], BOX[1]), 5), "lon": round(rng.uniform(BOX[2], BOX[3]), 5)}

    scenario["hub"] = dict(HUB)
    scenario["road_factor"], scenario["speed_kmh"] = 1.3, 40
    scenario["producers"] = [place(p) for p in scenario["producers"]]
    scenario["canteens"] = [{**place(c), "window": ["07:00", "09:30"], "service_min": 10}
                            for c in scenario["canteens"]]
    scenario["relay_points"] = [{**place(r), "window": ["16:00", "19:00"], "service_min": 8}
                                for r in scenario["relay_points"]]
    day_ids = sorted({o["day"] for o in scenario["meal_orders"] + scenario["basket_orders"]})
    vehicles = []
    for half, shift, stops in (("am", ["06:30", "13:00"], canteens), ("pm", ["14:00", "20:00"], relay_points)):
        for i in range(max(1, math.ceil(stops / 8))):
            vehicles.append({"id": f"van-{half}-{i + 1:02d}", "capacity_kg": 1000, "capacity_crates": 70,
                             "cold": half == "pm" or i % 2 == 0, "shift": shift, "days": day_ids, "driver": f"Chauffeur {half} {i + 1}",
                             "cost_per_km": 0.35, "cost_per_hour": 25.0})
    scenario["vehicles"] = vehicles
    return Scenario.from_dict(scenario)
