"""Tables of the delivery day: what drivers confirmed at each stop.

A confirmation is keyed by what the stop is — week, day and site (a consumer is visited by one
round a day) — so it outlives a re-plan that recreates the round rows; the round and stop ids it
was sent for are kept for the record. Its `id` is made by the client (a UUID), so a retry of the
same action finds the stored one and stores nothing more.
"""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import JSON, Column, Field, SQLModel


class Confirmation(SQLModel, table=True):
    __table_args__ = (sa.UniqueConstraint("week_id", "day", "site_id"),)
    id: str = Field(primary_key=True, max_length=64)
    week_id: int = Field(foreign_key="week.id", index=True)
    day: date = Field(index=True)
    site_id: str = Field(foreign_key="site.id", index=True, max_length=64)
    vehicle_id: str = Field(max_length=64)
    round_id: int | None = None
    stop_id: int | None = None
    outcome: str = Field(max_length=16)
    drops: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))  # [{product, quantity}]
    crates_left: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))  # crate type → n
    crates_back: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    recipient: str | None = Field(default=None, max_length=200)
    note: str | None = Field(default=None, max_length=1000)
    at: datetime  # when the driver acted (the client's clock, UTC)
    recorded_at: datetime
    recorded_by: str = Field(max_length=200)
