"""Tables of the money: the ledger (entries and their lines, in EUR or MANNE), invoices and credit
notes with their gap-free numbering, the paying bodies of canteens, members' payments, gardens and
their contributions, and each territory's money settings.

Amounts are whole cents (`*_cents`, of euros or of MANNE): no float ever holds money. Ledger rows
and issued invoices are immutable: the listeners at the bottom refuse an UPDATE or DELETE of them
(a correction is a reversing entry or a credit note). The rules live in `orders/billing/`; the use
cases in `app/services/billing.py`. No member's name is stored here (an erasure leaves nothing):
a household appears as `ADH<id>` and « Adhérent n° <id> ».
"""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlmodel import JSON, Column, Field, SQLModel

INVOICE_KINDS = ("invoice", "credit_note")
INVOICE_STATUSES = ("draft", "issued")


class BillingSettings(SQLModel, table=True):
    """A territory's money settings (the coordinator's): MANNE rate, members' floor, commission,
    garden rule, the relay points' basket charge rules and who the seller is on invoices."""

    territory_id: str = Field(primary_key=True, foreign_key="territory.id", max_length=64)
    eur_per_manne: str = Field(default="1", max_length=16)  # a decimal as text: 1 MANNE = 1 €
    member_floor_cents: int = -3000  # a member below −30 € is flagged to its relay point's manager
    commission_rate: str = Field(default="0", max_length=16)  # share kept from producers' sales (0.1 = 10 %)
    garden_rule: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    charge_rules: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))  # relay → rule
    seller: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))  # name, siret, vat_id…
    version: int = 1


class PayingBody(SQLModel, table=True):
    """Who pays a canteen's invoices (a commune, a CCAS, an association…), as Chorus Pro wants it."""

    id: str = Field(primary_key=True, max_length=64)
    territory_id: str = Field(foreign_key="territory.id", index=True, max_length=64)
    name: str = Field(max_length=200)
    kind: str = Field(default="commune", max_length=16)  # commune or organisation
    siret: str = Field(max_length=14)
    service_code: str | None = Field(default=None, max_length=100)  # Chorus Pro « code service »
    commitment_number: str | None = Field(default=None, max_length=50)  # « numéro d'engagement »
    address: str | None = Field(default=None, max_length=300)
    postcode: str | None = Field(default=None, max_length=10)
    city: str | None = Field(default=None, max_length=120)
    demo: bool = False  # fictional demo data


class CanteenPayer(SQLModel, table=True):
    canteen_id: str = Field(primary_key=True, foreign_key="site.id", max_length=64)
    paying_body_id: str = Field(foreign_key="payingbody.id", index=True, max_length=64)


class InvoiceSequence(SQLModel, table=True):
    """The last number taken per territory, year and series (FA, AV): the next one is last + 1."""

    territory_id: str = Field(primary_key=True, foreign_key="territory.id", max_length=64)
    year: int = Field(primary_key=True)
    series: str = Field(primary_key=True, max_length=4)
    last: int = 0


class Invoice(SQLModel, table=True):
    """An invoice or a credit note to a canteen; its lines and buyer are frozen when it is issued."""

    id: int | None = Field(default=None, primary_key=True)
    territory_id: str = Field(foreign_key="territory.id", index=True, max_length=64)
    week_id: int = Field(foreign_key="week.id", index=True)
    site_id: str = Field(foreign_key="site.id", index=True, max_length=64)
    kind: str = Field(default="invoice", max_length=16)
    credits_id: int | None = Field(default=None, foreign_key="invoice.id", index=True)
    status: str = Field(default="draft", max_length=8)
    number: str | None = Field(default=None, max_length=40, unique=True)
    issued_on: date | None = None
    lines: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    buyer: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    seller: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    net_cents: int = 0
    vat_cents: int = 0
    gross_cents: int = 0
    basis: str = Field(default="delivered", max_length=16)  # delivered, plan or mixed
    reason: str | None = Field(default=None, max_length=300)
    created_at: datetime
    issued_at: datetime | None = None
    issued_by: str | None = Field(default=None, max_length=200)


class LedgerEntry(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    territory_id: str = Field(foreign_key="territory.id", index=True, max_length=64)
    day: date = Field(index=True)
    journal: str = Field(max_length=4)
    label: str = Field(max_length=200)
    unit: str = Field(max_length=8)  # EUR or MANNE
    source: str = Field(max_length=16)
    source_id: str = Field(max_length=64)
    piece: str | None = Field(default=None, max_length=40)
    reverses_id: int | None = Field(default=None, foreign_key="ledgerentry.id")
    created_at: datetime
    created_by: str = Field(max_length=200)

    __table_args__ = (sa.Index("ix_ledgerentry_source", "source", "source_id"),)


class LedgerLine(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="ledgerentry.id", index=True)
    account: str = Field(max_length=20)
    aux: str | None = Field(default=None, max_length=64, index=True)
    aux_label: str | None = Field(default=None, max_length=200)
    debit_cents: int = 0
    credit_cents: int = 0


class Payment(SQLModel, table=True):
    """A member's payment recorded at collection by its relay point's manager."""

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    relay_point_id: str = Field(foreign_key="site.id", index=True, max_length=64)
    day: date
    method: str = Field(max_length=16)  # cash, card, transfer, manne
    amount_cents: int  # of euros, or of MANNE for `manne`
    note: str | None = Field(default=None, max_length=300)
    recorded_at: datetime
    recorded_by: str = Field(max_length=200)


class Garden(SQLModel, table=True):
    """A garden a member lends to the collective."""

    id: int | None = Field(default=None, primary_key=True)
    territory_id: str = Field(foreign_key="territory.id", index=True, max_length=64)
    member_id: int = Field(foreign_key="member.id", index=True)
    place: str = Field(max_length=300)
    area_m2: float
    start: date
    end: date | None = None
    created_at: datetime


class GardenContribution(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    garden_id: int = Field(foreign_key="garden.id", index=True)
    kind: str = Field(max_length=16)  # hours, kg, months
    quantity: float
    day: date
    manne_cents: int
    recorded_at: datetime
    recorded_by: str = Field(max_length=200)


def _immutable(mapper, connection, target) -> None:
    raise ValueError(f"{type(target).__name__} rows are immutable: post a reversing entry instead.")


for _table in (LedgerEntry, LedgerLine):
    event.listen(_table, "before_update", _immutable)
    event.listen(_table, "before_delete", _immutable)


@event.listens_for(Invoice, "before_update")
def _issued_is_frozen(mapper, connection, target: Invoice) -> None:
    state = sa.inspect(target)
    status = state.attrs.status.history
    was = status.deleted[0] if status.deleted else target.status
    if was == "issued":
        raise ValueError("An issued invoice is immutable: make a credit note.")


@event.listens_for(Invoice, "before_delete")
def _issued_not_deleted(mapper, connection, target: Invoice) -> None:
    if target.status == "issued":
        raise ValueError("An issued invoice is never deleted: make a credit note.")
