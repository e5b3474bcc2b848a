"""Producers' statements (relevés): what each producer supplied × its price, less the commission.

A line per delivery day, product and consumer, from the confirmed deliveries (or the plan where a
stop is not confirmed yet, marked so). The commission is `commission_rate` (a share, 0.1 = 10 %) of
the gross, rounded to the cent; the net is what the collective owes the producer.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from orders.billing.delivered import Supplied
from orders.billing.money import ZERO, cents, dec


@dataclass(frozen=True, slots=True)
class StatementLine:
    week: str
    day: str
    product: str
    consumer: str
    quantity: float
    unit_price: float
    basis: str
    name: str = ""
    unit: str = "kg"
    consumer_name: str = ""

    @property
    def amount(self) -> Decimal:
        return cents(dec(self.quantity) * dec(self.unit_price))


@dataclass(frozen=True, slots=True)
class Statement:
    producer: str
    period: str  # "2026-W49" or "2026-12"
    lines: tuple[StatementLine, ...]
    commission_rate: Decimal = ZERO
    producer_name: str = ""

    @property
    def gross(self) -> Decimal:
        return sum((ln.amount for ln in self.lines), ZERO)

    @property
    def commission(self) -> Decimal:
        return cents(self.gross * self.commission_rate)

    @property
    def net(self) -> Decimal:
        return self.gross - self.commission

    @property
    def estimated(self) -> bool:
        return any(ln.basis == "plan" for ln in self.lines)


def lines_of(week: str, supplied: Iterable[Supplied], producer: str, names: Mapping[str, tuple[str, str]],
             consumers: Mapping[str, str], month: str | None = None) -> list[StatementLine]:
    """`producer`'s lines of a week (only the days of `month`, "YYYY-MM", when given)."""
    merged: dict[tuple, float] = {}
    for s in supplied:
        if s.producer != producer or (month and not s.day.startswith(month)) or s.quantity <= 0:
            continue
        key = (s.day, s.product, s.consumer, s.unit_price, s.basis)
        merged[key] = merged.get(key, 0.0) + s.quantity
    out = []
    for (day, product, consumer, price, basis), quantity in sorted(merged.items()):
        name, unit = names.get(product, (product, "kg"))
        out.append(StatementLine(week, day, product, consumer, round(quantity, 3), price, basis, name, unit,
                                 consumers.get(consumer, consumer)))
    return out


CSV_COLUMNS = ("semaine", "jour", "produit", "destinataire", "quantite", "unite", "prix_unitaire_ht_eur",
               "montant_ht_eur", "base")


def to_csv(statement: Statement) -> str:
    """The statement as CSV (`;`-separated, decimal comma, as a French spreadsheet opens it)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for ln in statement.lines:
        writer.writerow([ln.week, ln.day, ln.name, ln.consumer_name, _fr(ln.quantity), ln.unit, _fr(ln.unit_price),
                         _fr(ln.amount), "livré" if ln.basis == "delivered" else "prévu"])
    writer.writerow(["total", "", "", "", "", "", "", _fr(statement.gross), ""])
    writer.writerow(["commission", "", "", "", "", "", _fr(statement.commission_rate), _fr(-statement.commission), ""])
    writer.writerow(["net", "", "", "", "", "", "", _fr(statement.net), ""])
    return out.getvalue()


def _fr(value) -> str:
    return str(value).replace(".", ",")
