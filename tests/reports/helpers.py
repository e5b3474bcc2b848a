"""Builders and PDF helpers for the reports tests."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

from reports.route_sheet import Depot, Drop, RouteSheet, RouteStop

HUB = Depot("Base 11/19", "Rue Léon Blum, Loos-en-Gohelle", 50.4574, 2.7937)


def pages_text(pdf: bytes) -> list[str]:
    """Text of each page, no-break spaces turned into spaces and runs of blanks collapsed."""
    reader = PdfReader(io.BytesIO(pdf))
    return [re.sub(r"[ \t\u00a0\u202f]+", " ", page.extract_text() or "") for page in reader.pages]


def squash(text: str) -> str:
    """Text without any whitespace, to look for strings that a line break may have cut."""
    return re.sub(r"\s+", "", text)


def make_stop(sequence: int, name: str | None = None, **overrides: object) -> RouteStop:
    fields: dict[str, object] = {
        "sequence": sequence,
        "name": name or f"Arrêt {sequence:02d} — Liévin",
        "eta": 7 * 60 + 10 * sequence,
        "address": f"{sequence} rue Émile Zola, 62800 Liévin",
        "window": ("07:30", "11:30"),
        "phone": "03 21 44 55 66",
        "notes": "Sonner à l’office, quai côté cour",
        "lat": 50.40 + 0.004 * (sequence % 7),
        "lon": 2.74 + 0.006 * sequence,
        "drops": (
            Drop("Bœuf haché", 12.5, "kg", 2, cold=True),
            Drop(f"Chicorée lot {sequence:02d}", 30, "kg", 3),
        ),
    }
    fields.update(overrides)
    return RouteStop(**fields)  # type: ignore[arg-type]


def make_sheet(stop_count: int = 4, vehicle: str = "van-1", **overrides: object) -> RouteSheet:
    fields: dict[str, object] = {
        "day": "2026-12-01",
        "vehicle": vehicle,
        "driver": "Françoise Debœuf",
        "departure": "06:30",
        "return_time": 11 * 60 + 45,
        "stops": tuple(make_stop(i) for i in range(1, stop_count + 1)),
        "hub": HUB,
        "km": 43.27,
    }
    fields.update(overrides)
    return RouteSheet(**fields)  # type: ignore[arg-type]
