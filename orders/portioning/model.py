"""Input and output of the portioning solver: frozen dataclasses, no framework.

The input is the typed week, `orders.scenario.Scenario` (re-exported here under the name
`PortioningInput`, with its parts `Product`, `Offer`, `Canteen`, …). Quantities are in the
product's unit (`Product.unit_kg` converts one unit to kilograms), money in euros, days as ISO
dates (strings, compared as strings only). `PortioningResult.to_dict` gives the plan keys of
SCENARIO.md (`allocations`, `shortfalls`, `targets`, `baskets`, `solver.portioning`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from orders.scenario import (  # noqa: F401  (the input types, re-exported)
    BasketOrder,
    BasketType,
    Canteen,
    Grammage,
    MealLine,
    MealOrder,
    Offer,
    Product,
    RelayPoint,
    Scenario,
)
from orders.vocabulary import CANTEEN_KINDS  # noqa: F401

PortioningInput = Scenario
"""The portioning reads the typed week itself (`orders.scenario.Scenario`): one home for every field
and default; `PortioningInput.from_dict` is `Scenario.from_dict` (validated, with JSON paths)."""


def _plain(obj: Any) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in obj.__slots__}


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
