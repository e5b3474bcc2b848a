"""Seeded generator of week scenarios (SCENARIO.md dicts) for tests and benchmarks.

`generate_scenario(seed, ...)` returns a plain dict readable by `PortioningInput.from_dict`; the
same arguments always give the same dict (`random.Random(seed)`, no global state). Supply per
product is `scarcity` × the demand it faces (canteens and a share of the baskets) × a random
factor in [0.6, 1.4], so scarcity < 1 makes shortfalls likely.
"""
from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

BASE_PRODUCTS = [  # id, category, grams maternelle/elementaire/adulte/foyer, yield, crate_kg, price €/kg
    ("carotte", "legume", (100, 120, 150, 150), 0.80, 12, 1.6),
    ("pomme-de-terre", "feculent", (120, 150, 200, 180), 0.80, 15, 1.2),
    ("poireau", "legume", (100, 120, 150, 150), 0.65, 8, 2.6),
    ("chou", "legume", (50, 70, 90, 90), 0.75, 10, 1.9),
    ("courgette", "legume", (100, 120, 150, 150), 0.90, 10, 2.8),
    ("courge", "legume", (100, 120, 150, 150), 0.70, 12, 2.2),
    ("salade", "legume", (30, 40, 50, 50), 0.70, 4, 4.5),
    ("tomate", "legume", (60, 80, 100, 100), 0.95, 6, 3.8),
    ("pomme", "fruit", (80, 120, 150, 130), 1.00, 13, 2.4),
    ("poire", "fruit", (80, 120, 150, 130), 1.00, 12, 2.9),
    ("fraise", "fruit", (60, 100, 120, 120), 0.95, 4, 7.0),
    ("betterave", "legume", (60, 80, 100, 100), 0.80, 12, 2.0),
    ("navet", "legume", (80, 100, 120, 120), 0.80, 12, 2.1),
    ("oignon", "legume", (20, 30, 40, 40), 0.90, 15, 1.8),
]
AGE_OF_KIND = {"maternelle": "maternelle", "elementaire": "elementaire", "foyer": "foyer"}
MEALS_OF_KIND = {"maternelle": (50, 130), "elementaire": (80, 260), "foyer": (30, 90)}
BASKET_TYPES = [
    {"id": "petit", "name": "Petit panier", "price": 12.0, "target_kg": 4.0, "min_products": 4,
     "max_share": 0.4, "tolerance": 0.1},
    {"id": "moyen", "name": "Panier moyen", "price": 18.0, "target_kg": 6.0, "min_products": 5,
     "max_share": 0.4, "tolerance": 0.1},
    {"id": "famille", "name": "Panier famille", "price": 27.0, "target_kg": 9.0, "min_products": 6,
     "max_share": 0.4, "tolerance": 0.1},
]


def generate_scenario(seed: int = 0, producers: int = 5, products: int = 14, canteens: int = 6,
                      relay_points: int = 10, days: int = 2, scarcity: float = 1.0,
                      week: str = "2026-W49", eggs: bool = False) -> dict[str, Any]:
    """A week with the given sizes. `eggs=True` adds an egg product sold by the piece (lots of 30)."""
    rng = random.Random(seed)
    monday = date(2026, 11, 30)
    step = max(1, 5 // max(1, days))
    day_ids = [(monday + timedelta(days=1 + i * step if days <= 2 else i)).isoformat() for i in range(days)]

    prods = []
    for i in range(products):
        base = BASE_PRODUCTS[i % len(BASE_PRODUCTS)]
        pid = base[0] if i < len(BASE_PRODUCTS) else f"{base[0]}-{i // len(BASE_PRODUCTS)}"
        price = round(base[5] * rng.uniform(0.85, 1.15), 2)
        prods.append({"id": pid, "name": pid.replace("-", " ").capitalize(), "unit": "kg",
                      "crate_kg": base[4], "cold": base[1] == "fruit" and base[0] == "fraise",
                      "category": base[1], "_grams": base[2], "_yield": base[3], "_price": price})
    if eggs:
        prods.append({"id": "oeuf", "name": "Œuf", "unit": "piece", "unit_kg": 0.06, "crate_kg": 4.5,
                      "cold": True, "category": "oeuf", "_grams": (50, 60, 60, 60), "_yield": 0.88,
                      "_price": 0.32})
    grammages = []
    for p in prods:
        for age, grams in zip(("maternelle", "elementaire", "adulte", "foyer"), p["_grams"], strict=True):
            grammages.append({"product": p["id"], "age_group": age, "grams": grams, "yield": p["_yield"]})

    kinds = ["maternelle", "elementaire", "foyer"]
    cants, meal_orders = [], []
    demand: dict[str, float] = {p["id"]: 0.0 for p in prods}
    gram_of = {(g["product"], g["age_group"]): g["grams"] / g["yield"] / 1000 for g in grammages}
    for c in range(canteens):
        kind = kinds[c % 3] if c < 3 else rng.choices(kinds, weights=(4, 4, 2))[0]
        cid = f"{kind[:3]}-{c + 1:03d}"
        cants.append({"id": cid, "name": f"Cantine {cid}", "kind": kind})
        for day in day_ids:
            if len(day_ids) > 2 and rng.random() < 0.3:
                continue
            lines = []
            for p in rng.sample(prods, k=min(len(prods), rng.randint(2, 4))):
                meals = {AGE_OF_KIND[kind]: rng.randint(*MEALS_OF_KIND[kind])}
                if kind == "elementaire" and rng.random() < 0.3:
                    meals["adulte"] = rng.randint(4, 12)
                lines.append({"product": p["id"], "meals": meals})
                demand[p["id"]] += sum(
                    gram_of[(p["id"], a)] * m for a, m in meals.items()) / p.get("unit_kg", 1.0)
            meal_orders.append({"canteen": cid, "day": day, "lines": lines})

    rps, basket_orders = [], []
    basket_kg = 0.0
    for r in range(relay_points):
        rid = f"rp-{r + 1:03d}"
        rps.append({"id": rid, "name": f"Point relais {r + 1}"})
        day = day_ids[r % len(day_ids)]
        for bt in rng.sample(BASKET_TYPES, k=rng.randint(1, 2)):
            count = rng.randint(5, 25)
            basket_orders.append({"relay_point": rid, "day": day, "basket_type": bt["id"], "count": count})
            basket_kg += count * bt["target_kg"]
    kg_products = [p for p in prods if p["unit"] == "kg"]
    for p in kg_products:
        demand[p["id"]] += basket_kg / len(kg_products)

    farms = [f"ferme-{i + 1:02d}" for i in range(producers)]
    offered: dict[str, list[str]] = {p["id"]: [] for p in prods}
    for i, p in enumerate(prods):  # every product has at least one producer
        offered[p["id"]].append(farms[i % producers])
    per_farm = max(1, min(len(prods), round(len(prods) * 2 / producers) + 1))
    for f in farms:
        for p in rng.sample(prods, k=min(len(prods), rng.randint(1, per_farm))):
            if f not in offered[p["id"]]:
                offered[p["id"]].append(f)
    offers = []
    for p in prods:
        farms_p = sorted(offered[p["id"]])
        total = demand[p["id"]] * scarcity * rng.uniform(0.6, 1.4)
        for f in farms_p:
            lot = 30 if p["unit"] == "piece" else rng.choice((1, 2, 5, 5, 10))
            qty = max(lot, round(total / len(farms_p) * rng.uniform(0.7, 1.3) / lot) * lot)
            offer = {"producer": f, "product": p["id"], "quantity": qty,
                     "unit_price": round(p["_price"] * rng.uniform(0.9, 1.1), 2), "lot": lot}
            if len(day_ids) > 1 and rng.random() < 0.15:
                offer["days"] = sorted(rng.sample(day_ids, k=len(day_ids) - 1))
            offers.append(offer)

    for p in prods:
        for key in ("_grams", "_yield", "_price"):
            p.pop(key)
    return {
        "territory": "Lens-Liévin", "week": week, "products": prods,
        "hub": {"id": "hub", "name": "Base 11/19", "lat": 50.4574, "lon": 2.7937},
        "producers": [{"id": f, "name": f.replace("-", " ").title()} for f in farms],
        "offers": offers, "grammages": grammages, "canteens": cants, "meal_orders": meal_orders,
        "relay_points": rps, "basket_types": BASKET_TYPES, "basket_orders": basket_orders,
        "targets": {"maternelle": 1.0, "foyer": 0.15},
    }


DEMO = {"producers": 5, "products": 14, "canteens": 6, "relay_points": 10, "days": 2}
REGIONAL = {"producers": 60, "products": 80, "canteens": 100, "relay_points": 200, "days": 4}
