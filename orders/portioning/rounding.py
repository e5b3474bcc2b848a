"""From the fluid solution of the fairness levels to whole lots and whole baskets.

The fairness levels run on a fluid model (baskets in tenths, lots as a capacity in grains): its
LP relaxation is nearly integral, which is what lets CP-SAT settle max–min levels in a fraction of a
second. Rounding then loses at most one basket per relay point group and about one lot per offer
class and day — the tolerance of SCENARIO.md invariant 7 ("differ by at most one basket or one lot"):

1. each relay point group keeps ⌊fluid baskets⌋ of each batch; canteen lines keep their grams;
2. per (product, day), the fluid lots rounded down, then in day order whole lots to cover the rest,
   from the classes open on the fewest days first, smallest lot first, within each class's weekly lots;
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
    for pid, day in keys:  # first the fluid's own lots, rounded down (never over a class's week)
        for ci in prep.classes_open(pid, day):
            if (ci, day) in whole.lots and (ci, day) in fluid.lots:
                k = min(left[ci], value(fluid.lots[(ci, day)]) // max(1, prep.lot_grains(ci)))
                bought[(ci, day)] += k
                left[ci] -= k
    for pid, day in keys:
        need = uses(pid, day) - sum(prep.lot_grains(ci) * bought[(ci, day)] for ci in prep.classes_open(pid, day))
        days_open = {ci: sum(prep.classes[ci].available_on(d) for d in prep.days) for ci in prep.classes_open(pid, day)}
        classes = sorted((ci for ci in prep.classes_open(pid, day) if (ci, day) in whole.lots),
                         key=lambda ci: (days_open[ci], prep.lot_grains(ci), ci))
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
        # the lots left cannot cover it: the lowest tier gives back first, then the richest
        while need > 0:
            lines = [(rank(prep.canteen_lines[i].canteen), fill(prep.canteen_lines[i].canteen), 1, i)
                     for i in s if s[i] > 0 and (prep.canteen_lines[i].product, prep.canteen_lines[i].day) == (pid, day)]
            holders = [(rank(prep.basket_groups[gi].relay_point), fill(prep.basket_groups[gi].relay_point), 0, (bi, gi))
                       for (bi, gi), k in n.items() if k > 0 and fluid.batches[bi].day == day
                       and pid in fluid.batches[bi].recipe]
            if not lines and not holders:
                break
            _, _, is_line, who = max(lines + holders)
            if is_line:  # in steps of 1 % of the line, so the fill rates stay level
                give = min(need, s[who], max(1, fluid.need[who] // 100))
                s[who] -= give
                need -= give
            else:
                n[who] -= 1
                need -= fluid.batches[who[0]].recipe[pid]
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


def rest_of(prep: Prepared, whole: Pooled, values: dict[int, int]) -> dict[tuple[str, str], int]:
    """(product, day) → grains bought over what is served, in a whole solution."""
    out = {}
    for pid, day in whole.rest:
        got = sum(prep.lot_grains(ci) * values[whole.lots[(ci, day)].Index()]
                  for ci in prep.classes_open(pid, day) if (ci, day) in whole.lots)
        used = sum(values[whole.s[i].Index()] for i in whole.s
                   if (prep.canteen_lines[i].product, prep.canteen_lines[i].day) == (pid, day))
        used += sum(b.recipe[pid] * values[b.n.Index()] for b in whole.batches if b.day == day and pid in b.recipe)
        out[(pid, day)] = got - used
    return out


def top_up(prep: Prepared, whole: Pooled, values: dict[int, int]) -> dict[int, int]:
    """Greedy water filling of what the rounding left: the consumer with the lowest fill rate (below
    its tier's target first, by tier) takes a step more — 1 % of a canteen line's need, or one basket
    of its group (full, else reduced) when every product of the recipe is there — from the day's
    remainder, buying whole lots still on offer when needed; until nobody can take more."""
    out = dict(values)
    rest = rest_of(prep, whole, out)
    left = {ci: c.lots for ci, c in enumerate(prep.classes)}
    for (ci, _d), v in whole.lots.items():
        left[ci] -= out[v.Index()]
    pol = whole.policy
    consumers = whole.consumers

    def served(cid: str) -> int:
        c = consumers[cid]
        if c.lines:
            return sum(prep.g_per_grain(prep.canteen_lines[i].product) * out[whole.s[i].Index()] for i in c.lines)
        return sum(b.rules.fill_milli * out[b.per_group[gi].Index()] for gi in c.groups
                   for b in whole.batches if gi in b.per_group)

    def key(cid: str):
        c = consumers[cid]
        fill = served(cid) / c.ordered
        target = pol.tiers[c.rank].target if c.rank < len(pol.tiers) else 0.0
        return (0, c.rank, fill, cid) if fill < target else (1, 0, fill, cid)

    def available(pid: str, day: str) -> int:
        return rest.get((pid, day), 0) + sum(left[ci] * prep.lot_grains(ci) for ci in prep.classes_open(pid, day)
                                             if (ci, day) in whole.lots)

    def take(pid: str, day: str, grains: int) -> None:
        have = rest.get((pid, day), 0)
        for ci in sorted((ci for ci in prep.classes_open(pid, day) if (ci, day) in whole.lots),
                         key=lambda ci: (prep.lot_grains(ci), ci)):
            while have < grains and left[ci] > 0:
                out[whole.lots[(ci, day)].Index()] += 1
                left[ci] -= 1
                have += prep.lot_grains(ci)
        rest[(pid, day)] = have - grains

    active = set(consumers)
    while active:
        cid = min(active, key=key)
        c = consumers[cid]
        moved = False
        if c.lines:
            for i in sorted(c.lines, key=lambda i: out[whole.s[i].Index()] / max(1, whole.need[i])):
                v = whole.s[i].Index()
                ln = prep.canteen_lines[i]
                room = whole.need[i] - out[v]
                step = min(room, max(1, whole.need[i] // 100), available(ln.product, ln.day))
                if step > 0:
                    take(ln.product, ln.day, step)
                    out[v] += step
                    moved = True
                    break
        else:
            for gi in sorted(c.groups, key=lambda g: (sum(out[b.per_group[g].Index()] for b in whole.batches
                                                          if g in b.per_group) / prep.basket_groups[g].count, g)):
                have = sum(out[b.per_group[gi].Index()] for b in whole.batches if gi in b.per_group)
                if have >= prep.basket_groups[gi].count:
                    continue
                for b in sorted((b for b in whole.batches if gi in b.per_group), key=lambda b: b.variant != "full"):
                    if all(available(pid, b.day) >= q for pid, q in b.recipe.items()):
                        for pid, q in b.recipe.items():
                            take(pid, b.day, q)
                        out[b.per_group[gi].Index()] += 1
                        out[b.n.Index()] += 1
                        moved = True
                        break
                if moved:
                    break
        if not moved:
            active.discard(cid)
    return out
