"""The week as one typed document: the exchange format of docs/SCENARIO.md.

Every reader and writer of a week goes through these frozen dataclasses — the scenario file
(`flask scenario run`), the database export (`app/services/scenario.py`), the portioning solver
(which takes a `Scenario` as its input), the stop builder (`app/planning/stops.py`) and the
documents. Each default is written once, here, on its field; the JSON Schema shipped as
`orders/data/scenario.schema.json` is generated from these types (`python -m orders.scenario`)
and a test keeps the shipped file equal to the generated one.

Units: quantities in the product's unit (`Product.unit`; `unit_kg` converts one unit to
kilograms), weights `*_kg`, money in euros, times "HH:MM" local (Europe/Paris), days ISO dates.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from orders import contract
from orders.contract import Json, meta, pairs
from orders.errors import InvalidInput
from orders.vocabulary import AGE_GROUPS, CANTEEN_KINDS, PRODUCT_UNITS

SCHEMA_PATH = Path(__file__).parent / "data" / "scenario.schema.json"
SCHEMA_ID = "https://terril.example/schemas/scenario.schema.json"

HHMM = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"
ISO_DAY = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
ISO_WEEK = r"^[0-9]{4}-W[0-9]{2}$"
ID = r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$"
_WINDOW = {"override": {"anyOf": [{"type": "array", "prefixItems": [{"type": "string", "pattern": HHMM}] * 2,
                                   "minItems": 2, "maxItems": 2}, {"type": "null"}],
                        "description": "[opening, closing] local times HH:MM"}}
_SHIFT = {"override": {"type": "array", "prefixItems": [{"type": "string", "pattern": HHMM}] * 2,
                       "minItems": 2, "maxItems": 2, "default": ["06:30", "13:00"]}}
_DAYS = {"override": {"anyOf": [{"type": "array", "items": {"type": "string", "pattern": ISO_DAY}},
                                {"type": "null"}]}}


def _id(**extra: Any) -> Any:
    return field(metadata=meta(pattern=ID, max_length=64, **extra))


def _ref(**extra: Any) -> Any:
    return field(metadata=meta(min_length=1, max_length=64, **extra))


def _hhmm_to_min(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


# ---------------------------------------------------------------- places


@dataclass(frozen=True, slots=True)
class Hub:
    """The territory's platform, where rounds start and end."""

    id: str = _id()
    name: str = ""
    lat: float | None = field(default=None, metadata=meta())
    lon: float | None = None
    address: str | None = None
    commune: str | None = None


@dataclass(frozen=True, slots=True)
class Producer:
    """A farm. `collect`: the collective fetches its goods (otherwise the farm brings them to the hub)."""

    id: str = _id()
    name: str = ""
    lat: float | None = None
    lon: float | None = None
    window: tuple[str, str] | None = field(default=None, metadata={"schema": _WINDOW})
    service_min: int = field(default=10, metadata=meta(minimum=0, maximum=240))
    collect: bool = False
    address: str | None = None
    commune: str | None = None
    phone: str | None = None
    notes: str | None = None


@dataclass(frozen=True, slots=True)
class Canteen:
    """A school canteen or an elderly residence; `kind` decides its tier in the policy."""

    id: str = _id()
    kind: str = field(metadata=meta(enum=list(CANTEEN_KINDS)))
    name: str = ""
    lat: float | None = None
    lon: float | None = None
    window: tuple[str, str] | None = field(default=None, metadata={"schema": _WINDOW})
    service_min: int = field(default=10, metadata=meta(minimum=0, maximum=240))
    address: str | None = None
    commune: str | None = None
    phone: str | None = None
    notes: str | None = None
    siret: str | None = field(default=None, metadata=meta(pattern=r"^[0-9]{14}$"))  # for Ma Cantine


@dataclass(frozen=True, slots=True)
class RelayPoint:
    """A relay point where households collect their baskets."""

    id: str = _id()
    name: str = ""
    lat: float | None = None
    lon: float | None = None
    window: tuple[str, str] | None = field(default=None, metadata={"schema": _WINDOW})
    service_min: int = field(default=10, metadata=meta(minimum=0, maximum=240))
    address: str | None = None
    commune: str | None = None
    phone: str | None = None
    notes: str | None = None


# ---------------------------------------------------------------- catalogue and market


@dataclass(frozen=True, slots=True)
class Product:
    """A product sold in `unit`; `unit_kg` kilograms in one unit (0.06 for an egg sold by the piece)."""

    id: str = _id()
    name: str = ""
    unit: str = field(default="kg", metadata=meta(enum=list(PRODUCT_UNITS)))
    unit_kg: float = field(default=1.0, metadata=meta(exclusive_minimum=0))
    crate_kg: float = field(default=10.0, metadata=meta(exclusive_minimum=0))
    cold: bool = False
    category: str = ""


@dataclass(frozen=True, slots=True)
class Offer:
    """`quantity` units of `product` for the week, sold in whole lots of `lot` units; available on
    every delivery day unless `days` lists some (the quantity is shared between the days)."""

    producer: str = _ref()
    product: str = _ref()
    quantity: float = field(metadata=meta(minimum=0))
    unit_price: float = field(metadata=meta(minimum=0))
    lot: float = field(default=1.0, metadata=meta(exclusive_minimum=0))
    id: str = ""
    days: tuple[str, ...] | None = field(default=None, metadata={"schema": _DAYS})

    @property
    def lots(self) -> int:
        """Whole lots on offer (a remainder smaller than one lot is never allocated)."""
        return int(self.quantity / self.lot + 1e-9) if self.lot > 0 else 0

    def available_on(self, day: str) -> bool:
        return self.days is None or day in self.days


@dataclass(frozen=True, slots=True)
class Grammage:
    """Net grams served per eater of `age_group`; `yield` the raw-to-net ratio (peeling losses)."""

    product: str = _ref()
    age_group: str = field(metadata=meta(enum=list(AGE_GROUPS)))
    grams: float = field(metadata=meta(exclusive_minimum=0, maximum=2000))
    yield_ratio: float = field(default=1.0, metadata=meta(json="yield", exclusive_minimum=0, maximum=1))
    use: str = ""
    source: str | None = None


@dataclass(frozen=True, slots=True)
class MealLine:
    product: str = _ref()
    meals: pairs(int) = field(metadata=meta(property_names={"enum": list(AGE_GROUPS)}))
    use: str = ""


@dataclass(frozen=True, slots=True)
class MealOrder:
    canteen: str = _ref()
    day: str = field(metadata=meta(pattern=ISO_DAY))
    lines: tuple[MealLine, ...] = ()


@dataclass(frozen=True, slots=True)
class BasketType:
    """A basket: about `target_kg` and `price` euros (each within ± `tolerance`), at least
    `min_products` distinct products, none above `max_share` of the weight; a product counts only
    with at least `min_item_kg` per basket."""

    id: str = _id()
    price: float = field(metadata=meta(minimum=0))
    target_kg: float = field(metadata=meta(exclusive_minimum=0))
    name: str = ""
    min_products: int = field(default=4, metadata=meta(minimum=1))
    max_share: float | None = field(default=0.4, metadata=meta())
    tolerance: float = field(default=0.1, metadata=meta(minimum=0, maximum=0.5))
    min_item_kg: float = field(default=0.25, metadata=meta(minimum=0))
    floor_min_products: int | None = field(default=None, metadata=meta(minimum=1))
    floor_kg: float | None = field(default=None, metadata=meta(exclusive_minimum=0))

    @property
    def floor(self) -> tuple[int, float]:
        """The floor rules of a reduced basket, made when the full rules cannot be met: at least
        `floor_min_products` distinct products (default half of `min_products`, at least 2) and
        `floor_kg` kilograms (default half of `target_kg`), price scaled to the weight; never above
        the full rules."""
        products = self.floor_min_products
        if products is None:
            products = max(2, self.min_products // 2) if self.min_products > 1 else 1
        kg = self.floor_kg if self.floor_kg is not None else 0.5 * self.target_kg
        return min(products, self.min_products), min(kg, self.target_kg)


@dataclass(frozen=True, slots=True)
class BasketOrder:
    relay_point: str = _ref()
    day: str = field(metadata=meta(pattern=ISO_DAY))
    basket_type: str = _ref()
    count: int = field(metadata=meta(minimum=0))


# ---------------------------------------------------------------- allocation policy and hand corrections


@dataclass(frozen=True, slots=True)
class PolicyTier:
    """Consumers served before the next tier, up to `target` (a share of what each one ordered:
    kilograms for a canteen, baskets for a relay point): by canteen kind (`maternelle`,
    `elementaire`, `foyer`, or `relay_point` for every relay point) and/or by site id. A consumer
    belongs to the first tier naming its site id, else the first naming its kind."""

    name: str = _ref()
    target: float = field(default=0.0, metadata=meta(minimum=0, maximum=1))
    kinds: tuple[str, ...] = ()
    sites: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Policy:
    """Ordered tiers; after their targets, the rest is shared by max–min fill rate across every
    consumer still short, whatever its tier. Absent from a scenario: tiers from `targets` by share
    descending, and `DEFAULT_TARGETS` when there are none."""

    tiers: tuple[PolicyTier, ...] = ()


DEFAULT_TARGETS = (("maternelle", 1.0), ("foyer", 0.15))


@dataclass(frozen=True, slots=True)
class Pin:
    """A hand correction of the allocation. A pin forces `quantity` of `product` (from `producer`
    when given) to `consumer` on `day`; for a relay point `product` is a basket type and `quantity`
    a number of baskets. With `forbid`, the consumer gets none of the product that day (none of that
    producer's, when given; a relay point: no basket holding it)."""

    consumer: str = _ref()
    product: str = _ref()
    day: str = field(metadata=meta(pattern=ISO_DAY))
    quantity: float = field(default=0.0, metadata=meta(minimum=0))
    producer: str | None = None
    forbid: bool = False


# ---------------------------------------------------------------- fleet


@dataclass(frozen=True, slots=True)
class Vehicle:
    """A van and its driver's shift; it runs on `days` (every delivery day when absent). Cost of a
    round: `fixed_cost` + `cost_per_km` × km + `cost_per_hour` × hours."""

    id: str = _id()
    capacity_kg: float = field(metadata=meta(exclusive_minimum=0))
    capacity_crates: int = field(metadata=meta(minimum=1))
    name: str = ""
    cold: bool = False
    shift: tuple[str, str] = field(default=("06:30", "13:00"), metadata={"schema": _SHIFT})
    days: tuple[str, ...] | None = field(default=None, metadata={"schema": _DAYS})
    driver: str | None = None
    cost_per_km: float = field(default=0.35, metadata=meta(minimum=0))
    cost_per_hour: float = field(default=25.0, metadata=meta(minimum=0))
    fixed_cost: float = field(default=50.0, metadata=meta(minimum=0))

    def runs_on(self, day: str) -> bool:
        return self.days is None or not self.days or day in self.days


# ---------------------------------------------------------------- the week


@dataclass(frozen=True, slots=True)
class Scenario:
    """One week of one territory: who offers what, who orders what, where everybody is, which vans run."""

    territory: str = field(metadata=meta(min_length=1))
    week: str = field(metadata=meta(pattern=ISO_WEEK))
    hub: Hub
    road_factor: float = field(default=1.3, metadata=meta(minimum=1, maximum=3))
    speed_kmh: float = field(default=40.0, metadata=meta(exclusive_minimum=0, maximum=130))
    products: tuple[Product, ...] = ()
    producers: tuple[Producer, ...] = ()
    offers: tuple[Offer, ...] = ()
    grammages: tuple[Grammage, ...] = ()
    canteens: tuple[Canteen, ...] = ()
    meal_orders: tuple[MealOrder, ...] = ()
    relay_points: tuple[RelayPoint, ...] = ()
    basket_types: tuple[BasketType, ...] = ()
    basket_orders: tuple[BasketOrder, ...] = ()
    vehicles: tuple[Vehicle, ...] = ()
    targets: pairs(float) = field(default=(), metadata=meta(property_names={"enum": list(CANTEEN_KINDS)}))
    policy: Policy | None = None
    pins: tuple[Pin, ...] = ()
    territory_id: str | None = None
    schedule: Json | None = None

    # ---- reading and writing

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Scenario:
        """Validate a scenario document against the JSON Schema and its references, then build it.
        Raises `InvalidScenario` listing every error with its JSON path."""
        errors = schema_errors(data)
        if errors:
            raise InvalidScenario(errors)
        scenario = contract.from_dict(cls, data)
        scenario = scenario.replace(offers=tuple(
            o if o.id else replace(o, id=f"{o.producer}/{o.product}/{i}") for i, o in enumerate(scenario.offers)))
        errors = scenario.reference_errors()
        if errors:
            raise InvalidScenario(errors)
        return scenario

    def to_dict(self) -> dict[str, Any]:
        return contract.to_dict(self)

    def replace(self, **changes: Any) -> Scenario:
        return replace(self, **changes)

    # ---- look-ups used by the solvers

    @property
    def delivery_days(self) -> tuple[str, ...]:
        return tuple(sorted({o.day for o in self.meal_orders} | {o.day for o in self.basket_orders}))

    def product(self, product_id: str) -> Product:
        return self._index("products")[product_id]

    def consumer(self, consumer_id: str) -> Canteen | RelayPoint:
        return {**self._index("canteens"), **self._index("relay_points")}[consumer_id]

    def products_by_id(self) -> dict[str, Product]:
        return dict(self._index("products"))

    def consumers_by_id(self) -> dict[str, Canteen | RelayPoint]:
        return {**self._index("canteens"), **self._index("relay_points")}

    def producers_by_id(self) -> dict[str, Producer]:
        return dict(self._index("producers"))

    def _index(self, name: str) -> dict[str, Any]:
        return {item.id: item for item in getattr(self, name)}

    def reference_errors(self) -> list[str]:
        """Ids that point nowhere, and duplicate ids, each with its JSON path."""
        errors = []
        for name in ("products", "producers", "canteens", "relay_points", "basket_types", "vehicles"):
            seen: set[str] = set()
            for i, item in enumerate(getattr(self, name)):
                if item.id in seen:
                    errors.append(f"$.{name}[{i}].id: duplicate id {item.id!r}")
                seen.add(item.id)
        products, producers = self._index("products"), self._index("producers")
        canteens, relays, types = self._index("canteens"), self._index("relay_points"), self._index("basket_types")
        for i, o in enumerate(self.offers):
            if o.producer not in producers:
                errors.append(f"$.offers[{i}].producer: unknown producer {o.producer!r}")
            if o.product not in products:
                errors.append(f"$.offers[{i}].product: unknown product {o.product!r}")
        for i, g in enumerate(self.grammages):
            if g.product not in products:
                errors.append(f"$.grammages[{i}].product: unknown product {g.product!r}")
        for i, m in enumerate(self.meal_orders):
            if m.canteen not in canteens:
                errors.append(f"$.meal_orders[{i}].canteen: unknown canteen {m.canteen!r}")
            for j, line in enumerate(m.lines):
                if line.product not in products:
                    errors.append(f"$.meal_orders[{i}].lines[{j}].product: unknown product {line.product!r}")
        for i, b in enumerate(self.basket_orders):
            if b.relay_point not in relays:
                errors.append(f"$.basket_orders[{i}].relay_point: unknown relay point {b.relay_point!r}")
            if b.basket_type not in types:
                errors.append(f"$.basket_orders[{i}].basket_type: unknown basket type {b.basket_type!r}")
        for i, v in enumerate(self.vehicles):
            if _hhmm_to_min(v.shift[0]) >= _hhmm_to_min(v.shift[1]):
                errors.append(f"$.vehicles[{i}].shift: the shift ends before it starts")
        for name in ("producers", "canteens", "relay_points"):
            for i, site in enumerate(getattr(self, name)):
                if site.window and _hhmm_to_min(site.window[0]) >= _hhmm_to_min(site.window[1]):
                    errors.append(f"$.{name}[{i}].window: the window closes before it opens")
        return errors


class InvalidScenario(InvalidInput):
    """A scenario document that breaks the schema or points to unknown ids; `errors` are
    "JSON path: message" lines."""

    code = "invalid_scenario"

    def __init__(self, errors: list[str]):
        self.errors = errors
        first = errors[0].split(":", 1)[0] if errors else None
        super().__init__("Invalid scenario: " + "; ".join(errors),
                         "Scénario invalide : " + "; ".join(errors), first)


# ---------------------------------------------------------------- the JSON Schema


def generated_schema() -> dict[str, Any]:
    return contract.json_schema(Scenario, "Terril week scenario", SCHEMA_ID)


def shipped_schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def schema_errors(data: Any) -> list[str]:
    """Every schema error of a document, as "JSON path: message", sorted by path."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(_schema())
    return sorted(f"{error.json_path}: {error.message}" for error in validator.iter_errors(data))


def part_errors(type_name: str, data: Any) -> list[str]:
    """Schema errors of one part of a scenario (`"Policy"`, `"Pin"`, …) as "JSON path: message"."""
    import jsonschema

    schema = _schema()
    part = {"$schema": schema["$schema"], "$ref": f"#/$defs/{type_name}", "$defs": schema["$defs"]}
    validator = jsonschema.Draft202012Validator(part)
    return sorted(f"{error.json_path}: {error.message}" for error in validator.iter_errors(data))


def read_part(cls: type, data: Any) -> Any:
    """Validate then build one part of a scenario; `InvalidScenario` names each error's path."""
    errors = part_errors(cls.__name__, data)
    if errors:
        raise InvalidScenario(errors)
    return contract.from_dict(cls, data)


_SCHEMA: dict[str, Any] = {}


def _schema() -> dict[str, Any]:
    if not _SCHEMA:
        _SCHEMA.update(shipped_schema())
    return _SCHEMA


if __name__ == "__main__":  # regenerate the shipped schema
    SCHEMA_PATH.write_text(json.dumps(generated_schema(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(SCHEMA_PATH)
