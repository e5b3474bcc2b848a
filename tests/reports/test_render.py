from datetime import date
from decimal import Decimal

import pytest

from reports import render
from reports.render import (
    RefusedURL,
    check_fonts,
    duration,
    french_date,
    french_number,
    hhmm,
    money,
    percent,
    quantity,
    static_path_for,
)

NBSP = "\u00a0"


def test_french_date_spells_weekday_and_month():
    assert french_date("2026-12-01") == "mardi 1 décembre 2026"
    assert french_date(date(2026, 8, 15)) == "samedi 15 août 2026"
    assert french_date("2026-02-02", weekday=False) == "2 février 2026"


def test_money_uses_comma_cents_and_euro_sign():
    assert money(12.5) == f"12,50{NBSP}€"
    assert money(Decimal("1234.5")) == f"1{NBSP}234,50{NBSP}€"
    assert money(0) == f"0,00{NBSP}€"
    assert money(2.675) == f"2,68{NBSP}€"  # half up, not banker's rounding of a binary float


def test_numbers_and_quantities_the_french_way():
    assert french_number(1234.5) == f"1{NBSP}234,5"
    assert french_number(30.0) == "30"
    assert french_number(-0.001) == "0"
    assert quantity(12.5, "kg") == f"12,5{NBSP}kg"
    assert quantity(3, "bunch") == f"3{NBSP}bottes"
    assert quantity(1, "piece") == f"1{NBSP}pièce"
    assert percent(0.153) == f"15{NBSP}%"


def test_minutes_and_hhmm_strings_both_print_as_hhmm():
    assert hhmm(390) == "06:30"
    assert hhmm("7:05") == "07:05"
    assert hhmm(None) == ""
    assert duration(125) == f"2{NBSP}h{NBSP}05"
    assert duration(45) == f"45{NBSP}min"


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
