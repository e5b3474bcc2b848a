"""Hand corrections: a pin forces a line (this quantity of this product, optionally from this
producer, to this consumer on this day); a forbid keeps a product (or one producer's) from a consumer.

For a relay point a pin's `product` is a basket type id and its `quantity` a number of baskets; a
forbid's `product` is a product kept out of every basket that relay point receives that day.

Stage one (`apply`) turns each pin into a hard lower bound (canteen line: s + o ≥ quantity, capped at
what was ordered; relay point: baskets of the type ≥ quantity) and each product-wide forbid into a
zero; a producer-specific one is kept by stage two (`split.assign`). A pin that cannot hold is
reported with why (`unknown_consumer`, `not_ordered`, `above_order`, `no_offer`, `conflict`: the
pins together ask more than the supply) and left out; `cost` re-solves without it.
"""
from __future__ import annotations

from collections.abc import Iterable

from orders.portioning.demand import MU, Prepared
from orders.portioning.model import PinOutcome
from orders.portioning.pooled import Pooled
from orders.scenario import Pin

PIN_FR = {
    "unknown_consumer": "Épinglage impossible : {consumer} n'a rien commandé cette semaine.",
    "not_ordered": "Épinglage impossible : {consumer} n'a pas commandé de {product} le {day}.",
    "above_order": "Épinglage ramené à la commande : {consumer} a commandé moins de {product} le {day}.",
    "no_offer": "Épinglage impossible : aucune offre de {product} le {day}.",
    "conflict": "Épinglage impossible : les épinglages de {product} le {day} dépassent l'offre.",
    "producer_short": "Épinglage tenu en partie : le producteur {producer} n'a plus assez de {product} le {day}.",
    "forbid_broken": "Exclusion non tenue : seules les offres exclues de {product} restaient le {day}.",
}


def outcome(pin: Pin, honoured: bool, reason: str = "", cost=None) -> PinOutcome:
    text = PIN_FR[reason].format(consumer=pin.consumer, product=pin.product, day=pin.day,
                                 producer=pin.producer or "") if reason else ""
    return PinOutcome("forbid" if pin.forbid else "pin", pin.consumer, pin.product, pin.day, pin.producer,
                      pin.quantity, honoured, reason, text, cost)


def banned(prep: Prepared, pins: Iterable[Pin]) -> tuple[set[int], set[tuple[str, str, str]]]:
    """Product-wide forbids: canteen line indices set to zero, (relay point, product, day) kept out."""
    line_of = {(ln.canteen, ln.product, ln.day): i for i, ln in enumerate(prep.canteen_lines)}
    lines, relay = set(), set()
    relays = {g.relay_point for g in prep.basket_groups}
    for p in pins:
        if p.forbid and p.producer is None:
            if (p.consumer, p.product, p.day) in line_of:
                lines.add(line_of[(p.consumer, p.product, p.day)])
            elif p.consumer in relays:
                relay.add((p.consumer, p.product, p.day))
    return lines, relay


def apply(pooled: Pooled, pins: Iterable[Pin]) -> tuple[list[Pin], dict[Pin, str]]:
    """Add the pins' constraints; returns (pins kept, {pin: reason} for those left out)."""
    prep, m = pooled.prep, pooled.model
    line_of = {(ln.canteen, ln.product, ln.day): i for i, ln in enumerate(prep.canteen_lines)}
    group_of = {(g.relay_point, g.basket_type.id, g.day): gi for gi, g in enumerate(prep.basket_groups)}
    kept, dropped = [], {}
    asked: dict[tuple[str, str], int] = {}
    for p in pins:
        if p.forbid:
            if p.producer is None:
                for b in pooled.batches:  # a product kept out of a relay point's baskets that day
                    if b.day == p.day and p.product in b.recipe:
                        for gi, var in b.per_group.items():
                            if prep.basket_groups[gi].relay_point == p.consumer:
                                m.add(var == 0)
            kept.append(p)
            continue
        if p.consumer not in pooled.consumers:
            dropped[p] = "unknown_consumer"
            continue
        if (p.consumer, p.product, p.day) in line_of:
            i = line_of[(p.consumer, p.product, p.day)]
            if i not in pooled.s:
                dropped[p] = "no_offer"
                continue
            ln = prep.canteen_lines[i]
            grain = prep.grain_mu(ln.product)
            need = ln.need_mu // grain
            want = -(-round(p.quantity * MU) // grain)
            cap = need
            if want > cap:
                dropped[p] = "above_order"
                want = need
            key = (p.product, p.day)
            asked[key] = asked.get(key, 0) + want
            supply = sum(prep.classes[ci].lots * prep.lot_grains(ci) for ci in prep.classes_open(*key))
            if asked[key] > supply:
                dropped[p] = "conflict"
                asked[key] -= want
                continue
            m.add(pooled.s[i] >= min(want, cap))
            pooled.pinned.add(pooled.s[i].Index())
            kept.append(p)
        elif (p.consumer, p.product, p.day) in group_of:
            gi = group_of[(p.consumer, p.product, p.day)]
            want = min(int(p.quantity), prep.basket_groups[gi].count)
            if want < p.quantity:
                dropped[p] = "above_order"
            m.add(sum(b.per_group[gi] for b in pooled.batches if gi in b.per_group) >= pooled.scale * want)
            pooled.pinned.update(b.per_group[gi].Index() for b in pooled.batches if gi in b.per_group)
            kept.append(p)
        else:
            dropped[p] = "not_ordered"
    return kept, dropped
