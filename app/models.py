"""Tables owned by the application shell: users and tokens, the audit trail, stored plans and rounds.

The market's own tables are in `orders/tables.py`; both share SQLModel's metadata, which Alembic
compares against the migrations (tests/app/test_migrations.py).
"""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import JSON, Column, Field, SQLModel

from orders.tables import (  # noqa: F401  (registers the market tables on the metadata)
    BasketOrder,
    BasketType,
    Grammage,
    MealOrder,
    Offer,
    Product,
    Site,
    Territory,
    Vehicle,
    Week,
    WeekEvent,
)

ROLES = ("coordinator", "producer", "relay", "canteen", "driver")


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    role: str = Field(max_length=16)
    site_id: str | None = Field(default=None, foreign_key="site.id", max_length=64)
    email: str | None = Field(default=None, max_length=300)
    password_hash: str | None = Field(default=None, max_length=300)
    active: bool = True
    created_at: datetime


class ApiToken(SQLModel, table=True):
    """A bearer token; only the SHA-256 of the token is stored, never the token itself."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    label: str | None = Field(default=None, max_length=200)
    created_at: datetime
    revoked: bool = False


class AuditEntry(SQLModel, table=True):
    """Who changed what, when: the before and after of every offer and order change."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(index=True)
    user_id: int | None = Field(default=None, foreign_key="user.id")
    actor: str = Field(max_length=200)
    entity: str = Field(max_length=32, index=True)
    entity_id: str = Field(max_length=64, index=True)
    action: str = Field(max_length=16)
    week_id: int | None = Field(default=None, foreign_key="week.id", index=True)
    before: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    after: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))


class Plan(SQLModel, table=True):
    """One stored, versioned plan of a week: the portioning and, once routed, the rounds.

    `plan` holds the plan JSON of SCENARIO.md; re-running creates a new version and records why,
    the previous versions stay for the record (the current one has `current = True`).
    """

    __table_args__ = (sa.UniqueConstraint("week_id", "version"),)
    id: int | None = Field(default=None, primary_key=True)
    week_id: int = Field(foreign_key="week.id", index=True)
    version: int
    current: bool = True
    created_at: datetime
    created_by: str = Field(max_length=200)
    reason: str | None = Field(default=None, max_length=1000)
    inputs_hash: str = Field(max_length=64)
    plan: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class Round(SQLModel, table=True):
    """A delivery round of a current plan: one vehicle on one day, with ordered stops."""

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    week_id: int = Field(foreign_key="week.id", index=True)
    day: date = Field(index=True)
    vehicle_id: str = Field(foreign_key="vehicle.id", max_length=64)
    driver: str | None = Field(default=None, max_length=200)
    driver_user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    start: str = Field(max_length=5)
    end: str = Field(max_length=5)
    km: float
    minutes: float
    locked: bool = False


class RoundStop(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="round.id", index=True)
    seq: int
    site_id: str = Field(foreign_key="site.id", max_length=64)
    arrival: str = Field(max_length=5)
    departure: str = Field(max_length=5)
    load_kg: float
    crates: int
    drops: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
from app.models_cycle import JobRun, Notification  # noqa: E402,F401  (registers the cycle tables)
from app.models_trust import IdempotencyRecord  # noqa: E402,F401  (registers the trust tables)
