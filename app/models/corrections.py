"""Tables of the coordinator's hand corrections of a week: pinned or forbidden allocation lines,
and locked rounds. Both outlive the plan versions: a re-portioning keeps the pins, a re-routing
keeps the order of a locked round (new stops inserted) wherever its stops still exist."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import JSON, Column, Field, SQLModel


class AllocationPin(SQLModel, table=True):
    """`quantity` of `product` (from `producer_id` when set) forced to `consumer_id` on `day`; with
    `forbid`, none of it. For a relay point, `product` is a basket type and `quantity` baskets."""

    __table_args__ = (sa.UniqueConstraint("week_id", "consumer_id", "product", "day", "producer_id"),)
    id: int | None = Field(default=None, primary_key=True)
    week_id: int = Field(foreign_key="week.id", index=True)
    consumer_id: str = Field(foreign_key="site.id", max_length=64)
    product: str = Field(max_length=64)
    day: date
    quantity: float = 0.0
    producer_id: str | None = Field(default=None, foreign_key="site.id", max_length=64)
    forbid: bool = False
    reason: str | None = Field(default=None, max_length=1000)
    created_by: str = Field(max_length=200)
    created_at: datetime


class RoundLock(SQLModel, table=True):
    """A round whose order the coordinator locked: the vehicle, the day and its stops in order."""

    __table_args__ = (sa.UniqueConstraint("week_id", "day", "vehicle_id"),)
    id: int | None = Field(default=None, primary_key=True)
    week_id: int = Field(foreign_key="week.id", index=True)
    day: date
    vehicle_id: str = Field(foreign_key="vehicle.id", max_length=64)
    stop_ids: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    locked_by: str = Field(max_length=200)
    locked_at: datetime
