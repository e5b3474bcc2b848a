"""Shared rendering machinery: the Jinja2 environment, French formatting filters and the PDF call.

Every document goes the same way: a frozen view model → a Jinja2 template (autoescaped, so any
text coming from data is inert) → HTML → WeasyPrint → PDF bytes.  WeasyPrint only ever reads
files through :class:`StaticOnlyFetcher`, which serves this package's own ``static/`` folder and
refuses everything else (http, https, ftp, data, file paths outside ``static/``): rendering a
document never touches the network nor an arbitrary file, whatever the data says.
"""

from __future__ import annotations

import atexit
import logging
import mimetypes
import threading
from collections.abc import Mapping
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

import jinja2
from markupsafe import Markup

LOGGER = logging.getLogger(__name__)

PACKAGE_DIR = Path(__file__).resolve().parent
STATIC_DIR = PACKAGE_DIR / "static"
TEMPLATE_DIR = PACKAGE_DIR / "templates"
FONT_FILES = ("fonts/DejaVuSans.ttf", "fonts/DejaVuSans-Bold.ttf")
STATIC_SCHEME = "terril-static"
STYLESHEET_LINK = '<link rel="stylesheet" href="print.css">'
"""How templates link the print stylesheet (for a browser preview of the HTML); the PDF call swaps
it for a parsed stylesheet cached per thread."""

NBSP = "\u00a0"
DAY_NAMES = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
MONTH_NAMES = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)


class FontUnavailable(RuntimeError):
    """No usable font for the documents (the PDFs would come out with missing glyphs)."""


class RefusedURL(ValueError):
    """A document asked for a resource outside the package's static files."""


# ---------------------------------------------------------------------------------------------
# French formatting (pure functions, also registered as Jinja2 filters)
# ---------------------------------------------------------------------------------------------

def as_date(value: date | str) -> date:
    """Accept a ``date``/``datetime`` or an ISO ``YYYY-MM-DD`` string."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def french_date(value: date | str, weekday: bool = True) -> str:
    """``2026-12-01`` → ``mardi 1 décembre 2026`` (no locale needed)."""
    day = as_date(value)
    text = f"{day.day} {MONTH_NAMES[day.month - 1]} {day.year}"
    return f"{DAY_NAMES[day.weekday()]} {text}" if weekday else text


def short_french_date(value: date | str) -> str:
    """``2026-12-01`` → ``mar. 01/12`` — for crate labels, where room is scarce."""
    day = as_date(value)
    return f"{DAY_NAMES[day.weekday()][:3]}. {day.day:02d}/{day.month:02d}"


def to_minutes(value: int | float | str | None) -> int | None:
    """Minutes since midnight from an int or an ``HH:MM`` string; ``None`` stays ``None``."""
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)):
        return int(round(value))
    hours, _, minutes = str(value).strip().partition(":")
    return int(hours) * 60 + int(minutes or 0)


def hhmm(value: int | float | str | None) -> str:
    """Minutes since midnight (or ``HH:MM``) → ``07:45``; empty for ``None``."""
    minutes = to_minutes(value)
    if minutes is None:
        return ""
    return f"{minutes // 60 % 24:02d}:{minutes % 60:02d}"


def duration(minutes: int | float | None) -> str:
    """A duration in minutes → ``2 h 05`` (or ``45 min`` under one hour)."""
    if minutes is None:
        return ""
    total = int(round(minutes))
    if total < 60:
        return f"{total}{NBSP}min"
    return f"{total // 60}{NBSP}h{NBSP}{total % 60:02d}"


def _group_thousands(digits: str) -> str:
    groups = []
    while len(digits) > 3:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    groups.insert(0, digits)
    return NBSP.join(groups)


def french_number(value: float | int | Decimal | None, decimals: int = 2, keep_zeros: bool = False) -> str:
    """``1234.5`` → ``1 234,5`` (no-break space between thousands, comma as decimal mark).

    Trailing zeros of the fraction are dropped unless ``keep_zeros`` (money keeps them).
    """
    if value is None:
        return ""
    quantum = Decimal(1).scaleb(-decimals)
    number = Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)
    sign = "-" if number < 0 else ""
    text = f"{abs(number):.{decimals}f}"
    whole, _, fraction = text.partition(".")
    if not keep_zeros:
        fraction = fraction.rstrip("0")
    result = sign + _group_thousands(whole)
    if sign and set(result[1:]) <= {"0", NBSP} and not fraction:
        result = result[1:]  # no "-0"
    return f"{result},{fraction}" if fraction else result


def money(value: float | int | Decimal | None) -> str:
    """Euros the French way: ``12.5`` → ``12,50 €`` (no-break space before the sign)."""
    if value is None:
        return ""
    return f"{french_number(value, 2, keep_zeros=True)}{NBSP}€"


def round_money(value: float | int | Decimal) -> Decimal:
    """Round to the cent, half up, as an invoice does."""
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def percent(share: float | None, decimals: int = 0) -> str:
    """``0.153`` → ``15 %`` (no-break space before %)."""
    if share is None:
        return ""
    return f"{french_number(share * 100, decimals)}{NBSP}%"


def quantity(value: float | int, unit: str = "") -> str:
    """``12.5, 'kg'`` → ``12,5 kg``; units spelled out in French where known."""
    label = UNIT_LABELS.get(unit, unit)
    if unit in PLURAL_UNITS and abs(float(value)) >= 2:
        label = PLURAL_UNITS[unit]
    number = french_number(value, 2)
    return f"{number}{NBSP}{label}" if label else number


UNIT_LABELS = {"kg": "kg", "piece": "pièce", "bunch": "botte", "dozen": "douzaine", "l": "l"}
PLURAL_UNITS = {"piece": "pièces", "bunch": "bottes", "dozen": "douzaines"}


def crates(count: int) -> str:
    """``3`` → ``3 caisses``; ``1`` → ``1 caisse``."""
    return f"{count}{NBSP}caisse{'s' if abs(count) >= 2 else ''}"


FILTERS: Mapping[str, Any] = {
    "french_date": french_date,
    "short_date": short_french_date,
    "hhmm": hhmm,
    "duration": duration,
    "number": french_number,
    "money": money,
    "percent": percent,
    "quantity": quantity,
    "crates": crates,
}


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The one Jinja2 environment: package templates, autoescape on for every template."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(FILTERS)
    env.globals["stylesheet_link"] = Markup(STYLESHEET_LINK)
    return env


def render_html(template: str, **context: Any) -> str:
    """Render one of ``reports/templates`` with the given context (values are autoescaped)."""
    return environment().get_template(template).render(**context)


# ---------------------------------------------------------------------------------------------
# The restricted URL fetcher and the PDF call
# ---------------------------------------------------------------------------------------------

def static_path_for(url: str) -> Path:
    """The file of ``static/`` an URL points to, or :class:`RefusedURL`.

    Accepted: ``terril-static:/print.css`` and ``file:`` URLs that resolve (symlinks and ``..``
    followed) inside ``reports/static``.  Everything else is refused.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == STATIC_SCHEME:
        candidate = STATIC_DIR / unquote(parts.path).lstrip("/")
    elif scheme == "file" and parts.netloc in ("", "localhost"):
        candidate = Path(url2pathname(parts.path))
    else:
        raise RefusedURL(f"refused URL (only the package's static files are served): {url[:200]}")
    resolved = candidate.resolve()
    static = STATIC_DIR.resolve()
    if resolved != static and static not in resolved.parents:
        raise RefusedURL(f"refused path outside reports/static: {url[:200]}")
    if not resolved.is_file():
        raise RefusedURL(f"no such static file: {url[:200]}")
    return resolved


def _fetcher_class() -> type:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        """WeasyPrint fetcher serving only ``reports/static``; never opens a socket."""

        def __init__(self) -> None:
            super().__init__(allowed_protocols=("file", STATIC_SCHEME), fail_on_errors=False)

        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            try:
                path = static_path_for(url)
            except RefusedURL:
                LOGGER.warning("document resource refused", extra={"url": url[:200]})
                raise
            mime, _ = mimetypes.guess_type(path.name)
            if path.suffix == ".ttf":
                mime = "font/ttf"
            return URLFetcherResponse(
                path.as_uri(), path.read_bytes(), {"Content-Type": mime or "application/octet-stream"}
            )

        def open(self, url: Any, data: Any = None, timeout: Any = None) -> URLFetcherResponse:
            return self.fetch(getattr(url, "full_url", url))

    return StaticOnlyFetcher


@lru_cache(maxsize=1)
def static_fetcher_class() -> type:
    """The :class:`StaticOnlyFetcher` class (built lazily so importing reports stays light)."""
    return _fetcher_class()


def static_fetcher() -> Any:
    """A fresh fetcher instance to hand to ``weasyprint.HTML(url_fetcher=…)``."""
    return static_fetcher_class()()


def check_fonts() -> Path:
    """Fail early and clearly when the documents' font is missing.

    The documents embed DejaVu Sans, shipped in ``reports/static/fonts`` (Bitstream Vera licence,
    free to redistribute).  Returns the directory of the font files.
    """
    missing = [name for name in FONT_FILES if not (STATIC_DIR / name).is_file()]
    if missing:
        raise FontUnavailable(
            "Police introuvable pour les documents PDF : "
            f"{', '.join(missing)} manquant dans {STATIC_DIR}. "
            "/ No usable font for the PDF documents: "
            f"{', '.join(missing)} missing from {STATIC_DIR} (reinstall the terril package)."
        )
    for name in FONT_FILES:
        with open(STATIC_DIR / name, "rb") as handle:
            magic = handle.read(4)
        if magic not in (b"\x00\x01\x00\x00", b"OTTO", b"true"):
            raise FontUnavailable(
                f"Fichier de police illisible : {name} / unreadable font file: {name} ({STATIC_DIR})"
            )
    return STATIC_DIR / "fonts"


_LOCAL = threading.local()
# drop the cached stylesheet before interpreter shutdown: WeasyPrint's FontConfiguration.__del__
# otherwise runs after its modules are torn down and prints a TypeError at exit
atexit.register(lambda: _LOCAL.__dict__.clear())


def _stylesheet() -> tuple[Any, Any]:
    """``(CSS, FontConfiguration)`` of ``print.css``, parsed once per thread.

    Parsing the stylesheet and loading its fonts is ~10 % of a route sheet's render; WeasyPrint's
    objects are not documented as thread-safe, hence one pair per thread.
    """
    cached = getattr(_LOCAL, "stylesheet", None)
    if cached is None:
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        font_config = FontConfiguration()
        css = CSS(
            url=f"{STATIC_SCHEME}:/print.css",
            base_url=STATIC_DIR.as_uri() + "/",
            url_fetcher=static_fetcher(),
            font_config=font_config,
        )
        cached = _LOCAL.stylesheet = (css, font_config)
    return cached


def html_to_pdf(html: str) -> bytes:
    """HTML → PDF bytes through WeasyPrint with the static-only fetcher and ``print.css``.

    Relative URLs resolve against ``reports/static``; nothing outside it is ever read.
    """
    from weasyprint import HTML

    check_fonts()
    css, font_config = _stylesheet()
    document = HTML(
        string=html.replace(STYLESHEET_LINK, "", 1),
        base_url=STATIC_DIR.as_uri() + "/",
        url_fetcher=static_fetcher(),
        encoding="utf-8",
    )
    return document.write_pdf(
        stylesheets=[css],
        font_config=font_config,
        pdf_identifier=b"terril",  # deterministic bytes
    )
