"""Inline SVG drawings for the documents: the schematic round map and the targets bar chart.

No tiles, no network: the map is the stops' coordinates through an equirectangular projection

    x = (lon − lon₀) · cos(φ₀),   y = lat − lat₀      (φ₀ = mean latitude of the points)

scaled uniformly (same factor on both axes, so distances keep their proportions) to fit a box,
with y flipped so north is up.  Every text that reaches the SVG is escaped.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

from reports.formatting import percent

FONT_FAMILY = "Terril Sans, DejaVu Sans, sans-serif"


@dataclass(frozen=True, slots=True)
class MapPoint:
    """One point to draw: a label (stop sequence number, or ``H`` for the hub) and coordinates."""

    label: str
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar of the chart: a label, the value reached and the target, both as shares (0–1)."""

    label: str
    value: float
    target: float


def _fmt(value: float) -> str:
    return f"{value:.1f}"


def project(
    points: Sequence[tuple[float, float]], width: float, height: float, margin: float
) -> list[tuple[float, float]]:
    """(lat, lon) pairs → (x, y) pixels inside ``width × height`` minus ``margin`` on each side."""
    if not points:
        return []
    lat0 = sum(lat for lat, _ in points) / len(points)
    scale_x = math.cos(math.radians(lat0))
    raw = [(lon * scale_x, lat) for lat, lon in points]
    xs = [x for x, _ in raw]
    ys = [y for _, y in raw]
    span_x = max(xs) - min(xs)
    span_y = max(ys) - min(ys)
    inner_w, inner_h = width - 2 * margin, height - 2 * margin
    if span_x <= 0 and span_y <= 0:
        return [(width / 2, height / 2) for _ in raw]
    factor = min(inner_w / span_x if span_x > 0 else math.inf, inner_h / span_y if span_y > 0 else math.inf)
    offset_x = margin + (inner_w - span_x * factor) / 2
    offset_y = margin + (inner_h - span_y * factor) / 2
    return [
        (offset_x + (x - min(xs)) * factor, offset_y + (max(ys) - y) * factor)
        for x, y in raw
    ]


def route_map_svg(
    hub: MapPoint | None,
    stops: Sequence[MapPoint],
    width: int = 680,
    height: int = 380,
    title: str = "Plan schématique de la tournée",
) -> Markup:
    """The round as a schematic map: hub square, numbered stop discs, joined in visiting order.

    The path runs hub → stop 1 → … → stop n → hub.  Each stop gets exactly one
    ``<g class="stop-marker" data-seq="…">``.  Points without coordinates are the caller's to drop.
    """
    margin = 28.0
    places = ([hub] if hub else []) + list(stops)
    xy = project([(p.lat, p.lon) for p in places], width, height, margin)
    hub_xy = xy[0] if hub else None
    stop_xy = xy[1:] if hub else xy
    parts: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="route-map" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{FONT_FAMILY}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<rect x="0.5" y="0.5" width="{width - 1}" height="{height - 1}" fill="#ffffff" '
        'stroke="#000000" stroke-width="1"/>',
    ]
    path = ([hub_xy] if hub_xy else []) + stop_xy + ([hub_xy] if hub_xy and stop_xy else [])
    if len(path) >= 2:
        coords = " ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in path)
        parts.append(
            f'<polyline points="{coords}" fill="none" stroke="#333333" stroke-width="2.5" '
            'stroke-linejoin="round"/>'
        )
        # arrow heads half-way along each leg, so the direction of travel reads at a glance
        for (x1, y1), (x2, y2) in zip(path, path[1:], strict=False):
            length = math.hypot(x2 - x1, y2 - y1)
            if length < 30:
                continue
            angle = math.degrees(math.atan2(y2 - y1, x2 - x1))
            mx, my = (x1 + x2) / 2, (y1 + y2) / 2
            parts.append(
                f'<polygon points="-6,-5 6,0 -6,5" fill="#333333" '
                f'transform="translate({_fmt(mx)},{_fmt(my)}) rotate({_fmt(angle)})"/>'
            )
    if hub and hub_xy:
        x, y = hub_xy
        parts.append(
            f'<g class="hub-marker"><rect x="{_fmt(x - 13)}" y="{_fmt(y - 13)}" width="26" height="26" '
            'fill="#000000"/>'
            f'<text x="{_fmt(x)}" y="{_fmt(y + 6)}" text-anchor="middle" font-size="17" '
            f'font-weight="bold" fill="#ffffff">{escape(hub.label)}</text></g>'
        )
    radius = 13 if len(stops) <= 20 else 10
    font = 15 if len(stops) <= 20 else 11
    for stop, (x, y) in zip(stops, stop_xy, strict=True):
        parts.append(
            f'<g class="stop-marker" data-seq="{escape(stop.label)}">'
            f'<circle cx="{_fmt(x)}" cy="{_fmt(y)}" r="{radius}" fill="#ffffff" stroke="#000000" '
            'stroke-width="2.5"/>'
            f'<text x="{_fmt(x)}" y="{_fmt(y + font * 0.36)}" text-anchor="middle" font-size="{font}" '
            f'font-weight="bold" fill="#000000">{escape(stop.label)}</text></g>'
        )
    parts.append(_north_arrow(width))
    parts.append("</svg>")
    return Markup("".join(parts))


def _north_arrow(width: int) -> str:
    x = width - 22
    return (
        f'<g class="north"><polygon points="{x},8 {x - 7},26 {x + 7},26" fill="#000000"/>'
        f'<text x="{x}" y="42" text-anchor="middle" font-size="13" font-weight="bold">N</text></g>'
    )


def bar_chart_svg(bars: Sequence[Bar], width: int = 620, bar_height: int = 34, title: str = "") -> Markup:
    """Horizontal bars 0–100 %, one per target, with a tick at the target share.

    A bar that meets its target is filled black; one that misses it is hatched, so the
    difference survives a black-and-white printer.
    """
    label_w, right_pad, gap, top = 170, 70, 14, 26
    plot_w = width - label_w - right_pad
    height = top + len(bars) * (bar_height + gap) + 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="bar-chart" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{FONT_FAMILY}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        '<defs><pattern id="hatch" width="8" height="8" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="8" height="8" fill="#ffffff"/>'
        '<line x1="0" y1="0" x2="0" y2="8" stroke="#000000" stroke-width="4"/></pattern></defs>',
    ]
    for tick in (0, 0.25, 0.5, 0.75, 1.0):
        x = label_w + plot_w * tick
        parts.append(
            f'<line x1="{_fmt(x)}" y1="{top - 6}" x2="{_fmt(x)}" y2="{height - 8}" stroke="#999999" '
            'stroke-width="1"/>'
            f'<text x="{_fmt(x)}" y="{top - 10}" text-anchor="middle" font-size="11">{percent(tick)}</text>'
        )
    for index, bar in enumerate(bars):
        y = top + index * (bar_height + gap)
        value = max(0.0, min(1.0, bar.value))
        target = max(0.0, min(1.0, bar.target))
        met = bar.value + 1e-9 >= bar.target
        fill = "#000000" if met else "url(#hatch)"
        parts.append(
            f'<g class="bar" data-label="{escape(bar.label)}">'
            f'<text x="{label_w - 10}" y="{_fmt(y + bar_height * 0.65)}" text-anchor="end" font-size="15" '
            f'font-weight="bold">{escape(bar.label)}</text>'
            f'<rect x="{label_w}" y="{y}" width="{_fmt(plot_w)}" height="{bar_height}" fill="none" '
            'stroke="#000000" stroke-width="1"/>'
            f'<rect x="{label_w}" y="{y}" width="{_fmt(plot_w * value)}" height="{bar_height}" fill="{fill}" '
            'stroke="#000000" stroke-width="1"/>'
            f'<line class="target" x1="{_fmt(label_w + plot_w * target)}" y1="{y - 5}" '
            f'x2="{_fmt(label_w + plot_w * target)}" y2="{y + bar_height + 5}" stroke="#d00000" '
            'stroke-width="4"/>'
            f'<text x="{width - right_pad + 8}" y="{_fmt(y + bar_height * 0.65)}" font-size="15" '
            f'font-weight="bold">{percent(bar.value)}</text></g>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
