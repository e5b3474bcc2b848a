"""Invoices to canteens and credit notes, from what was delivered.

One invoice per canteen and week: a line per day, product and producer, at the plan's unit price
(before VAT), VAT at the product's rate. A line is `quantity × unit price` rounded to the cent;
the VAT of each rate is computed on the sum of that rate's lines (EN 16931: BT-117 = BT-116 × rate),
and the invoice total is the net plus the VAT — the figures printed and the figures of the
Factur-X XML are these same numbers.

Credit notes (avoirs): for a line invoiced from the plan that the driver's confirmation later shows
short (a shortfall, a refusal), the difference; or lines a coordinator names. A credit note never
credits more of a line than was invoiced and not yet credited.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from orders.billing.delivered import Supplied
from orders.billing.money import ZERO, cents, dec, vat_of
from orders.errors import InvalidInput

EPS = 1e-6


@dataclass(frozen=True, slots=True)
class ProductInfo:
    name: str
    unit: str = "kg"
    vat_rate: float = 5.5


@dataclass(frozen=True, slots=True)
class InvoiceLine:
    day: str
    product: str
    producer: str
    quantity: float  # product unit
    unit_price: float  # € before VAT
    vat_rate: float = 5.5  # %
    name: str = ""
    unit: str = "kg"
    basis: str = "delivered"

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.day, self.product, self.producer)

    @property
    def net(self) -> Decimal:
        return cents(dec(self.quantity) * dec(self.unit_price))

    def to_dict(self) -> dict:
        return {"day": self.day, "product": self.product, "producer": self.producer, "quantity": self.quantity,
                "unit_price": self.unit_price, "vat_rate": self.vat_rate, "name": self.name, "unit": self.unit,
                "basis": self.basis}

    @classmethod
    def from_dict(cls, data: Mapping) -> InvoiceLine:
        return cls(**{k: data[k] for k in ("day", "product", "producer", "quantity", "unit_price", "vat_rate",
                                           "name", "unit", "basis") if k in data})


@dataclass(frozen=True, slots=True)
class VatBreakdown:
    rate: float
    base: Decimal
    vat: Decimal


@dataclass(frozen=True, slots=True)
class Totals:
    net: Decimal
    vat: Decimal
    gross: Decimal
    breakdown: tuple[VatBreakdown, ...] = ()


def totals(lines: Iterable[InvoiceLine]) -> Totals:
    by_rate: dict[float, Decimal] = defaultdict(lambda: ZERO)
    for ln in lines:
        by_rate[float(ln.vat_rate)] += ln.net
    breakdown = tuple(VatBreakdown(rate, base, vat_of(base, rate)) for rate, base in sorted(by_rate.items()))
    net = sum((b.base for b in breakdown), ZERO)
    vat = sum((b.vat for b in breakdown), ZERO)
    return Totals(cents(net), cents(vat), cents(net + vat), breakdown)


def invoice_lines(supplied: Iterable[Supplied], consumer: str, products: Mapping[str, ProductInfo]
                  ) -> tuple[InvoiceLine, ...]:
    """The lines of `consumer`'s invoice: what it was delivered (or, unconfirmed, planned)."""
    merged: dict[tuple, list] = {}
    for s in supplied:
        if s.consumer != consumer:
            continue
        key = (s.day, s.product, s.producer, s.unit_price, s.basis)
        merged.setdefault(key, [0.0])[0] += s.quantity
    out = []
    for (day, product, producer, price, basis), (quantity,) in sorted(merged.items()):
        if quantity <= EPS:
            continue
        info = products.get(product, ProductInfo(product))
        out.append(InvoiceLine(day, product, producer, round(quantity, 3), price, info.vat_rate, info.name,
                               info.unit, basis))
    return tuple(out)


def credited(credit_notes: Iterable[Sequence[InvoiceLine]]) -> dict[tuple[str, str, str], float]:
    out: dict[tuple[str, str, str], float] = defaultdict(float)
    for lines in credit_notes:
        for ln in lines:
            out[ln.key] += ln.quantity
    return dict(out)


def shortfall_credit(invoiced: Sequence[InvoiceLine], now: Iterable[Supplied],
                     already: Mapping[tuple[str, str, str], float]) -> tuple[InvoiceLine, ...]:
    """Credit lines for what an invoice billed from the plan and the confirmations show was not
    delivered (short, refused, nobody there), less what earlier credit notes took back."""
    delivered: dict[tuple[str, str, str], float] = defaultdict(float)
    confirmed = set()
    for s in now:
        if s.basis == "delivered":
            key = (s.day, s.product, s.producer)
            delivered[key] += s.quantity
            confirmed.add(key)
    out = []
    for ln in invoiced:
        if ln.basis != "plan" or ln.key not in confirmed:
            continue  # billed from the delivery itself, or still unconfirmed
        missing = round(ln.quantity - delivered.get(ln.key, 0.0) - already.get(ln.key, 0.0), 3)
        if missing > EPS:
            out.append(_credit_line(ln, missing))
    return tuple(out)


def requested_credit(invoiced: Sequence[InvoiceLine], already: Mapping[tuple[str, str, str], float],
                     requested: Sequence[Mapping]) -> tuple[InvoiceLine, ...]:
    """Credit lines a coordinator asks for (`{day, product, producer?, quantity}`), each at most
    what its invoice line billed less what was credited already."""
    if not requested:
        raise InvalidInput("A credit note has at least one line.", "Un avoir a au moins une ligne.", "lines")
    left = {ln.key: ln.quantity - already.get(ln.key, 0.0) for ln in invoiced}
    by_key = {ln.key: ln for ln in invoiced}
    out = []
    for i, req in enumerate(requested):
        matches = [k for k in by_key if k[0] == req.get("day") and k[1] == req.get("product")
                   and (not req.get("producer") or k[2] == req["producer"])]
        if not matches:
            raise InvalidInput("No such line on this invoice.", "Cette ligne n'est pas sur la facture.",
                               f"lines[{i}].product")
        quantity = float(req.get("quantity", 0))
        if not quantity > 0:
            raise InvalidInput("A credited quantity is positive.", "La quantité d'un avoir est positive.",
                               f"lines[{i}].quantity")
        for key in matches:
            take = min(quantity, max(0.0, left[key]))
            if take > EPS:
                out.append(_credit_line(by_key[key], round(take, 3)))
                left[key] -= take
                quantity -= take
        if quantity > EPS:
            raise InvalidInput("The credit note is larger than what its invoice billed (less earlier credit notes).",
                               "L'avoir dépasse ce que la facture a facturé (moins les avoirs déjà faits).",
                               f"lines[{i}].quantity")
    return tuple(out)


def _credit_line(ln: InvoiceLine, quantity: float) -> InvoiceLine:
    return InvoiceLine(ln.day, ln.product, ln.producer, quantity, ln.unit_price, ln.vat_rate, ln.name, ln.unit,
                       ln.basis)
