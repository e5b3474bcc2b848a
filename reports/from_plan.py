"""Build every document's view model from the typed plan and the typed week — no dict read by key.

Inputs (plain data, no database): a `orders.plan.Plan` and the `orders.scenario.Scenario` it was
made from (sites with their addresses, windows and coordinates; products with their unit,
`unit_kg` and crate; offers for prices and lots; basket types for names and prices).
:func:`documents_from_plan` builds the whole week's set at once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from orders.plan import Plan
from orders.scenario import Offer, Product, Scenario
from reports.delivery_note import BasketComposition, BasketItem, DeliveryNote, NoteLine
from reports.pick_list import PickDestination, PickLine, PickList
from reports.render import hhmm, to_minutes
from reports.route_sheet import Depot, Drop, RouteSheet, RouteStop
from reports.summary import (
    KIND_ORDER,
    ProducerKilos,
    RoundTotal,
    ShortfallRow,
    TargetResult,
    TierFairness,
    UnsoldRow,
    WeeklySummary,
    reason_label,
    tier_label,
)


@dataclass(frozen=True, slots=True)
class SiteInfo:
    """What a document prints of a place."""

    name: str
    kind: str  # hub | farm | maternelle | elementaire | foyer | relay
    address: str = ""
    phone: str = ""
    notes: str = ""
    lat: float | None = None
    lon: float | None = None
    window: tuple[str, str] | None = None


class Directory:
    """The scenario's places and catalogue, looked up by id."""

    def __init__(self, scenario: Scenario):
        self.scenario = scenario
        hub = scenario.hub
        self.sites: dict[str, SiteInfo] = {
            hub.id: SiteInfo(hub.name or hub.id, "hub", hub.address or "", lat=hub.lat, lon=hub.lon)}
        for kind, places in (("farm", scenario.producers), (None, scenario.canteens), ("relay", scenario.relay_points)):
            for place in places:
                self.sites[place.id] = SiteInfo(
                    place.name or place.id, kind or place.kind, place.address or "", place.phone or "",
                    place.notes or "", place.lat, place.lon,
                    (hhmm(place.window[0]), hhmm(place.window[1])) if place.window else None)
        self.products: dict[str, Product] = scenario.products_by_id()
        self.offers: dict[tuple[str, str], Offer] = {(o.producer, o.product): o for o in scenario.offers}
        self.basket_types = {b.id: b for b in scenario.basket_types}
        self.vehicles = {v.id: v for v in scenario.vehicles}

    def site(self, site_id: str) -> SiteInfo:
        return self.sites.get(site_id) or SiteInfo(site_id, "")

    def name(self, site_id: str) -> str:
        return self.site(site_id).name

    def product(self, product_id: str) -> tuple[str, str, bool]:
        product = self.products.get(product_id)
        if product is None:
            return product_id, "kg", False
        return product.name or product.id, product.unit, product.cold

    def kg(self, product_id: str, quantity: float) -> float:
        product = self.products.get(product_id)
        return quantity * (product.unit_kg if product else 1.0)

    def unit_price(self, producer: str, product: str) -> float:
        offer = self.offers.get((producer, product))
        return offer.unit_price if offer else 0.0

    def vehicle_name(self, vehicle_id: str) -> str:
        vehicle = self.vehicles.get(vehicle_id)
        return (vehicle.name or vehicle.id) if vehicle else vehicle_id

    def hub(self) -> Depot:
        hub = self.site(self.scenario.hub.id)
        return Depot(name=hub.name, address=hub.address, lat=hub.lat, lon=hub.lon)


# ---------------------------------------------------------------------------------------------
# builders, one per document
# ---------------------------------------------------------------------------------------------

def route_sheets(plan: Plan, directory: Directory) -> tuple[RouteSheet, ...]:
    """One :class:`RouteSheet` per round of the plan, sorted by day then vehicle."""
    sheets = []
    for number, rnd in enumerate(plan.rounds, start=1):
        stops = []
        for sequence, stop in enumerate(rnd.stops, start=1):
            site = directory.site(stop.site)
            merged: dict[str, list[float]] = {}  # one line per product, whoever grew it
            for drop in stop.drops:
                entry = merged.setdefault(drop.product, [0.0, 0])
                entry[0] += drop.quantity
                entry[1] += drop.crates
            drops = []
            for product_id, (qty, crates) in merged.items():
                name, unit, cold = directory.product(product_id)
                drops.append(Drop(name, round(qty, 3), unit, int(crates), cold))
            stops.append(RouteStop(
                sequence=sequence, name=stop.name or site.name, eta=stop.arrival, departure=stop.departure,
                address=site.address, window=site.window, phone=site.phone, notes=site.notes,
                kind="pickup" if stop.kind == "pickup" else site.kind, lat=site.lat, lon=site.lon,
                drops=tuple(drops)))
        sheets.append(RouteSheet(
            day=rnd.day, vehicle=rnd.vehicle, driver=rnd.driver or "", departure=to_minutes(rnd.start),
            return_time=to_minutes(rnd.end), stops=tuple(stops), hub=directory.hub(), km=rnd.km,
            duration_min=rnd.minutes, week=plan.week, round_id=rnd.id or f"{rnd.day}-{rnd.vehicle}-{number}",
            vehicle_name=directory.vehicle_name(rnd.vehicle)))
    return tuple(sorted(sheets, key=lambda s: (str(s.day), s.vehicle, s.round_id)))


def pick_lists(plan: Plan, directory: Directory,
               changes: Mapping[tuple[str, str], tuple[str, ...]] | None = None) -> tuple[PickList, ...]:
    """One :class:`PickList` per producer × delivery day with something allocated; `changes`:
    (producer, day) → the French "was → is" lines of a new version."""
    hub = directory.hub()
    first_departure: dict[str, int] = {}
    for rnd in plan.rounds:
        start = to_minutes(rnd.start)
        first_departure[rnd.day] = min(start, first_departure.get(rnd.day, start))
    pickups: dict[tuple[str, str], list[str]] = defaultdict(list)  # (farm, day) → "HH:MM (van)"
    for rnd in plan.rounds:
        for stop in rnd.stops:
            if stop.kind == "pickup":
                pickups[(stop.site, rnd.day)].append(f"{stop.arrival} ({directory.vehicle_name(rnd.vehicle)})")
    day_before = {(c.producer, c.for_day): c.when or "la veille" for c in plan.collections}
    grouped: dict[tuple[str, str], dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for alloc in plan.allocations:
        grouped[(alloc.producer, alloc.day)][alloc.product].append(alloc)
    result = []
    for (producer, day), by_product in sorted(grouped.items()):
        lines = []
        for product_id, allocs in sorted(by_product.items(), key=lambda kv: directory.product(kv[0])[0]):
            name, unit, cold = directory.product(product_id)
            per_consumer: dict[str, list[float]] = defaultdict(lambda: [0.0, 0])
            for alloc in allocs:
                entry = per_consumer[alloc.consumer]
                entry[0] += alloc.quantity
                entry[1] += alloc.crates
            destinations = tuple(
                PickDestination(directory.name(cid), qty, int(crates), directory.site(cid).kind)
                for cid, (qty, crates) in sorted(per_consumer.items(), key=lambda kv: directory.name(kv[0])))
            offer = directory.offers.get((producer, product_id))
            lines.append(PickLine(
                product=name, quantity=sum(d.quantity for d in destinations), unit=unit,
                crates=sum(d.crates for d in destinations), lot=offer.lot if offer else None, cold=cold,
                destinations=destinations))
        drop_off = _drop_off(hub, first_departure.get(day), sorted(set(pickups.get((producer, day), ()))),
                             day_before.get((producer, day)))
        result.append(PickList(producer=directory.name(producer), day=day, lines=tuple(lines), week=plan.week,
                               changes=(changes or {}).get((producer, day), ()), drop_off=drop_off, site_id=producer))
    return tuple(result)


def _drop_off(hub: Depot | None, departure: int | None, pickups: list[str], day_before: str | None) -> str:
    """Where and when the crates leave the farm: collected by a round, the day before, or brought
    to the hub before the first departure."""
    if pickups or day_before:
        parts = []
        if pickups:
            parts.append("enlèvement à la ferme à " + ", ".join(pickups))
        if day_before:
            parts.append(f"enlèvement à la ferme {day_before}" + (" pour le reste" if pickups else ""))
        text = " ; ".join(parts)
        return text[0].upper() + text[1:]
    if hub is None:
        return ""
    return hub.name + (f", avant {hhmm(departure)}" if departure is not None else "")


def delivery_notes(plan: Plan, directory: Directory,
                   crates_held: Mapping[str, Mapping[str, int]] | None = None,
                   changes: Mapping[tuple[str, str], tuple[str, ...]] | None = None) -> tuple[DeliveryNote, ...]:
    """One :class:`DeliveryNote` per consumer × day (allocations, and baskets for relay points);
    `crates_held`: site → crate type → the collective's crates it holds (printed on its notes)."""
    lines: dict[tuple[str, str], dict[tuple[str, str], float]] = defaultdict(lambda: defaultdict(float))
    for alloc in plan.allocations:
        lines[(alloc.consumer, alloc.day)][(alloc.product, alloc.producer)] += alloc.quantity
    baskets: dict[tuple[str, str], list[BasketComposition]] = defaultdict(list)
    for basket in plan.baskets:
        basket_type = directory.basket_types.get(basket.basket_type)
        name = (basket_type.name or basket_type.id) if basket_type else basket.basket_type
        price = basket_type.price if basket_type else None
        # one line per recipe: the day's, a second full one, a reduced one (its own price)
        for label, count, contents, each in (
                (name, basket.first_count, basket.contents, price),
                (f"{name} (seconde composition)", basket.second.count if basket.second else 0,
                 basket.second.contents if basket.second else (), price),
                (f"{name} (réduit)", basket.reduced.count if basket.reduced else 0,
                 basket.reduced.contents if basket.reduced else (),
                 basket.reduced.price_eur if basket.reduced else None)):
            if count <= 0:
                continue
            items = []
            for item in contents:
                product_name, unit, _ = directory.product(item.product)
                items.append(BasketItem(product_name, item.quantity, unit))
            baskets[(basket.relay_point, basket.day)].append(BasketComposition(
                basket_type=label, count=count, contents=tuple(items), price_eur=each))
    result = []
    for consumer, day in sorted(set(lines) | set(baskets)):
        site = directory.site(consumer)
        note_lines = []
        for (product_id, producer), qty in lines.get((consumer, day), {}).items():
            name, unit, _ = directory.product(product_id)
            note_lines.append(NoteLine(name, round(qty, 3), unit, directory.unit_price(producer, product_id),
                                       directory.name(producer)))
        note_lines.sort(key=lambda line: (line.product, line.producer))
        result.append(DeliveryNote(
            recipient=site.name, day=day, lines=tuple(note_lines),
            kind="relay" if site.kind == "relay" or (consumer, day) in baskets else "canteen",
            address=site.address, number=f"{plan.week.replace('-', '')}-{consumer}-{day.replace('-', '')[4:]}",
            baskets=tuple(sorted(baskets.get((consumer, day), ()), key=lambda b: b.basket_type)),
            week=plan.week, territory=directory.scenario.territory, site_id=consumer,
            changes=(changes or {}).get((consumer, day), ()),
            crates_held=tuple((t, n) for t, n in sorted((crates_held or {}).get(consumer, {}).items()) if n > 0)))
    return tuple(result)


def weekly_summary(plan: Plan, directory: Directory) -> WeeklySummary:
    """The coordinator's :class:`WeeklySummary` of one plan."""
    targets = tuple(
        TargetResult(kind=kind, target=t.target, served=t.served, missing_kg=t.missing_kg)
        for kind, t in sorted(plan.targets, key=lambda kv: (
            KIND_ORDER.index(kv[0]) if kv[0] in KIND_ORDER else len(KIND_ORDER), kv[0])))
    shortfalls = []
    for s in plan.shortfalls:
        if s.basket_type:  # a basket shortfall counts baskets of a basket type
            basket_type = directory.basket_types.get(s.basket_type)
            name, unit = (basket_type.name or basket_type.id) if basket_type else s.basket_type, "panier"
        else:
            name, unit, _ = directory.product(s.product)
        shortfalls.append(ShortfallRow(directory.name(s.consumer), name, s.day, s.missing, unit, s.reason,
                                       s.text or ""))
    shortfalls.sort(key=lambda r: (str(r.day), r.consumer, r.product))
    rounds = sorted((RoundTotal(r.vehicle, r.day, r.km, len(r.stops), r.minutes, r.driver or "",
                                directory.vehicle_name(r.vehicle))
                     for r in plan.rounds), key=lambda r: (str(r.day), r.vehicle))
    kilos: dict[str, float] = defaultdict(float)
    amounts: dict[str, float] = defaultdict(float)
    for alloc in plan.allocations:
        kilos[alloc.producer] += directory.kg(alloc.product, alloc.quantity)
        amounts[alloc.producer] += alloc.quantity * directory.unit_price(alloc.producer, alloc.product)
    producers = tuple(ProducerKilos(directory.name(pid), round(kg, 3), round(amounts[pid], 2))
                      for pid, kg in sorted(kilos.items(), key=lambda kv: (-kv[1], kv[0])))
    unserved = tuple((directory.name(u.site), u.day, (u.reason_fr or u.reason)
                      + (f" — pour le desservir : {u.way_out_fr}" if u.way_out_fr else "")) for u in plan.unserved)
    fairness = plan.fairness if isinstance(plan.fairness, Mapping) else {}
    tiers = tuple(TierFairness(tier_label(name), int(t.get("consumers", 0)), float(t["min"]), float(t["max"]),
                               float(t["jain"])) for name, t in (fairness.get("tiers") or {}).items())
    unsold = tuple(UnsoldRow(directory.name(u.producer), directory.product(u.product)[0], u.quantity,
                             directory.product(u.product)[1], u.day, reason_label(u.reason, u.reason_fr))
                   for u in plan.unsold)
    return WeeklySummary(week=plan.week, targets=targets, shortfalls=tuple(shortfalls), rounds=tuple(rounds),
                         producers=producers, territory=directory.scenario.territory, unserved=unserved,
                         cost_eur=plan.totals.cost if plan.routed else None, fairness=tiers,
                         bound_gap=fairness.get("bound_gap"), unsold=unsold,
                         unsold_kg=round(sum(directory.kg(u.product, u.quantity) for u in plan.unsold), 1))


def documents_from_plan(plan: Plan, scenario: Scenario,
                        crates_held: Mapping[str, Mapping[str, int]] | None = None,
                        changes: Mapping[tuple[str, str], tuple[str, ...]] | None = None) -> DocumentSet:
    """Every document view of a planned week (`crates_held`, `changes`: see :func:`delivery_notes`;
    `changes` is keyed by (site, day) for the notes and the pick lists alike)."""
    directory = Directory(scenario)
    return DocumentSet(route_sheets=route_sheets(plan, directory), pick_lists=pick_lists(plan, directory, changes),
                       delivery_notes=delivery_notes(plan, directory, crates_held, changes),
                       summary=weekly_summary(plan, directory))


@dataclass(frozen=True, slots=True)
class DocumentSet:
    """All the documents of a planned week."""

    route_sheets: tuple[RouteSheet, ...]
    pick_lists: tuple[PickList, ...]
    delivery_notes: tuple[DeliveryNote, ...]
    summary: WeeklySummary

    def route_sheets_by_day(self) -> dict[str, tuple[RouteSheet, ...]]:
        return group_by_day(self.route_sheets)


def group_by_day(sheets: Sequence[RouteSheet]) -> dict[str, tuple[RouteSheet, ...]]:
    """Route sheets grouped per day (for the one-PDF-per-day bundle)."""
    days: dict[str, list[RouteSheet]] = defaultdict(list)
    for sheet in sheets:
        days[str(sheet.day)].append(sheet)
    return {day: tuple(items) for day, items in sorted(days.items())}
