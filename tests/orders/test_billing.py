"""The pure money rules (orders/billing): ledger, numbering, VAT, invoices and credit notes from
deliveries, members' balances and the MANNE, gardens, producers' statements, the FEC."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orders.billing import accounts as A
from orders.billing import fec, ledger, manne, members, numbering, postings
from orders.billing import invoicing as I
from orders.billing.delivered import supplied
from orders.billing.money import EUR, MANNE, cents, positive
from orders.billing.statements import Statement, lines_of, to_csv
from orders.delivery import DeliveredDrop, StopConfirmation, report
from orders.errors import InvalidInput
from orders.plan import Allocation, Drop, Plan, Round, Visit

D = Decimal
DAY = date(2026, 12, 1)


def _plan() -> Plan:
    allocations = (
        Allocation("ferme-a", "carotte", "mat-loos", "2026-12-01", 10.0, unit_price=1.2),
        Allocation("ferme-b", "carotte", "mat-loos", "2026-12-01", 10.0, unit_price=1.0),
        Allocation("ferme-a", "oeuf", "mat-loos", "2026-12-01", 30.0, unit_price=0.35),
        Allocation("ferme-a", "carotte", "elem-bully", "2026-12-01", 5.0, unit_price=1.2),
    )
    stops = (Visit("mat-loos", "08:00", "08:10", drops=(Drop("carotte", 20.0), Drop("oeuf", 30.0))),
             Visit("elem-bully", "09:00", "09:10", drops=(Drop("carotte", 5.0),)))
    return Plan("2026-W49", allocations, rounds=(Round("van", "2026-12-01", "07:00", "10:00", stops=stops),))


PRODUCTS = {"carotte": I.ProductInfo("Carottes", "kg", 5.5), "oeuf": I.ProductInfo("Œufs", "piece", 5.5)}


def test_an_unconfirmed_stop_is_invoiced_from_the_plan_and_marked_so():
    lines = I.invoice_lines(supplied(_plan(), report(_plan(), [])), "mat-loos", PRODUCTS)
    assert {ln.basis for ln in lines} == {"plan"}
    t = I.totals(lines)
    assert t.net == D("12.00") + D("10.00") + D("10.50")
    assert t.vat == cents(t.net * D("0.055")) and t.gross == t.net + t.vat


def test_a_partial_delivery_is_shared_among_producers_and_a_credit_note_takes_back_the_rest():
    plan = _plan()
    invoiced = I.invoice_lines(supplied(plan, report(plan, [])), "mat-loos", PRODUCTS)
    partial = StopConfirmation("mat-loos", "2026-12-01", "partial",
                               (DeliveredDrop("carotte", 15.0), DeliveredDrop("oeuf", 30.0)))
    now = [s for s in supplied(plan, report(plan, [partial])) if s.consumer == "mat-loos"]
    assert {(s.producer, s.product): s.quantity for s in now}[("ferme-a", "carotte")] == 7.5
    credit = I.shortfall_credit(invoiced, now, {})
    assert [(c.producer, c.quantity) for c in credit] == [("ferme-a", 2.5), ("ferme-b", 2.5)]
    # the same run again, with the credit note issued: nothing more to credit
    assert I.shortfall_credit(invoiced, now, I.credited([credit])) == ()


def test_a_refused_stop_is_credited_in_full():
    plan = _plan()
    invoiced = I.invoice_lines(supplied(plan, report(plan, [])), "elem-bully", PRODUCTS)
    refused = StopConfirmation("elem-bully", "2026-12-01", "refused", (DeliveredDrop("carotte", 0.0),))
    now = [s for s in supplied(plan, report(plan, [refused])) if s.consumer == "elem-bully"]
    credit = I.shortfall_credit(invoiced, now, {})
    assert I.totals(credit).gross == I.totals(invoiced).gross


def test_a_confirmed_delivery_invoices_what_was_handed_over():
    plan = _plan()
    done = StopConfirmation("mat-loos", "2026-12-01", "partial", (DeliveredDrop("carotte", 10.0),
                                                                  DeliveredDrop("oeuf", 0.0)))
    lines = I.invoice_lines(supplied(plan, report(plan, [done])), "mat-loos", PRODUCTS)
    assert {(ln.producer, ln.product, ln.quantity, ln.basis) for ln in lines} == {
        ("ferme-a", "carotte", 5.0, "delivered"), ("ferme-b", "carotte", 5.0, "delivered")}


def test_a_credit_note_larger_than_its_invoice_is_refused_naming_the_line():
    invoiced = I.invoice_lines(supplied(_plan(), report(_plan(), [])), "mat-loos", PRODUCTS)
    ok = I.requested_credit(invoiced, {}, [{"day": "2026-12-01", "product": "oeuf", "quantity": 30}])
    assert I.totals(ok).net == D("10.50")
    with pytest.raises(InvalidInput) as exc:
        I.requested_credit(invoiced, I.credited([ok]), [{"day": "2026-12-01", "product": "oeuf", "quantity": 1}])
    assert exc.value.field == "lines[0].quantity"
    with pytest.raises(InvalidInput) as exc:
        I.requested_credit(invoiced, {}, [{"day": "2026-12-01", "product": "carotte", "quantity": 21}])
    assert exc.value.field == "lines[0].quantity"


def test_vat_is_per_rate_on_the_sum_of_its_lines():
    lines = [I.InvoiceLine("2026-12-01", "a", "f", 1, 0.33, 5.5), I.InvoiceLine("2026-12-01", "b", "f", 1, 0.33, 5.5),
             I.InvoiceLine("2026-12-01", "c", "f", 1, 10, 20)]
    t = I.totals(lines)
    assert [(b.rate, b.base, b.vat) for b in t.breakdown] == [(5.5, D("0.66"), D("0.04")), (20.0, D("10.00"), D("2.00"))]
    assert t.gross == D("12.70")


def test_entries_are_balanced_and_a_correction_is_a_reversing_entry():
    t = I.Totals(D("100.00"), D("5.50"), D("105.50"))
    entry = postings.invoice(DAY, "FA-T-2026-00001", "mat-loos", "Commune", t, 1)
    assert ledger.totals([entry], EUR) == (D("105.50"), D("105.50"))
    with pytest.raises(InvalidInput):
        ledger.make(DAY, "VE", "x", [ledger.line(A.CUSTOMERS, D(1)), ledger.line(A.SALES, D("-0.99"))], "invoice", 1)
    with pytest.raises(InvalidInput):
        ledger.make(DAY, "OD", "x", [ledger.line(A.WALLET, D(1)), ledger.line(A.SALES, D(-1))], "payment", 1)
    stored = ledger.Entry(**{**{f: getattr(entry, f) for f in entry.__slots__}, "id": 7})
    undo = ledger.reverse(stored, date(2026, 12, 2))
    assert undo.reverses == 7 and undo.source == "reversal"
    assert all(v == 0 for v in ledger.balances([stored, undo]).values())
    assert ledger.balance([stored, undo], A.CUSTOMERS, "mat-loos", at=DAY) == D("105.50")


def test_numbers_follow_each_other_per_territory_year_and_series_and_gaps_are_found():
    numbers = [numbering.format_number("invoice", "lens-lievin", 2026, n) for n in (1, 2, 4)]
    assert numbers[0] == "FA-LENSLIEVIN-2026-00001"
    assert numbering.gaps(numbers) == ["FA-LENSLIEVIN-2026-00003"]
    assert numbering.gaps([numbering.format_number("credit_note", "t", 2027, 1)]) == []


def test_a_member_pays_in_manne_only_what_its_wallet_holds():
    entries = postings.garden_credit(DAY, 5, "Adhérent n° 5", D("30.00"), "jardin", 1)
    entries.append(postings.basket_charge(DAY, 5, "Adhérent n° 5", D("12.00"), 5.5, "petit", "9"))
    bal = members.member_balance(entries, 5, D("-30"))
    assert (bal.eur, bal.manne, bal.below_floor) == (D("-12.00"), D("30.00"), False)
    members.check_manne(bal.manne, D("30.00"))
    with pytest.raises(InvalidInput) as exc:
        members.check_manne(bal.manne, D("30.01"))
    assert exc.value.field == "amount"
    entries += postings.payment(DAY, 5, "Adhérent n° 5", "manne", D("12.00"), 3, D("1"))
    after = members.member_balance(entries, 5, D("-30"))
    assert (after.eur, after.manne) == (D("0.00"), D("18.00"))
    assert [m[1] for m in members.statement(entries, 5, MANNE)] == [D("30.00"), D("-12.00")]
    for unit in (EUR, MANNE):
        debit, credit = ledger.totals(entries, unit)
        assert debit == credit


def test_a_member_below_the_floor_is_flagged_not_refused():
    entries = [postings.basket_charge(DAY, 1, "Adhérent n° 1", D("35.00"), 5.5, "grand", "1")]
    assert members.member_balance(entries, 1, D("-30")).below_floor


def test_baskets_are_charged_per_the_relay_points_rule():
    assert members.charged_count("subscribed", 2, None) == 2
    assert members.charged_count("collected", 2, None) == 0 and members.charged_count("collected", 2, True) == 2
    with pytest.raises(InvalidInput):
        members.charged_count("sometimes", 1, True)


def test_garden_contributions_earn_manne_by_the_rule_within_the_loan():
    rule = manne.GardenRule(D("10"), D("2"), D("0.10"))
    garden = manne.Garden("Jardin rue des Corons", 120, date(2026, 3, 1), date(2026, 12, 31))
    assert manne.credit(rule, garden, "hours", 3, DAY) == D("30.00")
    assert manne.credit(rule, garden, "kg", 4.5, DAY) == D("9.00")
    assert manne.credit(rule, garden, "months", 1, DAY) == D("12.00")
    with pytest.raises(InvalidInput) as exc:
        manne.credit(rule, garden, "hours", 3, date(2027, 1, 5))
    assert exc.value.field == "day"
    with pytest.raises(InvalidInput):
        manne.credit(rule, garden, "hours", -1, DAY)


def test_negative_or_malformed_amounts_are_refused_naming_the_field():
    for bad in (-1, 0, "abc", "1.234", "NaN"):
        with pytest.raises(InvalidInput) as exc:
            positive(bad, "amount")
        assert exc.value.field == "amount"


def test_a_producers_statement_deducts_the_commission():
    plan = _plan()
    rows = supplied(plan, report(plan, []))
    names = {"carotte": ("Carottes", "kg"), "oeuf": ("Œufs", "piece")}
    statement = Statement("ferme-a", "2026-W49", tuple(lines_of("2026-W49", rows, "ferme-a", names, {})), D("0.1"),
                          "Ferme A")
    assert statement.gross == D("12.00") + D("10.50") + D("6.00")
    assert statement.commission == D("2.85") and statement.net == D("25.65") and statement.estimated
    text = to_csv(statement)
    assert "Carottes" in text and "25,65" in text
    assert lines_of("2026-W49", rows, "ferme-a", names, {}, month="2026-11") == []


@st.composite
def _events(draw):
    out = []
    for i in range(draw(st.integers(1, 25))):
        amount = D(draw(st.integers(1, 100000))) / 100
        member = draw(st.integers(1, 4))
        kind = draw(st.sampled_from(["invoice", "basket", "cash", "garden", "supply"]))
        day = date(2026, draw(st.integers(1, 12)), draw(st.integers(1, 28)))
        if kind == "invoice":
            t = I.totals([I.InvoiceLine("2026-12-01", "p", "f", 1, float(amount), 5.5)])
            out.append(postings.invoice(day, f"FA-T-2026-{i:05d}", "c", "C", t, i, credit_note=draw(st.booleans())))
        elif kind == "basket":
            out.append(postings.basket_charge(day, member, "m", amount, 5.5, "b", str(i)))
        elif kind == "cash":
            out += postings.payment(day, member, "m", draw(st.sampled_from(["cash", "card", "transfer"])), amount, i)
        elif kind == "garden":
            out += postings.garden_credit(day, member, "m", amount, "jardin", i, D("1.5"))
        else:
            out.append(postings.supply(day, "f", "F", amount, cents(amount * D("0.08")), "2026-W49", str(i)))
    return out


@settings(max_examples=60, deadline=None)
@given(_events())
def test_the_fec_holds_every_euro_line_of_the_year_and_balances(entries):
    entries = [ledger.Entry(**{**{f: getattr(e, f) for f in e.__slots__}, "id": n}) for n, e in enumerate(entries, 1)]
    rows = fec.rows(entries, 2026)
    assert all(len(r) == 18 for r in rows) and len(fec.COLUMNS) == 18
    debit = sum(D(r[11].replace(",", ".")) for r in rows)
    credit = sum(D(r[12].replace(",", ".")) for r in rows)
    assert debit == credit == ledger.totals(entries, EUR)[0]
    assert len({r[2] for r in rows}) == len([e for e in entries if e.unit == EUR])
    text = fec.to_text(rows)
    assert text.splitlines()[0].split("\t") == list(fec.COLUMNS)
