"""Import and export the week scenario (orders/scenario.py, docs/SCENARIO.md) to and from the database.

`import_scenario` upserts the reference data (territory, sites, products, grammages, vehicles,
basket types) and replaces the week's offers and orders with the scenario's; it is how the demo is
loaded and how a what-if week is brought in. `export_scenario` reads the same typed `Scenario`
back, and is what the planner feeds to the pure solvers, so a stored week and a scenario file take
one path. The mapping between table columns and the scenario's fields is written here only.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from sqlmodel import Session, delete, select

from app.models import (
    AllocationPin,
    BasketOrder,
    BasketType,
    Grammage,
    MealOrder,
    Offer,
    Product,
    Site,
    Territory,
    User,
    Vehicle,
    Week,
)
from app.services import audit, corrections, weeks
from orders import contract
from orders import scenario as S
from orders.contract import default_of
from orders.errors import InvalidInput


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:64] or "territoire"


def _upsert(session: Session, model, key, **values):
    row = session.get(model, key)
    if row is None:
        row = model(id=key, **values)
    else:
        for name, value in values.items():
            setattr(row, name, value)
    session.add(row)
    return row


def _place(place: S.Producer | S.Canteen | S.RelayPoint | S.Hub) -> dict[str, Any]:
    window = getattr(place, "window", None) or (None, None)
    return {"name": place.name or place.id, "address": place.address, "commune": place.commune,
            "phone": getattr(place, "phone", None), "notes": getattr(place, "notes", None),
            "lat": place.lat, "lon": place.lon, "window_start": window[0], "window_end": window[1],
            "service_min": getattr(place, "service_min", default_of(S.Canteen, "service_min"))}


def import_scenario(session: Session, data: S.Scenario | Mapping[str, Any], user: User | None = None,
                    state: str = "closed") -> Week:
    """Load a scenario into the database; the week ends in `state` (the demo is ready to plan).
    A document is validated first (`InvalidScenario` names the JSON path of each error)."""
    scenario = data if isinstance(data, S.Scenario) else S.Scenario.from_dict(data)
    territory_id = scenario.territory_id or slugify(scenario.territory)
    terr = session.get(Territory, territory_id) or Territory(id=territory_id, name=scenario.territory)
    terr.name = scenario.territory
    terr.road_factor = scenario.road_factor
    terr.speed_kmh = scenario.speed_kmh
    terr.targets = dict(scenario.targets)
    terr.schedule = dict(scenario.schedule or terr.schedule or {})
    if scenario.policy is not None and contract.to_dict(scenario.policy) != terr.policy:
        terr.policy = contract.to_dict(scenario.policy)
        terr.policy_version += 1
    session.add(terr)
    session.flush()

    _upsert(session, Site, scenario.hub.id, territory_id=territory_id, kind="hub", **_place(scenario.hub))
    for p in scenario.products:
        _upsert(session, Product, p.id, name=p.name or p.id, unit=p.unit, unit_kg=p.unit_kg,
                category=p.category or None, crate_kg=p.crate_kg, cold=p.cold)
    for producer in scenario.producers:
        _upsert(session, Site, producer.id, territory_id=territory_id, kind="producer", collect=producer.collect,
                **_place(producer))
    for canteen in scenario.canteens:
        _upsert(session, Site, canteen.id, territory_id=territory_id, kind="canteen", canteen_kind=canteen.kind,
                siret=canteen.siret, **_place(canteen))
    for relay in scenario.relay_points:
        _upsert(session, Site, relay.id, territory_id=territory_id, kind="relay", **_place(relay))
    for b in scenario.basket_types:
        _upsert(session, BasketType, b.id, name=b.name or b.id, price_eur=b.price, target_kg=b.target_kg,
                min_products=b.min_products, max_share=b.max_share, tolerance=b.tolerance,
                min_item_kg=b.min_item_kg)
    session.flush()
    for g in scenario.grammages:
        row = session.exec(select(Grammage).where(Grammage.product_id == g.product,
                                                  Grammage.age_group == g.age_group)).first()
        row = row or Grammage(product_id=g.product, age_group=g.age_group, grams=0)
        row.grams = g.grams
        row.yield_ratio = g.yield_ratio
        row.source = g.source or g.use or None
        session.add(row)
    for v in scenario.vehicles:
        weekdays = sorted({date.fromisoformat(d).isoweekday() for d in v.days or ()})
        _upsert(session, Vehicle, v.id, territory_id=territory_id, name=v.name or v.id,
                capacity_kg=v.capacity_kg, capacity_crates=v.capacity_crates, cold=v.cold,
                shift_start=v.shift[0], shift_end=v.shift[1], cost_per_km=v.cost_per_km,
                cost_per_hour=v.cost_per_hour, fixed_cost_eur=v.fixed_cost, driver=v.driver, weekdays=weekdays)
    session.flush()

    week = session.exec(select(Week).where(Week.territory_id == territory_id,
                                           Week.iso_week == scenario.week)).first()
    if week is None:
        week = weeks.create_week(session, scenario.week, territory_id, user)
    for model in (Offer, BasketOrder, MealOrder, AllocationPin):
        session.exec(delete(model).where(model.week_id == week.id))
    if scenario.delivery_days:
        week.delivery_days = list(scenario.delivery_days)
    week.state = state
    week.updated_at = datetime.now(UTC)
    session.add(week)
    for o in scenario.offers:
        session.add(Offer(week_id=week.id, producer_id=o.producer, product_id=o.product, quantity=o.quantity,
                          unit_price_eur=o.unit_price, lot=o.lot))
    for b in scenario.basket_orders:
        session.add(BasketOrder(week_id=week.id, relay_point_id=b.relay_point, basket_type_id=b.basket_type,
                                day=date.fromisoformat(b.day), count=b.count))
    for m in scenario.meal_orders:
        session.add(MealOrder(week_id=week.id, canteen_id=m.canteen, day=date.fromisoformat(m.day),
                              lines=[{"product": line.product, "meals": dict(line.meals),
                                      **({"use": line.use} if line.use else {})} for line in m.lines]))
    for pin in scenario.pins:
        session.add(AllocationPin(week_id=week.id, consumer_id=pin.consumer, product=pin.product,
                                  day=date.fromisoformat(pin.day), quantity=pin.quantity, producer_id=pin.producer,
                                  forbid=pin.forbid, created_by=user.name if user else "import",
                                  created_at=datetime.now(UTC)))
    session.flush()
    audit.record(session, user, "week", week.iso_week, "import", None,
                 {"offers": len(scenario.offers), "basket_orders": len(scenario.basket_orders),
                  "meal_orders": len(scenario.meal_orders)}, week.id)
    return week


def _window(site: Site) -> tuple[str, str] | None:
    return (site.window_start, site.window_end) if site.window_start and site.window_end else None


def _common(site: Site) -> dict[str, Any]:
    return {"id": site.id, "name": site.name, "lat": site.lat, "lon": site.lon, "address": site.address,
            "commune": site.commune}


def _local(site: Site) -> dict[str, Any]:
    return {**_common(site), "window": _window(site), "service_min": site.service_min, "phone": site.phone,
            "notes": site.notes}


def export_scenario(session: Session, week: Week) -> S.Scenario:
    """The week as a typed scenario, sorted so the same database gives the same scenario."""
    terr = session.get(Territory, week.territory_id)
    sites = session.exec(select(Site).where(Site.territory_id == terr.id).order_by(Site.id)).all()
    hub = next((s for s in sites if s.kind == "hub"), None)
    if hub is None:
        raise InvalidInput("The territory has no hub.", "Le territoire n'a pas de plateforme (hub).", "hub")
    offers = session.exec(select(Offer).where(Offer.week_id == week.id).order_by(Offer.producer_id,
                                                                                 Offer.product_id)).all()
    basket_orders = session.exec(select(BasketOrder).where(BasketOrder.week_id == week.id).order_by(
        BasketOrder.day, BasketOrder.relay_point_id, BasketOrder.basket_type_id)).all()
    meal_orders = session.exec(select(MealOrder).where(MealOrder.week_id == week.id).order_by(
        MealOrder.day, MealOrder.canteen_id)).all()
    products = session.exec(select(Product).order_by(Product.id)).all()
    vehicles = session.exec(select(Vehicle).where(Vehicle.territory_id == terr.id).order_by(Vehicle.id)).all()
    days = sorted(set(week.delivery_days) | {o.day.isoformat() for o in basket_orders}
                  | {o.day.isoformat() for o in meal_orders})
    return S.Scenario(
        territory=terr.name, territory_id=terr.id, week=week.iso_week,
        hub=S.Hub(**_common(hub)), road_factor=terr.road_factor, speed_kmh=terr.speed_kmh,
        products=tuple(S.Product(id=p.id, name=p.name, unit=p.unit, unit_kg=p.unit_kg, crate_kg=p.crate_kg,
                                 cold=p.cold, category=p.category or "") for p in products),
        producers=tuple(S.Producer(**_local(s), collect=s.collect) for s in sites if s.kind == "producer"),
        offers=tuple(S.Offer(producer=o.producer_id, product=o.product_id, quantity=o.quantity,
                             unit_price=o.unit_price_eur, lot=o.lot, id=f"{o.producer_id}/{o.product_id}/{i}")
                     for i, o in enumerate(offers)),
        grammages=tuple(S.Grammage(product=g.product_id, age_group=g.age_group, grams=g.grams,
                                   yield_ratio=g.yield_ratio, source=g.source)
                        for g in session.exec(select(Grammage).order_by(Grammage.product_id, Grammage.age_group))),
        canteens=tuple(S.Canteen(**_local(s), kind=s.canteen_kind, siret=s.siret) for s in sites
                       if s.kind == "canteen"),
        meal_orders=tuple(S.MealOrder(canteen=o.canteen_id, day=o.day.isoformat(), lines=tuple(
            S.MealLine(product=line["product"], meals=tuple(sorted((k, int(v)) for k, v in line["meals"].items())),
                       use=line.get("use", "")) for line in o.lines)) for o in meal_orders),
        relay_points=tuple(S.RelayPoint(**_local(s)) for s in sites if s.kind == "relay"),
        basket_types=tuple(S.BasketType(id=b.id, name=b.name, price=b.price_eur, target_kg=b.target_kg,
                                        min_products=b.min_products, max_share=b.max_share,
                                        tolerance=b.tolerance, min_item_kg=b.min_item_kg)
                           for b in session.exec(select(BasketType).order_by(BasketType.id))),
        basket_orders=tuple(S.BasketOrder(relay_point=o.relay_point_id, day=o.day.isoformat(),
                                          basket_type=o.basket_type_id, count=o.count) for o in basket_orders),
        vehicles=tuple(S.Vehicle(id=v.id, name=v.name, capacity_kg=v.capacity_kg,
                                 capacity_crates=v.capacity_crates, cold=v.cold, shift=(v.shift_start, v.shift_end),
                                 days=tuple(d for d in days if not v.weekdays
                                            or date.fromisoformat(d).isoweekday() in v.weekdays),
                                 driver=v.driver, cost_per_km=v.cost_per_km, cost_per_hour=v.cost_per_hour,
                                 fixed_cost=v.fixed_cost_eur) for v in vehicles),
        targets=tuple(sorted((k, float(v)) for k, v in (terr.targets or {}).items())),
        policy=corrections.policy_of(terr),
        pins=corrections.scenario_pins(session, week),
    )
