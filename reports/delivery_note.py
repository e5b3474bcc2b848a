"""Bon de livraison: what a canteen or a relay point receives, priced line by line.

Money is computed with :class:`decimal.Decimal`, each line rounded to the cent (half up) and the
total being the sum of the rounded lines — the way the paper copy is checked by hand.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from reports.render import html_to_pdf, render_html, round_money


@dataclass(frozen=True, slots=True)
class NoteLine:
    """One delivered product: quantity in its unit at a unit price in euros."""

    product: str
    quantity: float
    unit: str = "kg"
    unit_price_eur: float = 0.0
    producer: str = ""

    @property
    def total_eur(self) -> Decimal:
        return round_money(Decimal(str(self.quantity)) * Decimal(str(self.unit_price_eur)))


@dataclass(frozen=True, slots=True)
class BasketItem:
    product: str
    quantity: float
    unit: str = "kg"


@dataclass(frozen=True, slots=True)
class BasketComposition:
    """What one basket of a type holds, and how many such baskets are delivered."""

    basket_type: str
    count: int
    contents: tuple[BasketItem, ...] = ()
    price_eur: float | None = None


@dataclass(frozen=True, slots=True)
class DeliveryNote:
    """A bon de livraison for one consumer and one delivery day."""

    recipient: str
    day: date | str
    lines: tuple[NoteLine, ...]
    kind: str = "canteen"
    """``canteen`` (maternelle, élémentaire, foyer…) or ``relay`` for a relay point."""
    address: str = ""
    number: str = ""
    baskets: tuple[BasketComposition, ...] = ()
    week: str = ""
    territory: str = ""
    issuer: str = "Terril — collectif de producteurs"
    site_id: str = ""
    """The recipient's id (documents are matched to sites by id, never by display name)."""
    changes: tuple[str, ...] = ()
    """French lines "was → is" when this is a new version after a re-plan (a shortage)."""
    crates_held: tuple[tuple[str, int], ...] = ()
    """The collective's crates this site holds (crate type, number) from the drivers' confirmations
    up to the printing: left at the site minus taken back, carried from week to week."""

    @property
    def total_eur(self) -> Decimal:
        return sum((line.total_eur for line in self.lines), Decimal("0.00"))

    @property
    def basket_count(self) -> int:
        return sum(basket.count for basket in self.baskets)

    @property
    def is_relay(self) -> bool:
        return self.kind in ("relay", "relay_point")


def render_delivery_note_html(note: DeliveryNote) -> str:
    return render_delivery_notes_html((note,))


def render_delivery_note_pdf(note: DeliveryNote) -> bytes:
    return html_to_pdf(render_delivery_note_html(note))


def render_delivery_notes_html(notes: Sequence[DeliveryNote]) -> str:
    """Several notes in one document, each starting on a new page."""
    title = "Bon de livraison" + (f" — {notes[0].recipient}" if len(notes) == 1 else "s")
    return render_html("delivery_note.html", notes=tuple(notes), title=title)


def render_delivery_notes_pdf(notes: Sequence[DeliveryNote]) -> bytes:
    return html_to_pdf(render_delivery_notes_html(notes))
