"""Stage two: the pooled lots of each class and day split between its offers, then between consumers.

Stage one decided L_{C,d}, the whole lots of class C bought for day d, and what each consumer gets of
each product that day (canteen line: s + o; relay point: its baskets × the batch's contents). Every
offer of a class is open on the same days, so any split with Σ_{o ∈ C} l_{o,d} = L_{C,d} and
Σ_d l_{o,d} ≤ lots_o is valid:

* producer spread: the class's week total T_C = Σ_d L_{C,d} is apportioned to its offers in
  proportion to their lots (largest remainder; ties to the cheaper offer, then the offer id), so
  each producer of a class sells the same share of its offer; then day by day in order.
* consumers: per (product, day), pinned lines first (from the pinned producer's offers), then
  consumers with a forbid, then the others, each filled from the offers in order (cheapest first),
  skipping an offer forbidden to that consumer. A line may hold part of a lot (lots are pooled).
"""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from orders.portioning.demand import MU, Prepared
from orders.portioning.model import Allocation


@dataclass(frozen=True, slots=True)
class Demand:
    consumer: str
    kind: str  # canteen | relay_point
    product: str
    day: str
    mu: int


def apportion(total: int, weights: list[int]) -> list[int]:
    """Integers ≥ 0 summing to `total`, in proportion to `weights`, none above its weight."""
    cap = sum(weights)
    if total <= 0 or cap <= 0:
        return [0] * len(weights)
    raw = [w * total / cap for w in weights]
    out = [min(w, math.floor(r)) for w, r in zip(weights, raw, strict=True)]
    order = sorted(range(len(weights)), key=lambda i: (-(raw[i] - out[i]), i))
    left = total - sum(out)
    for i in order * 2:
        if left <= 0:
            break
        if out[i] < weights[i]:
            out[i] += 1
            left -= 1
    return out


def offer_day_lots(prep: Prepared, class_day_lots: dict[tuple[int, str], int]) -> dict[tuple[int, str], int]:
    """Whole lots per (offer index, day)."""
    out: dict[tuple[int, str], int] = {}
    for ci, c in enumerate(prep.classes):
        days = sorted(d for (cj, d), n in class_day_lots.items() if cj == ci and n > 0)
        if not days:
            continue
        members = sorted(c.offers, key=lambda oi: (prep.offers[oi].unit_price, prep.offers[oi].id))
        per_offer = apportion(sum(class_day_lots[(ci, d)] for d in days), [prep.offers[oi].lots for oi in members])
        left = dict(zip(members, per_offer, strict=True))
        for d in days:
            need = class_day_lots[(ci, d)]
            for oi in members:
                take = min(need, left[oi])
                if take:
                    out[(oi, d)] = out.get((oi, d), 0) + take
                    left[oi] -= take
                    need -= take
            assert need == 0, (ci, d)
    return out


def assign(prep: Prepared, lots: dict[tuple[int, str], int], demands: list[Demand],
           pins: dict[tuple[str, str, str], list[tuple[str | None, int]]],
           forbids: dict[tuple[str, str, str], set[str | None]]) -> tuple[list[Allocation], dict, dict]:
    """Allocation lines; `pins[(consumer, product, day)]` = [(producer or None, mu)] served first;
    `forbids[(consumer, product, day)]` = producers whose offers that consumer must not get (None: all).

    Returns (allocations, pins_short {(consumer, product, day, producer): mu not from that producer},
    forbids_broken {(consumer, product, day): producers used anyway})."""
    stock: dict[tuple[str, str], list[list]] = defaultdict(list)  # (product, day) → [[offer idx, mu left]]
    for (oi, d), n in sorted(lots.items(), key=lambda kv: (prep.offers[kv[0][0]].unit_price, prep.offers[kv[0][0]].id, kv[0][1])):
        o = prep.offers[oi]
        stock[(o.product, d)].append([oi, n * round(o.lot * MU)])
    got: dict[tuple[int, str, str, str], int] = defaultdict(int)  # (offer, consumer, kind, day) → mu
    pinned_keys: set[tuple[int, str, str]] = set()
    pins_short: dict = {}
    forbids_broken: dict = {}
    left = {(dm.consumer, dm.product, dm.day): dm.mu for dm in demands}
    kind_of = {(dm.consumer, dm.product, dm.day): dm.kind for dm in demands}

    def take(key, producer_ok, limit: int) -> int:
        consumer, product, day = key
        done = 0
        for slot in stock.get((product, day), ()):
            if done >= limit:
                break
            oi, avail = slot
            if avail <= 0 or not producer_ok(prep.offers[oi].producer):
                continue
            q = min(avail, limit - done)
            slot[1] -= q
            got[(oi, consumer, kind_of[key], day)] += q
            done += q
        left[key] -= done
        return done

    for key in sorted(pins):
        if key not in left:
            continue
        for producer, mu in pins[key]:
            want = min(mu, left[key])
            got_mu = take(key, lambda p, producer=producer: producer is None or p == producer, want)
            if got_mu < mu:
                pins_short[(*key, producer)] = mu - got_mu
            for (oi, c, _, d), _q in got.items():
                if (c, d) == (key[0], key[2]) and prep.offers[oi].product == key[1]:
                    if producer is None or prep.offers[oi].producer == producer:
                        pinned_keys.add((oi, c, d))
    order = sorted(left, key=lambda k: (0 if k in forbids else 1, k[2], k[1], k[0]))
    for key in order:
        if left[key] <= 0:
            continue
        banned = forbids.get(key, set())
        take(key, lambda p, banned=banned: p not in banned and None not in banned, left[key])
        if left[key] > 0 and banned:  # only forbidden offers remain: serve, and say so
            used = take(key, lambda p: True, left[key])
            if used:
                forbids_broken[key] = sorted(p for p in banned if p)
    allocations = []
    for (oi, consumer, kind, day), mu in sorted(got.items()):
        if mu <= 0:
            continue
        o = prep.offers[oi]
        prod = prep.products[o.product]
        qty = round(mu / MU, 3)
        crates = math.ceil(qty * prod.unit_kg / prod.crate_kg - 1e-9)
        allocations.append(Allocation(o.producer, o.product, consumer, day, qty, crates, o.unit_price, o.id,
                                      round(qty / o.lot, 4), kind, (oi, consumer, day) in pinned_keys))
    allocations.sort(key=lambda a: (a.day, a.consumer, a.product, a.producer, a.offer))
    return allocations, pins_short, forbids_broken
