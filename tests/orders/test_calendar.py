"""Public holidays, school holidays (zone B, Lille), delivery-day rules and the update command."""

from __future__ import annotations

import http.server
import json
import threading
from datetime import date, timedelta
from pathlib import Path

import holidays
import pytest

from orders import calendar as cal
from orders.calendar import (
    CanteenKind,
    HolidayRule,
    SchoolCalendarUnknown,
    SchoolHolidaysUpdateError,
    canteen_delivers_on,
    is_public_holiday,
    is_school_holiday,
    load_school_holidays,
    move_delivery_day,
    public_holidays,
    update_school_holidays,
)

# --------------------------------------------------------------------------- public holidays


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 12, 25),  # Noël
        date(2027, 1, 1),  # Jour de l'an
        date(2026, 5, 14),  # Ascension
        date(2026, 5, 25),  # Lundi de Pentecôte
        date(2027, 5, 6),  # Ascension 2027
        date(2027, 5, 17),  # Lundi de Pentecôte 2027
        date(2026, 7, 14),
        date(2026, 11, 11),
    ],
)
def test_french_public_holidays_are_known(day: date) -> None:
    assert is_public_holiday(day)


def test_alsace_moselle_extras_do_not_apply_to_pas_de_calais() -> None:
    assert not is_public_holiday(date(2026, 4, 3))  # Vendredi saint
    assert not is_public_holiday(date(2026, 12, 26))  # Saint-Étienne
    assert len(public_holidays(2026)) == 11


def test_public_holidays_names_are_french() -> None:
    assert public_holidays(2026)[date(2026, 12, 25)] == "Noël"


def test_public_holidays_rejects_a_non_integer_year() -> None:
    with pytest.raises(ValueError, match="year must be an int"):
        public_holidays("2026")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- moving a delivery


def test_ordinary_day_is_not_moved_whatever_the_rule() -> None:
    for rule in HolidayRule:
        assert move_delivery_day(date(2026, 12, 1), rule) == date(2026, 12, 1)


def test_whit_monday_delivery_moves_as_the_rule_says() -> None:
    whit_monday = date(2026, 5, 25)
    assert move_delivery_day(whit_monday, "skip") is None
    assert move_delivery_day(whit_monday, "previous_working_day") == date(2026, 5, 22)  # Friday
    assert move_delivery_day(whit_monday, "next_working_day") == date(2026, 5, 26)  # Tuesday


def test_christmas_friday_moves_over_the_weekend_to_monday() -> None:
    assert move_delivery_day(date(2026, 12, 25), "next_working_day") == date(2026, 12, 28)
    assert move_delivery_day(date(2026, 12, 25), "previous_working_day") == date(2026, 12, 24)


def test_unknown_holiday_rule_is_refused_clearly() -> None:
    with pytest.raises(ValueError, match="unknown holiday_rule 'tomorrow'"):
        move_delivery_day(date(2026, 5, 25), "tomorrow")


# --------------------------------------------------------------------------- school holidays


def test_school_holidays_csv_covers_2025_2026_and_2026_2027_for_lille() -> None:
    rows = load_school_holidays()
    years = {h.school_year for h in rows}
    assert {"2025-2026", "2026-2027"} <= years
    assert all(h.zone == "B" and h.academy == "Lille" and h.source for h in rows)
    for year in ("2025-2026", "2026-2027"):
        labels = {h.label for h in rows if h.school_year == year}
        assert labels == {
            "Vacances de la Toussaint",
            "Vacances de Noël",
            "Vacances d'Hiver",
            "Vacances de Printemps",
            "Pont de l'Ascension",
            "Vacances d'Été",
        }


def test_school_holidays_agree_day_by_day_with_the_holidays_package() -> None:
    """Two independent encodings of the same arrêtés must agree on every day."""
    other = holidays.France(subdiv="Zone B", years=[2025, 2026, 2027], categories=("school",))
    day = date(2025, 9, 1)
    while day < date(2027, 9, 2):
        assert is_school_holiday(day) == (day in other), day
        day += timedelta(days=1)


def test_christmas_2026_bounds_first_day_without_school_and_first_day_back() -> None:
    assert not is_school_holiday(date(2026, 12, 18))
    assert is_school_holiday(date(2026, 12, 19))
    assert is_school_holiday(date(2027, 1, 3))
    assert not is_school_holiday(date(2027, 1, 4))


def test_zone_is_accepted_as_letter_or_label_and_unknown_zone_refused() -> None:
    assert is_school_holiday(date(2026, 12, 21), "Zone B")
    with pytest.raises(ValueError, match="unknown school zone 'D'"):
        is_school_holiday(date(2026, 12, 21), "D")


def test_date_outside_the_known_calendar_raises_instead_of_guessing() -> None:
    with pytest.raises(SchoolCalendarUnknown, match="2027-2028"):
        is_school_holiday(date(2027, 10, 1))
    with pytest.raises(SchoolCalendarUnknown):
        is_school_holiday(date(2025, 3, 3))


def test_malformed_calendar_file_names_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "zone,academy,label,start,end,school_year,source\nB,Lille,Noël,2026-12-19,2027-13-04,2026-2027,x\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match=r"bad.csv:2: bad date '2027-13-04'"):
        load_school_holidays(bad)


# --------------------------------------------------------------------------- canteens


def test_school_canteen_gets_nothing_on_holidays_and_weekends() -> None:
    assert canteen_delivers_on(date(2026, 12, 15), CanteenKind.ELEMENTAIRE)  # Tuesday in term
    assert not canteen_delivers_on(date(2026, 12, 22), "maternelle")  # Noël holidays
    assert not canteen_delivers_on(date(2026, 12, 12), "elementaire")  # Saturday
    assert not canteen_delivers_on(date(2026, 5, 15), "elementaire")  # pont de l'Ascension


def test_foyer_logement_ignores_school_holidays_but_not_public_holidays() -> None:
    assert canteen_delivers_on(date(2026, 12, 22), CanteenKind.FOYER)
    assert canteen_delivers_on(date(2026, 12, 26), "foyer")  # Saturday, not a public holiday here
    assert not canteen_delivers_on(date(2026, 12, 25), "foyer")
    assert not canteen_delivers_on(date(2026, 12, 25), None)


def test_unknown_canteen_kind_is_refused() -> None:
    with pytest.raises(ValueError):
        canteen_delivers_on(date(2026, 12, 15), "lycee")


# --------------------------------------------------------------------------- update command

# Two records in the shape of the Ministry's JSON export (dates in UTC, as the API gives
# without timezone=Europe/Paris), plus rows that must be filtered out.
OPEN_DATA_JSON = [
    {
        "description": "Vacances de Noël",
        "population": "-",
        "start_date": "2026-12-18T23:00:00+00:00",
        "end_date": "2027-01-03T23:00:00+00:00",
        "location": "Lille",
        "zones": "Zone B",
        "annee_scolaire": "2026-2027",
    },
    {
        "description": "Vacances de la Toussaint",
        "population": "-",
        "start_date": "2026-10-16T22:00:00+00:00",
        "end_date": "2026-11-01T23:00:00+00:00",
        "location": "Lille",
        "zones": "Zone B",
        "annee_scolaire": "2026-2027",
    },
    {  # same period, another académie
        "description": "Vacances de Noël",
        "population": "-",
        "start_date": "2026-12-18T23:00:00+00:00",
        "end_date": "2027-01-03T23:00:00+00:00",
        "location": "Amiens",
        "zones": "Zone B",
        "annee_scolaire": "2026-2027",
    },
    {  # another zone
        "description": "Vacances d'Hiver",
        "population": "-",
        "start_date": "2027-02-06T00:00:00+01:00",
        "end_date": "2027-02-22T00:00:00+01:00",
        "location": "Paris",
        "zones": "Zone C",
        "annee_scolaire": "2026-2027",
    },
    {  # teachers only
        "description": "Rentrée scolaire des enseignants",
        "population": "Enseignants",
        "start_date": "2026-08-30T22:00:00+00:00",
        "end_date": "2026-08-31T22:00:00+00:00",
        "location": "Lille",
        "zones": "Zone B",
        "annee_scolaire": "2026-2027",
    },
]

# The CSV export with use_labels=true (semicolons, French headers, dates in Europe/Paris).
OPEN_DATA_CSV = (
    "Description;Population;Date de début;Date de fin;Académies;Zones;annee_scolaire\n"
    "Vacances d'Hiver;-;2027-02-20T00:00:00+01:00;2027-03-08T00:00:00+01:00;Lille;Zone B;2026-2027\n"
    "Pont de l'Ascension;-;2027-05-06T00:00:00+02:00;2027-05-10T00:00:00+02:00;Lille;Zone B;2026-2027\n"
    "Vacances d'Hiver;-;2027-02-13T00:00:00+01:00;2027-03-01T00:00:00+01:00;Lyon;Zone A;2026-2027\n"
)


def test_update_parses_a_json_export_file_and_rewrites_the_csv(tmp_path: Path) -> None:
    src = tmp_path / "fr-en-calendrier-scolaire.json"
    src.write_text(json.dumps(OPEN_DATA_JSON), encoding="utf-8")
    dest = tmp_path / "school_holidays.csv"
    rows = update_school_holidays(src, dest, retrieved_on=date(2026, 11, 25))
    assert [(h.label, h.start, h.end) for h in rows] == [
        ("Vacances de la Toussaint", date(2026, 10, 17), date(2026, 11, 2)),
        ("Vacances de Noël", date(2026, 12, 19), date(2027, 1, 4)),
    ]
    written = load_school_holidays(dest)
    assert written == tuple(rows)
    assert "retrieved 2026-11-25" in written[0].source
    assert is_school_holiday(date(2026, 12, 24), path=dest)


def test_update_parses_the_labelled_csv_export(tmp_path: Path) -> None:
    src = tmp_path / "export.csv"
    src.write_text(OPEN_DATA_CSV, encoding="utf-8")
    rows = update_school_holidays(src, tmp_path / "out.csv", retrieved_on=date(2026, 11, 25))
    assert [(h.label, h.start, h.end) for h in rows] == [
        ("Vacances d'Hiver", date(2027, 2, 20), date(2027, 3, 8)),
        ("Pont de l'Ascension", date(2027, 5, 6), date(2027, 5, 10)),
    ]


def test_update_fetches_over_http_from_a_local_fake_server(tmp_path: Path) -> None:
    body = json.dumps(OPEN_DATA_JSON).encode()
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server API
            seen.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}/exports/json"
        url = cal.open_data_url("B", "Lille", base_url=base)
        dest = tmp_path / "school_holidays.csv"
        rows = update_school_holidays(url, dest, retrieved_on=date(2026, 11, 25), timeout_s=5)
    finally:
        server.shutdown()
        server.server_close()
    assert len(rows) == 2
    assert "refine=zones" in seen[0] and "timezone=Europe%2FParis" in seen[0]
    assert dest.exists()


def test_update_leaves_the_file_alone_when_the_export_has_no_matching_row(tmp_path: Path) -> None:
    src = tmp_path / "export.json"
    src.write_text(json.dumps(OPEN_DATA_JSON[2:]), encoding="utf-8")
    dest = tmp_path / "school_holidays.csv"
    dest.write_text("keep me", encoding="utf-8")
    with pytest.raises(SchoolHolidaysUpdateError, match="no school holiday for zone B / académie Lille"):
        update_school_holidays(src, dest)
    assert dest.read_text(encoding="utf-8") == "keep me"


def test_update_reports_an_unreachable_server_clearly(tmp_path: Path) -> None:
    server = http.server.HTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    port = server.server_address[1]
    server.server_close()  # nothing listens on that port any more
    with pytest.raises(SchoolHolidaysUpdateError, match="could not fetch"):
        update_school_holidays(f"http://127.0.0.1:{port}/x", tmp_path / "out.csv", timeout_s=2)


def test_update_rejects_garbage_and_odd_sources(tmp_path: Path) -> None:
    src = tmp_path / "export.json"
    src.write_text("{not json", encoding="utf-8")
    with pytest.raises(SchoolHolidaysUpdateError, match="not valid JSON"):
        update_school_holidays(src, tmp_path / "out.csv")
    with pytest.raises(ValueError, match="unsupported source"):
        update_school_holidays("ftp://example.invalid/x", tmp_path / "out.csv")
    with pytest.raises(FileNotFoundError):
        update_school_holidays(tmp_path / "missing.json", tmp_path / "out.csv")
