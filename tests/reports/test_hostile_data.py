"""Text from data must stay text: escaped in HTML, visible in the PDF, and never fetched."""

import http.server
import threading

import pytest

from reports.delivery_note import DeliveryNote, NoteLine, render_delivery_note_html, render_delivery_note_pdf
from reports.render import html_to_pdf, static_fetcher
from reports.route_sheet import render_route_sheet_html, render_route_sheet_pdf
from tests.reports.helpers import make_sheet, make_stop, pages_text, squash


@pytest.fixture
def spy_server():
    """A local HTTP server counting the requests it receives."""
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server API)
            seen.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


def hostile_sheet(base: str):
    img = f"<img src={base}/x.png>"
    return make_sheet(
        2,
        driver="<script>alert(1)</script>",
        stops=(
            make_stop(1, name=f"Relais {img}", notes=f'<link rel="stylesheet" href="{base}/evil.css">'),
            make_stop(2, address=f"<svg><image href='{base}/y.png'/></svg>"),
        ),
    )


def test_hostile_names_are_escaped_in_html(spy_server):
    base, _ = spy_server
    html = render_route_sheet_html(hostile_sheet(base))
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img" not in html and "&lt;img src=" in html
    assert "<link rel=\"stylesheet\" href=\"http" not in html


def test_hostile_names_are_visible_text_in_the_pdf_and_nothing_is_fetched(spy_server):
    base, seen = spy_server
    pdf = render_route_sheet_pdf(hostile_sheet(base))
    text = squash("".join(pages_text(pdf)))
    assert squash(f"<img src={base}/x.png>") in text
    assert squash("<script>alert(1)</script>") in text
    assert seen == []


def test_fetcher_blocks_urls_even_if_markup_got_through(spy_server):
    base, seen = spy_server
    raw = (
        f'<html><head><link rel="stylesheet" href="{base}/a.css"></head>'
        f'<body><img src="{base}/b.png"><p style="background: url({base}/c.png)">x</p>'
        f'<img src="file:///etc/passwd"></body></html>'
    )
    assert html_to_pdf(raw).startswith(b"%PDF")
    with pytest.raises(ValueError):
        static_fetcher().fetch(f"{base}/d.png")
    assert seen == []


def test_delivery_note_escapes_product_names(spy_server):
    base, seen = spy_server
    note = DeliveryNote("Cantine <b>gras</b>", "2026-12-01", (NoteLine(f"<img src={base}/p.png>", 2, "kg", 3.5),))
    assert "&lt;b&gt;gras&lt;/b&gt;" in render_delivery_note_html(note)
    text = squash("".join(pages_text(render_delivery_note_pdf(note))))
    assert squash(f"<img src={base}/p.png>") in text
    assert seen == []
