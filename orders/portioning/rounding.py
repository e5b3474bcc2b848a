"""From the fluid solution of the fairness levels to whole lots and whole baskets.

The fairness levels run on a fluid model (baskets in tenths, lots as a capacity in grains): its
LP relaxation is nearly integral, which is what lets CP-SAT settle max–min levels in a fraction of a
second. Rounding then loses at most one basket per relay point group and about one lot per offer
class and day — the tolerance of SCENARIO.md invariant 7 ("differ by at most one basket or one lot"):

1. each relay point group keeps ⌊fluid baskets⌋ of each batch; canteen lines keep their grams;
2. per (product, day), in day order, whole lots are bought to cover what is served, from the
   classes open that day, smallest lot first, within each class's weekly lots;
3. where the lots left cannot cover it, the lowest tier gives back first, and within it the
   consumers with the highest fill rate (canteen grams, then whole baskets): the cut never reaches
   a higher tier while a lower one holds the product, nor deepens the poorest.

The result is a feasible point of the whole model (`pooled.build` with integer lots), used as its
hint and as lower bounds (`floor`) for its last levels (served kilograms, full baskets, remainder).
"""
from __future__ import annotations

from collections import defaultdict

from orders.portioning.demand import Prepared
from orders.portioning.pooled import Pooled


def round_fluid(prep: Prepared, fluid: Pooled, value, whole: Pooled) -> dict[int, int]:
    """Values (by variable index of `whole`) of a feasible whole solution near the fluid one."""
    s = {i: value(v) for i, v in fluid.s.items()}
    n: dict[tuple[int, int], int] = {}  # (batch index, group) → baskets
    for bi, b in enumerate(fluid.batches):
        for gi, v in b.per_group.items():
            n[(bi, gi)] = value(v) // fluid.scale
    batch_of = {(b.day, b.basket_type.id, b.variant): bi for bi, b in enumerate(fluid.batches)}

    def fill(cid: str) -> float:
        c = fluid.consumers[cid]
        if c.lines:
            return sum(prep.g_per_grain(prep.canteen_lines[i].product) * s.get(i, 0) for i in c.lines) / c.ordered
        got = sum(fluid.batches[bi].rules.fill_milli * k for (bi, gi), k in n.items() if gi in c.groups)
        return got / (c.ordered / fluid.scale)

    def rank(cid: str) -> int:
        return fluid.consumers[cid].rank

    def uses(pid: str, day: str) -> int:
        total = sum(s[i] for i in s if (prep.canteen_lines[i].product, prep.canteen_lines[i].day) == (pid, day))
        for bi, b in enumerate(fluid.batches):
            if b.day == day and pid in b.recipe:
                total += b.recipe[pid] * sum(k for (bj, _), k in n.items() if bj == bi)
        return total

    left = {ci: c.lots for ci, c in enumerate(prep.classes)}
    bought: dict[tuple[int, str], int] = defaultdict(int)
    keys = sorted({(prep.canteen_lines[i].product, prep.canteen_lines[i].day) for i in s}
                  | {(pid, b.day) for b in fluid.batches for pid in b.recipe}, key=lambda k: (k[1], k[0]))
    for pid, day in keys:
        need = uses(pid, day)
        classes = sorted((ci for ci in prep.classes_open(pid, day) if (ci, day) in whole.lots),
                         key=lambda ci: (prep.lot_grains(ci), ci))
        for ci in classes:
            if need <= 0:
                break
            lot = prep.lot_grains(ci)
            k = min(left[ci], -(-need // lot))
            bought[(ci, day)] += k
            left[ci] -= k
            need -= k * lot
        if need <= 0:
            continue
        # the lots left cannot cover it: the richest give back first
        lines = sorted((i for i in s if (prep.canteen_lines[i].product, prep.canteen_lines[i].day) == (pid, day)),
                       key=lambda i: (-rank(prep.canteen_lines[i].canteen), -fill(prep.canteen_lines[i].canteen), i))
        for i in lines:
            give = min(need, s[i])
            s[i] -= give
            need -= give
            if need <= 0:
                break
        while need > 0:
            holders = [(bi, gi) for (bi, gi), k in n.items() if k > 0 and fluid.batches[bi].day == day
                       and pid in fluid.batches[bi].recipe]
            if not holders:
                break
            bi, gi = max(holders, key=lambda h: (rank(prep.basket_groups[h[1]].relay_point),
                                                 fill(prep.basket_groups[h[1]].relay_point), h))
            n[(bi, gi)] -= 1
            need -= fluid.batches[bi].recipe[pid]
        # what the cut freed on other products of those baskets stays as remainder (minimised later)

    out: dict[int, int] = {}
    for i, v in whole.s.items():
        out[v.Index()] = s.get(i, 0)
    for b in whole.batches:
        bi = batch_of[(b.day, b.basket_type.id, b.variant)]
        total = 0
        for gi, v in b.per_group.items():
            out[v.Index()] = n.get((bi, gi), 0)
            total += n.get((bi, gi), 0)
        out[b.n.Index()] = total
        for v in b.extra.values():
            out[v.Index()] = 0
    for key, v in whole.lots.items():
        out[v.Index()] = bought.get(key, 0)
    return out
