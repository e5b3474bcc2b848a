"""The weekly cycle: ISO weeks, states, schedule, deadlines, due transitions, reminders, messages.

No wall clock: every test passes its own ``now``.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orders.cycle import (
    CycleSchedule,
    InvalidTransition,
    WeeklyTime,
    WeekState,
    deadline_message,
    deadlines,
    delivery_days,
    due_transitions,
    iso_week_of,
    next_week,
    parse_week,
    previous_week,
    reminders_due,
    reopen,
    state_at,
    transition,
    week_monday,
)

PARIS = ZoneInfo("Europe/Paris")
UTC = ZoneInfo("UTC")
DEFAULT = CycleSchedule()


def paris(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=PARIS)


# --------------------------------------------------------------------------- ISO weeks


def test_parse_and_walk_iso_weeks() -> None:
    assert parse_week("2026-W49") == (2026, 49)
    assert week_monday("2026-W49") == date(2026, 11, 30)
    assert iso_week_of(date(2026, 12, 6)) == "2026-W49"
    assert next_week("2026-W52") == "2026-W53"  # 2026 has 53 ISO weeks
    assert next_week("2026-W53") == "2027-W01"
    assert previous_week("2027-W01") == "2026-W53"
    assert iso_week_of(date(2027, 1, 1)) == "2026-W53"


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("2026-49", "expected 'YYYY-Www'"),
        ("W49", "expected 'YYYY-Www'"),
        ("2026-W1", "expected 'YYYY-Www'"),
        ("2026-W00", "2026 has ISO weeks 01 to 53"),
        ("2027-W53", "2027 has ISO weeks 01 to 52"),
        (202649, "must be a string"),
    ],
)
def test_bad_week_strings_are_refused_clearly(bad: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_week(bad)  # type: ignore[arg-type]


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)))
def test_week_of_a_date_round_trips(d: date) -> None:
    week = iso_week_of(d)
    monday = week_monday(week)
    assert monday.weekday() == 0 and monday <= d < monday + timedelta(days=7)
    assert week_monday(next_week(week)) == monday + timedelta(days=7)
    assert previous_week(next_week(week)) == week


# --------------------------------------------------------------------------- state machine

FORWARD = [
    ("draft", "offers_open"),
    ("offers_open", "orders_open"),
    ("orders_open", "closed"),
    ("closed", "planned"),
    ("planned", "published"),
    ("published", "delivered"),
]


@pytest.mark.parametrize(("src", "dst"), FORWARD)
def test_each_forward_step_is_allowed(src: str, dst: str) -> None:
    assert transition(src, dst) is WeekState(dst)


def test_steps_cannot_be_skipped_nor_undone_by_the_scheduler() -> None:
    with pytest.raises(InvalidTransition, match="draft to closed: the next state is offers_open"):
        transition("draft", "closed")
    with pytest.raises(InvalidTransition, match="asked for explicitly by a coordinator"):
        transition("closed", "orders_open")
    with pytest.raises(InvalidTransition, match="a delivered week is final"):
        transition("delivered", "draft")
    with pytest.raises(InvalidTransition, match="already in that state"):
        transition("planned", "planned")
    with pytest.raises(ValueError, match="unknown week state 'open'"):
        transition("open", "closed")


@pytest.mark.parametrize("src", ["closed", "planned"])
@pytest.mark.parametrize("dst", ["orders_open", "offers_open"])
def test_coordinator_may_reopen_closed_or_planned_week(src: str, dst: str) -> None:
    assert reopen(src, dst) is WeekState(dst)
    assert transition(src, dst, reopen=True) is WeekState(dst)


def test_published_week_cannot_be_reopened() -> None:
    with pytest.raises(InvalidTransition, match="only a closed or planned week"):
        reopen("published", "orders_open")


# --------------------------------------------------------------------------- schedule


def test_schedule_round_trips_through_its_dict() -> None:
    data = DEFAULT.to_dict()
    assert data["orders_close"] == "wednesday 12:00"
    assert data["delivery_weekdays"] == [1, 3]
    assert CycleSchedule.from_dict(data) == DEFAULT
    assert CycleSchedule.from_dict({}) == DEFAULT


def test_schedule_accepts_french_days_and_mappings() -> None:
    s = CycleSchedule.from_dict(
        {
            "orders_close": "mercredi 13:00",
            "planning": {"weekday": 2, "time": "15:30"},
            "delivery_weekdays": ["mardi", "friday"],
            "holiday_rule": "next_working_day",
        }
    )
    assert s.orders_close == WeeklyTime(2, time(13, 0))
    assert s.planning == WeeklyTime(2, time(15, 30))
    assert s.delivery_weekdays == (1, 4)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"orders_close": "tuesday 11:00"}, r"orders_close \(tuesday 11:00\) must come after offers_close"),
        ({"planning": "wednesday 12:00"}, "planning .* must come after orders_close"),
        ({"publish": "someday 08:00"}, "unknown weekday 'someday'"),
        ({"publish": "thursday 25:00"}, "bad time '25:00'"),
        ({"publish": "thursday"}, "expected 'weekday HH:MM'"),
        ({"timezone": "Europe/Lens"}, "unknown timezone 'Europe/Lens'"),
        ({"delivery_weekdays": [1, 1]}, "repeated weekday"),
        ({"delivery_weekdays": []}, "at least one delivery weekday"),
        ({"delivery_weekdays": [7]}, "out of range"),
        ({"holiday_rule": "never"}, "unknown holiday_rule 'never'"),
        ({"reminder_lead_min": 0}, "reminder_lead must be positive"),
        ({"reminder_lead_min": 3 * 1440}, "before offers open"),
        ({"colour": "red"}, r"unknown schedule keys \['colour'\]"),
    ],
)
def test_bad_schedules_are_refused_with_a_clear_message(data: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        CycleSchedule.from_dict(data)


# --------------------------------------------------------------------------- deadlines


def test_deadlines_of_a_normal_week_fall_in_the_week_before() -> None:
    d = deadlines(DEFAULT, "2026-W49")
    assert d == {
        "offers_open": paris(2026, 11, 23, 8),
        "offers_close": paris(2026, 11, 24, 12),
        "orders_close": paris(2026, 11, 25, 12),
        "planning": paris(2026, 11, 25, 14),
        "publish": paris(2026, 11, 26, 8),
        "delivered": paris(2026, 12, 4),  # midnight after Thursday 3 December
    }
    assert list(d) == ["offers_open", "offers_close", "orders_close", "planning", "publish", "delivered"]
    assert d["orders_close"].astimezone(UTC) == datetime(2026, 11, 25, 11, tzinfo=UTC)


def test_deadlines_keep_local_time_across_the_october_dst_change() -> None:
    # DST ends Sunday 25 October 2026 at 03:00 (CEST) -> 02:00 (CET).
    before = deadlines(DEFAULT, "2026-W44")  # cycle Mon 19 - Thu 22 October, summer time
    after = deadlines(DEFAULT, "2026-W45")  # cycle Mon 26 - Thu 29 October, winter time
    assert before["offers_open"].astimezone(UTC) == datetime(2026, 10, 19, 6, tzinfo=UTC)
    assert after["offers_open"].astimezone(UTC) == datetime(2026, 10, 26, 7, tzinfo=UTC)
    assert before["delivered"] == paris(2026, 10, 30)  # after the change: +01:00
    assert before["delivered"].utcoffset() == timedelta(hours=1)
    assert after["offers_open"].astimezone(UTC) - before["offers_open"].astimezone(UTC) == timedelta(
        days=7, hours=1
    )


def test_a_cycle_that_spans_the_dst_change_keeps_wall_clock_times_and_reminder_lead() -> None:
    s = CycleSchedule.from_dict(
        {
            "offers_open": "monday 08:00",
            "offers_close": "saturday 10:00",
            "orders_close": "sunday 12:00",
            "planning": "sunday 14:00",
            "publish": "sunday 18:00",
        }
    )
    d = deadlines(s, "2026-W44")
    assert d["offers_open"].utcoffset() == timedelta(hours=2)
    assert d["orders_close"] == paris(2026, 10, 25, 12)
    assert d["orders_close"].utcoffset() == timedelta(hours=1)
    # "the day before at the same hour": Saturday 12:00 CEST, 25 real hours before.
    orders_reminder = reminders_due(s, "2026-W44", paris(2026, 10, 24, 12))
    assert [r.kind for r in orders_reminder] == ["orders"]
    assert d["orders_close"].astimezone(UTC) - orders_reminder[0].at.astimezone(UTC) == timedelta(hours=25)
    assert reminders_due(s, "2026-W44", paris(2026, 10, 24, 11, 59)) == []


def test_overrides_extend_a_deadline_after_a_reopening() -> None:
    now = paris(2026, 11, 25, 13)
    assert [t.deadline for t in due_transitions(DEFAULT, "2026-W49", "orders_open", now)] == ["orders_close"]
    extended = {"orders_close": paris(2026, 11, 25, 18)}
    assert due_transitions(DEFAULT, "2026-W49", "orders_open", now, overrides=extended) == []
    with pytest.raises(ValueError, match="unknown deadline 'lunch'"):
        deadlines(DEFAULT, "2026-W49", overrides={"lunch": now})


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        due_transitions(DEFAULT, "2026-W49", "draft", datetime(2026, 11, 25, 13))
    with pytest.raises(ValueError, match="timezone-aware"):
        reminders_due(DEFAULT, "2026-W49", datetime(2026, 11, 25, 13))


# --------------------------------------------------------------------------- simulated clock


class FakeScheduler:
    """Applies due transitions and reminders the way app/scheduler will, recording when."""

    def __init__(self, schedule: CycleSchedule, weeks: list[str]) -> None:
        self.schedule = schedule
        self.states = {w: WeekState.DRAFT for w in weeks}
        self.applied: list[tuple[str, str, str, datetime]] = []
        self.sent: dict[str, datetime] = {}

    def tick(self, now: datetime) -> None:
        for week, state in self.states.items():
            for due in due_transitions(self.schedule, week, state, now):
                self.states[week] = transition(self.states[week], due.to_state)
                self.applied.append((week, due.from_state.value, due.to_state.value, now))
            for reminder in reminders_due(self.schedule, week, now):
                self.sent.setdefault(reminder.key, now)


def test_two_weeks_over_christmas_run_every_transition_on_time() -> None:
    weeks = ["2026-W52", "2026-W53"]  # delivery 21-27 Dec and 28 Dec - 3 Jan: Noël holidays
    clock = FakeScheduler(DEFAULT, weeks)
    now = paris(2026, 12, 13)
    while now < paris(2027, 1, 5):
        clock.tick(now)
        now = (now.astimezone(UTC) + timedelta(minutes=15)).astimezone(PARIS)

    expected = [
        ("2026-W52", "draft", "offers_open", paris(2026, 12, 14, 8)),
        ("2026-W52", "offers_open", "orders_open", paris(2026, 12, 15, 12)),
        ("2026-W52", "orders_open", "closed", paris(2026, 12, 16, 12)),
        ("2026-W52", "closed", "planned", paris(2026, 12, 16, 14)),
        ("2026-W52", "planned", "published", paris(2026, 12, 17, 8)),
        ("2026-W53", "draft", "offers_open", paris(2026, 12, 21, 8)),
        ("2026-W53", "offers_open", "orders_open", paris(2026, 12, 22, 12)),
        ("2026-W53", "orders_open", "closed", paris(2026, 12, 23, 12)),
        ("2026-W53", "closed", "planned", paris(2026, 12, 23, 14)),
        ("2026-W53", "planned", "published", paris(2026, 12, 24, 8)),
        ("2026-W52", "published", "delivered", paris(2026, 12, 25)),  # after Thursday 24
        ("2026-W53", "published", "delivered", paris(2027, 1, 1)),  # after Thursday 31
    ]
    assert sorted(clock.applied, key=lambda a: a[3]) == sorted(expected, key=lambda a: a[3])
    assert clock.states == {w: WeekState.DELIVERED for w in weeks}
    assert clock.sent == {
        "2026-W52:reminder:offers": paris(2026, 12, 14, 12),
        "2026-W52:reminder:orders": paris(2026, 12, 15, 12),
        "2026-W53:reminder:offers": paris(2026, 12, 21, 12),
        "2026-W53:reminder:orders": paris(2026, 12, 22, 12),
    }


def test_canteen_deliveries_are_skipped_in_the_christmas_holidays() -> None:
    assert delivery_days(DEFAULT, "2026-W52") == [date(2026, 12, 22), date(2026, 12, 24)]
    assert delivery_days(DEFAULT, "2026-W52", "elementaire") == []
    assert delivery_days(DEFAULT, "2026-W53", "maternelle") == []
    assert delivery_days(DEFAULT, "2026-W53", "foyer") == [date(2026, 12, 29), date(2026, 12, 31)]
    assert delivery_days(DEFAULT, "2027-W01", "elementaire") == [date(2027, 1, 5), date(2027, 1, 7)]


def test_scheduler_catching_up_after_downtime_applies_steps_in_order_once() -> None:
    now = paris(2026, 11, 26, 9)  # down since before Monday's opening; back Thursday 09:00
    due = due_transitions(DEFAULT, "2026-W49", "draft", now)
    assert [(t.from_state.value, t.to_state.value) for t in due] == FORWARD[:5]
    assert [t.at for t in due] == sorted(t.at for t in due)
    assert len({t.key for t in due}) == 5
    state: WeekState = WeekState.DRAFT
    for t in due:
        state = transition(state, t.to_state)
    assert due_transitions(DEFAULT, "2026-W49", state, now) == []  # idempotent
    assert state_at(DEFAULT, "2026-W49", now) is WeekState.PUBLISHED
    # Reminders whose deadline passed during the downtime are not sent late.
    assert reminders_due(DEFAULT, "2026-W49", now) == []


def test_transition_is_not_due_one_minute_before_its_deadline() -> None:
    assert due_transitions(DEFAULT, "2026-W49", "orders_open", paris(2026, 11, 25, 11, 59)) == []
    assert len(due_transitions(DEFAULT, "2026-W49", "orders_open", paris(2026, 11, 25, 12))) == 1


# --------------------------------------------------------------------------- holiday rule


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("skip", [date(2026, 5, 28)]),
        ("previous_working_day", [date(2026, 5, 22), date(2026, 5, 28)]),
        ("next_working_day", [date(2026, 5, 26), date(2026, 5, 28)]),
    ],
)
def test_whit_monday_delivery_moves_as_the_territory_rule_says(rule: str, expected: list[date]) -> None:
    s = CycleSchedule.from_dict({"delivery_weekdays": [0, 3], "holiday_rule": rule})
    assert delivery_days(s, "2026-W22") == expected


def test_ascension_delivery_moved_into_the_pont_is_dropped_for_school_canteens_only() -> None:
    s = CycleSchedule.from_dict({"delivery_weekdays": [0, 3], "holiday_rule": "next_working_day"})
    # Thursday 14 May 2026 -> Friday 15, a day of the pont de l'Ascension.
    assert delivery_days(s, "2026-W20") == [date(2026, 5, 11), date(2026, 5, 15)]
    assert delivery_days(s, "2026-W20", "elementaire") == [date(2026, 5, 11)]
    assert delivery_days(s, "2026-W20", "foyer") == [date(2026, 5, 11), date(2026, 5, 15)]
    earlier = CycleSchedule.from_dict({"delivery_weekdays": [0, 3], "holiday_rule": "previous_working_day"})
    assert delivery_days(earlier, "2026-W20", "elementaire") == [date(2026, 5, 11), date(2026, 5, 13)]


def test_new_year_friday_delivery_and_a_canteens_own_weekdays() -> None:
    s = CycleSchedule.from_dict({"delivery_weekdays": [1, 4], "holiday_rule": "previous_working_day"})
    assert delivery_days(s, "2026-W53") == [date(2026, 12, 29), date(2026, 12, 31)]
    assert delivery_days(s, "2027-W02", "elementaire", weekdays=[0, 2]) == [
        date(2027, 1, 11),
        date(2027, 1, 13),
    ]


def test_delivered_waits_for_a_delivery_moved_into_the_next_week() -> None:
    s = CycleSchedule.from_dict({"delivery_weekdays": [1, 4], "holiday_rule": "next_working_day"})
    # Friday 25 December 2026 -> Monday 28 December.
    assert delivery_days(s, "2026-W52") == [date(2026, 12, 22), date(2026, 12, 28)]
    assert deadlines(s, "2026-W52")["delivered"] == paris(2026, 12, 29)


# --------------------------------------------------------------------------- messages


def test_deadline_message_in_french_and_english() -> None:
    when = deadlines(DEFAULT, "2026-W49")["orders_close"]
    assert deadline_message("orders_close", when) == (
        "La date limite des commandes est passée (mercredi 25 novembre 2026 à 12:00).",
        "The order deadline passed (Wednesday 25 November 2026 at 12:00).",
    )


def test_deadline_message_shows_local_time_and_first_of_month() -> None:
    fr, en = deadline_message("offers_close", datetime(2026, 12, 1, 11, 0, tzinfo=UTC))
    assert fr == "La date limite des offres est passée (mardi 1er décembre 2026 à 12:00)."
    assert en == "The offer deadline passed (Tuesday 1 December 2026 at 12:00)."
    fr, _ = deadline_message("offers_open", paris(2026, 8, 3, 8))
    assert fr == "Les offres ne sont pas encore ouvertes (ouverture lundi 3 août 2026 à 08:00)."


def test_deadline_message_refuses_unknown_deadline_and_naive_time() -> None:
    with pytest.raises(ValueError, match="unknown deadline 'lunch'"):
        deadline_message("lunch", paris(2026, 11, 25, 12))
    with pytest.raises(ValueError, match="timezone-aware"):
        deadline_message("orders_close", datetime(2026, 11, 25, 12))


@given(st.integers(min_value=2020, max_value=2035), st.integers(min_value=1, max_value=52))
def test_default_deadlines_are_increasing_and_keep_their_wall_clock(year: int, num: int) -> None:
    week = f"{year}-W{num:02d}"
    d = deadlines(DEFAULT, week)
    values = list(d.values())
    assert values == sorted(values) and len(set(values)) == len(values)
    assert d["publish"] < datetime.combine(week_monday(week), time(0), tzinfo=PARIS)
    assert (d["offers_open"].weekday(), d["offers_open"].hour) == (0, 8)
    assert (d["orders_close"].weekday(), d["orders_close"].hour) == (2, 12)
