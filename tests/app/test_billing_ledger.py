"""The ledger's storage: entries are immutable (a correction is a reversing entry), balances at a
date, and invoice numbers taken in a transaction that fails are given back (no gap)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlmodel import select

from app.db import get_session, unit_of_work
from app.models import InvoiceSequence, LedgerEntry, LedgerLine, Territory
from app.services import billing, ledger
from orders.billing import accounts as A
from orders.billing import ledger as L
from orders.billing import postings
from orders.billing.invoicing import Totals
from tests.app.world import build_world


def _territory() -> str:
    return get_session().exec(select(Territory)).first().id


def test_entries_are_immutable_and_corrected_by_a_reversing_entry(app):
    build_world(app)
    with app.app_context():
        with unit_of_work() as session:
            territory = _territory()
            t = Totals(Decimal("10.00"), Decimal("0.55"), Decimal("10.55"))
            row = ledger.post(session, territory, postings.invoice(date(2026, 12, 1), "FA-X-2026-00001", "mat-loos",
                                                                   "Commune", t, 1), "test")
        with pytest.raises(ValueError):
            with unit_of_work() as session:
                entry = session.get(LedgerEntry, row.id)
                entry.label = "changed"
                session.add(entry)
        with pytest.raises(ValueError):
            with unit_of_work() as session:
                session.delete(session.exec(select(LedgerLine)).first())
        with unit_of_work() as session:
            stored = ledger.entries(session, territory)[0]
            ledger.post(session, territory, L.reverse(stored, date(2026, 12, 3)), "test")
        entries = ledger.entries(get_session(), territory)
        assert entries[0].label == stored.label and entries[1].reverses == stored.id
        assert L.balance(entries, A.CUSTOMERS, "mat-loos", at=date(2026, 12, 2)) == Decimal("10.55")
        assert L.balance(entries, A.CUSTOMERS, "mat-loos") == 0


def test_a_number_taken_by_a_failed_issue_is_given_back(app):
    build_world(app)
    with app.app_context():
        territory = _territory()
        with pytest.raises(RuntimeError):
            with unit_of_work() as session:
                assert billing._take_number(session, territory, 2026, "invoice").endswith("-2026-00001")
                raise RuntimeError("the issue fails after the number was taken")
        with unit_of_work() as session:
            assert billing._take_number(session, territory, 2026, "invoice").endswith("-2026-00001")
            assert billing._take_number(session, territory, 2026, "credit_note").startswith("AV-")
            assert billing._take_number(session, territory, 2027, "invoice").endswith("-2027-00001")
        assert {(s.year, s.series, s.last) for s in get_session().exec(select(InvoiceSequence))} == {
            (2026, "FA", 1), (2026, "AV", 1), (2027, "FA", 1)}
