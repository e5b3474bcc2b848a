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
from collections.abc import Sequence

import routing
from orders.plan import Allocation, Collection
from orders.scenario import Canteen, Hub, Producer, Product, RelayPoint, Scenario

HUB = "hub"
PICKUP_SERVICE_MIN = 5


def hhmm_to_min(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def min_to_hhmm(minutes: float) -> str:
    minutes = int(round(minutes))
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


Place = Producer | Canteen | RelayPoint


def _window(place: Place) -> routing.TimeWindow | None:
    if not place.window:
        return None
    return routing.TimeWindow(hhmm_to_min(place.window[0]), hhmm_to_min(place.window[1]))


def _site(place: Place | Hub) -> routing.Site:
    return routing.Site(place.id, place.name or place.id, place.lat, place.lon)


def same_day_pickup(farm: Producer, consumer: Canteen | RelayPoint) -> bool:
    farm_window, consumer_window = _window(farm), _window(consumer)
    if farm_window is None or consumer_window is None:
        return True
    return farm_window.start_min < consumer_window.end_min


def pickup_farms(scenario: Scenario, allocations: Sequence[Allocation]) -> dict[tuple[str, str], str]:
    """(day, consumer) → the collected farm visited before that delivery, if any."""
    consumers, producers = scenario.consumers_by_id(), scenario.producers_by_id()
    kilos: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for line in allocations:
        farm = producers.get(line.producer)
        if farm is not None and farm.collect and same_day_pickup(farm, consumers[line.consumer]):
            kilos[(line.day, line.consumer)][line.producer] += line.quantity
    return {key: sorted(by_farm.items(), key=lambda kv: (-kv[1], kv[0]))[0][0] for key, by_farm in kilos.items()}


def collections(scenario: Scenario, allocations: Sequence[Allocation]) -> tuple[Collection, ...]:
    """Collected farms' goods not fetched by the delivering round: to collect the day before."""
    producers = scenario.producers_by_id()
    pickups = pickup_farms(scenario, allocations)
    out: dict[tuple[str, str, str], float] = defaultdict(float)
    for line in allocations:
        farm = producers.get(line.producer)
        if farm is not None and farm.collect and pickups.get((line.day, line.consumer)) != line.producer:
            out[(line.day, line.producer, line.product)] += line.quantity
    return tuple(Collection(for_day=day, producer=farm, product=product, quantity=round(qty, 3),
                            when="la veille, " + "–".join(producers[farm].window or ("", "")))
                 for (day, farm, product), qty in sorted(out.items()))


def crates_for(quantity: float, product: Product) -> int:
    """Whole crates for `quantity` units of a product (at least one): its kilograms over a crate's."""
    return max(1, math.ceil(quantity * product.unit_kg / product.crate_kg - 1e-9))


def _drops(quantities: dict[str, float], products: dict[str, Product]) -> tuple[routing.Drop, ...]:
    """One drop per product, in whole crates (at least one)."""
    return tuple(routing.Drop(pid, round(qty, 3), crates_for(qty, products[pid]), products[pid].cold)
                 for pid, qty in sorted(quantities.items()))


def _kg(drops: tuple[routing.Drop, ...], products: dict[str, Product]) -> float:
    return round(sum(d.quantity * products[d.product].unit_kg for d in drops), 3)


def vehicles_of_day(scenario: Scenario, day: str) -> tuple[routing.Vehicle, ...]:
    return tuple(
        routing.Vehicle(id=v.id, capacity_kg=v.capacity_kg, capacity_crates=v.capacity_crates,
                        shift=routing.TimeWindow(hhmm_to_min(v.shift[0]), hhmm_to_min(v.shift[1])),
                        cold=v.cold, cost_per_km=v.cost_per_km, cost_per_hour=v.cost_per_hour,
                        fixed_cost=v.fixed_cost, driver=v.driver)
        for v in sorted(scenario.vehicles, key=lambda v: v.id) if v.runs_on(day))


def build_problems(scenario: Scenario, allocations: Sequence[Allocation],
                   locked: dict[str, list[tuple[str, list[str]]]] | None = None) -> list[routing.RoutingProblem]:
    """One routing problem per delivery day with something allocated. `locked`: day → the rounds
    whose order the coordinator locked, as (vehicle id, consumer ids in order)."""
    products = scenario.products_by_id()
    consumers, producers = scenario.consumers_by_id(), scenario.producers_by_id()
    hub = _site(scenario.hub)

    grouped: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    farm_goods: dict[tuple[str, str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    pickups = pickup_farms(scenario, allocations)
    for line in allocations:
        grouped[(line.day, line.consumer)][line.product] += line.quantity
        farm_goods[(line.day, line.consumer, line.producer)][line.product] += line.quantity

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
            id=consumer_id, site_id=consumer_id, name=consumer.name or consumer_id,
            lat=consumer.lat, lon=consumer.lon, load_kg=_kg(drops, products),
            crates=sum(d.crates for d in drops), cold=any(d.cold for d in drops),
            service_min=consumer.service_min, window=_window(consumer), drops=drops, pickup=pickup))

    problems = []
    for day in sorted(stops_by_day):
        day_ids = {stop.id for stop in stops_by_day[day]}
        locks = tuple(routing.LockedRound(vehicle, tuple(i for i in ids if i in day_ids))
                      for vehicle, ids in (locked or {}).get(day, ()))
        problems.append(routing.RoutingProblem(day=day, depot=hub, stops=tuple(stops_by_day[day]),
                                               vehicles=vehicles_of_day(scenario, day), locked=locks))
    return problems
