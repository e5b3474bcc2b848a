"""French formatting of dates, times, numbers, money and quantities — the one place (issue 12).

Pages (app/web), PDFs (reports/templates, as Jinja filters) and e-mails (app/services/notify.py)
all call these functions; nothing else formats a number or a date for a person. Babel with the
``fr_FR`` locale (CLDR data) does the work.

Spaces, chosen once here, after CLDR's French data:

* thousands are grouped with U+202F NARROW NO-BREAK SPACE (``1 234,5``, ``1 234,50 €``);
* a number and what follows it (``kg``, ``€``, ``%``, ``h``, ``min``, a unit word) are joined by
  U+00A0 NO-BREAK SPACE (``12,5 kg``, ``15 %``), so they never part at a line break.

Dates say ``1er`` for the first of the month (``mardi 1er décembre 2026``), as French writes it.
Rounding is half up (as an invoice and a pair of scales do), never banker's rounding.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, format_percent

LOCALE = "fr_FR"
NNBSP = "\u202f"
"""Thousands separator (CLDR ``fr``)."""
NBSP = "\u00a0"
"""Between a number and its unit, sign or symbol."""

Number = float | int | Decimal

# ---------------------------------------------------------------------------------------------
# dates and times
# ---------------------------------------------------------------------------------------------


def as_date(value: date | datetime | str) -> date:
    """A ``date``, ``datetime`` or ISO ``YYYY-MM-DD…`` string as a ``date``."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def weekday(value: date | datetime | str) -> str:
    """``mardi``."""
    return format_date(as_date(value), "EEEE", locale=LOCALE)


def month(value: date | datetime | str) -> str:
    """``décembre``."""
    return format_date(as_date(value), "MMMM", locale=LOCALE)


def day_of_month(value: date | datetime | str) -> str:
    """``1er``, ``2``, … ``31``."""
    day = as_date(value).day
    return "1er" if day == 1 else str(day)


def date_long(value: date | datetime | str, *, with_weekday: bool = True, with_year: bool = True) -> str:
    """``mardi 1er décembre 2026`` (``1er décembre 2026``, ``mardi 1er décembre``)."""
    day = as_date(value)
    text = f"{day_of_month(day)} {month(day)}"
    if with_year:
        text += f" {day.year}"
    return f"{weekday(day)} {text}" if with_weekday else text


def date_short(value: date | datetime | str) -> str:
    """``mar. 01/12`` — for crate labels and tables, where room is scarce."""
    day = as_date(value)
    return f"{format_date(day, 'EEE', locale=LOCALE)} {day:%d/%m}"


def date_span(first: date | datetime | str, last: date | datetime | str) -> str:
    """``du 30 novembre au 6 décembre 2026``; ``du 1er au 7 décembre 2026``; across years, both years."""
    a, b = as_date(first), as_date(last)
    if a.year != b.year:
        return f"du {date_long(a, with_weekday=False)} au {date_long(b, with_weekday=False)}"
    if a.month != b.month:
        return f"du {date_long(a, with_weekday=False, with_year=False)} au {date_long(b, with_weekday=False)}"
    return f"du {day_of_month(a)} au {date_long(b, with_weekday=False)}"


def to_minutes(value: int | float | str | time | datetime | None) -> int | None:
    """Minutes since midnight from an int, an ``HH:MM`` string or a time; ``None``/``""`` → ``None``."""
    if value is None or value == "":
        return None
    if isinstance(value, (datetime, time)):
        return value.hour * 60 + value.minute
    if isinstance(value, (int, float)):
        return int(round(value))
    hours, _, minutes = str(value).strip().partition(":")
    return int(hours) * 60 + int(minutes or 0)


def time_hm(value: int | float | str | time | datetime | None) -> str:
    """``07:45`` from minutes since midnight, ``7:45``, a time or a datetime; empty for ``None``."""
    minutes = to_minutes(value)
    if minutes is None:
        return ""
    return f"{minutes // 60 % 24:02d}:{minutes % 60:02d}"


def datetime_long(value: datetime) -> str:
    """``mercredi 25 novembre 2026 à 12:00`` (the time as given: convert to local time first)."""
    return f"{date_long(value)} à {time_hm(value)}"


def duration(minutes: Number | None) -> str:
    """``2 h 05``, or ``45 min`` under one hour; empty for ``None``."""
    if minutes is None:
        return ""
    total = int(_round(minutes, 0))
    if total < 60:
        return f"{total}{NBSP}min"
    return f"{total // 60}{NBSP}h{NBSP}{total % 60:02d}"


# ---------------------------------------------------------------------------------------------
# numbers
# ---------------------------------------------------------------------------------------------


def _round(value: Number, decimals: int) -> Decimal:
    number = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return number + 0  # -0.00 + 0 is 0.00: never print "-0"


def number(value: Number | None, decimals: int = 2, keep_zeros: bool = False) -> str:
    """``1234.5`` → ``1 234,5``: at most ``decimals`` decimals, trailing zeros dropped unless
    ``keep_zeros``; empty for ``None``."""
    if value is None:
        return ""
    fraction = ("0" if keep_zeros else "#") * decimals
    pattern = "#,##0" + (f".{fraction}" if decimals else "")
    return format_decimal(_round(value, decimals), format=pattern, locale=LOCALE, decimal_quantization=False)


def kg(value: Number | None, decimals: int = 1) -> str:
    """``12,5 kg``; empty for ``None``."""
    return "" if value is None else f"{number(value, decimals)}{NBSP}kg"


def km(value: Number | None, decimals: int = 1) -> str:
    """``163,6 km``; empty for ``None``."""
    return "" if value is None else f"{number(value, decimals)}{NBSP}km"


def round_money(value: Number) -> Decimal:
    """To the cent, half up, as an invoice does."""
    return _round(value, 2)


def money(value: Number | None) -> str:
    """``1234.5`` → ``1 234,50 €``; empty for ``None``."""
    if value is None:
        return ""
    return format_currency(round_money(value), "EUR", locale=LOCALE)


def percent(share: Number | None, decimals: int = 0) -> str:
    """A share (``0.153``) → ``15 %`` (``15,3 %`` with one decimal); empty for ``None``."""
    if share is None:
        return ""
    pattern = "#,##0" + (f".{'#' * decimals}" if decimals else "") + "\u00a0%"
    return format_percent(_round(Decimal(str(share)) * 100, decimals) / 100, format=pattern, locale=LOCALE,
                          decimal_quantization=False)


# ---------------------------------------------------------------------------------------------
# quantities in a product's unit
# ---------------------------------------------------------------------------------------------

UNITS: dict[str, tuple[str, str]] = {
    "kg": ("kg", "kg"),
    "g": ("g", "g"),
    "l": ("l", "l"),
    "piece": ("pièce", "pièces"),
    "bunch": ("botte", "bottes"),
    "dozen": ("douzaine", "douzaines"),
    "basket": ("panier", "paniers"),
    "panier": ("panier", "paniers"),
    "crate": ("caisse", "caisses"),
}
"""Unit code → (singular, plural) in French."""


def unit_label(unit: str, value: Number | None = None) -> str:
    """The French word of a unit: ``pièce(s)`` with no value (a column heading), else agreed with
    the value (French: plural from 2 on, ``1,5 pièce``)."""
    singular, plural = UNITS.get(unit, (unit, unit))
    if value is None:
        return singular if singular == plural else f"{singular}(s)"
    return plural if abs(Decimal(str(value))) >= 2 else singular


def quantity(value: Number | None, unit: str = "kg", decimals: int = 2) -> str:
    """``12,5 kg``, ``1 pièce``, ``3 bottes``, ``2 douzaines``, ``12 paniers``; empty for ``None``."""
    if value is None:
        return ""
    label = unit_label(unit, _round(value, decimals)) if unit else ""
    text = number(value, decimals)
    return f"{text}{NBSP}{label}" if label else text


def crates(count: int) -> str:
    """``3 caisses``, ``1 caisse``."""
    return quantity(count, "crate", 0)
