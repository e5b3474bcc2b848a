"""Alerts to the coordinator: kept until someone resolves them, raised once per `key`."""
from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

ALERT_KINDS = ("publication_held", "round_unconfirmed", "crates_above_threshold")


class Alert(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    territory_id: str = Field(foreign_key="territory.id", index=True, max_length=64)
    week: str | None = Field(default=None, max_length=8, index=True)
    kind: str = Field(max_length=32)
    key: str = Field(max_length=200, unique=True)
    message_fr: str = Field(max_length=2000)
    created_at: datetime
    resolved_at: datetime | None = None
    resolved_by: str | None = Field(default=None, max_length=200)
