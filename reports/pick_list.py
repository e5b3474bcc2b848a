"""Bon de préparation: what one producer harvests and prepares for one delivery day.

Lines give the quantity in the product's unit, the number of lots of the offer and of crates; each
line says where its crates go.  The crate labels (destination, day, product, crate n/N) are derived
from the same lines, numbered per destination × product, so they cannot disagree with the table.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from reports.render import html_to_pdf, render_html


@dataclass(frozen=True, slots=True)
class PickDestination:
    """Part of a line going to one consumer (canteen or relay point)."""

    name: str
    quantity: float
    crates: int
    kind: str = ""


@dataclass(frozen=True, slots=True)
class PickLine:
    """One product to harvest and prepare."""

    product: str
    quantity: float
    unit: str = "kg"
    crates: int = 0
    lot: float | None = None
    cold: bool = False
    destinations: tuple[PickDestination, ...] = ()

    @property
    def lots(self) -> int | None:
        """Number of the offer's lots (``None`` when the lot size is unknown)."""
        if not self.lot:
            return None
        return math.ceil(round(self.quantity / self.lot, 6))


@dataclass(frozen=True, slots=True)
class CrateLabel:
    """One label to stick on a crate."""

    destination: str
    day: date | str
    product: str
    index: int
    total: int
    producer: str = ""
    quantity: float | None = None
    unit: str = ""
    cold: bool = False


@dataclass(frozen=True, slots=True)
class PickList:
    """A producer's bon de préparation for one delivery day."""

    producer: str
    day: date | str
    lines: tuple[PickLine, ...]
    week: str = ""
    territory: str = ""
    drop_off: str = ""
    """Where and when to bring the crates (e.g. « Base 11/19, avant 06:15 »)."""
    site_id: str = ""
    """The producer's id (documents are matched to sites by id, never by display name)."""
    changes: tuple[str, ...] = ()
    """French lines "was → is" when this is a new version after a re-plan (a shortage)."""

    @property
    def crates(self) -> int:
        return sum(line.crates for line in self.lines)

    @property
    def labels(self) -> tuple[CrateLabel, ...]:
        """One label per crate; quantities split evenly across a destination's crates."""
        labels: list[CrateLabel] = []
        for line in self.lines:
            for dest in line.destinations:
                count = max(dest.crates, 0)
                for index in range(1, count + 1):
                    labels.append(
                        CrateLabel(
                            destination=dest.name,
                            day=self.day,
                            product=line.product,
                            index=index,
                            total=count,
                            producer=self.producer,
                            quantity=round(dest.quantity / count, 2) if count else None,
                            unit=line.unit,
                            cold=line.cold,
                        )
                    )
        return tuple(labels)


def render_pick_list_html(pick_list: PickList) -> str:
    """One producer's pick list and its crate labels as HTML."""
    return render_pick_lists_html((pick_list,))


def render_pick_list_pdf(pick_list: PickList) -> bytes:
    return html_to_pdf(render_pick_list_html(pick_list))


def render_pick_lists_html(pick_lists: Sequence[PickList]) -> str:
    """Several pick lists in one document, each starting on a new page."""
    title = "Bon de préparation" + (f" — {pick_lists[0].producer}" if len(pick_lists) == 1 else "s")
    return render_html("pick_list.html", pick_lists=tuple(pick_lists), title=title)


def render_pick_lists_pdf(pick_lists: Sequence[PickList]) -> bytes:
    return html_to_pdf(render_pick_lists_html(pick_lists))
