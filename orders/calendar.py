"""Public holidays, school holidays and delivery-day rules for the Lens-Liévin territory.

Why this module exists: canteens of schools receive nothing on a day without school, and a
delivery day of the territory that falls on a public holiday moves as the territory says.
Everything here is pure (dates in, dates out) except :func:`update_school_holidays`, which
reads the Ministry's open-data export and rewrites the bundled CSV.

* Public holidays come from the maintained ``holidays`` package, France without a
  subdivision: the Alsace-Moselle extras (Good Friday, 26 December) do not apply to
  Pas-de-Calais.
* School holidays come from ``orders/data/school_holidays.csv`` (zone B, académie de Lille);
  ``start`` is the first day without school, ``end`` the first day back (half-open
  interval). See ``orders/data/SCHOOL_HOLIDAYS.md`` for the source of every row.
* A date the CSV does not cover raises :class:`SchoolCalendarUnknown` instead of silently
  answering "school day": a canteen delivered during the holidays is worse than a loud error.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays

log = logging.getLogger(__name__)

PARIS = ZoneInfo("Europe/Paris")
DEFAULT_SCHOOL_HOLIDAYS_CSV = Path(__file__).parent / "data" / "school_holidays.csv"
CSV_COLUMNS = ("zone", "academy", "label", "start", "end", "school_year", "source")

#: The Ministry's open-data dataset "Le calendrier scolaire" (Opendatasoft explore API v2.1).
OPEN_DATA_DATASET = "fr-en-calendrier-scolaire"
OPEN_DATA_EXPORT_URL = (
    f"https://data.education.gouv.fr/api/explore/v2.1/catalog/datasets/{OPEN_DATA_DATASET}/exports/json"
)

#: Populations of the open-data rows that concern pupils ("-" = everyone).
_PUPIL_POPULATIONS = {"", "-", "élèves", "eleves"}

#: Header labels of the CSV export made with ``use_labels=true``, mapped to field names.
_OPEN_DATA_LABELS = {
    "description": "description",
    "population": "population",
    "date de début": "start_date",
    "date de debut": "start_date",
    "date de fin": "end_date",
    "académies": "location",
    "academies": "location",
    "zones": "zones",
    "annee_scolaire": "annee_scolaire",
    "année scolaire": "annee_scolaire",
    "start_date": "start_date",
    "end_date": "end_date",
    "location": "location",
}


class CanteenKind(StrEnum):
    """Kinds of canteen; the values are those stored in ``Site.canteen_kind``."""

    MATERNELLE = "maternelle"
    ELEMENTAIRE = "elementaire"
    FOYER = "foyer"  # foyer logement: a residence for the elderly, open in school holidays

    @property
    def is_school(self) -> bool:
        return self is not CanteenKind.FOYER


class HolidayRule(StrEnum):
    """What happens to a delivery day that falls on a public holiday."""

    SKIP = "skip"
    PREVIOUS_WORKING_DAY = "previous_working_day"
    NEXT_WORKING_DAY = "next_working_day"


class SchoolCalendarUnknown(LookupError):
    """The school calendar does not cover the asked date: run the update command."""


class SchoolHolidaysUpdateError(RuntimeError):
    """The open-data export could not be fetched or gave no usable row."""


@dataclass(frozen=True, slots=True)
class SchoolHoliday:
    """One school holiday period; ``start`` is the first day without school, ``end`` the first day back."""

    zone: str
    academy: str
    label: str
    start: date
    end: date
    school_year: str
    source: str

    def contains(self, d: date) -> bool:
        return self.start <= d < self.end


# --------------------------------------------------------------------------- public holidays


@lru_cache(maxsize=64)
def _public_holidays_cached(year: int) -> tuple[tuple[date, str], ...]:
    # No subdiv: metropolitan France outside Alsace-Moselle; names in French.
    table = holidays.France(years=year, language="fr")
    return tuple(sorted(table.items()))


def public_holidays(year: int) -> dict[date, str]:
    """French public holidays (jours fériés) of ``year`` applying in Pas-de-Calais, name in French."""
    if not isinstance(year, int) or isinstance(year, bool):
        raise ValueError(f"year must be an int, got {year!r}")
    return dict(_public_holidays_cached(year))


def is_public_holiday(d: date) -> bool:
    """True on a French public holiday (including Whit Monday / lundi de Pentecôte)."""
    return _as_date(d) in dict(_public_holidays_cached(d.year))


def is_working_day(d: date) -> bool:
    """Monday to Friday and not a public holiday: the days the hub ships on."""
    d = _as_date(d)
    return d.weekday() < 5 and not is_public_holiday(d)


def move_delivery_day(d: date, rule: HolidayRule | str) -> date | None:
    """The day a delivery planned on ``d`` actually happens, or None when it is dropped.

    A day that is not a public holiday is kept as it is (weekends included: a territory may
    deliver relay points on Saturday). On a public holiday the rule says: ``skip`` drops the
    delivery, ``previous_working_day`` / ``next_working_day`` move it to the nearest Monday to
    Friday that is not a public holiday, searching at most a week away.
    """
    d = _as_date(d)
    rule = _holiday_rule(rule)
    if not is_public_holiday(d):
        return d
    if rule is HolidayRule.SKIP:
        return None
    step = timedelta(days=-1 if rule is HolidayRule.PREVIOUS_WORKING_DAY else 1)
    candidate = d
    for _ in range(7):
        candidate += step
        if is_working_day(candidate):
            return candidate
    return None  # pragma: no cover - France never has a week of holidays


# --------------------------------------------------------------------------- school holidays


def _normalise_zone(zone: str) -> str:
    z = str(zone).strip()
    if z.lower().startswith("zone"):
        z = z[4:].strip()
    z = z.upper()
    if z not in {"A", "B", "C"}:
        raise ValueError(f"unknown school zone {zone!r}: expected 'A', 'B' or 'C' (Lille is zone B)")
    return z


def _parse_csv_date(value: str, where: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"{where}: bad date {value!r}, expected YYYY-MM-DD") from None


@lru_cache(maxsize=8)
def _load_cached(path: Path, mtime_ns: int) -> tuple[SchoolHoliday, ...]:
    rows: list[SchoolHoliday] = []
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        missing = set(CSV_COLUMNS) - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"{path}: missing columns {sorted(missing)}; expected {list(CSV_COLUMNS)}")
        for lineno, raw in enumerate(reader, start=2):
            where = f"{path}:{lineno}"
            start = _parse_csv_date(raw["start"], where)
            end = _parse_csv_date(raw["end"], where)
            if end <= start:
                raise ValueError(f"{where}: end {end} must be after start {start}")
            rows.append(
                SchoolHoliday(
                    zone=_normalise_zone(raw["zone"]),
                    academy=raw["academy"].strip(),
                    label=raw["label"].strip(),
                    start=start,
                    end=end,
                    school_year=raw["school_year"].strip(),
                    source=raw["source"].strip(),
                )
            )
    rows.sort(key=lambda h: (h.zone, h.start))
    return tuple(rows)


def load_school_holidays(path: Path | str | None = None) -> tuple[SchoolHoliday, ...]:
    """All rows of the school-holiday CSV, sorted by zone then start (cached until the file changes)."""
    p = Path(path) if path is not None else DEFAULT_SCHOOL_HOLIDAYS_CSV
    p = p.resolve()
    if not p.exists():
        raise FileNotFoundError(f"school holiday calendar not found: {p}")
    return _load_cached(p, p.stat().st_mtime_ns)


def _school_year_of(d: date) -> str:
    first = d.year if d.month >= 9 else d.year - 1
    return f"{first}-{first + 1}"


def school_holiday_on(d: date, zone: str = "B", *, path: Path | str | None = None) -> SchoolHoliday | None:
    """The school holiday period containing ``d`` in ``zone``, or None on a school term day.

    Raises SchoolCalendarUnknown when neither a period contains ``d`` nor its school year is in
    the calendar, so an out-of-date file is noticed before a canteen is wrongly delivered.
    """
    d = _as_date(d)
    z = _normalise_zone(zone)
    rows = [h for h in load_school_holidays(path) if h.zone == z]
    for h in rows:
        if h.contains(d):
            return h
    known_years = {h.school_year for h in rows}
    if (
        not rows
        or d < rows[0].start
        or (d >= max(h.end for h in rows) and _school_year_of(d) not in known_years)
    ):
        known = sorted(known_years)
        raise SchoolCalendarUnknown(
            f"school holidays of zone {z} are not known for {d.isoformat()} (school year "
            f"{_school_year_of(d)}; known: {', '.join(known) or 'none'}); "
            "update orders/data/school_holidays.csv with the update command"
        )
    return None


def is_school_holiday(d: date, zone: str = "B", *, path: Path | str | None = None) -> bool:
    """True on a day of school holidays in ``zone`` (weekends inside a period included)."""
    return school_holiday_on(d, zone, path=path) is not None


def canteen_delivers_on(
    d: date,
    kind: CanteenKind | str | None = CanteenKind.ELEMENTAIRE,
    *,
    zone: str = "B",
    path: Path | str | None = None,
) -> bool:
    """Whether a canteen of ``kind`` can be delivered on ``d``.

    Every site: no delivery on a public holiday. School canteens (maternelle, élémentaire)
    additionally get nothing on weekends and during school holidays. A foyer logement (or
    ``kind=None`` for a site that is not a canteen) is not affected by school holidays nor by
    weekends; its actual delivery weekdays come from the territory's schedule.
    """
    d = _as_date(d)
    if is_public_holiday(d):
        return False
    k = CanteenKind(kind) if kind is not None else None
    if k is None or not k.is_school:
        return True
    if d.weekday() >= 5:
        return False
    return not is_school_holiday(d, zone, path=path)


# --------------------------------------------------------------------------- update command


def _read_source(source: str | Path, timeout_s: float) -> bytes:
    text = str(source)
    scheme = urllib.parse.urlsplit(text).scheme.lower()
    if scheme in {"http", "https"}:
        try:
            with urllib.request.urlopen(text, timeout=timeout_s) as resp:  # noqa: S310 - scheme checked
                return resp.read()
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise SchoolHolidaysUpdateError(f"could not fetch {text}: {exc}") from exc
    if scheme and len(scheme) > 1:  # "c:" on Windows is a drive, not a scheme
        raise ValueError(f"unsupported source {text!r}: give an http(s) URL or a file path")
    path = Path(text)
    if not path.exists():
        raise FileNotFoundError(f"school calendar source not found: {path}")
    return path.read_bytes()


def _records_from_payload(payload: bytes) -> list[dict[str, str]]:
    """Records of the open-data export, whether JSON (export or records API) or CSV (`;` or `,`)."""
    text = payload.decode("utf-8-sig").strip()
    if not text:
        raise SchoolHolidaysUpdateError("the open-data export is empty")
    if text[0] in "[{":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SchoolHolidaysUpdateError(f"the open-data export is not valid JSON: {exc}") from exc
        if isinstance(data, dict):
            data = data.get("results", data.get("records"))
        if not isinstance(data, list):
            raise SchoolHolidaysUpdateError("unexpected JSON export: expected a list of records")
        records = []
        for item in data:
            if isinstance(item, dict) and "fields" in item and isinstance(item["fields"], dict):
                item = item["fields"]  # records API v1 shape
            if isinstance(item, dict):
                records.append({str(k).lower(): "" if v is None else str(v) for k, v in item.items()})
        return records
    first_line = text.splitlines()[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    records = []
    for row in reader:
        rec = {}
        for key, value in row.items():
            if key is None:
                continue
            name = _OPEN_DATA_LABELS.get(key.strip().lower(), key.strip().lower())
            rec[name] = (value or "").strip()
        records.append(rec)
    return records


def _open_data_date(value: str, field: str) -> date:
    """A date of the export: ISO datetimes are read in Europe/Paris (the export may be in UTC)."""
    v = value.strip()
    try:
        if "T" in v:
            dt = datetime.fromisoformat(v.replace("Z", "+00:00"))
            if dt.tzinfo is not None:
                dt = dt.astimezone(PARIS)
            return dt.date()
        return date.fromisoformat(v)
    except ValueError:
        raise SchoolHolidaysUpdateError(f"bad {field} {value!r} in the open-data export") from None


def parse_open_data(
    payload: bytes, *, zone: str = "B", academy: str = "Lille", source: str = ""
) -> list[SchoolHoliday]:
    """School holidays of ``zone`` / ``academy`` for pupils from an open-data export, sorted by start."""
    z = _normalise_zone(zone)
    out: dict[tuple[str, date, date], SchoolHoliday] = {}
    for rec in _records_from_payload(payload):
        rec_zone = rec.get("zones", "")
        if not rec_zone or _safe_zone(rec_zone) != z:
            continue
        if rec.get("location", "").strip().lower() != academy.lower():
            continue
        if rec.get("population", "").strip().lower() not in _PUPIL_POPULATIONS:
            continue  # rows for teachers only (pre-rentrée) do not close canteens
        if not rec.get("start_date") or not rec.get("end_date"):
            log.warning("school_holidays.skip_row reason=no_end description=%r", rec.get("description"))
            continue
        start = _open_data_date(rec["start_date"], "start_date")
        end = _open_data_date(rec["end_date"], "end_date")
        if end <= start:
            log.warning("school_holidays.skip_row reason=end_before_start start=%s end=%s", start, end)
            continue
        label = " ".join(rec.get("description", "").split())
        out[(label, start, end)] = SchoolHoliday(
            zone=z,
            academy=academy,
            label=label,
            start=start,
            end=end,
            school_year=rec.get("annee_scolaire", "").strip() or _school_year_of(start),
            source=source,
        )
    return sorted(out.values(), key=lambda h: (h.start, h.end))


def _safe_zone(value: str) -> str | None:
    try:
        return _normalise_zone(value)
    except ValueError:
        return None


def write_school_holidays(rows: Iterable[SchoolHoliday], dest: Path | str) -> None:
    """Write ``rows`` to ``dest`` atomically (temporary file then rename)."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".school_holidays.", suffix=".csv", dir=dest.parent)
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(CSV_COLUMNS)
            for h in rows:
                writer.writerow(
                    [
                        h.zone,
                        h.academy,
                        h.label,
                        h.start.isoformat(),
                        h.end.isoformat(),
                        h.school_year,
                        h.source,
                    ]
                )
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def open_data_url(zone: str = "B", academy: str = "Lille", base_url: str = OPEN_DATA_EXPORT_URL) -> str:
    """The export URL of the dataset filtered on one zone and académie, dates in Europe/Paris."""
    query: Mapping[str, object] = {
        "refine": [f'zones:"Zone {_normalise_zone(zone)}"', f'location:"{academy}"'],
        "timezone": "Europe/Paris",
        "lang": "fr",
    }
    return f"{base_url}?{urllib.parse.urlencode(query, doseq=True)}"


def update_school_holidays(
    source: str | Path | None = None,
    dest: Path | str = DEFAULT_SCHOOL_HOLIDAYS_CSV,
    *,
    zone: str = "B",
    academy: str = "Lille",
    retrieved_on: date | None = None,
    timeout_s: float = 30.0,
) -> list[SchoolHoliday]:
    """Rewrite ``dest`` from the Ministry's open-data calendar (URL or local export file).

    ``source`` defaults to the dataset's JSON export filtered on ``zone``/``academy``. The
    ``source`` column of every row names where it came from and ``retrieved_on`` (today by
    default). Refuses to overwrite the file with nothing: an export without a row for the
    zone and académie raises SchoolHolidaysUpdateError and leaves ``dest`` untouched.
    """
    src = str(source) if source is not None else open_data_url(zone, academy)
    payload = _read_source(src, timeout_s)
    day = retrieved_on or date.today()
    label = f"{OPEN_DATA_DATASET} open data, {Path(src).name if '://' not in src else src.split('?')[0]}"
    rows = parse_open_data(
        payload, zone=zone, academy=academy, source=f"{label} (retrieved {day.isoformat()})"
    )
    if not rows:
        raise SchoolHolidaysUpdateError(
            f"no school holiday for zone {_normalise_zone(zone)} / académie {academy} in {src}: "
            "wrong filter or format; the calendar file was left unchanged"
        )
    write_school_holidays(rows, dest)
    log.info(
        "school_holidays.updated dest=%s rows=%d first=%s last=%s",
        dest,
        len(rows),
        rows[0].start,
        rows[-1].end,
    )
    return rows


# --------------------------------------------------------------------------- helpers


def _as_date(d: date) -> date:
    if isinstance(d, datetime):
        return d.date()
    if not isinstance(d, date):
        raise ValueError(f"expected a date, got {d!r}")
    return d


def _holiday_rule(rule: HolidayRule | str) -> HolidayRule:
    try:
        return HolidayRule(rule)
    except ValueError:
        allowed = ", ".join(repr(r.value) for r in HolidayRule)
        raise ValueError(f"unknown holiday_rule {rule!r}: expected one of {allowed}") from None
