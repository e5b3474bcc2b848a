"""Stage two: split each offer class's lots between its offers (producers), then read allocations.

Stage one decided k_{e,C}, the lots of class C given to demand e (a canteen line or a basket
group); every offer o of C is available on the same days, so any split with

    Σ_{o ∈ C} x_{o,e} = k_{e,C}     and     Σ_e x_{o,e} ≤ lots_o

is valid (it exists because Σ_e k_{e,C} ≤ Σ_{o ∈ C} lots_o). Two levels, lexicographic:

    (spread) min Σ_o | used_o · L_C − lots_o · T_C |    with used_o = Σ_e x_{o,e}, T_C = Σ_e k_{e,C},
             L_C = Σ_{o ∈ C} lots_o: each producer sells the same share of its offer as the others
             of its class (no farm left out while its product is needed, no concentration);
    (cost)   min Σ_{o,e} price_o · lot_o · x_{o,e}   (cents).
"""
from __future__ import annotations

import math
from collections import defaultdict

from ortools.sat.python import cp_model

from orders.portioning.demand import MU, Prepared
from orders.portioning.lexico import Lexicographic
from orders.portioning.model import Allocation, LevelOutcome

Demand = tuple[str, str, str]  # (consumer, day, consumer_kind)
COST_GAP = 0.001  # the cost level stops within 0.1 % of its bound


def split_classes(prep: Prepared, taken: dict[tuple[Demand, int], int], num_workers: int,
                  budget_s: float) -> tuple[list[Allocation], list[LevelOutcome], dict[int, int]]:
    """`taken[(demand, class)] = lots` from stage one. Returns allocations, the two levels and
    the lots used per offer index."""
    model = cp_model.CpModel()
    xs: dict[tuple[int, Demand], cp_model.IntVar] = {}
    per_offer: dict[int, list[cp_model.IntVar]] = defaultdict(list)
    class_total: dict[int, int] = defaultdict(int)
    for (dem, ci), lots in sorted(taken.items()):
        if lots <= 0:
            continue
        class_total[ci] += lots
        row = []
        for oi in prep.classes[ci].offers:
            cap = min(lots, prep.offers[oi].lots)
            var = model.new_int_var(0, cap, f"x[{oi},{dem}]")
            key = (oi, dem)
            if key in xs:  # same offer, same consumer/day through two classes cannot happen
                raise AssertionError(key)
            xs[key] = var
            per_offer[oi].append(var)
            row.append(var)
        model.add(sum(row) == lots)
    class_of = {oi: ci for ci, c in enumerate(prep.classes) for oi in c.offers}
    devs = []
    for oi in sorted(per_offer):
        o = prep.offers[oi]
        model.add(sum(per_offer[oi]) <= o.lots)
        ci = class_of[oi]
        cap_c = prep.classes[ci].lots
        gap = sum(per_offer[oi]) * cap_c - o.lots * class_total[ci]
        bound = o.lots * cap_c + o.lots * class_total[ci]
        dev = model.new_int_var(0, bound, f"dev[{oi}]")
        model.add(dev >= gap)
        model.add(dev >= -gap)
        devs.append(dev)
    cost = sum(round(prep.offers[oi].unit_price * prep.offers[oi].lot * 100) * v for (oi, _), v in xs.items())
    variables = list(xs.values()) + devs
    lex = Lexicographic(model, variables, num_workers=num_workers)
    if xs:
        lex.optimise("producer_spread", sum(devs), maximize=False, budget_s=budget_s / 2)
        lex.optimise("cost", cost, maximize=False, budget_s=budget_s / 2, relative_gap=COST_GAP)

    merged: dict[tuple[int, Demand], int] = defaultdict(int)
    used: dict[int, int] = defaultdict(int)
    for (oi, dem), var in xs.items():
        lots = lex.value(var)
        if lots:
            merged[(oi, dem)] += lots
            used[oi] += lots
    allocations = []
    for (oi, (consumer, day, kind)), lots in merged.items():
        o = prep.offers[oi]
        prod = prep.products[o.product]
        qty = round(lots * round(o.lot * MU) / MU, 6)
        crates = math.ceil(qty * prod.unit_kg / prod.crate_kg - 1e-9)
        allocations.append(Allocation(o.producer, o.product, consumer, day, qty, crates, o.unit_price,
                                      o.id, lots, kind))
    allocations.sort(key=lambda a: (a.day, a.consumer, a.product, a.producer, a.offer))
    return allocations, lex.levels, dict(used)
