"""Build every document's view model from the plan JSON of SCENARIO.md — plain dicts in, views out.

Inputs (all plain data, no database):

* ``plan`` — the plan dict (``allocations``, ``shortfalls``, ``targets``, ``baskets``, ``rounds``,
  ``unserved``, ``totals``, ``week``).
* ``sites`` — ``{site_id: {"name", "address", "phone", "notes", "lat", "lon", "kind",
  "window": ["07:30", "09:30"]}}``; every key optional but ``name``.  ``kind`` is ``hub``,
  ``farm``, ``maternelle``/``elementaire``/``foyer`` (canteens) or ``relay``.
* ``products`` — ``{product_id: {"name", "unit", "cold", "crate_kg", "kg_per_unit"}}`` (optional;
  the id stands in for a missing name, ``kg`` for a missing unit).
* ``offers`` — the scenario's offers list (``producer``, ``product``, ``unit_price``, ``lot``), for
  prices and lot sizes (optional).
* ``basket_types`` — the scenario's basket types list (``id``, ``price``…) (optional).

:func:`catalogues_from_scenario` turns a scenario dict into the last four;
:func:`documents_from_plan` builds the whole week's set at once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from reports.delivery_note import BasketComposition, BasketItem, DeliveryNote, NoteLine
from reports.pick_list import PickDestination, PickLine, PickList
from reports.render import hhmm, to_minutes
from reports.route_sheet import Depot, Drop, RouteSheet, RouteStop
from reports.summary import KIND_ORDER, ProducerKilos, RoundTotal, ShortfallRow, TargetResult, WeeklySummary

Sites = Mapping[str, Mapping[str, Any]]
Products = Mapping[str, Mapping[str, Any]]

RELAY_KINDS = ("relay", "relay_point")


@dataclass(frozen=True, slots=True)
class Catalogues:
    """The lookup tables the documents need beside the plan."""

    sites: Sites
    products: Products
    offers: tuple[Mapping[str, Any], ...] = ()
    basket_types: tuple[Mapping[str, Any], ...] = ()
    territory: str = ""


@dataclass(frozen=True, slots=True)
class DocumentSet:
    """All the documents of a planned week."""

    route_sheets: tuple[RouteSheet, ...]
    pick_lists: tuple[PickList, ...]
    delivery_notes: tuple[DeliveryNote, ...]
    summary: WeeklySummary

    def route_sheets_by_day(self) -> dict[str, tuple[RouteSheet, ...]]:
        return group_by_day(self.route_sheets)


# ---------------------------------------------------------------------------------------------
# small lookups
# ---------------------------------------------------------------------------------------------

def _site(sites: Sites, site_id: str) -> Mapping[str, Any]:
    return sites.get(site_id) or {"name": site_id}


def _name(sites: Sites, site_id: str) -> str:
    return str(_site(sites, site_id).get("name") or site_id)


def _product(products: Products | None, product_id: str) -> tuple[str, str, bool]:
    info = (products or {}).get(product_id) or {}
    return str(info.get("name") or product_id), str(info.get("unit") or "kg"), bool(info.get("cold", False))


def _float(value: Any) -> float | None:
    return None if value is None or value == "" else float(value)


def _window(site: Mapping[str, Any]) -> tuple[str, str] | None:
    window = site.get("window")
    if window and len(window) == 2:
        return (hhmm(window[0]), hhmm(window[1]))
    return None


def _clock(value: Any) -> tuple[int | None, str | None]:
    """A round's ``start``/``end``: ``"06:30"``, minutes, or ``{"site": …, "time": …}``."""
    if isinstance(value, Mapping):
        return to_minutes(value.get("time") or value.get("at")), value.get("site")
    if isinstance(value, (int, float)):
        return int(value), None
    if isinstance(value, str) and ":" in value:
        return to_minutes(value), None
    if isinstance(value, str) and value:
        return None, value
    return None, None


def _hub(sites: Sites, hub_id: str | None) -> Depot | None:
    if hub_id is None:
        hub_id = next((sid for sid, s in sorted(sites.items()) if s.get("kind") == "hub"), None)
    if hub_id is None:
        return None
    site = _site(sites, hub_id)
    return Depot(
        name=str(site.get("name") or hub_id),
        address=str(site.get("address") or ""),
        lat=_float(site.get("lat")),
        lon=_float(site.get("lon")),
    )


def _price_and_lot(offers: Iterable[Mapping[str, Any]]) -> dict[tuple[str, str], Mapping[str, Any]]:
    return {(str(o["producer"]), str(o["product"])): o for o in offers}


def _kg(products: Products | None, product_id: str, quantity: float) -> float | None:
    """Quantity in kg: as is for kg products, through ``kg_per_unit`` otherwise (else ``None``)."""
    info = (products or {}).get(product_id) or {}
    unit = info.get("unit") or "kg"
    if unit == "kg":
        return float(quantity)
    per_unit = info.get("kg_per_unit")
    return float(quantity) * float(per_unit) if per_unit else None


# ---------------------------------------------------------------------------------------------
# builders, one per document
# ---------------------------------------------------------------------------------------------

def route_sheets(
    plan: Mapping[str, Any], sites: Sites, products: Products | None = None, hub_id: str | None = None
) -> tuple[RouteSheet, ...]:
    """One :class:`RouteSheet` per round of the plan, sorted by day then vehicle."""
    sheets = []
    for number, rnd in enumerate(plan.get("rounds", ()), start=1):
        start, start_site = _clock(rnd.get("start"))
        end, _ = _clock(rnd.get("end"))
        stops = []
        for sequence, stop in enumerate(rnd.get("stops", ()), start=1):
            site = _site(sites, stop["site"])
            merged: dict[str, list[float]] = {}  # one line per product, whoever grew it
            for drop in stop.get("drops", ()):
                entry = merged.setdefault(str(drop["product"]), [0.0, 0])
                entry[0] += float(drop["quantity"])
                entry[1] += int(drop.get("crates") or 0)
            drops = []
            for product_id, (qty, crates) in merged.items():
                name, unit, cold = _product(products, product_id)
                drops.append(Drop(name, round(qty, 3), unit, int(crates), cold))
            stops.append(
                RouteStop(
                    sequence=sequence,
                    name=str(stop.get("name") or site.get("name") or stop["site"]),
                    eta=stop.get("arrival") or "",
                    departure=stop.get("departure"),
                    address=str(site.get("address") or ""),
                    window=_window(site),
                    phone=str(site.get("phone") or ""),
                    notes=str(site.get("notes") or ""),
                    kind="pickup" if stop.get("kind") == "pickup" else str(site.get("kind") or ""),
                    lat=_float(site.get("lat")),
                    lon=_float(site.get("lon")),
                    drops=tuple(drops),
                )
            )
        sheets.append(
            RouteSheet(
                day=str(rnd["day"]),
                vehicle=str(rnd["vehicle"]),
                driver=str(rnd.get("driver") or ""),
                departure=start if start is not None else (stops[0].eta if stops else 0),
                return_time=end,
                stops=tuple(stops),
                hub=_hub(sites, start_site or hub_id),
                km=float(rnd.get("km") or 0.0),
                duration_min=rnd.get("minutes"),
                week=str(plan.get("week") or ""),
                round_id=str(rnd.get("id") or f"{rnd['day']}-{rnd['vehicle']}-{number}"),
            )
        )
    return tuple(sorted(sheets, key=lambda s: (str(s.day), s.vehicle, s.round_id)))


def pick_lists(
    plan: Mapping[str, Any],
    sites: Sites,
    products: Products | None = None,
    offers: Iterable[Mapping[str, Any]] = (),
    hub_id: str | None = None,
) -> tuple[PickList, ...]:
    """One :class:`PickList` per producer × delivery day with something allocated."""
    lots = _price_and_lot(offers)
    hub = _hub(sites, hub_id)
    first_departure: dict[str, int] = {}
    for rnd in plan.get("rounds", ()):
        start, _ = _clock(rnd.get("start"))
        if start is not None:
            day = str(rnd["day"])
            first_departure[day] = min(start, first_departure.get(day, start))
    pickups: dict[tuple[str, str], list[str]] = defaultdict(list)  # (farm, day) → "HH:MM (van)"
    for rnd in plan.get("rounds", ()):
        for stop in rnd.get("stops", ()):
            if stop.get("kind") == "pickup":
                pickups[(str(stop["site"]), str(rnd["day"]))].append(f"{stop.get('arrival')} ({rnd['vehicle']})")
    day_before = {(str(c["producer"]), str(c["for_day"])): str(c.get("when") or "la veille")
                  for c in plan.get("collections", ())}
    grouped: dict[tuple[str, str], dict[str, list[Mapping[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for alloc in plan.get("allocations", ()):
        grouped[(str(alloc["producer"]), str(alloc["day"]))][str(alloc["product"])].append(alloc)
    result = []
    for (producer, day), by_product in sorted(grouped.items()):
        lines = []
        for product_id, allocs in sorted(by_product.items(), key=lambda kv: _product(products, kv[0])[0]):
            name, unit, cold = _product(products, product_id)
            per_consumer: dict[str, list[float]] = defaultdict(lambda: [0.0, 0])
            for alloc in allocs:
                entry = per_consumer[str(alloc["consumer"])]
                entry[0] += float(alloc["quantity"])
                entry[1] += int(alloc.get("crates") or 0)
            destinations = tuple(
                PickDestination(_name(sites, cid), qty, int(crates), str(_site(sites, cid).get("kind") or ""))
                for cid, (qty, crates) in sorted(per_consumer.items(), key=lambda kv: _name(sites, kv[0]))
            )
            offer = lots.get((producer, product_id)) or {}
            lines.append(
                PickLine(
                    product=name,
                    quantity=sum(d.quantity for d in destinations),
                    unit=unit,
                    crates=sum(d.crates for d in destinations),
                    lot=_float(offer.get("lot")),
                    cold=cold,
                    destinations=destinations,
                )
            )
        drop_off = _drop_off(hub, first_departure.get(day), sorted(set(pickups.get((producer, day), ()))),
                             day_before.get((producer, day)))
        result.append(
            PickList(
                producer=_name(sites, producer),
                day=day,
                lines=tuple(lines),
                week=str(plan.get("week") or ""),
                drop_off=drop_off,
            )
        )
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


def delivery_notes(
    plan: Mapping[str, Any],
    sites: Sites,
    products: Products | None = None,
    offers: Iterable[Mapping[str, Any]] = (),
    basket_types: Iterable[Mapping[str, Any]] = (),
    territory: str = "",
) -> tuple[DeliveryNote, ...]:
    """One :class:`DeliveryNote` per consumer × day (allocations, and baskets for relay points)."""
    prices = _price_and_lot(offers)
    basket_prices = {str(b["id"]): _float(b.get("price")) for b in basket_types}
    lines: dict[tuple[str, str], dict[tuple[str, str], float]] = defaultdict(lambda: defaultdict(float))
    for alloc in plan.get("allocations", ()):
        key = (str(alloc["consumer"]), str(alloc["day"]))
        lines[key][(str(alloc["product"]), str(alloc["producer"]))] += float(alloc["quantity"])
    baskets: dict[tuple[str, str], list[BasketComposition]] = defaultdict(list)
    for basket in plan.get("baskets", ()):
        items = []
        for item in basket.get("contents", ()):
            name, unit, _ = _product(products, item["product"])
            items.append(BasketItem(name, float(item["quantity"]), unit))
        baskets[(str(basket["relay_point"]), str(basket["day"]))].append(
            BasketComposition(
                basket_type=str(basket["basket_type"]),
                count=int(basket.get("count") or 0),
                contents=tuple(items),
                price_eur=basket_prices.get(str(basket["basket_type"])),
            )
        )
    week = str(plan.get("week") or "")
    result = []
    for consumer, day in sorted(set(lines) | set(baskets)):
        site = _site(sites, consumer)
        note_lines = []
        for (product_id, producer), qty in lines.get((consumer, day), {}).items():
            name, unit, _ = _product(products, product_id)
            offer = prices.get((producer, product_id)) or {}
            note_lines.append(
                NoteLine(name, round(qty, 3), unit, float(offer.get("unit_price") or 0.0), _name(sites, producer))
            )
        note_lines.sort(key=lambda line: (line.product, line.producer))
        kind = str(site.get("kind") or "")
        result.append(
            DeliveryNote(
                recipient=_name(sites, consumer),
                day=day,
                lines=tuple(note_lines),
                kind="relay" if kind in RELAY_KINDS or (consumer, day) in baskets else "canteen",
                address=str(site.get("address") or ""),
                number=f"{week.replace('-', '')}-{consumer}-{day.replace('-', '')[4:]}",
                baskets=tuple(sorted(baskets.get((consumer, day), ()), key=lambda b: b.basket_type)),
                week=week,
                territory=territory,
            )
        )
    return tuple(result)


def weekly_summary(
    plan: Mapping[str, Any],
    sites: Sites,
    products: Products | None = None,
    offers: Iterable[Mapping[str, Any]] = (),
    territory: str = "",
) -> WeeklySummary:
    """The coordinator's :class:`WeeklySummary` of one plan."""
    prices = _price_and_lot(offers)
    targets = tuple(
        TargetResult(
            kind=str(kind),
            target=float(t.get("target") or 0.0),
            served=float(t.get("served") or 0.0),
            missing_kg=float(t.get("missing_kg") or 0.0),
        )
        for kind, t in sorted(
            (plan.get("targets") or {}).items(),
            key=lambda kv: (KIND_ORDER.index(kv[0]) if kv[0] in KIND_ORDER else len(KIND_ORDER), kv[0]),
        )
    )
    shortfalls = []
    for s in plan.get("shortfalls", ()):
        name, unit, _ = _product(products, s["product"])
        shortfalls.append(
            ShortfallRow(_name(sites, s["consumer"]), name, str(s["day"]), float(s["missing"]), unit,
                         str(s.get("reason") or ""))
        )
    shortfalls.sort(key=lambda r: (str(r.day), r.consumer, r.product))
    rounds = []
    for rnd in plan.get("rounds", ()):
        start, _ = _clock(rnd.get("start"))
        end, _ = _clock(rnd.get("end"))
        minutes = rnd.get("minutes", end - start if start is not None and end is not None else None)
        rounds.append(
            RoundTotal(str(rnd["vehicle"]), str(rnd["day"]), float(rnd.get("km") or 0.0),
                       len(rnd.get("stops", ())), minutes, str(rnd.get("driver") or ""))
        )
    rounds.sort(key=lambda r: (str(r.day), r.vehicle))
    kilos: dict[str, float] = defaultdict(float)
    amounts: dict[str, float] = defaultdict(float)
    for alloc in plan.get("allocations", ()):
        producer, product_id, qty = str(alloc["producer"]), str(alloc["product"]), float(alloc["quantity"])
        kilos[producer] += _kg(products, product_id, qty) or 0.0
        amounts[producer] += qty * float((prices.get((producer, product_id)) or {}).get("unit_price") or 0.0)
    producers = tuple(
        ProducerKilos(_name(sites, pid), round(kg, 3), round(amounts[pid], 2) if prices else None)
        for pid, kg in sorted(kilos.items(), key=lambda kv: (-kv[1], kv[0]))
    )
    unserved = tuple(
        (_name(sites, u["site"]), str(u["day"]), str(u.get("reason") or "")) for u in plan.get("unserved", ())
    )
    totals = plan.get("totals") or {}
    return WeeklySummary(
        week=str(plan.get("week") or ""),
        targets=targets,
        shortfalls=tuple(shortfalls),
        rounds=tuple(rounds),
        producers=producers,
        territory=territory,
        unserved=unserved,
        cost_eur=_float(totals.get("cost")),
    )


# ---------------------------------------------------------------------------------------------
# from a scenario file
# ---------------------------------------------------------------------------------------------

def catalogues_from_scenario(scenario: Mapping[str, Any], extra_sites: Sites | None = None) -> Catalogues:
    """The site directory and product catalogue found in a scenario dict (SCENARIO.md).

    ``extra_sites`` (addresses, phones, access notes the scenario does not carry) are merged over
    what the scenario says, key by key.
    """
    sites: dict[str, dict[str, Any]] = {}
    hub = scenario.get("hub")
    if hub:
        sites[str(hub["id"])] = {**hub, "kind": "hub"}
    for producer in scenario.get("producers", ()):
        sites[str(producer["id"])] = {**producer, "kind": producer.get("kind", "farm")}
    for canteen in scenario.get("canteens", ()):
        sites[str(canteen["id"])] = dict(canteen)
    for relay in scenario.get("relay_points", ()):
        sites[str(relay["id"])] = {**relay, "kind": "relay"}
    for site_id, extra in (extra_sites or {}).items():
        sites[str(site_id)] = {**sites.get(str(site_id), {}), **extra}
    products = {str(p["id"]): dict(p) for p in scenario.get("products", ())}
    return Catalogues(
        sites=sites,
        products=products,
        offers=tuple(scenario.get("offers", ())),
        basket_types=tuple(scenario.get("basket_types", ())),
        territory=str(scenario.get("territory") or ""),
    )


def documents_from_plan(plan: Mapping[str, Any], catalogues: Catalogues) -> DocumentSet:
    """Every document view of a planned week."""
    sites, products = catalogues.sites, catalogues.products
    return DocumentSet(
        route_sheets=route_sheets(plan, sites, products),
        pick_lists=pick_lists(plan, sites, products, catalogues.offers),
        delivery_notes=delivery_notes(
            plan, sites, products, catalogues.offers, catalogues.basket_types, catalogues.territory
        ),
        summary=weekly_summary(plan, sites, products, catalogues.offers, catalogues.territory),
    )


def group_by_day(sheets: Sequence[RouteSheet]) -> dict[str, tuple[RouteSheet, ...]]:
    """Route sheets grouped per day (for the one-PDF-per-day bundle)."""
    days: dict[str, list[RouteSheet]] = defaultdict(list)
    for sheet in sheets:
        days[str(sheet.day)].append(sheet)
    return {day: tuple(items) for day, items in sorted(days.items())}
