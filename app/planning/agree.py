"""Portioning and rounds agree: goods of a stop no round can visit go back to the portioning.

When the routing leaves a (consumer, day) stop unserved, its orders of that day are taken out of
the scenario and the week is portioned again, so its goods go to consumers the rounds can reach
(SCENARIO.md invariant 8: nothing is allocated to a stop that no round visits, so no delivery note
is printed for it). The stop stays in `unserved` with its reason, and its orders become shortfalls
with reason `not_delivered`; the policy's targets are still measured against everything that was
ordered, so an undeliverable maternelle shows as a missed target, never as a smaller one.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping

from orders.grammage import GrammageTable, MissingGrammage
from orders.plan import Shortfall, Unserved
from orders.scenario import Scenario
from orders.targets import targets_against  # noqa: F401  (re-exported for the pipeline)

Stop = tuple[str, str]  # (consumer id, day)


def without_stops(scenario: Scenario, stops: Iterable[Stop]) -> Scenario:
    """The scenario without the meal and basket orders of these (consumer, day) stops."""
    gone = set(stops)
    return scenario.replace(
        meal_orders=tuple(m for m in scenario.meal_orders if (m.canteen, m.day) not in gone),
        basket_orders=tuple(b for b in scenario.basket_orders if (b.relay_point, b.day) not in gone))


def undelivered(scenario: Scenario, unserved: Mapping[Stop, Unserved]) -> tuple[Shortfall, ...]:
    """One shortfall per order line of a stop taken out because no round could visit it."""
    table = GrammageTable(scenario.grammages)
    kinds = {c.id: c.kind for c in scenario.canteens}
    out = []
    for m in scenario.meal_orders:
        miss = unserved.get((m.canteen, m.day))
        if miss is None:
            continue
        for line in m.lines:
            try:
                kg = table.kg_needed(line.product, dict(line.meals), line.use)
            except MissingGrammage:
                continue
            out.append(Shortfall(consumer=m.canteen, product=line.product, day=m.day, missing=round(kg, 3),
                                 reason="not_delivered", unit="kg", target_kind=kinds.get(m.canteen),
                                 text=_text(miss)))
    for b in scenario.basket_orders:
        miss = unserved.get((b.relay_point, b.day))
        if miss is not None and b.count > 0:
            out.append(Shortfall(consumer=b.relay_point, product=b.basket_type, day=b.day, missing=b.count,
                                 reason="not_delivered", unit="panier", basket_type=b.basket_type,
                                 text=_text(miss)))
    return tuple(out)


def _text(miss: Unserved) -> str:
    why = miss.reason_fr or "aucune tournée ne peut passer"
    return f"Non livré : aucune tournée ne peut livrer ce jour-là ({why}) ; la marchandise est répartie ailleurs."
