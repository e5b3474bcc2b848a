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
    """Part of the pooled lots of one offer to one consumer (canteen or relay point) on one day.

    Lots are whole per offer and day across everything the offer serves (they are pooled at the
    hub), so one line may hold part of a lot: `lots` = quantity / lot, not always whole."""

    producer: str
    product: str
    consumer: str
    day: str
    quantity: float  # product unit
    crates: int  # ceil(quantity × unit_kg / crate_kg)
    unit_price: float
    offer: str = ""
    lots: float = 0.0
    consumer_kind: str = "canteen"  # canteen | relay_point
    pinned: bool = False


@dataclass(frozen=True, slots=True)
class Shortfall:
    consumer: str
    product: str  # product id; for a basket shortfall, the basket type id
    day: str
    missing: float  # product unit; number of baskets for a basket shortfall
    reason: str  # no_offer | exhausted_by_priority | supply_short | basket_rules | lot_size | forbidden | time_limit
    text: str  # French explanation, ending with the consumer's tier
    unit: str = "kg"
    basket_type: str | None = None
    target_kind: str | None = None  # the policy tier with a target this consumer belongs to, if any
    tier: str = ""  # the consumer's tier (policy.FAIR_TIER for the shared rest)


@dataclass(frozen=True, slots=True)
class Unsold:
    """Stock left at a producer: whole lots nobody took, or the remainder smaller than one lot."""

    producer: str
    product: str
    day: str | None  # the offer's only day, or None for an offer open on several days
    quantity: float  # product unit
    reason: str  # see explain.UNSOLD_FR
    text: str  # French
    offer: str = ""
    kg: float = 0.0


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
    count: int  # baskets made, full, second recipe and reduced (≤ ordered)
    ordered: int
    contents: tuple[tuple[str, float], ...]  # (product, quantity per basket) of a full basket
    weight_kg: float  # per full basket
    value_eur: float  # per full basket at reference prices
    full_count: int = 0
    reduced_count: int = 0  # smaller baskets (floor rules), the same at every relay point that day
    reduced_contents: tuple[tuple[str, float], ...] = ()
    reduced_weight_kg: float = 0.0
    reduced_value_eur: float = 0.0
    reduced_price_eur: float = 0.0  # the basket price scaled to its weight
    second_count: int = 0  # full baskets of a second recipe, made of what the first left that day
    second_contents: tuple[tuple[str, float], ...] = ()
    second_weight_kg: float = 0.0
    second_value_eur: float = 0.0


@dataclass(frozen=True, slots=True)
class PinOutcome:
    """A pin (forced line) or forbid of the input, and what became of it."""

    kind: str  # pin | forbid
    consumer: str
    product: str
    day: str
    producer: str | None
    quantity: float
    honoured: bool
    reason: str = ""  # why not, when not honoured
    text: str = ""  # French
    cost: dict[str, float] | None = None  # what it costs the others (re-solve without it)


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
    unsold: tuple[Unsold, ...] = ()
    fairness: dict[str, Any] = field(default_factory=dict)
    policy: dict[str, Any] = field(default_factory=dict)
    pins: tuple[PinOutcome, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "allocations": [_plain(a) for a in self.allocations],
            "shortfalls": [_plain(s) for s in self.shortfalls],
            "targets": {t.kind: {"target": t.target, "served": t.served, "missing_kg": t.missing_kg,
                                 "ordered_kg": t.ordered_kg, "served_kg": t.served_kg}
                        for t in self.targets},
            "baskets": [_basket_dict(b) for b in self.baskets],
            "unsold": [{**_plain(u), "reason_fr": u.text} for u in self.unsold],
            "fairness": self.fairness,
            "policy": self.policy,
            "pins": [_plain(p) for p in self.pins],
            "solver": {"portioning": {
                "status": self.status, "objective": list(self.objective), "seconds": self.seconds,
                "levels": [{**_plain(lv), "gap": lv.gap} for lv in self.levels]}},
        }


def _basket_dict(b: BasketPlan) -> dict[str, Any]:
    out = {"relay_point": b.relay_point, "day": b.day, "basket_type": b.basket_type, "count": b.count,
           "ordered": b.ordered, "full_count": b.full_count,
           "contents": [{"product": p, "quantity": q} for p, q in b.contents],
           "weight_kg": b.weight_kg, "value_eur": b.value_eur}
    if b.second_count:
        out["second"] = {"count": b.second_count,
                         "contents": [{"product": p, "quantity": q} for p, q in b.second_contents],
                         "weight_kg": b.second_weight_kg, "value_eur": b.second_value_eur,
                         "why": "second_recipe"}
    if b.reduced_count:
        out["reduced"] = {"count": b.reduced_count,
                          "contents": [{"product": p, "quantity": q} for p, q in b.reduced_contents],
                          "weight_kg": b.reduced_weight_kg, "value_eur": b.reduced_value_eur,
                          "price_eur": b.reduced_price_eur}
    return out
