"""Tables of the stored plans: versioned plans of a week, their rounds and the rounds' stops."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import JSON, Column, Field, SQLModel


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
