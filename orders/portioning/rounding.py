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

from orders.portioning.baskets import ORDER
from orders.portioning.demand import Prepared
from orders.portioning.pooled import Pooled

REPAIRS = 200  # transfers toward max-min after the greedy top-up (each followed by a new top-up)


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
    pinned_lines = {i for i, v in fluid.s.items() if v.Index() in fluid.pinned}  # cut last
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
            lines = [(rank(prep.canteen_lines[i].canteen) - (len(pinned_lines) and 1000 * (i in pinned_lines)),
                      fill(prep.canteen_lines[i].canteen), 1, i)
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
    for pid, day in sorted({(prep.classes[ci].product, d) for ci, d in whole.lots}):
        got = sum(prep.lot_grains(ci) * values.get(whole.lots[(ci, day)].Index(), 0)
                  for ci in prep.classes_open(pid, day) if (ci, day) in whole.lots)
        used = sum(values[whole.s[i].Index()] for i in whole.s
                   if (prep.canteen_lines[i].product, prep.canteen_lines[i].day) == (pid, day))
        used += sum(b.recipe[pid] * values.get(b.n.Index(), 0) for b in whole.batches if b.day == day and pid in b.recipe)
        out[(pid, day)] = got - used
    return out


def top_up(prep: Prepared, whole: Pooled, values: dict[int, int]) -> dict[int, int]:
    """Greedy water filling of what the rounding left: the consumer with the lowest fill rate (below
    its tier's target first, by tier) takes a step more — 1 % of a canteen line's need, or one basket
    of its group (full, else reduced) when every product of the recipe is there — from the day's
    remainder, buying whole lots still on offer when needed; until nobody can take more."""
    out = dict(values)
    for b in whole.batches:  # batches added after the rounding start empty
        out.setdefault(b.n.Index(), 0)
        for v in b.per_group.values():
            out.setdefault(v.Index(), 0)
    rest = rest_of(prep, whole, out)
    left = {ci: c.lots for ci, c in enumerate(prep.classes)}
    for (ci, _d), v in whole.lots.items():
        left[ci] -= out[v.Index()]
    def release() -> None:
        """Whole lots bought for nothing go back on offer (another day may use them)."""
        for (pid, day), r in sorted(rest.items()):
            for ci in sorted(prep.classes_open(pid, day), key=lambda ci: -prep.lot_grains(ci)):
                v = whole.lots.get((ci, day))
                lot = prep.lot_grains(ci)
                if v is not None and lot > 0:
                    k = min(out[v.Index()], r // lot)
                    out[v.Index()] -= k
                    left[ci] += k
                    r -= k * lot
            rest[(pid, day)] = r
    pol = whole.policy
    consumers = whole.consumers

    served: dict[str, int] = {}
    for cid, c in consumers.items():
        if c.lines:
            served[cid] = sum(prep.g_per_grain(prep.canteen_lines[i].product) * out[whole.s[i].Index()] for i in c.lines)
        else:
            served[cid] = sum(b.rules.fill_milli * out[b.per_group[gi].Index()] for gi in c.groups
                              for b in whole.batches if gi in b.per_group)
    group_batches = {gi: [b for b in whole.batches if gi in b.per_group] for gi in range(len(prep.basket_groups))}

    def key(cid: str):
        c = consumers[cid]
        fill = served[cid] / c.ordered
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

    def fill_up() -> None:
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
                        served[cid] += prep.g_per_grain(ln.product) * step
                        moved = True
                        break
            else:
                for gi in sorted(c.groups, key=lambda g: (sum(out[b.per_group[g].Index()] for b in group_batches[g])
                                                          / prep.basket_groups[g].count, g)):
                    have = sum(out[b.per_group[gi].Index()] for b in group_batches[gi])
                    if have >= prep.basket_groups[gi].count:
                        continue
                    for b in sorted(group_batches[gi], key=lambda b: ORDER[b.variant]):
                        if all(available(pid, b.day) >= q for pid, q in b.recipe.items()):
                            for pid, q in b.recipe.items():
                                take(pid, b.day, q)
                            out[b.per_group[gi].Index()] += 1
                            out[b.n.Index()] += 1
                            served[cid] += b.rules.fill_milli
                            moved = True
                            break
                    if moved:
                        break
            if not moved:
                active.discard(cid)

    lot_kg: dict[str, float] = defaultdict(float)
    for o in prep.offers:
        lot_kg[o.product] = max(lot_kg[o.product], o.lot * prep.products[o.product].unit_kg)

    def unit(cid: str, pid: str) -> float:
        """One basket or one lot of the product, as a share of what the consumer ordered."""
        c = consumers[cid]
        return 1.0 / (c.ordered / 1000) if not c.lines else lot_kg[pid] * 1000 / c.ordered

    def after_target(cid: str) -> bool:
        c = consumers[cid]
        target = pol.tiers[c.rank].target if c.rank < len(pol.tiers) else 0.0
        return served[cid] / c.ordered >= target

    def repair() -> bool:
        """One transfer toward max-min: a line short of a product takes it back from a richer consumer
        of the same or a lower tier holding it that day (grams from a canteen line, or one basket,
        whose other products go back to the pool). True if a transfer was made."""
        short = sorted((i for i in whole.s if out[whole.s[i].Index()] < whole.need[i]),
                       key=lambda i: (served[prep.canteen_lines[i].canteen] / consumers[prep.canteen_lines[i].canteen].ordered, i))
        for i in short:
            ln = prep.canteen_lines[i]
            ci = ln.canteen
            if not after_target(ci):
                continue
            fi = served[ci] / consumers[ci].ordered
            best = None
            for j in whole.s:
                lj = prep.canteen_lines[j]
                if (lj.product, lj.day) != (ln.product, ln.day) or j == i or out[whole.s[j].Index()] <= 0 \
                        or whole.s[j].Index() in whole.pinned:  # a pinned line keeps its pin
                    continue
                cj = lj.canteen
                fj = served[cj] / consumers[cj].ordered
                if consumers[cj].rank >= consumers[ci].rank and after_target(cj) \
                        and fj - fi > unit(cj, ln.product) + unit(ci, ln.product):
                    best = max(best or (fj, 1, j), (fj, 1, j))
            for bi, b in enumerate(whole.batches):
                if b.day != ln.day or ln.product not in b.recipe:
                    continue
                for gi, var in b.per_group.items():
                    cj = prep.basket_groups[gi].relay_point
                    if out[var.Index()] <= 0 or var.Index() in whole.pinned:
                        continue
                    fj = served[cj] / consumers[cj].ordered
                    if consumers[cj].rank >= consumers[ci].rank and after_target(cj) \
                            and fj - fi > unit(cj, ln.product) + unit(ci, ln.product):
                        best = max(best or (fj, 0, (bi, gi)), (fj, 0, (bi, gi)))
            if best is None:
                continue
            _, is_line, who = best
            if is_line:
                give = min(out[whole.s[who].Index()], whole.need[i] - out[whole.s[i].Index()],
                           max(1, whole.need[i] // 20))
                out[whole.s[who].Index()] -= give
                served[prep.canteen_lines[who].canteen] -= prep.g_per_grain(ln.product) * give
            else:
                b = whole.batches[who[0]]
                out[b.per_group[who[1]].Index()] -= 1
                out[b.n.Index()] -= 1
                served[prep.basket_groups[who[1]].relay_point] -= b.rules.fill_milli
                for pid, q in b.recipe.items():
                    rest[(pid, b.day)] = rest.get((pid, b.day), 0) + q
                give = min(whole.need[i] - out[whole.s[i].Index()], rest.get((ln.product, ln.day), 0))
                rest[(ln.product, ln.day)] -= give
            out[whole.s[i].Index()] += give
            served[ci] += prep.g_per_grain(ln.product) * give
            return True
        return False

    release()
    fill_up()
    for _ in range(REPAIRS):
        if not repair():
            break
        release()
        fill_up()
    return out


def second_batches(prep: Prepared, whole: Pooled, values: dict[int, int]) -> None:
    """Where baskets are still missing, a second full recipe per (day, basket type) made of what is
    left that day (the remainders and the lots still on offer, apportioned between the day's types by
    their missing weight); added to `whole.batches` with no basket yet, for `top_up` to fill."""
    from orders.portioning.baskets import SECOND, Batch, rules
    from orders.portioning.recipes import recipe

    rest = rest_of(prep, whole, values)
    left = {ci: c.lots for ci, c in enumerate(prep.classes)}
    for (ci, _d), v in whole.lots.items():
        left[ci] -= values[v.Index()]
    missing: dict[tuple[str, str], float] = defaultdict(float)
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for gi, g in enumerate(prep.basket_groups):
        have = sum(values.get(b.per_group[gi].Index(), 0) for b in whole.batches if gi in b.per_group)
        groups[(g.day, g.basket_type.id)].append(gi)
        missing[(g.day, g.basket_type.id)] += (g.count - have) * g.basket_type.target_kg
    for (day, bid), kg in sorted(missing.items()):
        if kg <= 0:
            continue
        day_kg = sum(v for (d, _), v in missing.items() if d == day and v > 0)
        avail = {}
        for pid in prep.classes_by_product:
            a = rest.get((pid, day), 0) + sum(left[ci] * prep.lot_grains(ci) for ci in prep.classes_open(pid, day)
                                              if (ci, day) in whole.lots)
            if a > 0:
                avail[pid] = int(a * kg / day_kg)
        bt = prep.basket_groups[groups[(day, bid)][0]].basket_type
        got = recipe(prep, avail, bt, "full")
        if not got:
            continue
        n = whole.model.new_int_var(0, sum(prep.basket_groups[gi].count for gi in groups[(day, bid)]),
                                    f"N[{day},{bid},{SECOND}]")
        b = Batch(day, bt, SECOND, rules(bt, SECOND), got, n)
        for gi in groups[(day, bid)]:
            b.per_group[gi] = whole.model.new_int_var(0, prep.basket_groups[gi].count, f"n[{gi},{SECOND}]")
        whole.batches.append(b)
