"""The weekly cycle of a territory: its schedule, deadlines, due transitions and reminders.

(The week states are in `orders/week_state.py`, ISO week helpers in `orders/isoweek.py`; both are
re-exported here.)

A *delivery week* is an ISO week ("2026-W49"). Its cycle runs during the week before it:
with the default schedule, offers open Monday 08:00, offers close (and orders open) Tuesday
12:00, orders close Wednesday 12:00, planning runs Wednesday 14:00, documents are published
Thursday 08:00, all in the territory's time zone. The week is marked delivered at midnight
after its last delivery day.

Everything is pure: the caller passes ``now`` (timezone-aware) and the week's current state,
and gets back what is due. Deadlines are computed from local wall-clock times then attached
to the zone, so a cycle across a daylight-saving change keeps its 08:00 and 12:00.

State machine::

    draft -> offers_open -> orders_open -> closed -> planned -> published -> delivered
                  ^              ^            |         |
                  +--------------+---(reopen, coordinator only)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from orders.calendar import CanteenKind, HolidayRule, canteen_delivers_on, move_delivery_day
from orders.isoweek import (  # noqa: F401  (re-exported: the cycle's public names)
    format_week,
    iso_week_of,
    next_week,
    parse_week,
    previous_week,
    week_monday,
)
from orders.week_state import (  # noqa: F401  (re-exported: the cycle's public names)
    _FORWARD,
    DEADLINE_LEAVING,
    DEADLINE_NAMES,
    InvalidTransition,
    WeekState,
    _state,
    allowed_transitions,
    is_reopen,
    next_state,
    reopen,
    transition,
)

_UTC = ZoneInfo("UTC")


# --------------------------------------------------------------------------- schedule

_WEEKDAYS = {
    "monday": 0, "mon": 0, "lundi": 0,
    "tuesday": 1, "tue": 1, "mardi": 1,
    "wednesday": 2, "wed": 2, "mercredi": 2,
    "thursday": 3, "thu": 3, "jeudi": 3,
    "friday": 4, "fri": 4, "vendredi": 4,
    "saturday": 5, "sat": 5, "samedi": 5,
    "sunday": 6, "sun": 6, "dimanche": 6,
}  # fmt: skip
_WEEKDAY_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_WEEKDAY_FR = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_MONTH_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December")  # fmt: skip
_MONTH_FR = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
             "septembre", "octobre", "novembre", "décembre")  # fmt: skip


def _weekday(value: int | str, what: str) -> int:
    if isinstance(value, bool):
        raise ValueError(f"{what}: bad weekday {value!r}")
    if isinstance(value, int):
        if 0 <= value <= 6:
            return value
        raise ValueError(f"{what}: weekday {value} out of range, expected 0 (Monday) to 6 (Sunday)")
    key = str(value).strip().lower()
    if key.isdigit():
        return _weekday(int(key), what)
    if key not in _WEEKDAYS:
        raise ValueError(f"{what}: unknown weekday {value!r}, expected e.g. 'monday' or 0 (Monday) to 6")
    return _WEEKDAYS[key]


@dataclass(frozen=True, slots=True, order=True)
class WeeklyTime:
    """A weekday (0 = Monday) and a local time in the week before the delivery week."""

    weekday: int
    at: time

    def __post_init__(self) -> None:
        _weekday(self.weekday, "weekly time")
        if self.at.tzinfo is not None:
            raise ValueError("weekly time: give a local time without tzinfo; the schedule holds the zone")

    @classmethod
    def parse(cls, value: str | Mapping[str, Any] | WeeklyTime, what: str = "weekly time") -> WeeklyTime:
        """``"tuesday 12:00"`` (English or French day, or 0-6) or ``{"weekday": 1, "time": "12:00"}``."""
        if isinstance(value, WeeklyTime):
            return value
        if isinstance(value, Mapping):
            day, at = value.get("weekday"), value.get("time")
        elif isinstance(value, str) and len(value.split()) == 2:
            day, at = value.split()
        else:
            raise ValueError(f"{what}: expected 'weekday HH:MM' such as 'tuesday 12:00', got {value!r}")
        if day is None or at is None:
            raise ValueError(f"{what}: expected keys 'weekday' and 'time', got {value!r}")
        try:
            parsed = time.fromisoformat(str(at))
        except ValueError:
            raise ValueError(f"{what}: bad time {at!r}, expected HH:MM") from None
        return cls(_weekday(day, what), parsed)

    def __str__(self) -> str:
        return f"{_WEEKDAY_EN[self.weekday].lower()} {self.at.strftime('%H:%M')}"

    def minutes_in_week(self) -> int:
        return self.weekday * 1440 + self.at.hour * 60 + self.at.minute


@dataclass(frozen=True, slots=True)
class CycleSchedule:
    """A territory's weekly cycle. Deadlines fall in the week before the delivery week.

    ``reminder_lead`` is subtracted in local wall time (the day before at the same hour).
    ``delivery_weekdays`` use 0 = Monday, so (1, 3) is Tuesday and Thursday.
    """

    offers_open: WeeklyTime = WeeklyTime(0, time(8, 0))
    offers_close: WeeklyTime = WeeklyTime(1, time(12, 0))
    orders_close: WeeklyTime = WeeklyTime(2, time(12, 0))
    planning: WeeklyTime = WeeklyTime(2, time(14, 0))
    publish: WeeklyTime = WeeklyTime(3, time(8, 0))
    reminder_lead: timedelta = timedelta(days=1)
    timezone: str = "Europe/Paris"
    delivery_weekdays: tuple[int, ...] = (1, 3)
    holiday_rule: HolidayRule = HolidayRule.SKIP
    _tz: ZoneInfo = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "_tz", ZoneInfo(self.timezone))
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown timezone {self.timezone!r}, expected e.g. 'Europe/Paris'") from None
        try:
            object.__setattr__(self, "holiday_rule", HolidayRule(self.holiday_rule))
        except ValueError:
            allowed = ", ".join(r.value for r in HolidayRule)
            raise ValueError(
                f"unknown holiday_rule {self.holiday_rule!r}: expected one of {allowed}"
            ) from None
        days = tuple(_weekday(d, "delivery_weekdays") for d in self.delivery_weekdays)
        if not days:
            raise ValueError("delivery_weekdays: at least one delivery weekday is needed")
        if len(set(days)) != len(days):
            raise ValueError(f"delivery_weekdays: repeated weekday in {list(self.delivery_weekdays)}")
        object.__setattr__(self, "delivery_weekdays", tuple(sorted(days)))
        previous = None
        for name in DEADLINE_NAMES:
            value = getattr(self, name)
            if not isinstance(value, WeeklyTime):
                raise ValueError(f"{name}: expected a WeeklyTime, got {value!r}")
            if previous is not None and value.minutes_in_week() <= getattr(self, previous).minutes_in_week():
                raise ValueError(
                    f"deadlines out of order: {name} ({value}) must come after {previous} "
                    f"({getattr(self, previous)}); the order is {' < '.join(DEADLINE_NAMES)}"
                )
            previous = name
        lead_min = self.reminder_lead / timedelta(minutes=1)
        if lead_min <= 0:
            raise ValueError(f"reminder_lead must be positive, got {self.reminder_lead}")
        if self.offers_close.minutes_in_week() - lead_min < self.offers_open.minutes_in_week():
            raise ValueError(
                f"reminder_lead {self.reminder_lead} puts the producers' reminder before offers open "
                f"({self.offers_open})"
            )
        if self.orders_close.minutes_in_week() - lead_min < self.offers_close.minutes_in_week():
            raise ValueError(
                f"reminder_lead {self.reminder_lead} puts the buyers' reminder before orders open "
                f"({self.offers_close})"
            )

    @property
    def tz(self) -> ZoneInfo:
        return self._tz

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> CycleSchedule:
        """Build from a territory's stored ``schedule`` JSON; missing keys take the defaults."""
        data = dict(data or {})
        known = {*DEADLINE_NAMES, "reminder_lead_min", "timezone", "delivery_weekdays", "holiday_rule"}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown schedule keys {unknown}; known keys: {sorted(known)}")
        kwargs: dict[str, Any] = {}
        for name in DEADLINE_NAMES:
            if name in data:
                kwargs[name] = WeeklyTime.parse(data[name], name)
        if "reminder_lead_min" in data:
            lead = data["reminder_lead_min"]
            if isinstance(lead, bool) or not isinstance(lead, int | float):
                raise ValueError(f"reminder_lead_min must be a number of minutes, got {lead!r}")
            kwargs["reminder_lead"] = timedelta(minutes=lead)
        if "timezone" in data:
            kwargs["timezone"] = str(data["timezone"])
        if "delivery_weekdays" in data:
            raw = data["delivery_weekdays"]
            if isinstance(raw, str | bytes) or not isinstance(raw, Iterable):
                raise ValueError(f"delivery_weekdays must be a list such as [1, 3], got {raw!r}")
            kwargs["delivery_weekdays"] = tuple(_weekday(d, "delivery_weekdays") for d in raw)
        if "holiday_rule" in data:
            kwargs["holiday_rule"] = data["holiday_rule"]
        return cls(**kwargs)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {name: str(getattr(self, name)) for name in DEADLINE_NAMES}
        out["reminder_lead_min"] = int(self.reminder_lead / timedelta(minutes=1))
        out["timezone"] = self.timezone
        out["delivery_weekdays"] = list(self.delivery_weekdays)
        out["holiday_rule"] = self.holiday_rule.value
        return out


DEFAULT_SCHEDULE = CycleSchedule()


# --------------------------------------------------------------------------- deadlines


def _local(d: date, at: time, tz: ZoneInfo) -> datetime:
    """Wall-clock ``d at`` in ``tz``; a time skipped by a DST change is normalised forward."""
    dt = datetime.combine(d, at, tzinfo=tz)
    return dt.astimezone(_UTC).astimezone(tz)


def _utc(dt: datetime) -> datetime:
    """Compare instants in UTC: Python compares same-tzinfo datetimes by wall clock, ignoring DST."""
    return dt.astimezone(_UTC)


def _require_aware(now: datetime) -> None:
    if not isinstance(now, datetime) or now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"'now' must be a timezone-aware datetime, got {now!r}")


def delivery_days(
    schedule: CycleSchedule,
    week: str,
    canteen_kind: CanteenKind | str | None = None,
    *,
    weekdays: Iterable[int] | None = None,
    zone: str = "B",
) -> list[date]:
    """The days of delivery ``week`` after public holidays, the holiday rule and the canteen kind.

    Each weekday (the schedule's, or ``weekdays`` for one site's own days) gives a date; a
    public holiday moves it by ``schedule.holiday_rule`` (or drops it). With a
    ``canteen_kind``, days the canteen cannot take (weekend, public or school holiday for
    a school canteen) are dropped: standing orders skip them. Sorted, without duplicates; a
    moved day may leave the ISO week (a Monday holiday moved to the previous Friday).
    """
    monday = week_monday(week)
    days = (
        schedule.delivery_weekdays if weekdays is None else tuple(_weekday(d, "weekdays") for d in weekdays)
    )
    out: set[date] = set()
    for wd in days:
        moved = move_delivery_day(monday + timedelta(days=wd), schedule.holiday_rule)
        if moved is None:
            continue
        if canteen_kind is not None and not canteen_delivers_on(moved, canteen_kind, zone=zone):
            continue
        out.add(moved)
    return sorted(out)


def deadlines(
    schedule: CycleSchedule, week: str, *, overrides: Mapping[str, datetime] | None = None
) -> dict[str, datetime]:
    """Timezone-aware deadlines of delivery ``week``, in cycle order.

    Keys: offers_open, offers_close, orders_close, planning, publish (in the week before
    ``week``), then delivered (midnight after the last delivery day, or after the week's
    Sunday when every delivery was dropped). ``overrides`` replaces some, e.g. a coordinator
    who reopened orders until a new time.
    """
    tz = schedule.tz
    cycle_monday = week_monday(week) - timedelta(days=7)
    out: dict[str, datetime] = {}
    for name in DEADLINE_NAMES:
        wt: WeeklyTime = getattr(schedule, name)
        out[name] = _local(cycle_monday + timedelta(days=wt.weekday), wt.at, tz)
    days = delivery_days(schedule, week)
    last = days[-1] if days else week_monday(week) + timedelta(days=6)
    out["delivered"] = _local(last + timedelta(days=1), time(0, 0), tz)
    for name, when in (overrides or {}).items():
        if name not in out:
            raise ValueError(f"unknown deadline {name!r}: expected one of {', '.join(out)}")
        _require_aware(when)
        out[name] = when
    return out


@dataclass(frozen=True, slots=True)
class DueTransition:
    """One state change whose deadline has passed; ``key`` is stable for idempotent jobs."""

    week: str
    deadline: str
    at: datetime
    from_state: WeekState
    to_state: WeekState

    @property
    def key(self) -> str:
        return f"{self.week}:{self.from_state.value}->{self.to_state.value}"


def due_transitions(
    schedule: CycleSchedule,
    week: str,
    state: WeekState | str,
    now: datetime,
    *,
    overrides: Mapping[str, datetime] | None = None,
) -> list[DueTransition]:
    """Forward transitions from ``state`` whose deadline is at or before ``now``, in order.

    A scheduler that was down applies them one after the other; applied ones change
    ``state``, so calling again returns only what is left (idempotent). Stops at the first
    deadline still in the future: a later deadline never skips an earlier step.
    """
    _require_aware(now)
    current = _state(state)
    times = deadlines(schedule, week, overrides=overrides)
    out: list[DueTransition] = []
    while current in _FORWARD:
        name = DEADLINE_LEAVING[current]
        if _utc(times[name]) > _utc(now):
            break
        to = _FORWARD[current]
        out.append(DueTransition(week, name, times[name], current, to))
        current = to
    return out


def state_at(schedule: CycleSchedule, week: str, now: datetime) -> WeekState:
    """The state a draft week should be in at ``now`` if every job ran on time."""
    steps = due_transitions(schedule, week, WeekState.DRAFT, now)
    return steps[-1].to_state if steps else WeekState.DRAFT


@dataclass(frozen=True, slots=True)
class Reminder:
    """A reminder to send to one audience; the caller keeps only those who have not acted."""

    week: str
    kind: str  # "offers" (producers who published nothing) or "orders" (canteen/relay managers)
    audience: tuple[str, ...]
    at: datetime
    deadline: datetime

    @property
    def key(self) -> str:
        return f"{self.week}:reminder:{self.kind}"


def reminders(schedule: CycleSchedule, week: str) -> list[Reminder]:
    """Both reminders of ``week``: producers before offers close, buyers before orders close."""
    times = deadlines(schedule, week)
    tz = schedule.tz

    def before(deadline: datetime) -> datetime:
        wall = deadline.replace(tzinfo=None) - schedule.reminder_lead
        return _local(wall.date(), wall.time(), tz)

    return [
        Reminder(week, "offers", ("producer",), before(times["offers_close"]), times["offers_close"]),
        Reminder(
            week,
            "orders",
            ("canteen_manager", "relay_manager"),
            before(times["orders_close"]),
            times["orders_close"],
        ),
    ]


def reminders_due(schedule: CycleSchedule, week: str, now: datetime) -> list[Reminder]:
    """Reminders whose time has come and whose deadline has not passed (``at <= now < deadline``).

    A reminder after its deadline is useless, so catching up after downtime skips it. Send
    each ``key`` once: the caller records it.
    """
    _require_aware(now)
    t = _utc(now)
    return [r for r in reminders(schedule, week) if _utc(r.at) <= t < _utc(r.deadline)]


# --------------------------------------------------------------------------- messages

_MESSAGES: dict[str, tuple[str, str]] = {
    "offers_open": ("Les offres ne sont pas encore ouvertes (ouverture {fr}).", "Offers are not open yet (they open {en})."),
    "offers_close": ("La date limite des offres est passée ({fr}).", "The offer deadline passed ({en})."),
    "orders_close": ("La date limite des commandes est passée ({fr}).", "The order deadline passed ({en})."),
    "planning": ("La planification de la semaine a commencé ({fr}).", "Planning of the week started ({en})."),
    "publish": ("Les documents de la semaine sont publiés ({fr}).", "The week's documents were published ({en})."),
}  # fmt: skip


def format_when_fr(when: datetime) -> str:
    """``mercredi 25 novembre 2026 à 12:00`` (1er for the first of the month)."""
    day = "1er" if when.day == 1 else str(when.day)
    return f"{_WEEKDAY_FR[when.weekday()]} {day} {_MONTH_FR[when.month - 1]} {when.year} à {when:%H:%M}"


def format_when_en(when: datetime) -> str:
    """``Wednesday 25 November 2026 at 12:00``."""
    return f"{_WEEKDAY_EN[when.weekday()]} {when.day} {_MONTH_EN[when.month - 1]} {when.year} at {when:%H:%M}"


def deadline_message(which: str, when: datetime, tz: str = "Europe/Paris") -> tuple[str, str]:
    """French and English refusal for a change outside its window, ``when`` shown in ``tz``.

    >>> deadline_message("orders_close", datetime(2026, 11, 25, 11, 0, tzinfo=ZoneInfo("UTC")))[1]
    'The order deadline passed (Wednesday 25 November 2026 at 12:00).'
    """
    if which not in _MESSAGES:
        raise ValueError(f"unknown deadline {which!r}: expected one of {', '.join(_MESSAGES)}")
    _require_aware(when)
    local = when.astimezone(ZoneInfo(tz))
    fr, en = _MESSAGES[which]
    return fr.format(fr=format_when_fr(local)), en.format(en=format_when_en(local))
