"""A deterministic demo week of the Lens-Liévin territory, as a typed scenario and plan (SCENARIO.md).

Used by the tests, the benchmark and to preview documents; it is fabricated data, not a plan from
the solver: 5 producers, 10 canteens and 6 relay points, 6 rounds over two delivery days.
"""

from __future__ import annotations

import math
import random
from typing import Any

from orders.plan import Plan
from orders.scenario import Scenario

HUB = {"id": "hub", "name": "Base 11/19", "lat": 50.4574, "lon": 2.7937,
       "address": "Rue Léon Blum, 62750 Loos-en-Gohelle", "phone": "03 21 00 11 19"}

PRODUCTS = [
    {"id": "carotte", "name": "Carotte", "unit": "kg", "crate_kg": 10, "cold": False},
    {"id": "pdt", "name": "Pomme de terre", "unit": "kg", "crate_kg": 12, "cold": False},
    {"id": "poireau", "name": "Poireau", "unit": "bunch", "crate_kg": 8, "cold": False, "unit_kg": 1.0},
    {"id": "pomme", "name": "Pomme Reinette", "unit": "kg", "crate_kg": 10, "cold": False},
    {"id": "oeufs", "name": "Œufs plein air", "unit": "dozen", "crate_kg": 6, "cold": False, "unit_kg": 0.7},
    {"id": "boeuf", "name": "Bœuf haché", "unit": "kg", "crate_kg": 8, "cold": True},
    {"id": "yaourt", "name": "Yaourt fermier", "unit": "piece", "crate_kg": 6, "cold": True, "unit_kg": 0.125},
    {"id": "endive", "name": "Endive (chicon)", "unit": "kg", "crate_kg": 5, "cold": False},
]

PRODUCERS = [
    {"id": "ferme-marais", "name": "Ferme du Marais", "lat": 50.4598, "lon": 2.8671,
     "products": ["carotte", "poireau", "endive"]},
    {"id": "gaec-terrils", "name": "GAEC des Terrils", "lat": 50.4102, "lon": 2.7412,
     "products": ["pdt", "carotte"]},
    {"id": "vergers-lievin", "name": "Vergers de Liévin", "lat": 50.4221, "lon": 2.7789,
     "products": ["pomme"]},
    {"id": "elevage-lefebvre", "name": "Élevage Lefebvre", "lat": 50.3899, "lon": 2.8102,
     "products": ["boeuf", "oeufs"]},
    {"id": "laiterie-souchez", "name": "Laiterie de Souchez", "lat": 50.3921, "lon": 2.7432,
     "products": ["yaourt"]},
]

TOWNS = [
    ("Lens", 50.4322, 2.8333), ("Liévin", 50.4230, 2.7786), ("Avion", 50.4103, 2.8336),
    ("Loos-en-Gohelle", 50.4574, 2.7937), ("Grenay", 50.4500, 2.7450), ("Éleu-dit-Leauwette", 50.4190, 2.8130),
    ("Sallaumines", 50.4170, 2.8630), ("Méricourt", 50.4020, 2.8660), ("Angres", 50.4110, 2.7560),
    ("Bully-les-Mines", 50.4430, 2.7240), ("Hulluch", 50.4850, 2.8150), ("Wingles", 50.4930, 2.8530),
    ("Vendin-le-Vieil", 50.4730, 2.8650), ("Souchez", 50.3930, 2.7430), ("Noyelles-sous-Lens", 50.4300, 2.8720),
    ("Mazingarbe", 50.4710, 2.7180),
]
STREETS = ["rue Jean Jaurès", "rue Émile Zola", "place de la République", "rue Casimir Beugnet",
           "avenue Raoul Briquet", "rue de la Fosse 3", "rue Pasteur", "cité des Provinces"]
CANTEEN_KINDS = ["maternelle"] * 6 + ["elementaire"] * 2 + ["foyer"] * 2
DAYS = ("2026-12-01", "2026-12-03")


def _hhmm(minutes: float) -> str:
    minutes = int(round(minutes))
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _km(a: dict[str, Any], b: dict[str, Any]) -> float:
    dy = (a["lat"] - b["lat"]) * 111.2
    dx = (a["lon"] - b["lon"]) * 111.2 * math.cos(math.radians(50.43))
    return math.hypot(dx, dy) * 1.3


def demo_week(stops_per_round: int | None = None, seed: int = 49) -> tuple[Scenario, Plan]:
    """``(scenario, plan)`` of the demo week; deterministic for a given seed.

    ``stops_per_round`` pads every round with extra relay stops (for long-round tests).
    """
    rng = random.Random(seed)
    canteens, relays = [], []
    for index, kind in enumerate(CANTEEN_KINDS):
        town, lat, lon = TOWNS[index]
        label = {"maternelle": "École maternelle", "elementaire": "École élémentaire",
                 "foyer": "Foyer logement"}[kind]
        canteens.append({
            "id": f"{kind[:3]}-{index + 1}", "name": f"{label} {['Les Tilleuls', 'Jules Ferry', 'Curie', 'Pasteur', 'Louise Michel', 'Les Hirondelles', 'Condorcet', 'Jean Macé', 'Résidence Les Cheminots', 'Résidence du Parc'][index]} — {town}",
            "kind": kind, "lat": lat + rng.uniform(-0.004, 0.004), "lon": lon + rng.uniform(-0.004, 0.004),
            "window": ["07:30", "09:30"] if kind != "foyer" else ["08:00", "10:30"], "service_min": 10,
            "address": f"{rng.randint(1, 120)} {rng.choice(STREETS)}, {town}",
            "phone": f"03 21 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
            "notes": rng.choice(["Entrée de service côté cour, sonner à l’office.", "Quai de livraison à gauche du portail.",
                                 "Demander la cuisinière (Mme Dupré) ; ne pas bloquer le car scolaire.", ""]),
        })
    for index in range(6):
        town, lat, lon = TOWNS[10 + index]
        relays.append({
            "id": f"rp-{index + 1}", "name": f"Point relais {['Médiathèque', 'Maison de quartier', 'Épicerie solidaire', 'Salle des fêtes', 'Centre social', 'Mairie annexe'][index]} — {town}",
            "kind": "relay", "lat": lat + rng.uniform(-0.003, 0.003), "lon": lon + rng.uniform(-0.003, 0.003),
            "window": ["16:00", "18:30"], "service_min": 8,
            "address": f"{rng.randint(1, 80)} {rng.choice(STREETS)}, {town}",
            "phone": f"06 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
            "notes": "Clé au bureau d’accueil." if index % 2 else "",
        })
    offers = []
    for producer in PRODUCERS:
        for product in producer["products"]:
            offers.append({"producer": producer["id"], "product": product, "quantity": 400,
                           "unit_price": round(rng.uniform(1.2, 9.5), 2), "lot": 5})
    crate_kg = {p["id"]: p["crate_kg"] for p in PRODUCTS}
    consumers = canteens + relays
    # day 1: canteens 0-5 + relays 0-2; day 2: canteens 6-9 + relays 3-5 → 16 consumers
    schedule = {DAYS[0]: canteens[:6] + relays[:3], DAYS[1]: canteens[6:] + relays[3:]}
    allocations, baskets, rounds = [], [], []
    for day, visited in schedule.items():
        for consumer in visited:
            picked = rng.sample(offers, 4) if consumer["kind"] != "relay" else offers[:5]
            for offer in picked:
                quantity = 5 * rng.randint(2, 8)
                allocations.append({"producer": offer["producer"], "product": offer["product"],
                                    "consumer": consumer["id"], "day": day, "quantity": quantity,
                                    "crates": math.ceil(quantity / crate_kg[offer["product"]])})
            if consumer["kind"] == "relay":
                baskets.append({"relay_point": consumer["id"], "day": day, "basket_type": "petit",
                                "count": rng.randint(8, 20),
                                "contents": [{"product": "carotte", "quantity": 1.0},
                                             {"product": "pdt", "quantity": 1.5},
                                             {"product": "pomme", "quantity": 1.0},
                                             {"product": "oeufs", "quantity": 0.5}]})
        groups = [visited[0:3], visited[3:6], visited[6:9]]
        for number, group in enumerate(groups, start=1):
            if stops_per_round and len(group) < stops_per_round:
                group = group + [dict(relays[i % len(relays)], id=relays[i % len(relays)]["id"])
                                 for i in range(stops_per_round - len(group))]
            clock, here, km = 6 * 60 + 30 + (number - 1) * 15, HUB, 0.0
            if group and group[0]["kind"] == "relay":
                clock = 15 * 60 + 20
            start = clock
            stops = []
            for consumer in group:
                leg = _km(here, consumer)
                km += leg
                clock += leg / 40 * 60
                opens = int(consumer["window"][0][:2]) * 60 + int(consumer["window"][0][3:])
                clock = max(clock, opens) if len(stops) == 0 else clock
                drops = [{"product": a["product"], "quantity": a["quantity"], "crates": a["crates"]}
                         for a in allocations if a["consumer"] == consumer["id"] and a["day"] == day]
                stops.append({"site": consumer["id"], "name": consumer["name"], "arrival": _hhmm(clock),
                              "departure": _hhmm(clock + consumer["service_min"]),
                              "load_kg": float(sum(d["quantity"] for d in drops)),
                              "crates": sum(d["crates"] for d in drops), "drops": drops})
                clock += consumer["service_min"]
                here = consumer
            km += _km(here, HUB)
            clock += _km(here, HUB) / 40 * 60
            rounds.append({"vehicle": f"van-{number}", "day": day,
                           "driver": ["Jérôme Lefèvre", "Françoise Debœuf", "Kévin Dąbrowski"][number - 1],
                           "start": _hhmm(start), "end": _hhmm(clock), "km": round(km, 1), "stops": stops})
    shortfalls = [
        {"consumer": "foy-9", "product": "boeuf", "day": DAYS[1], "missing": 6.5,
         "reason": "offre insuffisante (Élevage Lefebvre : 0 kg restant)"},
        {"consumer": "rp-4", "product": "endive", "day": DAYS[1], "missing": 12.0,
         "reason": "priorité aux maternelles"},
    ]
    scenario = {
        "territory": "Lens-Liévin", "week": "2026-W49", "hub": HUB, "road_factor": 1.3, "speed_kmh": 40,
        "products": PRODUCTS, "producers": [{k: v for k, v in p.items() if k != "products"} for p in PRODUCERS],
        "offers": offers, "grammages": [], "canteens": canteens, "meal_orders": [], "relay_points": relays,
        "basket_types": [{"id": "petit", "price": 12.0, "target_kg": 4.0, "min_products": 4}],
        "basket_orders": [], "vehicles": [], "targets": {"maternelle": 1.0, "foyer": 0.15},
    }
    plan = {
        "week": "2026-W49", "allocations": allocations, "shortfalls": shortfalls,
        "targets": {"maternelle": {"target": 1.0, "served": 1.0, "missing_kg": 0.0},
                    "foyer": {"target": 0.15, "served": 0.12, "missing_kg": 6.5}},
        "baskets": baskets, "rounds": rounds, "unserved": [],
        "totals": {"km": round(sum(r["km"] for r in rounds), 1),
                   "minutes": 0, "cost": round(sum(r["km"] for r in rounds) * 0.45, 2)},
        "solver": {},
    }
    del consumers
    return Scenario.from_dict(scenario), Plan.from_dict(plan)
