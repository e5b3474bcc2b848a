"""Import and export the week scenario file of SCENARIO.md to and from the database.

`import_scenario` upserts the reference data (territory, sites, products, grammages, vehicles,
basket types) and replaces the week's offers and orders with the file's; it is how the demo is
loaded and how a what-if week is brought in. `export_scenario` writes the same format back, and is
what the planner feeds to the pure solvers, so a stored week and a scenario file take one path.

Extra optional fields beyond SCENARIO.md (kept on import, written on export): `address`, `phone`,
`notes`, `commune` on every site; `collect` on producers; `name`, `driver`, `cost_per_km`,
`cost_per_hour` on vehicles; `name`, `max_share`, `tolerance` on basket types; `use`, `source` on
grammages; `category` on products; `territory_id` at the top level.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session, delete, select

from app.models import (
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
from app.services import audit, weeks
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


def _window(entry: dict) -> tuple[str | None, str | None]:
    window = entry.get("window") or [None, None]
    return window[0], window[1]


def _site(session: Session, territory_id: str, entry: dict, kind: str, canteen_kind: str | None = None) -> None:
    start, end = _window(entry)
    _upsert(session, Site, entry["id"], territory_id=territory_id, kind=kind, name=entry.get("name", entry["id"]),
            canteen_kind=canteen_kind, address=entry.get("address"), commune=entry.get("commune"),
            phone=entry.get("phone"), notes=entry.get("notes"), lat=entry.get("lat"), lon=entry.get("lon"),
            window_start=start, window_end=end, service_min=int(entry.get("service_min", 10)),
            collect=bool(entry.get("collect", False)))


def import_scenario(session: Session, data: dict, user: User | None = None, state: str = "closed") -> Week:
    """Load a scenario into the database; the week ends in `state` (the demo is ready to plan)."""
    try:
        return _import(session, data, user, state)
    except KeyError as exc:
        raise InvalidInput(f"Scenario field missing: {exc.args[0]}.",
                           f"Champ manquant dans le scénario : {exc.args[0]}.", str(exc.args[0])) from exc


def _import(session: Session, data: dict, user: User | None, state: str) -> Week:
    territory_id = data.get("territory_id") or slugify(data["territory"])
    terr = session.get(Territory, territory_id) or Territory(id=territory_id, name=data["territory"])
    terr.name = data["territory"]
    terr.road_factor = float(data.get("road_factor", 1.3))
    terr.speed_kmh = float(data.get("speed_kmh", 40))
    terr.targets = dict(data.get("targets", {}))
    terr.schedule = dict(data.get("schedule", terr.schedule or {}))
    session.add(terr)
    session.flush()

    hub = data["hub"]
    _site(session, territory_id, hub, "hub")
    for product in data.get("products", []):
        _upsert(session, Product, product["id"], name=product.get("name", product["id"]),
                unit=product.get("unit", "kg"), category=product.get("category"),
                crate_kg=float(product.get("crate_kg", 10)), cold=bool(product.get("cold", False)))
    for producer in data.get("producers", []):
        _site(session, territory_id, producer, "producer")
    for canteen in data.get("canteens", []):
        _site(session, territory_id, canteen, "canteen", canteen["kind"])
    for relay in data.get("relay_points", []):
        _site(session, territory_id, relay, "relay")
    for basket in data.get("basket_types", []):
        _upsert(session, BasketType, basket["id"], name=basket.get("name", basket["id"]),
                price_eur=float(basket["price"]), target_kg=float(basket["target_kg"]),
                min_products=int(basket.get("min_products", 4)), max_share=float(basket.get("max_share", 0.4)),
                tolerance=float(basket.get("tolerance", 0.1)))
    session.flush()
    for gram in data.get("grammages", []):
        row = session.exec(select(Grammage).where(Grammage.product_id == gram["product"],
                                                  Grammage.age_group == gram["age_group"])).first()
        row = row or Grammage(product_id=gram["product"], age_group=gram["age_group"], grams=0)
        row.grams = float(gram["grams"])
        row.yield_ratio = float(gram.get("yield", 1.0))
        row.source = gram.get("source") or gram.get("use")
        session.add(row)
    for vehicle in data.get("vehicles", []):
        shift = vehicle.get("shift") or ["06:30", "13:00"]
        weekdays = sorted({date.fromisoformat(d).isoweekday() for d in vehicle.get("days", [])})
        _upsert(session, Vehicle, vehicle["id"], territory_id=territory_id, name=vehicle.get("name", vehicle["id"]),
                capacity_kg=float(vehicle["capacity_kg"]), capacity_crates=int(vehicle["capacity_crates"]),
                cold=bool(vehicle.get("cold", False)), shift_start=shift[0], shift_end=shift[1],
                cost_per_km=float(vehicle.get("cost_per_km", 0.35)),
                cost_per_hour=float(vehicle.get("cost_per_hour", 25.0)), driver=vehicle.get("driver"),
                weekdays=weekdays)
    session.flush()

    week = session.exec(select(Week).where(Week.territory_id == territory_id,
                                           Week.iso_week == data["week"])).first()
    if week is None:
        week = weeks.create_week(session, data["week"], territory_id, user)
    for model in (Offer, BasketOrder, MealOrder):
        session.exec(delete(model).where(model.week_id == week.id))
    days = sorted({o["day"] for o in data.get("meal_orders", []) + data.get("basket_orders", [])})
    if days:
        week.delivery_days = days
    week.state = state
    week.updated_at = datetime.now(UTC)
    session.add(week)
    for offer in data.get("offers", []):
        session.add(Offer(week_id=week.id, producer_id=offer["producer"], product_id=offer["product"],
                          quantity=float(offer["quantity"]), unit_price_eur=float(offer["unit_price"]),
                          lot=float(offer.get("lot", 1))))
    for order in data.get("basket_orders", []):
        session.add(BasketOrder(week_id=week.id, relay_point_id=order["relay_point"],
                                basket_type_id=order["basket_type"], day=date.fromisoformat(order["day"]),
                                count=int(order["count"])))
    for order in data.get("meal_orders", []):
        session.add(MealOrder(week_id=week.id, canteen_id=order["canteen"], day=date.fromisoformat(order["day"]),
                              lines=[{"product": line["product"], "meals": dict(line["meals"])}
                                     for line in order["lines"]]))
    session.flush()
    audit.record(session, user, "week", week.iso_week, "import", None,
                 {"offers": len(data.get("offers", [])), "basket_orders": len(data.get("basket_orders", [])),
                  "meal_orders": len(data.get("meal_orders", []))}, week.id)
    return week


def _site_dict(site: Site) -> dict:
    out = {"id": site.id, "name": site.name, "lat": site.lat, "lon": site.lon}
    if site.window_start and site.window_end:
        out["window"] = [site.window_start, site.window_end]
    out["service_min"] = site.service_min
    for key in ("address", "phone", "notes", "commune"):
        if getattr(site, key):
            out[key] = getattr(site, key)
    return out


def export_scenario(session: Session, week: Week) -> dict:
    """The week as a scenario document, sorted so the same database gives the same file."""
    terr = session.get(Territory, week.territory_id)
    sites = session.exec(select(Site).where(Site.territory_id == terr.id).order_by(Site.id)).all()
    hub = next((s for s in sites if s.kind == "hub"), None)
    if hub is None:
        raise InvalidInput("The territory has no hub.", "Le territoire n'a pas de plateforme (hub).", "hub")
    monday, _ = weeks.week_dates(week.iso_week)
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
    return {
        "territory": terr.name,
        "territory_id": terr.id,
        "week": week.iso_week,
        "hub": _site_dict(hub),
        "road_factor": terr.road_factor,
        "speed_kmh": terr.speed_kmh,
        "products": [{"id": p.id, "name": p.name, "unit": p.unit, "crate_kg": p.crate_kg, "cold": p.cold,
                      "category": p.category} for p in products],
        "producers": [{**_site_dict(s), "collect": s.collect} for s in sites if s.kind == "producer"],
        "offers": [{"producer": o.producer_id, "product": o.product_id, "quantity": o.quantity,
                    "unit_price": o.unit_price_eur, "lot": o.lot} for o in offers],
        "grammages": [{"product": g.product_id, "age_group": g.age_group, "grams": g.grams,
                       "yield": g.yield_ratio, "source": g.source}
                      for g in session.exec(select(Grammage).order_by(Grammage.product_id, Grammage.age_group))],
        "canteens": [{**_site_dict(s), "kind": s.canteen_kind} for s in sites if s.kind == "canteen"],
        "meal_orders": [{"canteen": o.canteen_id, "day": o.day.isoformat(), "lines": o.lines}
                        for o in meal_orders],
        "relay_points": [_site_dict(s) for s in sites if s.kind == "relay"],
        "basket_types": [{"id": b.id, "name": b.name, "price": b.price_eur, "target_kg": b.target_kg,
                          "min_products": b.min_products, "max_share": b.max_share, "tolerance": b.tolerance}
                         for b in session.exec(select(BasketType).order_by(BasketType.id))],
        "basket_orders": [{"relay_point": o.relay_point_id, "day": o.day.isoformat(),
                           "basket_type": o.basket_type_id, "count": o.count} for o in basket_orders],
        "vehicles": [{"id": v.id, "name": v.name, "capacity_kg": v.capacity_kg,
                      "capacity_crates": v.capacity_crates, "cold": v.cold, "shift": [v.shift_start, v.shift_end],
                      "days": [d for d in days if not v.weekdays
                               or date.fromisoformat(d).isoweekday() in v.weekdays],
                      "driver": v.driver, "cost_per_km": v.cost_per_km, "cost_per_hour": v.cost_per_hour}
                     for v in vehicles],
        "targets": dict(terr.targets),
        "_monday": (monday + timedelta(days=0)).isoformat(),
    }
