"""Shared rendering machinery: the Jinja2 environment, its French formatting filters and the PDF call.

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
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

import jinja2
from markupsafe import Markup

from reports import formatting
from reports.formatting import round_money, to_minutes  # noqa: F401  (re-exported for the view models)
from reports.formatting import time_hm as hhmm  # noqa: F401

LOGGER = logging.getLogger(__name__)

PACKAGE_DIR = Path(__file__).resolve().parent
STATIC_DIR = PACKAGE_DIR / "static"
TEMPLATE_DIR = PACKAGE_DIR / "templates"
FONT_FILES = ("fonts/DejaVuSans.ttf", "fonts/DejaVuSans-Bold.ttf")
STATIC_SCHEME = "terril-static"
STYLESHEET_LINK = '<link rel="stylesheet" href="print.css">'
"""How templates link the print stylesheet (for a browser preview of the HTML); the PDF call swaps
it for a parsed stylesheet cached per thread."""


class FontUnavailable(RuntimeError):
    """No usable font for the documents (the PDFs would come out with missing glyphs)."""


class RefusedURL(ValueError):
    """A document asked for a resource outside the package's static files."""


# French formatting lives in reports/formatting.py (shared with the pages and the e-mails); the
# templates reach it through these filters.
FILTERS: Mapping[str, Any] = {
    "french_date": formatting.date_long,
    "short_date": formatting.date_short,
    "weekday": formatting.weekday,
    "hhmm": formatting.time_hm,
    "duration": formatting.duration,
    "number": formatting.number,
    "kg": formatting.kg,
    "km": formatting.km,
    "money": formatting.money,
    "percent": formatting.percent,
    "quantity": formatting.quantity,
    "unit_label": formatting.unit_label,
    "crates": formatting.crates,
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


def html_to_pdf(html: str, variant: str | None = None) -> bytes:
    """HTML → PDF bytes through WeasyPrint with the static-only fetcher and ``print.css``.

    Relative URLs resolve against ``reports/static``; nothing outside it is ever read. ``variant``
    is WeasyPrint's ``pdf_variant`` (``"pdf/a-3b"`` for the Factur-X invoices), None for plain PDF.
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
        **({"pdf_variant": variant} if variant else {}),
    )
