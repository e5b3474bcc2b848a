"""What changed between two plan versions of a week, per consumer, day and product.

Used when a published week is re-planned (a shortage reported on the morning): who must be told,
which documents need a new version, and the "was → is" each one prints.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from orders.plan import Plan

EPS = 1e-6


@dataclass(frozen=True, slots=True)
class Change:
    consumer: str
    day: str
    product: str  # a product id; for baskets, the basket type id
    before: float
    after: float
    baskets: bool = False  # True: a number of baskets of basket type `product`


@dataclass(frozen=True, slots=True)
class PlanChanges:
    changes: tuple[Change, ...] = ()
    producers: tuple[tuple[str, str], ...] = ()  # (producer, day) whose pick list changed
    rounds: tuple[tuple[str, str], ...] = ()  # (day, vehicle) whose round changed

    @property
    def consumers(self) -> tuple[tuple[str, str], ...]:
        """(consumer, day) whose delivery changed."""
        return tuple(sorted({(c.consumer, c.day) for c in self.changes}))

    def of(self, consumer: str, day: str) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.consumer == consumer and c.day == day)


def _quantities(plan: Plan) -> dict[tuple[str, str, str], float]:
    out: dict[tuple[str, str, str], float] = defaultdict(float)
    for a in plan.allocations:
        out[(a.consumer, a.day, a.product)] += a.quantity
    return out


def _baskets(plan: Plan) -> dict[tuple[str, str, str], float]:
    out: dict[tuple[str, str, str], float] = defaultdict(float)
    for b in plan.baskets:
        out[(b.relay_point, b.day, b.basket_type)] += b.count
    return out


def _picks(plan: Plan) -> dict[tuple[str, str], dict[tuple[str, str], float]]:
    out: dict[tuple[str, str], dict[tuple[str, str], float]] = defaultdict(lambda: defaultdict(float))
    for a in plan.allocations:
        out[(a.producer, a.day)][(a.consumer, a.product)] += a.quantity
    return out


def _round_shape(plan: Plan) -> dict[tuple[str, str], tuple]:
    return {(r.day, r.vehicle): tuple((s.site, s.arrival, tuple((d.product, round(d.quantity, 3)) for d in s.drops))
                                      for s in r.stops) for r in plan.rounds}


def compare(old: Plan, new: Plan) -> PlanChanges:
    changes = []
    for source, baskets in ((_quantities, False), (_baskets, True)):
        before, after = source(old), source(new)
        for key in sorted(set(before) | set(after)):
            b, a = round(before.get(key, 0.0), 3), round(after.get(key, 0.0), 3)
            if abs(a - b) > EPS:
                changes.append(Change(key[0], key[1], key[2], b, a, baskets))
    old_picks, new_picks = _picks(old), _picks(new)
    producers = tuple(sorted(k for k in set(old_picks) | set(new_picks)
                             if {x: round(q, 3) for x, q in old_picks.get(k, {}).items()}
                             != {x: round(q, 3) for x, q in new_picks.get(k, {}).items()}))
    old_rounds, new_rounds = _round_shape(old), _round_shape(new)
    rounds = tuple(sorted(k for k in set(old_rounds) | set(new_rounds) if old_rounds.get(k) != new_rounds.get(k)))
    return PlanChanges(tuple(changes), producers, rounds)
