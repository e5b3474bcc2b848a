"""Amounts: `Decimal` to the cent, half up, as an invoice is checked by hand; VAT from a rate in %."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from orders.errors import InvalidInput

EUR = "EUR"
MANNE = "MANNE"
UNITS = (EUR, MANNE)
ZERO = Decimal("0.00")
CENT = Decimal("0.01")

Number = int | float | str | Decimal


def dec(value: Number) -> Decimal:
    """A number as a Decimal without binary noise (0.1 stays 0.1)."""
    return value if isinstance(value, Decimal) else Decimal(str(value))


def cents(value: Number) -> Decimal:
    """To the cent, half up; never -0.00."""
    return dec(value).quantize(CENT, rounding=ROUND_HALF_UP) + 0


def vat_of(net: Number, rate_percent: Number) -> Decimal:
    """The VAT of a net amount at `rate_percent` (5.5 → 5,5 %), to the cent."""
    return cents(dec(net) * dec(rate_percent) / 100)


def net_of_gross(gross: Number, rate_percent: Number) -> Decimal:
    """The net amount within a price including VAT (a basket's price), to the cent."""
    return cents(dec(gross) / (1 + dec(rate_percent) / 100))


def positive(value: Number, field: str, *, allow_zero: bool = False) -> Decimal:
    """An amount a person typed: a number > 0 (≥ 0 with `allow_zero`), at most two decimals."""
    try:
        amount = dec(value)
    except Exception as exc:  # decimal.InvalidOperation and friends
        raise InvalidInput(f"{field}: not a number.", f"{field} : ce n'est pas un nombre.", field) from exc
    if not amount.is_finite() or amount < 0 or (amount == 0 and not allow_zero):
        raise InvalidInput(f"{field}: an amount is a positive number.",
                           f"{field} : un montant est un nombre positif.", field)
    if amount != cents(amount):
        raise InvalidInput(f"{field}: at most two decimals.", f"{field} : deux décimales au plus.", field)
    if amount > Decimal("1000000"):
        raise InvalidInput(f"{field}: too large.", f"{field} : montant trop élevé.", field)
    return cents(amount)


def manne_to_eur(manne: Number, eur_per_manne: Number) -> Decimal:
    return cents(dec(manne) * dec(eur_per_manne))
