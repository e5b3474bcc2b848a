"""Basket batches: one recipe per (day, basket type, variant), shared by every relay point.

Baskets are packed at the hub from the day's pooled lots, so a basket type has the same contents at
every relay point on a day. A **batch** β = (day d, basket type b, variant v), v ∈ {full, second,
reduced}, holds N_β baskets of one recipe q_β (`recipes.py`: grains per basket meeting the variant's
rules) plus extras e_{β,p} spread over its baskets (products sold by the kg only); relay point r
receives n_{r,β} of them (Σ_r n_{r,β} = N_β, Σ_v n_{r,(d,b,v)} ≤ count_{r,d,b}). With y_{β,p} =
q_{β,p} N_β + e_{β,p}, w_p the grams per grain, v_p the reference price, W_β = Σ_p w_p y_{β,p}:

    W_β ≤ (1 + τ) · T_b · N_β                                  weight per basket (the recipe meets the floor)
    100 · w_p y_{β,p} ≤ share_pct · W_β                        no product dominates (of the actual weight)
    full, second:  Σ_p v_p y_{β,p} ∈ [(1 − τ) · P_b, (1 + τ) · P_b] · N_β
    reduced:       Σ_p v_p y_{β,p} ∈ [(1 − τ), (1 + τ)] · (P_b / T_b) · W_β    price scaled to the weight

all linear (the recipe is fixed). `rules` gives each variant's rules: the full rules, or the floor
rules of a reduced basket (`BasketType.floor`: fewer products, lighter, a larger max share). A reduced
basket counts `floor_kg / target_kg` of a basket in its relay point's fill rate, so the solver makes
full baskets whenever it can. The `second` variant is a second full recipe made after the solve from
what the first left (`rounding.second_batches`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from orders.portioning.demand import MU, Prepared
from orders.portioning.model import BasketPlan, BasketType

VARIANTS = ("full", "reduced")
SECOND = "second"  # a second full recipe, from what the first pass left (see recipes.second_batches)
ORDER = {"full": 0, SECOND: 1, "reduced": 2}  # the order in which baskets are made
REDUCED_SHARE_SLACK = 0.1  # a reduced basket's max share: max(max_share, 1 / floor_min_products + this)


@dataclass(frozen=True, slots=True)
class Rules:
    """The rules of one variant of a basket type, in the model's integers."""

    min_products: int
    min_g: int  # per basket
    max_g: int  # per basket
    share_pct: int | None  # max share of a product in the basket weight, percent
    fill_milli: int  # what one basket of this variant counts in its relay point's fill rate (‰ of a basket)


def floor_rules(bt: BasketType) -> tuple[int, float]:
    """(floor_min_products, floor_kg) of a basket type (defaults on `BasketType.floor`)."""
    return bt.floor


def rules(bt: BasketType, variant: str) -> Rules:
    target_g = bt.target_kg * 1e3
    top = math.floor((1 + bt.tolerance) * target_g)
    share = bt.max_share
    if variant in ("full", SECOND):
        pct = round(share * 100) if share else None
        return Rules(bt.min_products, math.ceil((1 - bt.tolerance) * target_g), top, pct, 1000)
    fmp, fkg = floor_rules(bt)
    pct = None
    if share:
        pct = min(100, round(max(share, 1.0 / max(1, fmp) + REDUCED_SHARE_SLACK) * 100))
    return Rules(fmp, math.ceil(fkg * 1e3), top, pct, max(1, round(1000 * fkg / bt.target_kg)))


@dataclass(slots=True)
class Batch:
    day: str
    basket_type: BasketType
    variant: str
    rules: Rules
    recipe: dict[str, int]  # product → grains in one basket (the recipe, at least)
    n: cp_model.IntVar
    extra: dict[str, cp_model.IntVar] = field(default_factory=dict)  # product → grains over the recipe, batch total
    per_group: dict[int, cp_model.IntVar] = field(default_factory=dict)  # basket group index → baskets
    weight_g: cp_model.LinearExprT = 0
    bonus: dict[str, int] = field(default_factory=dict)  # product → grains of a lot's remainder added after the solve
    scale: int = 1  # n and per_group count 1/scale of a basket; y is in grains × scale
    n_max: int = 0
    extra_max: dict[str, int] = field(default_factory=dict)

    def y(self, pid: str) -> cp_model.LinearExprT:
        """Grains (× scale) of the product in the whole batch."""
        return self.recipe[pid] * self.n + self.scale * self.extra.get(pid, 0) if pid in self.extra else self.recipe[pid] * self.n

    def amounts(self, value) -> dict[str, int]:
        """Grains of each product in the whole solved batch."""
        n = value(self.n)
        return {pid: q * n + (value(self.extra[pid]) if pid in self.extra else 0) + self.bonus.get(pid, 0)
                for pid, q in self.recipe.items()} if n else {}


def add_batches(model: cp_model.CpModel, prep: Prepared, recipes: dict[tuple[str, str, str], dict[str, int]],
                supply: dict[tuple[str, str], int], scale: int = 1) -> list[Batch]:
    """Variables and rules of every batch with a recipe; each basket holds the recipe plus its share
    of the batch's extras (y = recipe · N + scale · extra), within the variant's rules. Baskets are
    counted in 1/`scale` of a basket (`scale` > 1: the fluid model of the fairness levels)."""
    by_day_type: dict[tuple[str, str], list[int]] = {}
    for gi, g in enumerate(prep.basket_groups):
        by_day_type.setdefault((g.day, g.basket_type.id), []).append(gi)
    batches = []
    for (day, bid), gis in sorted(by_day_type.items()):
        bt = prep.basket_groups[gis[0]].basket_type
        total = sum(prep.basket_groups[gi].count for gi in gis)
        for variant in VARIANTS:
            recipe = recipes.get((day, bid, variant))
            if not recipe:
                continue
            r = rules(bt, variant)
            tag = f"{day},{bid},{variant}"
            cap = min(supply.get((pid, day), 0) // q for pid, q in recipe.items())
            n = model.new_int_var(0, scale * min(total, cap), f"N[{tag}]")
            b = Batch(day, bt, variant, r, dict(recipe), n, scale=scale, n_max=scale * min(total, cap))
            for pid, q in sorted(recipe.items()):
                if prep.products[pid].unit == "kg":  # pieces stay whole and even: no extras
                    ub = min(supply.get((pid, day), 0), max(0, r.max_g - q) * total)
                    if ub > 0:
                        b.extra[pid] = model.new_int_var(0, ub, f"e[{tag},{pid}]")
                        b.extra_max[pid] = ub
            weight = sum(prep.g_per_grain(pid) * b.y(pid) for pid in recipe)
            b.weight_g = weight
            if b.extra:
                value = sum(prep.mc_per_grain(pid) * b.y(pid) for pid in recipe)
                model.add(weight <= r.max_g * n)
                if r.share_pct is not None:
                    for pid in recipe:
                        model.add(100 * prep.g_per_grain(pid) * b.y(pid) <= r.share_pct * weight)
                price_mc = bt.price * 1e5
                if variant == "full":
                    model.add(value <= math.floor((1 + bt.tolerance) * price_mc) * n)
                    model.add(value >= math.ceil((1 - bt.tolerance) * price_mc) * n)
                else:  # millicents per gram, × 1000, scaled to the weight
                    per_g = price_mc / (bt.target_kg * 1e3)
                    model.add(1000 * value >= math.ceil(1000 * (1 - bt.tolerance) * per_g) * weight)
                    model.add(1000 * value <= math.floor(1000 * (1 + bt.tolerance) * per_g) * weight)
            for gi in gis:
                b.per_group[gi] = model.new_int_var(0, scale * prep.basket_groups[gi].count, f"n[{gi},{variant}]")
            model.add(sum(b.per_group.values()) == n)
            batches.append(b)
    return batches


def read_baskets(prep: Prepared, batches: list[Batch], value) -> list[BasketPlan]:
    """Basket plans per relay point group from the solved batches (`value(var)` reads a variable)."""
    per_group: dict[int, dict[str, tuple[int, tuple, float, float]]] = {}
    for b in batches:
        n = value(b.n)
        if n <= 0:
            continue
        contents, weight_g, cents = [], 0.0, 0.0
        for pid, y in sorted(b.amounts(value).items()):
            if y:
                qty = y * prep.grain_mu(pid) / MU / n
                contents.append((pid, round(qty, 3)))
                weight_g += qty * prep.products[pid].unit_kg * 1000
                cents += qty * prep.ref_price[pid] * 100
        for gi, var in b.per_group.items():
            k = value(var)
            if k:
                per_group.setdefault(gi, {})[b.variant] = (k, tuple(contents), weight_g / 1000, cents / 100)
    plans = []
    empty = (0, (), 0.0, 0.0)
    for gi, g in enumerate(prep.basket_groups):
        got = per_group.get(gi, {})
        full, second, red = got.get("full", empty), got.get(SECOND, empty), got.get("reduced", empty)
        bt = g.basket_type
        red_price = round(bt.price * red[2] / bt.target_kg, 2) if red[0] else 0.0
        plans.append(BasketPlan(
            g.relay_point, g.day, bt.id, full[0] + second[0] + red[0], g.count, full[1], round(full[2], 3),
            round(full[3], 2), full[0], red[0], red[1], round(red[2], 3), round(red[3], 2), red_price,
            second[0], second[1], round(second[2], 3), round(second[3], 2)))
    return plans
