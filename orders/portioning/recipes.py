"""Basket recipes: what one basket of a type holds on a day, before the counts are decided.

A recipe per (day, basket type, variant) makes the batch model of `baskets.py` linear (the number of
baskets times a fixed recipe, plus extras), which is what lets one CP-SAT model share the supply
between canteens and baskets by max–min fill rate at regional size. The recipe follows the supply:
with a_p the grains (grams, or whole pieces) of p available for this basket type that day (the day's pooled supply,
less what the tiers with a target need of it, apportioned between the day's basket types by their
ordered weight), a small exact CP-SAT model with the variant's rules (`baskets.rules`, one basket)

    min  M · (W_max + 1) − W        s.t.  10⁴ · q_p ≤ M · a_p  for every product p in the basket

picks the basket q that the most baskets can be made of (the scarcest product used is used as
little as possible relative to its supply), then the heaviest such basket. A variant no mix can
satisfy has no recipe (`None`); the solver then makes none of it and `explain` says why.
"""
from __future__ import annotations

import math
from collections import defaultdict

from ortools.sat.python import cp_model

from orders.portioning.baskets import VARIANTS, rules
from orders.portioning.demand import Prepared
from orders.portioning.policy import Ranking

Recipes = dict[tuple[str, str, str], dict[str, int]]
RECIPE_TIME_S = 0.03  # deterministic seconds per recipe (a good recipe, not a proven best, is enough)
RATIO_SCALE = 10_000
RECIPE_PRODUCTS = 24  # products a recipe may choose from: the most available by weight


def available(prep: Prepared, pol: Ranking, reserve: bool = True) -> dict[tuple[str, str, str], int]:
    """(product, day, basket type) → grains the recipe of that type may count on (less what
    the tiers with a target need, when `reserve`)."""
    ordered: dict[str, float] = defaultdict(float)  # day → kg ordered (canteens and baskets)
    type_kg: dict[tuple[str, str], float] = defaultdict(float)
    for ln in prep.canteen_lines:
        ordered[ln.day] += ln.need_kg
    for g in prep.basket_groups:
        ordered[g.day] += g.count * g.basket_type.target_kg
        type_kg[(g.day, g.basket_type.id)] += g.count * g.basket_type.target_kg
    supply: dict[tuple[str, str], float] = defaultdict(float)
    for c in prep.classes:
        open_days = [d for d in prep.days if c.available_on(d)]
        weight = sum(ordered[d] for d in open_days)
        for d in open_days:
            if weight:
                supply[(c.product, d)] += c.lots * c.lot_mu / prep.grain_mu(c.product) * ordered[d] / weight
    left = dict(supply)
    if reserve:
        for ln in prep.canteen_lines:
            rank = pol.rank_of(ln.canteen, ln.kind)
            share = pol.tiers[rank].target if rank < len(pol.tiers) else 0.0
            if share > 0:
                left[(ln.product, ln.day)] = (left.get((ln.product, ln.day), 0.0)
                                              - share * ln.need_mu / prep.grain_mu(ln.product))
    day_kg: dict[str, float] = defaultdict(float)
    for (d, _), kg in type_kg.items():
        day_kg[d] += kg
    out = {}
    for (pid, d), mu in left.items():
        if mu <= 0:
            continue
        for (dd, bid), kg in type_kg.items():
            if dd == d and day_kg[d] > 0:
                out[(pid, d, bid)] = int(mu * kg / day_kg[d])
    return out


def recipe(prep: Prepared, avail: dict[str, int], bt, variant: str, budget_s: float = RECIPE_TIME_S) -> dict[str, int] | None:
    r = rules(bt, variant)
    min_item_g = max(1, math.ceil(bt.min_item_kg * 1e3))
    per_item_max = r.max_g if r.share_pct is None else r.max_g * r.share_pct // 100
    m = cp_model.CpModel()
    q: dict[str, cp_model.IntVar] = {}
    u: dict[str, cp_model.IntVar] = {}
    # the most available products only (the recipe follows the supply; keeps the model small)
    for pid in sorted(sorted(avail, key=lambda p: (-avail[p] * prep.g_per_grain(p), p))[:RECIPE_PRODUCTS]):
        a = avail[pid]
        w = prep.g_per_grain(pid)
        top = min(per_item_max // w, a)
        if a <= 0 or top * w < min_item_g:
            continue
        qv = m.new_int_var(0, top, f"q[{pid}]")
        uv = m.new_bool_var(f"u[{pid}]")
        m.add(qv == 0).only_enforce_if(~uv)
        m.add(w * qv >= min_item_g).only_enforce_if(uv)
        q[pid], u[pid] = qv, uv
    if len(q) < r.min_products:
        return None
    weight = sum(prep.g_per_grain(pid) * v for pid, v in q.items())
    value = sum(prep.mc_per_grain(pid) * v for pid, v in q.items())
    m.add(weight >= r.min_g)
    m.add(weight <= r.max_g)
    if r.share_pct is not None:
        for pid, v in q.items():
            m.add(100 * prep.g_per_grain(pid) * v <= r.share_pct * weight)
    price_mc = bt.price * 1e5
    if variant == "full":
        m.add(value >= math.ceil((1 - bt.tolerance) * price_mc))
        m.add(value <= math.floor((1 + bt.tolerance) * price_mc))
    else:
        per_g = price_mc / (bt.target_kg * 1e3)
        m.add(1000 * value >= math.ceil(1000 * (1 - bt.tolerance) * per_g) * weight)
        m.add(1000 * value <= math.floor(1000 * (1 + bt.tolerance) * per_g) * weight)
    m.add(sum(u.values()) >= r.min_products)
    big = m.new_int_var(0, RATIO_SCALE, "M")  # q_p ≤ a_p, so the ratio is at most 1
    for pid, v in q.items():
        m.add(RATIO_SCALE * v <= big * avail[pid])
    m.minimize(big * (r.max_g + 1) - weight)
    solver = cp_model.CpSolver()
    p = solver.parameters
    p.num_workers = 1
    p.random_seed = 0
    p.max_deterministic_time = budget_s
    p.max_time_in_seconds = 1.0 + 20 * budget_s  # a safety net only: the deterministic limit decides
    p.cp_model_probing_level = 0
    p.symmetry_level = 0
    status = solver.solve(m)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return {pid: solver.value(v) for pid, v in q.items() if solver.value(v) > 0}


def make_recipes(prep: Prepared, pol: Ranking, banned: set[tuple[str, str]] = frozenset()) -> Recipes:
    """Every (day, basket type, variant) recipe; `banned` (product, day) pairs are left out."""
    avail = available(prep, pol)
    raw = None
    types = {}
    for g in prep.basket_groups:
        types[(g.day, g.basket_type.id)] = g.basket_type
    out: Recipes = {}
    for (day, bid), bt in sorted(types.items()):
        mine = {pid: a for (pid, d, b), a in avail.items() if d == day and b == bid and (pid, day) not in banned}
        for variant in VARIANTS:
            got = recipe(prep, mine, bt, variant)
            if not got:  # the targets may need it all: a recipe from the whole supply, the model decides
                raw = raw if raw is not None else available(prep, pol, reserve=False)
                whole = {pid: a for (pid, d, b), a in raw.items() if d == day and b == bid and (pid, day) not in banned}
                got = recipe(prep, whole, bt, variant)
            if got:
                out[(day, bid, variant)] = got
    return out
