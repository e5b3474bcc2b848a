"""Tables of the trust layer: stored answers of idempotent POSTs (`app/idempotency.py`), feed tokens.

`IdempotencyRecord`: one row per (user, `Idempotency-Key`). It is written in the same transaction
as the use case it guards, so a created row and its record exist together or not at all; the
response (status, body, a few headers) is filled in right after. `status` NULL means "committed,
answer not stored yet" (in flight, or the process died between the two steps).
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import JSON, Column, Field, SQLModel


class IdempotencyRecord(SQLModel, table=True):
    __table_args__ = (sa.UniqueConstraint("user_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    key: str = Field(max_length=200)
    method: str = Field(max_length=8)
    path: str = Field(max_length=500)
    request_hash: str = Field(max_length=64)
    created_at: datetime = Field(index=True)
    status: int | None = None
    content_type: str | None = Field(default=None, max_length=200)
    headers: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    body: str | None = Field(default=None, sa_column=Column(sa.Text, nullable=True))


class FeedToken(SQLModel, table=True):
    """A subscribable calendar URL's secret (`app/interop/feeds.py`): only its scoped SHA-256 is kept.

    `feed` is `driver` (subject: the driver's user id) or `relay` (subject: the relay point's site
    id). `revoked_at` set: the URL answers 404 from then on.
    """

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    feed: str = Field(max_length=16)
    subject: str = Field(max_length=64)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime
    revoked_at: datetime | None = None
