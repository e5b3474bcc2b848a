"""The entries each money event posts (what is debited and credited, in which journal).

* an invoice to a canteen (VE): 411 canteen debit gross; 707 credit net, 44571 credit VAT;
* a credit note (VE): the same, reversed in sign;
* a basket handed to a household (VE): 411 ADH<id> debit the basket's price (VAT included);
  707 credit its net, 44571 credit its VAT (food rate);
* a payment in euros (CA for cash and card, BQ for a transfer): 530/5112/512 debit, 411 ADH credit;
* a payment in MANNE: in the MANNE book, the member's wallet debit, M-RECUE credit; in euros (OD),
  4191 (MANNE due to members) debit the value, 411 ADH credit;
* a garden credit: in the MANNE book, M-EMISSION debit, the member's wallet credit; in euros (OD),
  6132 (gardens lent) debit the value, 4191 credit;
* a producer's supply of a week (AC): 607 debit, 401 producer credit what was delivered × price;
  the commission: 401 producer debit, 706 credit.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from orders.billing import accounts as A
from orders.billing.invoicing import Totals
from orders.billing.ledger import Entry, line, make
from orders.billing.money import cents, manne_to_eur, net_of_gross
from orders.errors import InvalidInput


def invoice(day: date, number: str, buyer: str, buyer_name: str, t: Totals, source_id: int,
            credit_note: bool = False) -> Entry:
    sign = -1 if credit_note else 1
    label = f"{'Avoir' if credit_note else 'Facture'} {number} {buyer_name}"[:200]
    return make(day, "VE", label, [
        line(A.CUSTOMERS, sign * t.gross, buyer, buyer_name),
        line(A.SALES, -sign * t.net),
        line(A.VAT_COLLECTED, -sign * t.vat),
    ], "credit_note" if credit_note else "invoice", source_id, number)


def basket_charge(day: date, member_id: int, member_label: str, gross: Decimal, vat_rate: float,
                  basket_name: str, source_id: str) -> Entry:
    """Baskets charged to a household (`gross` VAT included; negative: a charge taken back)."""
    gross = cents(gross)
    net = net_of_gross(gross, vat_rate)
    aux = A.member_aux(member_id)
    label = f"Panier {basket_name}" if gross > 0 else f"Panier {basket_name} (annulation)"
    return make(day, "VE", label[:200], [
        line(A.CUSTOMERS, gross, aux, member_label), line(A.SALES, -net), line(A.VAT_COLLECTED, net - gross),
    ], "collection", source_id)


def payment(day: date, member_id: int, member_label: str, method: str, amount: Decimal, source_id: int,
            eur_per_manne: Decimal = Decimal(1)) -> list[Entry]:
    """The entries of a member's payment (`amount` in euros, or in MANNE for `manne`)."""
    if method not in A.PAYMENT_METHODS:
        raise InvalidInput(f"Unknown payment method {method!r}.", "Moyen de paiement inconnu.", "method")
    aux = A.member_aux(member_id)
    label = f"Paiement {A.METHODS_FR[method]} {member_label}"[:200]
    if method != "manne":
        journal = "BQ" if method == "transfer" else "CA"
        return [make(day, journal, label, [line(A.METHOD_ACCOUNT[method], amount),
                                           line(A.CUSTOMERS, -amount, aux, member_label)], "payment", source_id)]
    value = manne_to_eur(amount, eur_per_manne)
    return [make(day, "OD", label, [line(A.WALLET, amount, aux, member_label), line(A.RECEIVED, -amount)],
                 "payment", source_id),
            make(day, "OD", label, [line(A.MANNE_DUE, value), line(A.CUSTOMERS, -value, aux, member_label)],
                 "payment", source_id)]


def garden_credit(day: date, member_id: int, member_label: str, manne: Decimal, label: str, source_id: int,
                  eur_per_manne: Decimal = Decimal(1)) -> list[Entry]:
    aux = A.member_aux(member_id)
    value = manne_to_eur(manne, eur_per_manne)
    return [make(day, "OD", label[:200], [line(A.ISSUED, manne), line(A.WALLET, -manne, aux, member_label)],
                 "garden", source_id),
            make(day, "OD", label[:200], [line(A.GARDENS, value), line(A.MANNE_DUE, -value)], "garden", source_id)]


def supply(day: date, producer: str, producer_name: str, gross: Decimal, commission: Decimal, week: str,
           source_id: str) -> Entry:
    """A producer's week (or the change of it since the last posting, when quantities were confirmed)."""
    return make(day, "AC", f"Apports {week} {producer_name}"[:200], [
        line(A.PURCHASES, gross), line(A.SUPPLIERS, commission - gross, producer, producer_name),
        line(A.COMMISSIONS, -commission),
    ], "supply", source_id)
