"""Households at relay points: the week's baskets derived from members, and who goes without.

Pure (no database): the service layer (`app/services/members.py`) reads the rows into these
frozen dataclasses and writes the results back.

**Deriving a week** (`derive_week`): a member's subscription gives one basket of its type on the
delivery day of its pickup slot when, for that day `d`,

* the subscription runs: ``start <= d`` and (no end or ``d <= end``);
* every other week: the number of ISO weeks between the week of ``start`` and the week of `d`
  is even (the first week counts; a subscription started on week 49 takes 49, 51, 53/01, …);
* no pause of the member covers `d` (``pause.start <= d <= pause.end``, both inclusive);
* a subscription marked `skip_school_holidays` takes nothing on a day of school holidays.

The pickup slot's weekday gives the day; when that day is not a delivery day of the week (a
public holiday moved the delivery), the nearest earlier delivery day of the week is taken, else
the nearest later one; a week without delivery days derives nothing (reason ``no_delivery``).
One-off extra baskets are added on their own day when it is a delivery day. The counts are
summed per (relay point, day, basket type): that is the relay point's basket order.

**Who goes without** (`choose_cut`) when the plan gives a relay point fewer baskets of a type on
a day than its members were due: extra baskets go first, then the subscriptions' baskets in the
order of the relay point's rule:

* ``rotation``: the household cut the fewest times goes without first, then the one cut least
  recently (never cut = least recently), then the most recent subscriber, then the higher id; so
  over the weeks, the cuts go round the households instead of falling on the same ones;
* ``seniority``: the most recent subscription goes without first (then the higher id).

The order only depends on earlier weeks' cuts, so cutting k+1 baskets cuts the k of the smaller
cut and one more (a re-plan that cuts more never "un-cuts" someone already told).
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from orders.isoweek import iso_week_of, week_monday

CUT_RULES = ("rotation", "seniority")
FREQUENCIES = ("weekly", "every_other_week")


@dataclass(frozen=True, slots=True)
class SubscriptionLine:
    """An active subscription of `member`: one basket of `basket_type` on pickup weekday `weekday`
    (0 = Monday) at `relay_point`."""

    id: int
    member: int
    relay_point: str
    basket_type: str
    weekday: int
    start: date
    end: date | None = None
    frequency: str = "weekly"
    skip_school_holidays: bool = False


@dataclass(frozen=True, slots=True)
class PauseSpan:
    member: int
    start: date
    end: date


@dataclass(frozen=True, slots=True)
class ExtraBasket:
    """A one-off extra: `count` baskets of `basket_type` for `member` on `day`."""

    member: int
    relay_point: str
    basket_type: str
    day: date
    count: int = 1


@dataclass(frozen=True, slots=True)
class MemberBasket:
    """What one member is due on one day: `count` baskets of a type, `extra` of them one-offs."""

    member: int
    relay_point: str
    day: date
    basket_type: str
    count: int
    extra: int = 0


@dataclass(frozen=True, slots=True)
class Skipped:
    member: int
    subscription: int | None
    reason: str  # paused, school_holiday, other_week, not_started, ended, no_delivery


@dataclass(frozen=True, slots=True)
class DerivedOrder:
    relay_point: str
    day: date
    basket_type: str
    count: int


@dataclass(frozen=True, slots=True)
class Derivation:
    week: str
    orders: tuple[DerivedOrder, ...] = ()
    baskets: tuple[MemberBasket, ...] = ()
    skipped: tuple[Skipped, ...] = ()

    def count(self, relay_point: str, day: date, basket_type: str) -> int:
        return sum(o.count for o in self.orders
                   if (o.relay_point, o.day, o.basket_type) == (relay_point, day, basket_type))


@dataclass(frozen=True, slots=True)
class CutHistory:
    """A member's past cuts (weeks before the one being decided) and subscription time."""

    member: int
    subscribed_at: datetime
    cuts: int = 0
    last_cut_week: str | None = None


@dataclass(frozen=True, slots=True)
class Cut:
    """`members_cut[m]` baskets of member m go without; `kept[m]` baskets are handed out."""

    relay_point: str
    day: date
    basket_type: str
    members_cut: Mapping[int, int] = field(default_factory=dict)
    kept: Mapping[int, int] = field(default_factory=dict)


def weeks_between(first: date, second: date) -> int:
    """Whole ISO weeks from the week of `first` to the week of `second`."""
    return (week_monday(iso_week_of(second)) - week_monday(iso_week_of(first))).days // 7


def pickup_day(weekday: int, monday: date, delivery_days: Sequence[date]) -> date | None:
    """The delivery day of the week serving a pickup on `weekday` (see the module docstring)."""
    if not delivery_days:
        return None
    wanted = monday + timedelta(days=weekday)
    if wanted in delivery_days:
        return wanted
    earlier = [d for d in delivery_days if d < wanted]
    return max(earlier) if earlier else min(delivery_days)


def derive_week(week: str, subscriptions: Iterable[SubscriptionLine], pauses: Iterable[PauseSpan],
                extras: Iterable[ExtraBasket], delivery_days: Sequence[date],
                is_school_holiday: Callable[[date], bool] = lambda _d: False) -> Derivation:
    """The week's baskets per member and the counts per (relay point, day, basket type)."""
    monday = week_monday(week)
    days = tuple(sorted(delivery_days))
    paused: dict[int, list[PauseSpan]] = defaultdict(list)
    for pause in pauses:
        paused[pause.member].append(pause)
    holiday_cache: dict[date, bool] = {}
    due: dict[tuple[int, str, date, str], list[int]] = defaultdict(lambda: [0, 0])
    skipped: list[Skipped] = []
    for sub in sorted(subscriptions, key=lambda s: s.id):
        day = pickup_day(sub.weekday, monday, days)
        reason = None
        if day is None:
            reason = "no_delivery"
        elif day < sub.start:
            reason = "not_started"
        elif sub.end is not None and day > sub.end:
            reason = "ended"
        elif sub.frequency == "every_other_week" and weeks_between(sub.start, day) % 2:
            reason = "other_week"
        elif any(p.start <= day <= p.end for p in paused.get(sub.member, ())):
            reason = "paused"
        elif sub.skip_school_holidays:
            if day not in holiday_cache:
                holiday_cache[day] = is_school_holiday(day)
            if holiday_cache[day]:
                reason = "school_holiday"
        if reason is not None:
            skipped.append(Skipped(sub.member, sub.id, reason))
            continue
        due[(sub.member, sub.relay_point, day, sub.basket_type)][0] += 1
    for extra in extras:
        if extra.day not in days or extra.count <= 0:
            skipped.append(Skipped(extra.member, None, "no_delivery"))
            continue
        slot = due[(extra.member, extra.relay_point, extra.day, extra.basket_type)]
        slot[0] += extra.count
        slot[1] += extra.count
    baskets = tuple(MemberBasket(m, rp, d, bt, count, extra)
                    for (m, rp, d, bt), (count, extra) in sorted(due.items()))
    totals: dict[tuple[str, date, str], int] = defaultdict(int)
    for b in baskets:
        totals[(b.relay_point, b.day, b.basket_type)] += b.count
    orders = tuple(DerivedOrder(rp, d, bt, n) for (rp, d, bt), n in sorted(totals.items()))
    return Derivation(week, orders, baskets, tuple(skipped))


def cut_order(members: Iterable[int], rule: str, history: Mapping[int, CutHistory]) -> list[int]:
    """Members in the order they go without (first goes first), by `rule`."""
    if rule not in CUT_RULES:
        raise ValueError(f"unknown cut rule {rule!r}: expected one of {', '.join(CUT_RULES)}")
    epoch = datetime.min

    def seniority_key(m: int):
        h = history.get(m)
        at = h.subscribed_at.replace(tzinfo=None) if h else epoch
        return (-at.timestamp() if at != epoch else float("inf"), -m)

    def rotation_key(m: int):
        h = history.get(m)
        cuts = h.cuts if h else 0
        last = h.last_cut_week if h and h.last_cut_week else ""
        return (cuts, last, *seniority_key(m))

    return sorted(set(members), key=rotation_key if rule == "rotation" else seniority_key)


def choose_cut(baskets: Sequence[MemberBasket], planned: int, rule: str,
               history: Mapping[int, CutHistory]) -> Cut:
    """Hand out `planned` baskets among the members' `baskets` (one relay point, day, type).

    Extras are cut before subscriptions; within each, the rule's order decides (see the module
    docstring). With `planned` at least the baskets due, nobody is cut."""
    if not baskets:
        raise ValueError("choose_cut needs at least one member's basket")
    first = baskets[0]
    kept = {b.member: b.count for b in baskets}
    extras = {b.member: b.extra for b in baskets}
    missing = max(0, sum(kept.values()) - max(0, planned))
    order = cut_order(kept, rule, history)
    cut: dict[int, int] = defaultdict(int)
    for member in order:  # extras first
        take = min(missing, extras[member])
        if take:
            cut[member] += take
            kept[member] -= take
            missing -= take
    for member in order:
        take = min(missing, kept[member])
        if take:
            cut[member] += take
            kept[member] -= take
            missing -= take
    return Cut(first.relay_point, first.day, first.basket_type, dict(cut), kept)


def cut_history(past_cuts: Iterable[tuple[int, str]], subscribed: Mapping[int, datetime]) -> dict[int, CutHistory]:
    """Histories from `(member, iso_week)` pairs of earlier cuts and each member's subscription time."""
    counts: dict[int, int] = defaultdict(int)
    last: dict[int, str] = {}
    for member, week in past_cuts:
        counts[member] += 1
        last[member] = max(last.get(member, ""), week)
    return {m: CutHistory(m, at, counts.get(m, 0), last.get(m)) for m, at in subscribed.items()}


@dataclass(frozen=True, slots=True)
class PauseSuggestion:
    """A school holiday period offered as a pause: `start` to `end`, both days included."""

    label: str
    start: date
    end: date


def holiday_suggestions(holidays: Iterable, after: date, limit: int = 2) -> list[PauseSuggestion]:
    """The next `limit` school holiday periods (`orders.calendar.SchoolHoliday`: `end` is the first day
    back) not over by `after`, as inclusive pauses starting no earlier than `after`."""
    out = []
    for h in sorted(holidays, key=lambda h: h.start):
        last = h.end - timedelta(days=1)
        if last >= after:
            out.append(PauseSuggestion(h.label, max(h.start, after), last))
        if len(out) == limit:
            break
    return out
