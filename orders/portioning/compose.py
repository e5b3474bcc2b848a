"""Baskets from what the canteens left: fair rounds of small exact CP-SAT models, one per group.

One CP-SAT model over every basket group (`baskets.add_basket_groups` with all groups) is exact
but does not scale: the per-basket weight and price windows over integer lots make it hard to find
even a first solution at regional size (300 groups). We therefore compose group by group, each
group's model being exact (the basket rules of `baskets.py`, n_g maximised), in two rounds that
approximate max-min fairness (water filling):

1. fair share: per day d, s_d = min(1, grams left on d / grams of baskets ordered on d); every
   group, in id order, is composed with n_g ≤ ⌊s_d · count_g⌋;
2. top up: groups by increasing served share (then id) give back their lots and are recomposed
   with n_g ∈ [n_g, count_g].

Each group model maximises 10⁶ · n_g − Σ_C ⌊1000 / left_C⌋ · k_{g,C}: as many baskets as possible,
then the products with the most lots left (keeps the scarce ones for the next groups).
The basket levels report their value against a valid upper bound (grams left, per day and in
total, vs. grams ordered), so their gap is honest even though the rounds are a heuristic.
"""
from __future__ import annotations

import math
from collections import defaultdict
from time import perf_counter

from ortools.sat.python import cp_model

from orders.portioning.baskets import add_basket_groups
from orders.portioning.demand import Prepared
from orders.portioning.model import LevelOutcome

BIG = 1_000_000
SHARE_SCALE = 10_000

Composition = dict[int, tuple[int, dict[int, int]]]  # group index → (baskets, {class: lots})


def _solve_group(prep: Prepared, gi: int, caps: dict[int, int], lo: int, hi: int,
                 hint: dict[int, int], num_workers: int, budget_s: float,
                 max_products: int) -> tuple[int, dict[int, int]] | None:
    model = cp_model.CpModel()
    use: dict[int, list] = defaultdict(list)
    (gv,) = add_basket_groups(model, prep, use, caps, max_products, {gi: (lo, hi)})
    penalty = sum(max(1, 1000 // max(1, caps[ci])) * v for ci, v in gv.k.items())
    model.maximize(BIG * gv.n - penalty)
    for ci, v in gv.k.items():
        model.add_hint(v, hint.get(ci, 0))
    solver = cp_model.CpSolver()
    p = solver.parameters
    p.num_workers = num_workers
    p.interleave_search = num_workers > 1
    p.random_seed = 0
    p.max_deterministic_time = max(0.01, budget_s)
    p.max_time_in_seconds = max(0.05, 3 * budget_s)
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return solver.value(gv.n), {ci: solver.value(v) for ci, v in gv.k.items() if solver.value(v)}


def compose_baskets(prep: Prepared, caps_in: dict[int, int], num_workers: int, budget_s: float,
                    max_products: int = 16) -> tuple[Composition, list[LevelOutcome]]:
    t0 = perf_counter()
    caps = dict(caps_in)
    groups = prep.basket_groups
    state: Composition = {gi: (0, {}) for gi in range(len(groups))}
    if not groups:
        return state, []
    days = sorted({g.day for g in groups})
    ordered_g = {d: sum(g.count * g.basket_type.target_kg * 1000 for g in groups if g.day == d) for d in days}
    left_g = dict.fromkeys(days, 0.0)  # a class open on several days is apportioned by their orders
    for ci, c in enumerate(prep.classes):
        open_days = [d for d in days if c.available_on(d)]
        weight = sum(ordered_g[d] for d in open_days)
        for d in open_days:
            left_g[d] += caps[ci] * c.grams_per_lot * ordered_g[d] / weight if weight else 0.0
    share = {d: min(1.0, left_g[d] / ordered_g[d]) if ordered_g[d] else 0.0 for d in days}

    n_solves = 2 * len(groups)
    done = 0

    def run(gi: int, lo: int, hi: int) -> None:
        nonlocal done
        remaining = budget_s - (perf_counter() - t0)
        per = remaining / max(1, n_solves - done)
        done += 1
        n_cur, lots_cur = state[gi]
        for ci, k in lots_cur.items():  # give back, recompose
            caps[ci] += k
        res = _solve_group(prep, gi, caps, lo, hi, lots_cur, num_workers, per, max_products) if hi > 0 else None
        if res is not None and res[0] >= n_cur:
            state[gi] = res
        for ci, k in state[gi][1].items():
            caps[ci] -= k

    for gi, g in enumerate(groups):
        run(gi, 0, math.floor(share[g.day] * g.count + 1e-9))
    for gi in sorted(range(len(groups)), key=lambda i: (state[i][0] / groups[i].count, i)):
        if state[gi][0] < groups[gi].count:
            run(gi, state[gi][0], groups[gi].count)
        else:
            done += 1

    seconds = perf_counter() - t0
    min_share = min(SHARE_SCALE * state[gi][0] // groups[gi].count for gi in range(len(groups)))
    share_bound = min(SHARE_SCALE, math.floor(SHARE_SCALE * min(share.values())))
    total = sum(state[gi][0] * round(g.basket_type.target_kg * 1000) for gi, g in enumerate(groups))
    total_left = sum(caps_in[ci] * c.grams_per_lot for ci, c in enumerate(prep.classes))
    bound = min(sum(min(ordered_g[d], left_g[d]) for d in days), total_left)
    bound = max(bound, total)

    def outcome(name: str, value: float, bnd: float) -> LevelOutcome:
        status = "OPTIMAL" if value >= bnd else "FEASIBLE"
        return LevelOutcome(name, status, float(value), float(bnd), seconds / 2)

    return state, [outcome("basket_fairness", min_share, max(min_share, share_bound)),
                   outcome("baskets", total, bound)]
