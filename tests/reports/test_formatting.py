"""reports/formatting.py: the one French formatter of pages, PDFs and e-mails (Babel, fr_FR).

The space choice, stated once (see the module): thousands grouped by U+202F NARROW NO-BREAK SPACE,
a number joined to its unit / € / % by U+00A0 NO-BREAK SPACE."""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from reports import formatting as f

NN = "\u202f"  # thousands
NB = "\u00a0"  # number ↔ unit


def test_the_space_choice_is_stated_once():
    assert (f.NNBSP, f.NBSP) == (NN, NB)
    assert f.number(1234567.891) == f"1{NN}234{NN}567,89"
    assert f.money(1234.5) == f"1{NN}234,50{NB}€"


@pytest.mark.parametrize(("value", "text"), [
    ("2026-12-01", "mardi 1er décembre 2026"),
    (date(2026, 8, 15), "samedi 15 août 2026"),
    (datetime(2027, 2, 2, 23, 59), "mardi 2 février 2027"),
    ("2026-12-31", "jeudi 31 décembre 2026"),
])
def test_long_dates_say_1er(value, text):
    assert f.date_long(value) == text


def test_date_variants():
    assert f.date_long("2026-12-01", with_weekday=False) == "1er décembre 2026"
    assert f.date_long("2026-12-02", with_year=False) == "mercredi 2 décembre"
    assert f.date_short("2026-12-01") == "mar. 01/12"
    assert [f.weekday(date(2026, 11, 30) + timedelta(days=i)) for i in range(7)] == [
        "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
    assert f.month("2026-08-01") == "août"


def test_date_spans():
    assert f.date_span("2026-11-30", "2026-12-06") == "du 30 novembre au 6 décembre 2026"
    assert f.date_span("2026-12-01", "2026-12-07") == "du 1er au 7 décembre 2026"
    assert f.date_span("2026-12-28", "2027-01-03") == "du 28 décembre 2026 au 3 janvier 2027"


def test_times_and_durations():
    assert f.time_hm(390) == "06:30"
    assert f.time_hm("7:05") == "07:05"
    assert f.time_hm(time(13, 0)) == "13:00"
    assert f.time_hm(None) == ""
    assert f.datetime_long(datetime(2026, 11, 25, 12, 0)) == "mercredi 25 novembre 2026 à 12:00"
    assert f.datetime_long(datetime(2027, 3, 1, 8, 5)) == "lundi 1er mars 2027 à 08:05"
    assert f.duration(125) == f"2{NB}h{NB}05"
    assert f.duration(45) == f"45{NB}min"
    assert f.duration(None) == ""


def test_numbers():
    assert f.number(1234.5) == f"1{NN}234,5"
    assert f.number(30.0) == "30"
    assert f.number(-0.001) == "0"
    assert f.number(2.675) == "2,68"  # half up, not the binary float's 2.67
    assert f.number(12.25, 1) == "12,3"
    assert f.number(1234.5, 2, keep_zeros=True) == f"1{NN}234,50"
    assert f.number(None) == ""
    assert f.kg(12.5) == f"12,5{NB}kg"
    assert f.kg(1234.56) == f"1{NN}234,6{NB}kg"
    assert f.km(163.62) == f"163,6{NB}km"


def test_money():
    assert f.money(12.5) == f"12,50{NB}€"
    assert f.money(Decimal("1234.5")) == f"1{NN}234,50{NB}€"
    assert f.money(0) == f"0,00{NB}€"
    assert f.money(2.675) == f"2,68{NB}€"
    assert f.money(None) == ""
    assert f.round_money(2.675) == Decimal("2.68")


def test_percentages():
    assert f.percent(0.153) == f"15{NB}%"
    assert f.percent(0.8615, 1) == f"86,2{NB}%"
    assert f.percent(1) == f"100{NB}%"
    assert f.percent(0.1535, 1) == f"15,4{NB}%"


@pytest.mark.parametrize(("value", "unit", "text"), [
    (12.5, "kg", f"12,5{NB}kg"),
    (1, "piece", f"1{NB}pièce"),
    (1.5, "piece", f"1,5{NB}pièce"),
    (24, "piece", f"24{NB}pièces"),
    (1, "bunch", f"1{NB}botte"),
    (3, "bunch", f"3{NB}bottes"),
    (2, "dozen", f"2{NB}douzaines"),
    (12, "basket", f"12{NB}paniers"),
    (1, "basket", f"1{NB}panier"),
])
def test_quantities_in_the_products_unit(value, unit, text):
    assert f.quantity(value, unit) == text


def test_unit_labels_and_crates():
    assert [f.unit_label(u) for u in ("kg", "piece", "bunch", "dozen", "basket")] == [
        "kg", "pièce(s)", "botte(s)", "douzaine(s)", "panier(s)"]
    assert f.crates(1) == f"1{NB}caisse" and f.crates(3) == f"3{NB}caisses"


def test_the_domain_deadline_text_agrees():
    """orders/ may not import reports/ (ARCHITECTURE.md): its deadline text must say the same."""
    from orders.cycle import format_when_fr

    start = datetime(2026, 1, 1, 6, 0, tzinfo=UTC)
    for hours in range(0, 24 * 400, 37):
        when = (start + timedelta(hours=hours)).astimezone(ZoneInfo("Europe/Paris"))
        assert format_when_fr(when) == f.datetime_long(when)
