"""Input and output of the portioning solver: frozen dataclasses, no framework.

Quantities are in the product's unit (`Product.unit`; `Product.unit_kg` converts one unit to
kilograms, 1.0 for products sold by the kg), money in euros, days as ISO dates (strings, compared
as strings only). `PortioningInput.from_dict` reads the week scenario JSON of SCENARIO.md (extra
keys are ignored); `PortioningResult.to_dict` gives the plan keys of SCENARIO.md (`allocations`,
`shortfalls`, `targets`, `baskets`, `solver.portioning`).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from orders.errors import InvalidInput
from orders.grammage import Grammage

CANTEEN_KINDS = ("maternelle", "elementaire", "foyer")


@dataclass(frozen=True, slots=True)
class Product:
    id: str
    name: str = ""
    unit: str = "kg"
    crate_kg: float = 10.0
    cold: bool = False
    category: str = ""
    unit_kg: float = 1.0  # kilograms in one unit (e.g. 0.06 for an egg sold by the piece)


@dataclass(frozen=True, slots=True)
class Offer:
    """Weekly offer: `quantity` units of `product`, sold in whole lots of `lot` units.

    Available on every delivery day of the week unless `days` lists some; the quantity is for the
    whole week, shared between days.
    """

    producer: str
    product: str
    quantity: float
    unit_price: float
    lot: float = 1.0
    id: str = ""
    days: tuple[str, ...] | None = None

    @property
    def lots(self) -> int:
        """Whole lots on offer (a remainder smaller than one lot is never allocated)."""
        return int(self.quantity / self.lot + 1e-9) if self.lot > 0 else 0

    def available_on(self, day: str) -> bool:
        return self.days is None or day in self.days


@dataclass(frozen=True, slots=True)
class Canteen:
    id: str
    kind: str  # maternelle | elementaire | foyer
    name: str = ""


@dataclass(frozen=True, slots=True)
class MealLine:
    product: str
    meals: tuple[tuple[str, int], ...]  # (age_group, eaters), sorted
    use: str = ""


@dataclass(frozen=True, slots=True)
class MealOrder:
    canteen: str
    day: str
    lines: tuple[MealLine, ...]


@dataclass(frozen=True, slots=True)
class RelayPoint:
    id: str
    name: str = ""


@dataclass(frozen=True, slots=True)
class BasketType:
    """A basket: ~`target_kg` and ~`price` euros (each within ± `tolerance`), at least
    `min_products` distinct products, none above `max_share` of the target weight; a product
    counts only with at least `min_item_kg` per basket."""

    id: str
    price: float
    target_kg: float
    min_products: int = 1
    max_share: float | None = None
    tolerance: float = 0.1
    min_item_kg: float = 0.25
    name: str = ""


@dataclass(frozen=True, slots=True)
class BasketOrder:
    relay_point: str
    day: str
    basket_type: str
    count: int


@dataclass(frozen=True, slots=True)
class PortioningInput:
    products: tuple[Product, ...]
    offers: tuple[Offer, ...]
    grammages: tuple[Grammage, ...] = ()
    canteens: tuple[Canteen, ...] = ()
    meal_orders: tuple[MealOrder, ...] = ()
    relay_points: tuple[RelayPoint, ...] = ()
    basket_types: tuple[BasketType, ...] = ()
    basket_orders: tuple[BasketOrder, ...] = ()
    targets: tuple[tuple[str, float], ...] = ()  # (canteen kind, share of its ordered kg)
    week: str = ""

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> PortioningInput:
        """Build from a week scenario dict (SCENARIO.md). Optional extras: product `unit_kg`,
        `category`; offer `id`, `days`; grammage and meal line `use`; basket type `max_share`,
        `tolerance`, `min_item_kg`."""
        try:
            return _from_dict(d)
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidInput(f"malformed scenario: {exc!r}", f"scénario mal formé : {exc!r}") from exc

    def to_dict(self) -> dict[str, Any]:
        return {
            "week": self.week,
            "products": [_plain(p) for p in self.products],
            "offers": [{**_plain(o), "days": list(o.days) if o.days is not None else None}
                       for o in self.offers],
            "grammages": [{"product": g.product, "age_group": g.age_group, "grams": g.grams,
                           "yield": g.yield_ratio, "use": g.use} for g in self.grammages],
            "canteens": [_plain(c) for c in self.canteens],
            "meal_orders": [{"canteen": m.canteen, "day": m.day, "lines": [
                {"product": ln.product, "meals": dict(ln.meals), "use": ln.use} for ln in m.lines]}
                for m in self.meal_orders],
            "relay_points": [_plain(r) for r in self.relay_points],
            "basket_types": [_plain(b) for b in self.basket_types],
            "basket_orders": [_plain(b) for b in self.basket_orders],
            "targets": dict(self.targets),
        }


def _plain(obj: Any) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in obj.__slots__}


def _from_dict(d: Mapping[str, Any]) -> PortioningInput:
    products = tuple(
        Product(
            id=p["id"], name=p.get("name", p["id"]), unit=p.get("unit", "kg"),
            crate_kg=float(p.get("crate_kg", 10.0)), cold=bool(p.get("cold", False)),
            category=p.get("category", ""), unit_kg=float(p.get("unit_kg", 1.0)),
        )
        for p in d.get("products", [])
    )
    offers = []
    for i, o in enumerate(d.get("offers", [])):
        days = o.get("days")
        offers.append(Offer(
            producer=o["producer"], product=o["product"], quantity=float(o["quantity"]),
            unit_price=float(o["unit_price"]), lot=float(o.get("lot", 1.0)),
            id=str(o.get("id") or f"{o['producer']}/{o['product']}/{i}"),
            days=tuple(sorted(days)) if days is not None else None,
        ))
    grammages = tuple(
        Grammage(g["product"], g["age_group"], float(g["grams"]), float(g.get("yield", 1.0)),
                 g.get("use", ""))
        for g in d.get("grammages", [])
    )
    canteens = tuple(Canteen(c["id"], c["kind"], c.get("name", "")) for c in d.get("canteens", []))
    meal_orders = tuple(
        MealOrder(m["canteen"], str(m["day"]), tuple(
            MealLine(ln["product"], tuple(sorted((k, int(v)) for k, v in ln["meals"].items())),
                     ln.get("use", ""))
            for ln in m.get("lines", [])))
        for m in d.get("meal_orders", [])
    )
    relay_points = tuple(RelayPoint(r["id"], r.get("name", "")) for r in d.get("relay_points", []))
    basket_types = tuple(
        BasketType(
            id=b["id"], price=float(b["price"]), target_kg=float(b["target_kg"]),
            min_products=int(b.get("min_products", 1)),
            max_share=float(b["max_share"]) if b.get("max_share") is not None else None,
            tolerance=float(b.get("tolerance", 0.1)), min_item_kg=float(b.get("min_item_kg", 0.25)),
            name=b.get("name", ""),
        )
        for b in d.get("basket_types", [])
    )
    basket_orders = tuple(
        BasketOrder(b["relay_point"], str(b["day"]), b["basket_type"], int(b["count"]))
        for b in d.get("basket_orders", [])
    )
    targets = tuple(sorted((k, float(v)) for k, v in (d.get("targets") or {}).items()))
    return PortioningInput(products, tuple(offers), grammages, canteens, meal_orders, relay_points,
                           basket_types, basket_orders, targets, str(d.get("week", "")))


# ---------------------------------------------------------------- output


@dataclass(frozen=True, slots=True)
class Allocation:
    """Whole lots of one offer to one consumer (canteen or relay point) on one day."""

    producer: str
    product: str
    consumer: str
    day: str
    quantity: float  # product unit, = lots × offer lot
    crates: int  # ceil(quantity × unit_kg / crate_kg)
    unit_price: float
    offer: str = ""
    lots: int = 0
    consumer_kind: str = "canteen"  # canteen | relay_point


@dataclass(frozen=True, slots=True)
class Shortfall:
    consumer: str
    product: str  # product id; for a basket shortfall, the basket type id
    day: str
    missing: float  # product unit; number of baskets for a basket shortfall
    reason: str  # no_offer | exhausted_by_priority | lot_size | supply_short | basket_rules
    text: str  # French explanation
    unit: str = "kg"
    basket_type: str | None = None
    target_kind: str | None = None  # the policy target this shortfall touches, if any


@dataclass(frozen=True, slots=True)
class TargetOutcome:
    kind: str
    target: float
    ordered_kg: float
    served_kg: float
    served: float  # share of ordered kg served
    missing_kg: float  # max(0, target × ordered − served)


@dataclass(frozen=True, slots=True)
class BasketPlan:
    relay_point: str
    day: str
    basket_type: str
    count: int  # baskets composed (≤ ordered)
    ordered: int
    contents: tuple[tuple[str, float], ...]  # (product, quantity per basket)
    weight_kg: float  # per basket
    value_eur: float  # per basket at reference prices


@dataclass(frozen=True, slots=True)
class LevelOutcome:
    name: str
    status: str  # OPTIMAL | FEASIBLE | ...
    objective: float
    bound: float
    seconds: float

    @property
    def gap(self) -> float:
        return abs(self.bound - self.objective) / max(1.0, abs(self.objective))


@dataclass(frozen=True, slots=True)
class PortioningResult:
    status: str  # OPTIMAL if every level is proven optimal, FEASIBLE otherwise
    objective: tuple[float, ...]  # one value per level, in level order
    seconds: float
    allocations: tuple[Allocation, ...] = ()
    shortfalls: tuple[Shortfall, ...] = ()
    targets: tuple[TargetOutcome, ...] = ()
    baskets: tuple[BasketPlan, ...] = ()
    levels: tuple[LevelOutcome, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return {
            "allocations": [_plain(a) for a in self.allocations],
            "shortfalls": [_plain(s) for s in self.shortfalls],
            "targets": {t.kind: {"target": t.target, "served": t.served, "missing_kg": t.missing_kg,
                                 "ordered_kg": t.ordered_kg, "served_kg": t.served_kg}
                        for t in self.targets},
            "baskets": [{"relay_point": b.relay_point, "day": b.day, "basket_type": b.basket_type,
                         "count": b.count, "ordered": b.ordered,
                         "contents": [{"product": p, "quantity": q} for p, q in b.contents],
                         "weight_kg": b.weight_kg, "value_eur": b.value_eur} for b in self.baskets],
            "solver": {"portioning": {
                "status": self.status, "objective": list(self.objective), "seconds": self.seconds,
                "levels": [{**_plain(lv), "gap": lv.gap} for lv in self.levels]}},
        }
