"""The plan of a week, typed: what SCENARIO.md calls "The plan (output)".

The pipeline (`app/planning/pipeline.py`) returns a `Plan`; it is stored as its JSON
(`Plan.to_dict`) in the plan version's row and read back with `Plan.from_dict` by the API, the
pages and the documents (`reports/from_plan.py`): nobody reads the plan as a dict by key.
`consumer` and `site` are the scenario's ids; `quantity` is in the product's unit.

Plans stored before a field existed read back with that field's default.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from orders import contract
from orders.contract import Json, meta, pairs


@dataclass(frozen=True, slots=True)
class Allocation:
    """Part of the whole lots of one offer taken on one day, for one consumer (canteen or relay point)."""

    producer: str
    product: str
    consumer: str
    day: str
    quantity: float  # product unit
    crates: int = 0  # ceil(quantity × unit_kg / crate_kg)
    unit_price: float = 0.0
    offer: str = ""
    lots: float = 0.0
    consumer_kind: str = field(default="canteen", metadata=meta(enum=["canteen", "relay_point"]))
    pinned: bool = False


@dataclass(frozen=True, slots=True)
class Shortfall:
    """What a consumer ordered and did not get, with its reason (a code) and a French text."""

    consumer: str
    product: str  # product id; for a basket shortfall, the basket type id
    day: str
    missing: float  # product unit; baskets for a basket shortfall
    reason: str
    text: str = ""
    unit: str = "kg"
    basket_type: str | None = None
    target_kind: str | None = None
    tier: str | None = None


@dataclass(frozen=True, slots=True)
class TargetOutcome:
    target: float
    served: float
    missing_kg: float = 0.0
    ordered_kg: float = 0.0
    served_kg: float = 0.0


@dataclass(frozen=True, slots=True)
class BasketItem:
    product: str
    quantity: float  # per basket, product unit


@dataclass(frozen=True, slots=True)
class BasketVariant:
    """Baskets of a relay point made by another recipe than the day's first: a second full recipe
    from what the first left, or a reduced basket down to the basket type's floor rules."""

    count: int
    contents: tuple[BasketItem, ...] = ()
    weight_kg: float = 0.0  # per basket
    value_eur: float = 0.0  # per basket
    price_eur: float | None = None  # a reduced basket's price, scaled to its weight
    why: str | None = None


@dataclass(frozen=True, slots=True)
class BasketPlan:
    """A relay point's baskets of one type on one day: `count` in all, `full_count` of them by the
    day's recipe (`contents`), the rest by `second` and `reduced`."""

    relay_point: str
    day: str
    basket_type: str
    count: int
    ordered: int = 0
    contents: tuple[BasketItem, ...] = ()
    weight_kg: float = 0.0  # per basket
    value_eur: float = 0.0  # per basket
    full_count: int | None = None  # None in plans made before the variants: all `count` are full
    second: BasketVariant | None = None
    reduced: BasketVariant | None = None

    @property
    def first_count(self) -> int:
        return self.full_count if self.full_count is not None else self.count


@dataclass(frozen=True, slots=True)
class Unsold:
    """Stock left at a farm, with the named rule that left it there."""

    producer: str
    product: str
    quantity: float
    reason: str
    day: str | None = None  # None: unsold on every day of the week
    reason_fr: str = ""
    text: str = ""
    offer: str = ""
    kg: float = 0.0


@dataclass(frozen=True, slots=True)
class PinOutcome:
    """What became of a hand-set pin (or forbid): honoured or why not, and what it cost the others."""

    kind: str  # pin | forbid
    consumer: str
    product: str
    day: str
    honoured: bool
    quantity: float = 0.0
    producer: str | None = None
    reason: str = ""
    text: str = ""
    cost: Json | None = None


@dataclass(frozen=True, slots=True)
class Drop:
    product: str
    quantity: float
    crates: int = 0
    cold: bool = False


@dataclass(frozen=True, slots=True)
class Visit:
    """One stop of a round: a delivery to a consumer or a pickup at a farm."""

    site: str
    arrival: str
    departure: str
    stop: str = ""
    name: str = ""
    kind: str = "delivery"
    load_kg: float = 0.0
    crates: int = 0
    drops: tuple[Drop, ...] = ()


@dataclass(frozen=True, slots=True)
class Round:
    vehicle: str
    day: str
    start: str
    end: str
    id: str = ""
    driver: str | None = None
    km: float = 0.0
    minutes: float = 0.0
    cost: float = 0.0
    stops: tuple[Visit, ...] = ()
    locked: bool = False

    @property
    def deliveries(self) -> tuple[Visit, ...]:
        return tuple(v for v in self.stops if v.kind != "pickup")


@dataclass(frozen=True, slots=True)
class Unserved:
    """A stop no round could visit, why (a code and French text), and the smallest change that
    would serve it when one was found."""

    site: str
    day: str
    reason: str
    reason_fr: str = ""
    stop: str = ""
    way_out: str | None = None
    way_out_fr: str | None = None


@dataclass(frozen=True, slots=True)
class Collection:
    """Goods of a collected farm fetched before the delivery day (not by the delivering round)."""

    for_day: str
    producer: str
    product: str
    quantity: float
    when: str = ""


@dataclass(frozen=True, slots=True)
class Totals:
    km: float = 0.0
    minutes: float = 0.0
    cost: float = 0.0


ROUTING_KEYS = ("rounds", "unserved", "collections", "totals")


@dataclass(frozen=True, slots=True)
class Plan:
    """A week's plan; rounds, unserved, collections and totals are empty until it is routed."""

    week: str
    allocations: tuple[Allocation, ...] = ()
    shortfalls: tuple[Shortfall, ...] = ()
    targets: pairs(TargetOutcome) = ()
    baskets: tuple[BasketPlan, ...] = ()
    unsold: tuple[Unsold, ...] = ()
    pins: tuple[PinOutcome, ...] = ()
    fairness: Json | None = None
    policy: Json | None = None
    rounds: tuple[Round, ...] = ()
    unserved: tuple[Unserved, ...] = ()
    collections: tuple[Collection, ...] = ()
    totals: Totals = Totals()
    solver: Json | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Plan:
        return contract.from_dict(cls, data)

    def to_dict(self) -> dict[str, Any]:
        return contract.to_dict(self)

    def replace(self, **changes: Any) -> Plan:
        return replace(self, **changes)

    @property
    def routed(self) -> bool:
        return bool(self.rounds or self.unserved)

    def target(self, kind: str) -> TargetOutcome | None:
        return dict(self.targets).get(kind)

    def portioning_dict(self) -> dict[str, Any]:
        """The portioning part only (what `GET /weeks/{week}/portioning` shows): no routing keys."""
        solver = self.solver if isinstance(self.solver, Mapping) else {}
        out = {k: v for k, v in self.to_dict().items() if k not in ROUTING_KEYS}
        out["solver"] = {"portioning": solver.get("portioning")}
        return out


def plan_schema() -> dict[str, Any]:
    """The JSON Schema of a plan (for the OpenAPI document and for clients)."""
    return contract.json_schema(Plan, "Terril week plan", "https://terril.example/schemas/plan.schema.json")
