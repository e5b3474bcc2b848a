"""The ledger's storage: post a checked entry (`orders.billing.ledger.Entry`) as rows, read entries
back as pure `Entry`s, and the territory's money settings.

Rows are written once and never updated (see `app/models/billing.py`); amounts are whole cents.
Every function works in the caller's unit of work and never commits.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import extract
from sqlmodel import Session, col, select

from app.models import BillingSettings, LedgerEntry, LedgerLine
from orders.billing.ledger import Entry, Line
from orders.billing.manne import GardenRule
from orders.billing.money import ZERO, dec

CENT = Decimal("0.01")


def to_cents(amount: Decimal) -> int:
    return int((amount / CENT).to_integral_value())


def from_cents(cents: int) -> Decimal:
    return (Decimal(cents) * CENT).quantize(CENT)


def post(session: Session, territory_id: str, entry: Entry, actor: str) -> LedgerEntry:
    row = LedgerEntry(territory_id=territory_id, day=entry.day, journal=entry.journal, label=entry.label,
                      unit=entry.unit, source=entry.source, source_id=entry.source_id, piece=entry.piece or None,
                      reverses_id=entry.reverses, created_at=datetime.now(UTC), created_by=actor)
    session.add(row)
    session.flush()
    for ln in entry.lines:
        session.add(LedgerLine(entry_id=row.id, account=ln.account, aux=ln.aux or None, aux_label=ln.aux_label or None,
                               debit_cents=to_cents(ln.debit), credit_cents=to_cents(ln.credit)))
    session.flush()
    return row


def post_all(session: Session, territory_id: str, entries: Iterable[Entry], actor: str) -> list[LedgerEntry]:
    return [post(session, territory_id, e, actor) for e in entries]


def _pure(rows: list[LedgerEntry], lines: dict[int, list[LedgerLine]]) -> list[Entry]:
    return [Entry(r.day, r.journal, r.label, r.unit,
                  tuple(Line(ln.account, from_cents(ln.debit_cents), from_cents(ln.credit_cents), ln.aux or "",
                             ln.aux_label or "") for ln in lines.get(r.id, ())),
                  r.source, r.source_id, r.piece or "", r.reverses_id, r.id) for r in rows]


def entries(session: Session, territory_id: str, *, aux: str | None = None, year: int | None = None,
            source: str | None = None, source_id: str | None = None) -> list[Entry]:
    """The territory's entries (oldest first), optionally those touching `aux`, of `year`, of a source."""
    query = select(LedgerEntry).where(LedgerEntry.territory_id == territory_id)
    if aux is not None:
        query = query.where(col(LedgerEntry.id).in_(select(LedgerLine.entry_id).where(LedgerLine.aux == aux)))
    if year is not None:
        query = query.where(extract("year", LedgerEntry.day) == year)
    if source is not None:
        query = query.where(LedgerEntry.source == source)
    if source_id is not None:
        query = query.where(LedgerEntry.source_id == source_id)
    rows = list(session.exec(query.order_by(LedgerEntry.day, LedgerEntry.id)))
    lines: dict[int, list[LedgerLine]] = defaultdict(list)
    if rows:
        for ln in session.exec(select(LedgerLine).where(col(LedgerLine.entry_id).in_([r.id for r in rows]))
                               .order_by(LedgerLine.id)):
            lines[ln.entry_id].append(ln)
    return _pure(rows, lines)


def posted_amount(session: Session, territory_id: str, source: str, source_id: str, account: str) -> Decimal:
    """Debit − credit already posted on `account` by a source (what a re-run settles against)."""
    total = ZERO
    for entry in entries(session, territory_id, source=source, source_id=source_id):
        total += sum((ln.amount for ln in entry.lines if ln.account == account), ZERO)
    return total


def settings(session: Session, territory_id: str) -> BillingSettings:
    """The territory's money settings (defaults stored the first time they are asked for)."""
    row = session.get(BillingSettings, territory_id)
    if row is None:
        row = BillingSettings(territory_id=territory_id, garden_rule=GardenRule().to_dict())
        session.add(row)
        session.flush()
    return row


def eur_per_manne(row: BillingSettings) -> Decimal:
    return dec(row.eur_per_manne)


def today() -> date:
    return datetime.now(UTC).date()
