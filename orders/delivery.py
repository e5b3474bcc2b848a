"""The delivery day: what a driver's confirmation says, what was delivered, crates that came back.

Pure rules, no database. A stop of a round is confirmed once with an outcome:

* `delivered` — every drop as loaded;
* `partial` — the drops as handed over (each at most what was loaded), the rest came back;
* `refused` — the recipient refused everything; `absent` — nobody there: nothing handed over.

Crates are counted per crate type (`caisse` unless the confirmation names others): those left at
the site and those taken back. A site's balance is the sum over every confirmation so far of left
minus back (what the site holds of the collective's crates), carried from week to week.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from orders.errors import InvalidInput
from orders.plan import Plan

OUTCOMES = ("delivered", "partial", "refused", "absent")
OUTCOMES_FR = {"delivered": "livré", "partial": "livré en partie", "refused": "refusé", "absent": "personne"}
DEFAULT_CRATE = "caisse"
EPS = 1e-6


@dataclass(frozen=True, slots=True)
class DeliveredDrop:
    product: str
    quantity: float  # product unit


@dataclass(frozen=True, slots=True)
class StopConfirmation:
    """A driver's word on one delivery stop (`site` on `day`)."""

    site: str
    day: str
    outcome: str
    drops: tuple[DeliveredDrop, ...] = ()
    crates_left: tuple[tuple[str, int], ...] = ()
    crates_back: tuple[tuple[str, int], ...] = ()
    recipient: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True)
class DeliveryLine:
    """Planned against delivered, for one consumer, product and day."""

    consumer: str
    product: str
    day: str
    planned: float
    delivered: float | None  # None: the stop is not confirmed yet
    outcome: str | None = None

    @property
    def missing(self) -> float:
        return max(0.0, self.planned - (self.delivered or 0.0)) if self.delivered is not None else 0.0


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    week: str
    lines: tuple[DeliveryLine, ...] = ()
    confirmed_stops: int = 0
    planned_stops: int = 0
    by_outcome: tuple[tuple[str, int], ...] = field(default=())

    @property
    def complete(self) -> bool:
        return self.planned_stops > 0 and self.confirmed_stops == self.planned_stops


def crates(value: int | Mapping[str, int] | None, name: str) -> tuple[tuple[str, int], ...]:
    """A crate count as the API takes it (a number of `caisse`, or per crate type), checked."""
    if value is None:
        return ()
    items = {DEFAULT_CRATE: value} if isinstance(value, int) else dict(value)
    out = []
    for crate_type, count in sorted(items.items()):
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise InvalidInput(f"{name}: a crate count is a whole number ≥ 0.",
                               f"{name} : un nombre de caisses est un entier positif ou nul.", name)
        if count:
            out.append((str(crate_type), count))
    return tuple(out)


def check(confirmation: StopConfirmation, loaded: Mapping[str, float]) -> StopConfirmation:
    """The confirmation as stored: `delivered` takes the loaded drops, `refused`/`absent` none;
    a partial delivery names its drops, each at most what was loaded. Raises `InvalidInput`
    naming the field."""
    if confirmation.outcome not in OUTCOMES:
        raise InvalidInput(f"outcome must be one of {', '.join(OUTCOMES)}.",
                           "Résultat inconnu : livré, livré en partie, refusé ou personne.", "outcome")
    if confirmation.outcome == "delivered":
        drops = tuple(DeliveredDrop(p, q) for p, q in sorted(loaded.items()))
    elif confirmation.outcome == "partial":
        if not confirmation.drops:
            raise InvalidInput("A partial delivery lists what was handed over.",
                               "Une livraison partielle dit ce qui a été remis, produit par produit.", "drops")
        given: dict[str, float] = defaultdict(float)
        for i, drop in enumerate(confirmation.drops):
            if drop.product not in loaded:
                raise InvalidInput(f"{drop.product!r} was not loaded for this stop.",
                                   f"« {drop.product} » n'était pas chargé pour cet arrêt.", f"drops[{i}].product")
            if drop.quantity < 0:
                raise InvalidInput("A quantity is ≥ 0.", "Une quantité est positive ou nulle.", f"drops[{i}].quantity")
            given[drop.product] += drop.quantity
            if given[drop.product] > loaded[drop.product] + EPS:
                raise InvalidInput(f"More {drop.product} than was loaded ({loaded[drop.product]:g}).",
                                   f"Plus de « {drop.product} » que ce qui était chargé ({loaded[drop.product]:g}).",
                                   f"drops[{i}].quantity")
        drops = tuple(DeliveredDrop(p, round(given.get(p, 0.0), 3)) for p in sorted(loaded))
    else:
        drops = tuple(DeliveredDrop(p, 0.0) for p in sorted(loaded))
    return StopConfirmation(confirmation.site, confirmation.day, confirmation.outcome, drops,
                            confirmation.crates_left, confirmation.crates_back, confirmation.recipient,
                            confirmation.note)


def report(plan: Plan, confirmations: Iterable[StopConfirmation]) -> DeliveryReport:
    """Planned (the plan's allocations of visited stops) against delivered (the confirmations)."""
    confirmed = {(c.site, c.day): c for c in confirmations}
    planned: dict[tuple[str, str, str], float] = defaultdict(float)
    for a in plan.allocations:
        planned[(a.consumer, a.day, a.product)] += a.quantity
    stops = {(s.site, r.day) for r in plan.rounds for s in r.deliveries}
    lines = []
    for (consumer, day, product), qty in sorted(planned.items(), key=lambda kv: (kv[0][1], kv[0][0], kv[0][2])):
        c = confirmed.get((consumer, day))
        delivered = None
        if c is not None:
            delivered = sum(d.quantity for d in c.drops if d.product == product)
        lines.append(DeliveryLine(consumer, product, day, round(qty, 3),
                                  round(delivered, 3) if delivered is not None else None, c.outcome if c else None))
    outcomes: dict[str, int] = defaultdict(int)
    for key in stops:
        if key in confirmed:
            outcomes[confirmed[key].outcome] += 1
    return DeliveryReport(plan.week, tuple(lines), sum(outcomes.values()), len(stops), tuple(sorted(outcomes.items())))


def crate_balances(confirmations: Sequence[StopConfirmation]) -> dict[str, dict[str, int]]:
    """Site → crate type → crates the site holds (left minus taken back, over every confirmation)."""
    out: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for c in confirmations:
        for crate_type, n in c.crates_left:
            out[c.site][crate_type] += n
        for crate_type, n in c.crates_back:
            out[c.site][crate_type] -= n
    return {site: dict(sorted(by_type.items())) for site, by_type in sorted(out.items())}
