"""orders/members.py: deriving a week from members (pauses, every other week, holidays, extras) and
who goes without when the plan cuts baskets (rotation over the weeks, or seniority)."""
from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from orders import members as M

TUESDAY, THURSDAY = date(2026, 12, 1), date(2026, 12, 3)  # W49's delivery days


def sub(i, member=None, weekday=1, **kw):
    return M.SubscriptionLine(i, member or i, kw.pop("relay_point", "rp"), kw.pop("basket_type", "moyen"), weekday,
                              kw.pop("start", date(2026, 11, 2)), **kw)


def test_a_week_counts_active_subscriptions_on_their_pickup_day():
    subs = [sub(1), sub(2), sub(3, weekday=3), sub(4, basket_type="petit"),
            sub(5, end=date(2026, 11, 30)),  # ended the day before
            sub(6, start=date(2026, 12, 2)),  # starts after Tuesday's pickup
            sub(7, frequency="every_other_week", start=date(2026, 11, 16)),  # W47: W49 is due
            sub(8, frequency="every_other_week", start=date(2026, 11, 23)),  # W48: W49 is not
            sub(9, skip_school_holidays=True)]
    result = M.derive_week("2026-W49", subs, [M.PauseSpan(2, date(2026, 11, 30), date(2026, 12, 6))],
                           [M.ExtraBasket(1, "rp", "moyen", TUESDAY, 2)], [TUESDAY, THURSDAY])
    assert [(o.day, o.basket_type, o.count) for o in result.orders] == [
        (TUESDAY, "moyen", 1 + 2 + 1 + 1),  # member 1 with two extras, 7, 9 (term time)
        (TUESDAY, "petit", 1), (THURSDAY, "moyen", 1)]
    reasons = {s.member: s.reason for s in result.skipped}
    assert reasons == {2: "paused", 5: "ended", 6: "not_started", 8: "other_week"}
    assert [b for b in result.baskets if b.member == 1][0].extra == 2


def test_school_holidays_and_moved_delivery_days():
    holidays = {date(2026, 12, 22)}
    subs = [sub(1, weekday=1, skip_school_holidays=True), sub(2, weekday=1), sub(3, weekday=4)]
    result = M.derive_week("2026-W52", subs, [], [], [date(2026, 12, 22), date(2026, 12, 24)], holidays.__contains__)
    # member 1 skips the school holiday; Friday's pickup (25th, public holiday) moves to the Thursday
    assert [(o.day, o.count) for o in result.orders] == [(date(2026, 12, 22), 1), (date(2026, 12, 24), 1)]
    assert M.derive_week("2026-W52", subs, [], [], []).orders == ()


def _weeks(first: str, n: int) -> list[str]:
    monday = date.fromisocalendar(int(first[:4]), int(first[-2:]), 1)
    return [(monday + timedelta(weeks=k)).strftime("%G-W%V") for k in range(n)]


def simulate(n_members: int, cuts_per_week: list[int], rule: str = "rotation") -> list[list[int]]:
    """Hand out the baskets week after week; return who was cut each week."""
    subscribed = {m: datetime(2026, 1, 1) + timedelta(days=m) for m in range(1, n_members + 1)}
    past: list[tuple[int, str]] = []
    out = []
    for week, cut in zip(_weeks("2026-W40", len(cuts_per_week)), cuts_per_week, strict=True):
        baskets = [M.MemberBasket(m, "rp", date(2026, 1, 1), "moyen", 1) for m in subscribed]
        result = M.choose_cut(baskets, n_members - cut, rule, M.cut_history(past, subscribed))
        gone = sorted(m for m, k in result.members_cut.items() if k)
        assert len(gone) == min(cut, n_members) and all(result.kept[m] == 0 for m in gone)
        past += [(m, week) for m in gone]
        out.append(gone)
    return out


def test_rotation_goes_round_the_households_over_several_weeks():
    weeks = simulate(5, [1, 1, 1, 1, 1, 2, 1, 1, 1])
    # the newest subscriber goes first, then each household in turn; nobody twice before all once
    assert weeks[:5] == [[5], [4], [3], [2], [1]]
    assert weeks[5] == [4, 5] and weeks[6] == [3] and weeks[7] == [2] and weeks[8] == [1]
    assert Counter(m for w in weeks for m in w) == {1: 2, 2: 2, 3: 2, 4: 2, 5: 2}


def test_seniority_always_cuts_the_newest_subscriptions():
    assert simulate(5, [1, 2, 1], "seniority") == [[5], [4, 5], [5]]


@given(st.integers(min_value=1, max_value=12), st.lists(st.integers(min_value=0, max_value=12), max_size=30))
def test_rotation_keeps_the_cuts_within_one_of_each_other(n, cuts):
    weeks = simulate(n, [min(c, n) for c in cuts])
    counts = Counter({m: 0 for m in range(1, n + 1)}) + Counter(m for w in weeks for m in w)
    tally = [counts.get(m, 0) for m in range(1, n + 1)]
    assert max(tally) - min(tally) <= 1


def test_extras_are_cut_before_subscriptions_and_a_larger_cut_contains_the_smaller():
    baskets = [M.MemberBasket(1, "rp", TUESDAY, "moyen", 3, extra=2), M.MemberBasket(2, "rp", TUESDAY, "moyen", 1)]
    history = M.cut_history([], {1: datetime(2026, 1, 1), 2: datetime(2026, 2, 1)})
    assert M.choose_cut(baskets, 2, "rotation", history).members_cut == {1: 2}
    assert M.choose_cut(baskets, 1, "rotation", history).members_cut == {1: 2, 2: 1}
    assert M.choose_cut(baskets, 4, "rotation", history).members_cut == {}
    order = M.cut_order([1, 2, 3, 4], "rotation", M.cut_history([(1, "2026-W40")], {
        m: datetime(2026, 1, m) for m in (1, 2, 3, 4)}))
    for k in range(1, 4):
        assert set(order[:k]) < set(order[:k + 1])


def test_school_holidays_are_offered_as_pauses_from_the_first_open_week():
    from orders.calendar import SchoolHoliday

    def holiday(label, start, end):
        return SchoolHoliday("B", "Lille", label, start, end, "2026-2027", "test")

    rows = [holiday("Vacances de la Toussaint", date(2026, 10, 17), date(2026, 11, 2)),
            holiday("Vacances de Noël", date(2026, 12, 19), date(2027, 1, 4)),
            holiday("Vacances d'Hiver", date(2027, 2, 20), date(2027, 3, 8)),
            holiday("Vacances de Printemps", date(2027, 4, 17), date(2027, 5, 3))]
    assert M.holiday_suggestions(rows, date(2026, 11, 30)) == [
        M.PauseSuggestion("Vacances de Noël", date(2026, 12, 19), date(2027, 1, 3)),
        M.PauseSuggestion("Vacances d'Hiver", date(2027, 2, 20), date(2027, 3, 7))]
    # already under way: from the first day a pause still changes
    assert M.holiday_suggestions(rows, date(2026, 12, 28), 1) == [
        M.PauseSuggestion("Vacances de Noël", date(2026, 12, 28), date(2027, 1, 3))]
