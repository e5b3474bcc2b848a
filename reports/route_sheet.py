"""Feuille de route: the driver's sheet for one round (and the day's bundle of all rounds).

The view model carries plain values only; times are minutes since midnight or ``HH:MM`` strings,
the day a ``date`` or an ISO string.  The van is loaded in the reverse of the visiting order (last
stop first), so the first stop's crates sit at the doors.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup

from reports.render import html_to_pdf, render_html, to_minutes
from reports.svg import MapPoint, route_map_svg

Clock = int | str
"""Minutes since midnight (``450``) or ``"07:30"``."""


@dataclass(frozen=True, slots=True)
class Drop:
    """What to leave at a stop: one product line."""

    product: str
    quantity: float
    unit: str = "kg"
    crates: int = 0
    cold: bool = False


@dataclass(frozen=True, slots=True)
class RouteStop:
    """One visit of the round, in visiting order (``sequence`` starts at 1)."""

    sequence: int
    name: str
    eta: Clock
    address: str = ""
    window: tuple[Clock, Clock] | None = None
    departure: Clock | None = None
    phone: str = ""
    notes: str = ""
    kind: str = ""
    lat: float | None = None
    lon: float | None = None
    drops: tuple[Drop, ...] = ()

    @property
    def crates(self) -> int:
        return sum(drop.crates for drop in self.drops)

    @property
    def is_pickup(self) -> bool:
        """A collection at a farm: goods are loaded here, for later stops of the round."""
        return self.kind == "pickup"

    @property
    def has_cold(self) -> bool:
        return any(drop.cold for drop in self.drops)


@dataclass(frozen=True, slots=True)
class Depot:
    """The hub the round leaves from and returns to."""

    name: str
    address: str = ""
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True, slots=True)
class RouteSheet:
    """Everything printed on one round's feuille de route."""

    day: date | str
    vehicle: str
    driver: str
    departure: Clock
    stops: tuple[RouteStop, ...]
    hub: Depot | None = None
    return_time: Clock | None = None
    km: float = 0.0
    duration_min: int | None = None
    territory: str = ""
    week: str = ""
    round_id: str = ""
    vehicle_name: str = ""
    """What the driver reads (« Renault Master frigorifique »); `vehicle` is the id."""

    @property
    def vehicle_label(self) -> str:
        return self.vehicle_name or self.vehicle

    @property
    def loading_order(self) -> tuple[RouteStop, ...]:
        """Deliveries in the order their crates go into the van at the hub: last visited first
        (goods collected at farms on the way are loaded there, not at the hub)."""
        return tuple(stop for stop in reversed(self.stops) if not stop.is_pickup)

    @property
    def crates(self) -> int:
        """Crates delivered on the round (collected crates are counted once, at their delivery)."""
        return sum(stop.crates for stop in self.stops if not stop.is_pickup)

    @property
    def total_minutes(self) -> int | None:
        """The round's duration: given, or from departure to return."""
        if self.duration_min is not None:
            return self.duration_min
        start, end = to_minutes(self.departure), to_minutes(self.return_time)
        if start is None or end is None:
            return None
        return end - start

    @property
    def title(self) -> str:
        return f"Tournée {self.vehicle_label}"

    def map_svg(self) -> Markup:
        """The schematic map; stops without coordinates are left out of the drawing."""
        hub = None
        if self.hub and self.hub.lat is not None and self.hub.lon is not None:
            hub = MapPoint("H", self.hub.lat, self.hub.lon)
        points = [
            MapPoint(str(stop.sequence), stop.lat, stop.lon)
            for stop in self.stops
            if stop.lat is not None and stop.lon is not None
        ]
        return route_map_svg(hub, points)


def render_route_sheet_html(sheet: RouteSheet) -> str:
    """One round's sheet as a standalone HTML document."""
    return render_html("route_sheet.html", sheets=(sheet,), title=f"Feuille de route — {sheet.vehicle}")


def render_route_sheet_pdf(sheet: RouteSheet) -> bytes:
    """One round's sheet as PDF bytes (A4)."""
    return html_to_pdf(render_route_sheet_html(sheet))


def render_day_sheets_html(sheets: Sequence[RouteSheet]) -> str:
    """All rounds of a day in one document; each round starts on a new page."""
    ordered = tuple(sheets)
    days = sorted({str(sheet.day) for sheet in ordered})
    title = "Feuilles de route" + (f" — {days[0]}" if len(days) == 1 else "")
    return render_html("route_sheet.html", sheets=ordered, title=title)


def render_day_sheets_pdf(sheets: Sequence[RouteSheet]) -> bytes:
    """All rounds of a day as one PDF (one section per round, each on a new page)."""
    return html_to_pdf(render_day_sheets_html(sheets))
