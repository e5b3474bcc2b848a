"""The portioning solver: who gets which lots of which offer, by priority.

Why CP-SAT: every allocation is a whole number of lots, baskets are counted in whole baskets and a
basket's product list needs booleans (at least `min_products` distinct products); the model is a
pure integer program with lexicographic priorities. CP-SAT solves such models exactly, proves
optimality of each level on the sizes we have, is deterministic with a fixed seed and one worker
(or `interleave_search`), and ships with ortools, our fixed stack. A MIP solver would do too but
would add a dependency and floating tolerances on the integer lots.

Stage one (this module), variables in lots of an offer class C (same product, lot and days, see
`demand.py`):

    k_{ℓ,C} ∈ ℕ   lots of C for canteen line ℓ = (canteen c, day d, product p(C)), C available on d
    basket group variables n_g, k_{g,C}, u_{g,p} (see `baskets.py`)

    Σ_C lot_C · k_{ℓ,C} ≤ ⌈need_ℓ / lot_min⌉ · lot_min       (the need rounded up to the smallest lot
                                                            on offer that day, SCENARIO.md)
    for a line of a kind under a policy target, instead: k_{ℓ,C} ≤ ⌈need_ℓ / lot_C⌉ and
    Σ_C lot_C · k_{ℓ,C} < need_ℓ + max_C lot_C  (rounded up to any offer's lot: a bigger lot still
                                                 serves it when the small ones are gone)
    Σ_ℓ k_{ℓ,C} + Σ_g k_{g,C} ≤ lots_C                         (whole lots, within the offers)

With S_ℓ = Σ_C grams_C k_{ℓ,C} the grams served, D_K the grams ordered by the canteens of kind K and
t_K its target, the levels, each solved to optimality then fixed as a constraint, are:

    1. target:K, for each kind K with t_K > 0, by t_K descending (maternelle 1.0, then foyer 0.15):
           max  min(Σ_{ℓ ∈ K} min(S_ℓ, need_ℓ), ⌊t_K · D_K⌋)   (a line's rounding up never stands in
                                                                 for another line left short)
    2. canteens:          max Σ_ℓ S_ℓ
    3. canteen_fairness:  max z,  10⁴ · Σ_{ℓ ∈ c} S_ℓ ≥ z · N_c  for every canteen c
                          (N_c = grams ordered on lines with some offer: max-min served share)
    4. baskets:           max Σ_g target_g · n_g                 (kilograms of baskets composed)
    5. basket_fairness:   max z,  10⁴ · Σ_{g ∈ r} target_g n_g ≥ z · Σ_{g ∈ r} target_g count_g
                          for every relay point r (max-min served share)

Stage two (`split.py`) splits each class between its offers: producer spread, then cost. Waste
over the need is at most the rounding of each line up to a lot; crates are ⌈quantity · unit_kg / crate_kg⌉
per allocation line.
"""
from __future__ import annotations

import logging
import math
from collections import defaultdict
from time import perf_counter

from ortools.sat.python import cp_model

from orders.portioning.baskets import read_baskets
from orders.portioning.compose import compose_baskets
from orders.portioning.demand import MU, prepare
from orders.portioning.explain import explain
from orders.portioning.lexico import Lexicographic
from orders.portioning.model import PortioningInput, PortioningResult, TargetOutcome
from orders.portioning.split import split_classes

log = logging.getLogger(__name__)

DEFAULT_TIME_LIMIT_S = 20.0
DEFAULT_WORKERS = 1
SHARE_SCALE = 10_000
STAGE_TWO_SHARE = 0.2
CANTEEN_SHARE = 0.5  # at most this part of stage one for the canteen levels (they need far less)
BASKET_CANDIDATES = 16  # products a basket group may choose from (see baskets.candidate_products)
BASKET_GAP = 0.01  # basket levels stop within 1 % of their bound; priority levels are exact  # part of the time budget kept for the split between producers


def solve(inp: PortioningInput, time_limit_s: float = DEFAULT_TIME_LIMIT_S,
          num_workers: int = DEFAULT_WORKERS) -> PortioningResult:
    """Allocate the week's offers to canteens then baskets (see the module docstring).

    Raises `MissingGrammage` (a meal line without portion size) or `InvalidInput` (unknown ids,
    non-positive lots). `time_limit_s` is the whole budget, split between levels; a level cut short
    keeps its best solution and reports status FEASIBLE with its bound.
    """
    t0 = perf_counter()
    prep = prepare(inp)
    deadline_one = time_limit_s * (1 - STAGE_TWO_SHARE)

    # ---- stage 1a: canteens (levels 1-3), exact
    model = cp_model.CpModel()
    class_use: dict[int, list] = defaultdict(list)
    line_k: list[dict[int, cp_model.IntVar]] = []
    target_kinds = {kind for kind, share in prep.targets if share > 0}
    for li, line in enumerate(prep.canteen_lines):
        ks: dict[int, cp_model.IntVar] = {}
        open_classes = [ci for ci in prep.classes_by_product.get(line.product, ())
                        if prep.classes[ci].available_on(line.day)]
        if line.kind in target_kinds:
            # a line under a policy target may round its need up to any offer's lot (SCENARIO.md),
            # so a bigger lot still serves it when the smaller ones are gone; never a whole lot more
            caps = {ci: -(-line.need_mu // prep.classes[ci].lot_mu) * prep.classes[ci].lot_mu for ci in open_classes}
            cap_mu = line.need_mu + max((prep.classes[ci].lot_mu for ci in open_classes), default=1) - 1
        else:
            # other lines: the need rounded up to the smallest lot on offer that day
            smallest = min((prep.classes[ci].lot_mu for ci in open_classes), default=1)
            cap_mu = -(-line.need_mu // smallest) * smallest
            caps = dict.fromkeys(open_classes, cap_mu)
        for ci in open_classes:
            c = prep.classes[ci]
            ub = min(c.lots, caps[ci] // c.lot_mu)
            if ub > 0:
                ks[ci] = model.new_int_var(0, ub, f"k[{li},{ci}]")
                class_use[ci].append(ks[ci])
        if len(ks) > 1:
            model.add(sum(prep.classes[ci].lot_mu * v for ci, v in ks.items()) <= cap_mu)
        line_k.append(ks)
    for ci in sorted(class_use):
        model.add(sum(class_use[ci]) <= prep.classes[ci].lots)

    served_g = [sum(prep.classes[ci].grams_per_lot * v for ci, v in ks.items()) if ks else 0 for ks in line_k]
    need_g = [round(line.need_kg * 1000) for line in prep.canteen_lines]
    # what counts toward a need: for lines under a target, which may round up to a bigger lot, the
    # grams served up to the need only (one line's rounding never stands in for another's shortfall)
    counted_g = list(served_g)
    for i, line in enumerate(prep.canteen_lines):
        if line.kind in target_kinds and line_k[i]:
            counted_g[i] = model.new_int_var(0, need_g[i], f"counted[{i}]")
            model.add(counted_g[i] <= served_g[i])

    levels: list[tuple[str, object, bool, float]] = []
    for kind, share in prep.targets:
        idx = [i for i, ln in enumerate(prep.canteen_lines) if ln.kind == kind and line_k[i]]
        cap = math.floor(share * sum(need_g[i] for i, ln in enumerate(prep.canteen_lines) if ln.kind == kind))
        if idx and cap > 0:
            # a target counts each line's grams up to its need only: rounding one line up to its lot
            # must not stand in for another line of the same kind left short
            capped = model.new_int_var(0, cap, f"target[{kind}]")
            model.add(capped <= sum(counted_g[i] for i in idx))
            levels.append((f"target:{kind}", capped, True, 0.0))
    active_lines = [i for i, ks in enumerate(line_k) if ks]
    if active_lines:
        per_canteen: dict[str, list[int]] = defaultdict(list)
        for i in active_lines:
            per_canteen[prep.canteen_lines[i].canteen].append(i)
        if len(per_canteen) > 1:
            z = model.new_int_var(0, SHARE_SCALE, "z_canteens")
            for cid in sorted(per_canteen):
                idx = per_canteen[cid]
                model.add(SHARE_SCALE * sum(served_g[i] for i in idx) >= z * sum(need_g[i] for i in idx))
            levels.append(("canteen_fairness", z, True, 0.0))
        levels.append(("canteens", sum(counted_g[i] for i in active_lines), True, 0.0))
    lex = Lexicographic(model, [v for ks in line_k for v in ks.values()], num_workers=num_workers)
    canteen_budget = deadline_one * CANTEEN_SHARE
    for i, (name, expr, maximize, gap) in enumerate(levels):
        remaining = canteen_budget - (perf_counter() - t0)
        lex.optimise(name, expr, maximize, max(0.05, remaining / (len(levels) - i)), gap)
    line_lots = [{ci: lex.value(v) for ci, v in ks.items()} for ks in line_k]
    taken_a: dict[int, int] = defaultdict(int)
    for lots in line_lots:
        for ci, n in lots.items():
            taken_a[ci] += n

    # ---- stage 1b: baskets (levels 4-5) on what the canteens left
    caps = {ci: c.lots - taken_a.get(ci, 0) for ci, c in enumerate(prep.classes)}
    basket_budget = deadline_one - (perf_counter() - t0)
    composition, basket_levels = compose_baskets(prep, caps, num_workers, basket_budget, BASKET_CANDIDATES)

    rank_of_kind = {kind: i for i, (kind, _) in enumerate(prep.targets)}
    n_targets = len(prep.targets)
    taken: dict[tuple[tuple[str, str, str], int], int] = defaultdict(int)
    class_takers: dict[int, list[tuple[int, int]]] = defaultdict(list)
    taken_per_class: dict[int, int] = defaultdict(int)
    line_served_mu = []
    for line, ks in zip(prep.canteen_lines, line_lots, strict=True):
        mu = 0
        for ci, lots in ks.items():
            if lots:
                taken[((line.canteen, line.day, "canteen"), ci)] += lots
                class_takers[ci].append((rank_of_kind.get(line.kind, n_targets), lots))
                taken_per_class[ci] += lots
                mu += lots * prep.classes[ci].lot_mu
        line_served_mu.append(mu)
    for gi, (_, lots_by_class) in sorted(composition.items()):
        g = prep.basket_groups[gi]
        for ci, lots in sorted(lots_by_class.items()):
            if lots:
                taken[((g.relay_point, g.day, "relay_point"), ci)] += lots
                class_takers[ci].append((n_targets + 1, lots))
                taken_per_class[ci] += lots
    leftover = {ci: c.lots - taken_per_class.get(ci, 0) for ci, c in enumerate(prep.classes)}

    remaining = max(0.1, time_limit_s - (perf_counter() - t0))
    allocations, split_levels, _ = split_classes(prep, dict(taken), num_workers, remaining)
    baskets = read_baskets(prep, composition)
    shortfalls = explain(prep, line_served_mu, [b.count for b in baskets], class_takers, leftover)

    targets = []
    for kind, share in sorted(inp.targets):
        idx = [i for i, ln in enumerate(prep.canteen_lines) if ln.kind == kind]
        ordered = sum(prep.canteen_lines[i].need_kg for i in idx)
        served = sum(min(line_served_mu[i], prep.canteen_lines[i].need_mu) / MU
                     * prep.products[prep.canteen_lines[i].product].unit_kg for i in idx)
        targets.append(TargetOutcome(
            kind, share, round(ordered, 3), round(served, 3),
            round(served / ordered, 4) if ordered > 0 else 1.0,
            round(max(0.0, share * ordered - served), 3)))

    all_levels = tuple(lex.levels) + tuple(basket_levels) + tuple(split_levels)
    statuses = {lv.status for lv in all_levels}
    status = "OPTIMAL" if statuses <= {"OPTIMAL"} else "FEASIBLE"
    seconds = perf_counter() - t0
    log.info("portioning: %s in %.2fs, %d allocations, %d shortfalls", status, seconds,
             len(allocations), len(shortfalls))
    return PortioningResult(
        status=status, objective=tuple(lv.objective for lv in all_levels), seconds=round(seconds, 3),
        allocations=tuple(allocations), shortfalls=tuple(shortfalls), targets=tuple(targets),
        baskets=tuple(b for b in baskets), levels=all_levels)
