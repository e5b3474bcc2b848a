"""Tables of who acts: users, their API tokens, and the audit trail of every change."""
from __future__ import annotations

from datetime import datetime

from sqlmodel import JSON, Column, Field, SQLModel

ROLES = ("coordinator", "producer", "relay", "canteen", "driver", "member")


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
