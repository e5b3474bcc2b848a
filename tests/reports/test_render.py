import pytest

from reports import render
from reports.render import FILTERS, RefusedURL, check_fonts, static_path_for


def test_fetcher_serves_only_the_package_static_files():
    assert static_path_for("terril-static:/print.css").name == "print.css"
    assert static_path_for((render.STATIC_DIR / "fonts" / "DejaVuSans.ttf").as_uri()).suffix == ".ttf"
    for url in (
        "http://127.0.0.1:9/x.png",
        "https://example.org/style.css",
        "ftp://example.org/a",
        "data:text/css,body{}",
        "file:///etc/passwd",
        (render.STATIC_DIR / ".." / "render.py").as_uri(),
        "terril-static:/../render.py",
        "file://evil.example/share/x.css",
    ):
        with pytest.raises(RefusedURL):
            static_path_for(url)


def test_check_fonts_finds_the_shipped_font():
    assert (check_fonts() / "DejaVuSans.ttf").is_file()


def test_check_fonts_says_clearly_when_the_font_is_missing(monkeypatch, tmp_path):
    monkeypatch.setattr(render, "STATIC_DIR", tmp_path)
    with pytest.raises(render.FontUnavailable, match="Police introuvable.*No usable font"):
        check_fonts()


def test_templates_autoescape():
    assert render.environment().autoescape is True


def test_the_templates_format_through_reports_formatting():
    from reports import formatting

    assert FILTERS["money"] is formatting.money and FILTERS["french_date"] is formatting.date_long
    assert {f.__module__ for f in FILTERS.values()} == {"reports.formatting"}
