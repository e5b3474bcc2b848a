"""SQLModel tables of the weekly market: territory, sites, catalogue, fleet, weeks, offers, orders.

These are the persistence shapes only; the rules (deadlines, grammages, portioning) live in the
pure modules of `orders/` and the use cases in `app/services/`. Identifiers of reference data
(sites, products, vehicles, basket types) are short slugs (`carotte`, `ferme-du-terril`) so that a
week scenario file (SCENARIO.md) maps onto the database one to one; transactional rows (offers,
orders) get integer ids.

Units are in the column names where they are not obvious: `quantity` is in the product's unit,
`*_kg` in kilograms, `*_eur` in euros, `*_min` in minutes, windows as "HH:MM" local times.
"""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import JSON, Column, Field, SQLModel

from orders import scenario as S
from orders.contract import default_of


class Territory(SQLModel, table=True):
    """A territory shares one hub, one fleet, one cycle schedule and its policy targets."""

    id: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=200)
    timezone: str = Field(default="Europe/Paris", max_length=64)
    road_factor: float = default_of(S.Scenario, "road_factor")
    speed_kmh: float = default_of(S.Scenario, "speed_kmh")
    targets: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    schedule: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    policy: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))  # orders.scenario.Policy
    policy_version: int = 0  # bumped at every change of the policy


class Site(SQLModel, table=True):
    """A place with coordinates: hub, producer (farm), relay point or canteen."""

    id: str = Field(primary_key=True, max_length=64)
    territory_id: str = Field(foreign_key="territory.id", index=True, max_length=64)
    kind: str = Field(max_length=16)
    name: str = Field(max_length=200)
    canteen_kind: str | None = Field(default=None, max_length=16)
    address: str | None = Field(default=None, max_length=300)
    commune: str | None = Field(default=None, max_length=120)
    phone: str | None = Field(default=None, max_length=40)
    notes: str | None = Field(default=None, max_length=1000)
    lat: float | None = None
    lon: float | None = None
    window_start: str | None = Field(default=None, max_length=5)
    window_end: str | None = Field(default=None, max_length=5)
    service_min: int = default_of(S.Canteen, "service_min")
    crate_alert_threshold: int | None = None  # the coordinator is alerted when the site holds more crates
    collect: bool = False
    siret: str | None = Field(default=None, max_length=14)  # canteens: for Ma Cantine (app/interop/macantine.py)


class Product(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=200)
    unit: str = Field(default=default_of(S.Product, "unit"), max_length=16)
    category: str | None = Field(default=None, max_length=64)
    crate_kg: float = default_of(S.Product, "crate_kg")
    cold: bool = False
    unit_kg: float = default_of(S.Product, "unit_kg")  # kilograms in one unit (0.06: an egg)
    vat_rate: float = 5.5  # French VAT, % of the price before tax (food: 5.5), on DFC prices


class Grammage(SQLModel, table=True):
    """Grams served per meal of an age group, and the raw-to-served yield (peeling losses)."""

    __table_args__ = (sa.UniqueConstraint("product_id", "age_group"),)
    id: int | None = Field(default=None, primary_key=True)
    product_id: str = Field(foreign_key="product.id", index=True, max_length=64)
    age_group: str = Field(max_length=16)
    grams: float
    yield_ratio: float = 1.0
    source: str | None = Field(default=None, max_length=300)


class Vehicle(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=64)
    territory_id: str = Field(foreign_key="territory.id", index=True, max_length=64)
    name: str = Field(max_length=200)
    capacity_kg: float
    capacity_crates: int
    cold: bool = False
    shift_start: str = Field(default=default_of(S.Vehicle, "shift")[0], max_length=5)
    shift_end: str = Field(default=default_of(S.Vehicle, "shift")[1], max_length=5)
    cost_per_km: float = default_of(S.Vehicle, "cost_per_km")
    cost_per_hour: float = default_of(S.Vehicle, "cost_per_hour")
    fixed_cost_eur: float = default_of(S.Vehicle, "fixed_cost")  # per round, whatever its length
    driver: str | None = Field(default=None, max_length=200)
    driver_user_id: int | None = None  # the User (role driver) who drives it, set in app/
    weekdays: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class Week(SQLModel, table=True):
    """One ISO week of one territory, moving through the weekly cycle's states."""

    __table_args__ = (sa.UniqueConstraint("territory_id", "iso_week"),)
    id: int | None = Field(default=None, primary_key=True)
    territory_id: str = Field(foreign_key="territory.id", index=True, max_length=64)
    iso_week: str = Field(max_length=8, index=True)
    state: str = Field(default="draft", max_length=16)
    delivery_days: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    version: int = 1
    updated_at: datetime | None = None


class WeekEvent(SQLModel, table=True):
    """Every state change of a week, including explicit reopenings by a coordinator."""

    id: int | None = Field(default=None, primary_key=True)
    week_id: int = Field(foreign_key="week.id", index=True)
    from_state: str = Field(max_length=16)
    to_state: str = Field(max_length=16)
    actor: str = Field(max_length=200)
    reason: str | None = Field(default=None, max_length=1000)
    at: datetime


class Offer(SQLModel, table=True):
    __table_args__ = (sa.UniqueConstraint("week_id", "producer_id", "product_id"),)
    id: int | None = Field(default=None, primary_key=True)
    week_id: int = Field(foreign_key="week.id", index=True)
    producer_id: str = Field(foreign_key="site.id", index=True, max_length=64)
    product_id: str = Field(foreign_key="product.id", max_length=64)
    quantity: float
    unit_price_eur: float
    lot: float = default_of(S.Offer, "lot")
    harvest_date: date | None = None
    version: int = 1


class BasketType(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=200)
    price_eur: float
    target_kg: float
    min_products: int = default_of(S.BasketType, "min_products")
    max_share: float | None = default_of(S.BasketType, "max_share")
    tolerance: float = default_of(S.BasketType, "tolerance")
    min_item_kg: float = default_of(S.BasketType, "min_item_kg")


class BasketOrder(SQLModel, table=True):
    __table_args__ = (sa.UniqueConstraint("week_id", "relay_point_id", "basket_type_id", "day"),)
    id: int | None = Field(default=None, primary_key=True)
    week_id: int = Field(foreign_key="week.id", index=True)
    relay_point_id: str = Field(foreign_key="site.id", index=True, max_length=64)
    basket_type_id: str = Field(foreign_key="baskettype.id", max_length=64)
    day: date
    count: int
    standing: bool = False
    version: int = 1
    derived_from_members: bool = False  # computed from the members (app/services/members.py)
    derived_count: int | None = None  # the count as derived; a different `count` is the manager's edit


class MealOrder(SQLModel, table=True):
    """A canteen's meals for one delivery day: lines of product and meals per age group."""

    __table_args__ = (sa.UniqueConstraint("week_id", "canteen_id", "day"),)
    id: int | None = Field(default=None, primary_key=True)
    week_id: int = Field(foreign_key="week.id", index=True)
    canteen_id: str = Field(foreign_key="site.id", index=True, max_length=64)
    day: date
    lines: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    standing: bool = False
    version: int = 1
