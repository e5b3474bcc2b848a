"""The double-entry ledger: immutable entries of balanced lines, in one unit each (EUR or MANNE).

An entry is a set of lines whose debits equal its credits; it names its source (`delivery`,
`invoice`, `credit_note`, `payment`, `garden`, `collection`…, and the source's id) so every amount
traces back to a document. An entry is never changed: a correction is a reversing entry (each line
with debit and credit swapped) that names the entry it reverses. The balance of an account at a
date is the sum of its debits minus its credits over the entries dated on or before it.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from orders.billing.accounts import JOURNALS, unit_of
from orders.billing.money import UNITS, ZERO, cents
from orders.errors import InvalidInput

SOURCES = ("invoice", "credit_note", "collection", "payment", "garden", "supply", "reversal")


@dataclass(frozen=True, slots=True)
class Line:
    account: str
    debit: Decimal = ZERO
    credit: Decimal = ZERO
    aux: str = ""
    aux_label: str = ""

    @property
    def amount(self) -> Decimal:
        """Debit minus credit (a signed movement)."""
        return self.debit - self.credit


@dataclass(frozen=True, slots=True)
class Entry:
    day: date
    journal: str
    label: str
    unit: str
    lines: tuple[Line, ...]
    source: str
    source_id: str
    piece: str = ""  # the document's reference (invoice number…), PieceRef in the FEC
    reverses: int | None = None  # id of the entry this one reverses
    id: int | None = None


def line(account: str, amount: Decimal, aux: str = "", aux_label: str = "") -> Line:
    """A line from a signed amount: positive is a debit, negative a credit."""
    amount = cents(amount)
    return Line(account, amount if amount > 0 else ZERO, -amount if amount < 0 else ZERO, aux, aux_label)


def make(day: date, journal: str, label: str, lines: Iterable[Line], source: str, source_id: str | int,
         piece: str = "", unit: str | None = None) -> Entry:
    """A checked entry: known journal and source, lines in one unit, balanced; empty lines dropped."""
    kept = tuple(ln for ln in lines if ln.debit or ln.credit)
    if journal not in JOURNALS:
        raise InvalidInput(f"Unknown journal {journal!r}.", f"Journal inconnu : {journal}.", "journal")
    if source not in SOURCES:
        raise InvalidInput(f"Unknown source {source!r}.", f"Origine d'écriture inconnue : {source}.", "source")
    units = {unit_of(ln.account) for ln in kept}
    if len(units) > 1:
        raise InvalidInput("An entry is in one unit.", "Une écriture est dans une seule unité.", "unit")
    unit = unit or (units.pop() if units else "EUR")
    if unit not in UNITS:
        raise InvalidInput(f"Unknown unit {unit!r}.", f"Unité inconnue : {unit}.", "unit")
    if len(kept) < 2:
        raise InvalidInput("An entry has at least two lines.", "Une écriture a au moins deux lignes.", "lines")
    for ln in kept:
        if ln.debit < 0 or ln.credit < 0 or (ln.debit and ln.credit):
            raise InvalidInput("A line is a debit or a credit, positive.",
                               "Une ligne est un débit ou un crédit, positif.", "lines")
    if sum((ln.debit for ln in kept), ZERO) != sum((ln.credit for ln in kept), ZERO):
        raise InvalidInput("Unbalanced entry: debits differ from credits.",
                           "Écriture déséquilibrée : débits et crédits diffèrent.", "lines")
    return Entry(day, journal, label, unit, kept, source, str(source_id), piece)


def reverse(entry: Entry, day: date, label: str | None = None) -> Entry:
    """The entry undoing `entry` (a correction; the original stays as it was)."""
    if entry.id is None:
        raise InvalidInput("Only a stored entry is reversed.", "Seule une écriture enregistrée s'extourne.", "entry")
    lines = tuple(replace(ln, debit=ln.credit, credit=ln.debit) for ln in entry.lines)
    return Entry(day, entry.journal, label or f"Extourne : {entry.label}", entry.unit, lines, "reversal",
                 str(entry.id), entry.piece, reverses=entry.id)


def balances(entries: Iterable[Entry], at: date | None = None) -> dict[tuple[str, str, str], Decimal]:
    """(unit, account, aux) → debit − credit over the entries dated on or before `at` (all when None)."""
    out: dict[tuple[str, str, str], Decimal] = defaultdict(lambda: ZERO)
    for entry in entries:
        if at is not None and entry.day > at:
            continue
        for ln in entry.lines:
            out[(entry.unit, ln.account, ln.aux)] += ln.amount
    return dict(out)


def balance(entries: Iterable[Entry], account: str, aux: str = "", at: date | None = None) -> Decimal:
    return balances(entries, at).get((unit_of(account), account, aux), ZERO)


def totals(entries: Sequence[Entry], unit: str) -> tuple[Decimal, Decimal]:
    """(debits, credits) of every entry in `unit`: equal in a sound ledger."""
    debit = sum((ln.debit for e in entries if e.unit == unit for ln in e.lines), ZERO)
    credit = sum((ln.credit for e in entries if e.unit == unit for ln in e.lines), ZERO)
    return debit, credit
