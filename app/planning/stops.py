"""From allocations to routing stops: what each consumer receives on a day, grouped by where it is
loaded.

Each consumer gets one stop per delivery day carrying everything it receives (so it is visited
by exactly one round). Goods of a farm that delivers itself to the hub leave from the hub. Goods of
farms flagged `collect`: the farm supplying the most kilograms to that stop is visited by the same
round before the delivery, where the round loads that farm's share of the stop (OR-Tools
pickup-and-delivery, `PICKUP_SERVICE_MIN` of loading per consumer; the rest of the stop's goods
leave from the hub) when its opening hours allow it that day (it opens before the consumer's
window closes); the goods of other collected farms, and those that cannot be fetched the same day
(a canteen delivered at 07:00 by a farm that opens at 13:00), are collected the afternoon before
and leave from the hub: the plan lists them in `collections`, so the coordinator sees who fetches
what and when.
"""
from __future__ import annotations

import math
from collections import defaultdict

import routing

HUB = "hub"
PICKUP_SERVICE_MIN = 5


def hhmm_to_min(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def min_to_hhmm(minutes: float) -> str:
    minutes = int(round(minutes))
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _window(entry: dict) -> routing.TimeWindow | None:
    window = entry.get("window")
    if not window:
        return None
    return routing.TimeWindow(hhmm_to_min(window[0]), hhmm_to_min(window[1]))


def _site(entry: dict) -> routing.Site:
    return routing.Site(entry["id"], entry.get("name", entry["id"]), entry.get("lat"), entry.get("lon"))


def same_day_pickup(farm: dict, consumer: dict) -> bool:
    farm_window, consumer_window = _window(farm), _window(consumer)
    if farm_window is None or consumer_window is None:
        return True
    return farm_window.start_min < consumer_window.end_min


def pickup_farms(scenario: dict, allocations: list[dict]) -> dict[tuple[str, str], str]:
    """(day, consumer) → the collected farm visited before that delivery, if any."""
    consumers = {c["id"]: c for c in scenario.get("canteens", []) + scenario.get("relay_points", [])}
    producers = {p["id"]: p for p in scenario.get("producers", [])}
    kilos: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for line in allocations:
        farm = producers.get(line["producer"], {})
        if farm.get("collect") and same_day_pickup(farm, consumers[line["consumer"]]):
            kilos[(line["day"], line["consumer"])][line["producer"]] += float(line["quantity"])
    return {key: sorted(by_farm.items(), key=lambda kv: (-kv[1], kv[0]))[0][0] for key, by_farm in kilos.items()}


def collections(scenario: dict, allocations: list[dict]) -> list[dict]:
    """Collected farms' goods not fetched by the delivering round: to collect the day before."""
    producers = {p["id"]: p for p in scenario.get("producers", [])}
    pickups = pickup_farms(scenario, allocations)
    out: dict[tuple[str, str, str], float] = defaultdict(float)
    for line in allocations:
        farm = producers.get(line["producer"], {})
        if farm.get("collect") and pickups.get((line["day"], line["consumer"])) != line["producer"]:
            out[(line["day"], line["producer"], line["product"])] += float(line["quantity"])
    return [{"for_day": day, "producer": farm, "product": product, "quantity": round(qty, 3),
             "when": "la veille, " + "–".join(producers[farm].get("window") or ["", ""])}
            for (day, farm, product), qty in sorted(out.items())]


def _drops(quantities: dict[str, float], products: dict[str, dict]) -> tuple[routing.Drop, ...]:
    """One drop per product, in whole crates (at least one)."""
    out = []
    for product_id, quantity in sorted(quantities.items()):
        product = products.get(product_id, {"crate_kg": 10, "cold": False})
        kg = quantity * float(product.get("kg_per_unit", 1.0))
        out.append(routing.Drop(product_id, round(quantity, 3), max(1, math.ceil(kg / float(product["crate_kg"]) - 1e-9)),
                                bool(product.get("cold"))))
    return tuple(out)


def _kg(drops: tuple[routing.Drop, ...], products: dict[str, dict]) -> float:
    return round(sum(d.quantity * float(products.get(d.product, {}).get("kg_per_unit", 1.0)) for d in drops), 3)


def build_problems(scenario: dict, allocations: list[dict],
                   locked: dict[str, list[tuple[str, list[str]]]] | None = None) -> list[routing.RoutingProblem]:
    """One routing problem per delivery day with something allocated. `locked`: day → the rounds
    whose order the coordinator locked, as (vehicle id, consumer ids in order)."""
    products = {p["id"]: p for p in scenario.get("products", [])}
    consumers = {c["id"]: c for c in scenario.get("canteens", []) + scenario.get("relay_points", [])}
    producers = {p["id"]: p for p in scenario.get("producers", [])}
    hub = _site(scenario["hub"])

    grouped: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    farm_goods: dict[tuple[str, str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    pickups = pickup_farms(scenario, allocations)
    for line in allocations:
        grouped[(line["day"], line["consumer"])][line["product"]] += float(line["quantity"])
        farm_goods[(line["day"], line["consumer"], line["producer"])][line["product"]] += float(line["quantity"])

    stops_by_day: dict[str, list[routing.Stop]] = defaultdict(list)
    for (day, consumer_id), quantities in sorted(grouped.items()):
        consumer = consumers[consumer_id]
        drops = _drops(quantities, products)
        pickup = None
        farm_id = pickups.get((day, consumer_id))
        if farm_id is not None:  # the round loads this farm's share at the farm, the rest at the hub
            farm = producers[farm_id]
            farm_drops = _drops(farm_goods[(day, consumer_id, farm_id)], products)
            pickup = routing.Pickup(_site(farm), PICKUP_SERVICE_MIN, _window(farm),
                                    load_kg=_kg(farm_drops, products), crates=sum(d.crates for d in farm_drops),
                                    drops=farm_drops)
        stops_by_day[day].append(routing.Stop(
            id=consumer_id, site_id=consumer_id, name=consumer.get("name", consumer_id),
            lat=consumer.get("lat"), lon=consumer.get("lon"),
            load_kg=_kg(drops, products),
            crates=sum(d.crates for d in drops), cold=any(d.cold for d in drops),
            service_min=int(consumer.get("service_min", 10)), window=_window(consumer),
            drops=tuple(drops), pickup=pickup))

    problems = []
    for day in sorted(stops_by_day):
        vehicles = tuple(
            routing.Vehicle(id=v["id"], capacity_kg=float(v["capacity_kg"]), capacity_crates=int(v["capacity_crates"]),
                            shift=routing.TimeWindow(hhmm_to_min(v.get("shift", ["06:30", "13:00"])[0]),
                                                     hhmm_to_min(v.get("shift", ["06:30", "13:00"])[1])),
                            cold=bool(v.get("cold", False)), cost_per_km=float(v.get("cost_per_km", 0.35)),
                            cost_per_hour=float(v.get("cost_per_hour", 25.0)),
                            fixed_cost=float(v.get("fixed_cost", 50.0)), driver=v.get("driver"))
            for v in sorted(scenario.get("vehicles", []), key=lambda v: v["id"])
            if not v.get("days") or day in v["days"])
        day_ids = {stop.id for stop in stops_by_day[day]}
        locks = tuple(routing.LockedRound(vehicle, tuple(i for i in ids if i in day_ids))
                      for vehicle, ids in (locked or {}).get(day, ()))
        problems.append(routing.RoutingProblem(day=day, depot=hub, stops=tuple(stops_by_day[day]),
                                               vehicles=vehicles, locked=locks))
    return problems
