"""Tables of the households at relay points: members, subscriptions, pauses, extras, pickup slots,
the relay point's membership settings and the collections of each week.

Personal data (name, e-mail, phone, notes) lives on `Member` only, so an erasure (`flask members
erase`) scrubs one row and the statistics (subscriptions, pauses, collections) stay, anonymous.

* `RelayMembership`: per relay point, the rule that decides who goes without when the plan cuts
  baskets (`rotation` or `seniority`) and the basket types it offers (empty: every type);
* `PickupSlot`: a weekday and hours when households collect, and how many baskets (and crates)
  the relay point holds for that slot; subscriptions beyond it wait;
* `Member`: a household; `status` is `active`, `left` or `erased`; `user_id` its sign-in, if any;
* `Subscription`: a basket type, weekly or every other week, from `start` to `end`; `status`
  `active`, `waiting` (beyond the slot's capacity, in order of `created_at`), `offered` (a place
  freed: the household is asked) or `ended`;
* `Pause` (inclusive dates) and `ExtraBasket` (one-off baskets on one day);
* `Collection`: one member's baskets of one type on one day of a week: `count` handed out, `cut`
  gone without (the plan gave fewer), `collected` (None until the relay manager ticks).
"""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import JSON, Column, Field, SQLModel

MEMBER_STATUSES = ("active", "left", "erased")
SUBSCRIPTION_STATUSES = ("active", "waiting", "offered", "ended")


class RelayMembership(SQLModel, table=True):
    relay_point_id: str = Field(primary_key=True, foreign_key="site.id", max_length=64)
    cut_rule: str = Field(default="rotation", max_length=16)
    basket_types: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class PickupSlot(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    relay_point_id: str = Field(foreign_key="site.id", index=True, max_length=64)
    weekday: int  # 0 = Monday
    start: str = Field(max_length=5)  # "HH:MM" local
    end: str = Field(max_length=5)
    capacity_baskets: int
    capacity_crates: int | None = None


class Member(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    relay_point_id: str = Field(foreign_key="site.id", index=True, max_length=64)
    name: str = Field(max_length=200)
    email: str | None = Field(default=None, max_length=300)
    phone: str | None = Field(default=None, max_length=40)
    notes: str | None = Field(default=None, max_length=1000)
    status: str = Field(default="active", max_length=8)
    user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    created_at: datetime
    version: int = 1


class Subscription(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    basket_type_id: str = Field(foreign_key="baskettype.id", max_length=64)
    slot_id: int = Field(foreign_key="pickupslot.id", index=True)
    frequency: str = Field(default="weekly", max_length=16)
    start: date
    end: date | None = None
    skip_school_holidays: bool = False
    status: str = Field(default="active", max_length=8)
    created_at: datetime
    offered_at: datetime | None = None


class Pause(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    start: date
    end: date
    created_at: datetime


class ExtraBasket(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    basket_type_id: str = Field(foreign_key="baskettype.id", max_length=64)
    day: date
    count: int = 1
    created_at: datetime


class Collection(SQLModel, table=True):
    __table_args__ = (sa.UniqueConstraint("week_id", "member_id", "day", "basket_type_id"),)
    id: int | None = Field(default=None, primary_key=True)
    week_id: int = Field(foreign_key="week.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    relay_point_id: str = Field(foreign_key="site.id", index=True, max_length=64)
    day: date
    basket_type_id: str = Field(foreign_key="baskettype.id", max_length=64)
    count: int
    cut: int = 0
    collected: bool | None = None
    recorded_at: datetime | None = None
    recorded_by: str | None = Field(default=None, max_length=200)
