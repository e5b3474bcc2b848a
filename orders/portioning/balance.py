"""Even out the whole solution between consumers that take the same goods (water filling).

The last levels of the whole model (served kilograms, full baskets) maximise sums: they may give
the extra baskets of a batch, or the extra grams of a product and day, to whichever consumer. Both
can move freely between consumers without touching any supply constraint — every relay point of
a batch gets the same basket, every canteen line of a (product, day) draws on the same pooled
lots — so this pass redistributes them, one basket or one step of grams at a time, to the consumer
with the lowest fill rate (those below their tier's target first, by tier), never above what it
ordered; a pinned line or group keeps its value, and `floor` may give other lower bounds. Within one
pool this is water filling: the lowest fill rate among the consumers sharing it never decreases.
"""
from __future__ import annotations

from collections import defaultdict

from orders.portioning.demand import Prepared
from orders.portioning.pooled import Pooled

STEPS = 100  # canteen grams move in steps of 1 % of a line's need


def balance(prep: Prepared, pooled: Pooled, values: dict[int, int], floor: dict[int, int]) -> dict[int, int]:
    """New values (by variable index) for the relay counts and canteen grams."""
    out = dict(values)
    floor = {**floor, **{v: values[v] for v in pooled.pinned if v in values}}  # pins stay as solved
    pol = pooled.policy
    served: dict[str, float] = defaultdict(float)

    def target(cid: str) -> float:
        r = pooled.consumers[cid].rank
        return pol.tiers[r].target if r < len(pol.tiers) else 0.0

    def key(cid: str):
        c = pooled.consumers[cid]
        fill = served[cid] / c.ordered if c.ordered else 1.0
        below = fill < target(cid)
        return (0 if below else 1, c.rank if below else 0, fill, cid)

    # ---- canteens: per (product, day), the grams above each line's floor are poured again
    for cid, c in pooled.consumers.items():
        if c.lines:
            served[cid] = sum(prep.g_per_grain(prep.canteen_lines[i].product) * out[pooled.s[i].Index()]
                              for i in c.lines)
    by_key: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i in pooled.s:
        ln = prep.canteen_lines[i]
        by_key[(ln.product, ln.day)].append(i)
    for (pid, _day), idx in sorted(by_key.items()):
        if len(idx) < 2:
            continue
        w = prep.g_per_grain(pid)
        pool = 0
        for i in idx:
            v = pooled.s[i].Index()
            lo = floor.get(v, 0)
            pool += out[v] - lo
            served[prep.canteen_lines[i].canteen] -= w * (out[v] - lo)
            out[v] = lo
        while pool > 0:
            open_ = [i for i in idx if out[pooled.s[i].Index()] < pooled.need[i]]
            if not open_:
                break
            i = min(open_, key=lambda i: key(prep.canteen_lines[i].canteen))
            v = pooled.s[i].Index()
            step = min(pool, pooled.need[i] - out[v], max(1, pooled.need[i] // STEPS))
            out[v] += step
            pool -= step
            served[prep.canteen_lines[i].canteen] += w * step
        for i in idx:  # what no line can take goes back where it was (never happens: sums are kept)
            if pool <= 0:
                break
            v = pooled.s[i].Index()
            back = min(pool, values[v] - out[v]) if values[v] > out[v] else 0
            out[v] += back
            pool -= back

    # ---- relay points: per batch, the baskets above each group's floor are handed out again
    for cid, c in pooled.consumers.items():
        if not c.lines:
            served[cid] = sum(b.rules.fill_milli * out[b.per_group[gi].Index()]
                              for b in pooled.batches for gi in c.groups if gi in b.per_group)
    group_total: dict[int, int] = defaultdict(int)
    for b in pooled.batches:
        for gi, var in b.per_group.items():
            group_total[gi] += out[var.Index()]
    for b in sorted(pooled.batches, key=lambda b: (b.variant != "full", b.day, b.basket_type.id)):
        pool = 0
        for gi, var in b.per_group.items():
            lo = floor.get(var.Index(), 0)
            extra = out[var.Index()] - lo
            pool += extra
            group_total[gi] -= extra
            served[prep.basket_groups[gi].relay_point] -= b.rules.fill_milli * extra
            out[var.Index()] = lo
        while pool > 0:
            open_ = [gi for gi in b.per_group if group_total[gi] < prep.basket_groups[gi].count]
            if not open_:
                break
            gi = min(open_, key=lambda g: (key(prep.basket_groups[g].relay_point), g))
            out[b.per_group[gi].Index()] += 1
            group_total[gi] += 1
            served[prep.basket_groups[gi].relay_point] += b.rules.fill_milli
            pool -= 1
    return out
