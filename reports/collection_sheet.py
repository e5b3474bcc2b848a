"""Feuille d'émargement: the households collecting baskets at a relay point on one day.

One line per member and basket type: the member's name, the basket type's display name, how many
baskets, a box to tick (☐) and room to sign. Households the portioning cut that day are listed
apart (« sans panier ce jour »), so the relay manager can answer them. Plain data in, bytes out.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from reports.render import html_to_pdf, render_html


@dataclass(frozen=True, slots=True)
class SheetLine:
    member: str
    basket_type: str  # display name
    count: int = 1
    collected: bool | None = None


@dataclass(frozen=True, slots=True)
class CutLine:
    member: str
    basket_type: str
    cut: int = 1


@dataclass(frozen=True, slots=True)
class CollectionSheet:
    relay_point: str
    day: date | str
    week: str
    lines: tuple[SheetLine, ...] = ()
    cut: tuple[CutLine, ...] = ()
    slots: str = ""  # « retrait de 17 h 00 à 19 h 00 »
    address: str = ""

    @property
    def basket_count(self) -> int:
        return sum(line.count for line in self.lines)


def render_collection_sheet_html(sheet: CollectionSheet) -> str:
    return render_html("collection_sheet.html", sheet=sheet, title=f"Feuille d'émargement — {sheet.relay_point}")


def render_collection_sheet_pdf(sheet: CollectionSheet) -> bytes:
    return html_to_pdf(render_collection_sheet_html(sheet))


def sheet_of(relay_point: str, day: date | str, week: str, lines: Sequence[SheetLine],
             cut: Sequence[CutLine] = (), slots: str = "", address: str = "") -> CollectionSheet:
    """A sheet with its lines sorted by member name (the order people look themselves up in)."""
    return CollectionSheet(relay_point, day, week, tuple(sorted(lines, key=lambda x: (x.member.casefold(), x.basket_type))),
                           tuple(sorted(cut, key=lambda x: x.member.casefold())), slots, address)
