"""Basket composition: the CP-SAT variables and constraints of the basket groups, and their reading.

A basket group g = (relay point r, day d, basket type b) ordered `count_g` baskets. Variables:

    n_g ∈ [0, count_g]          baskets composed for the group (identical baskets)
    a_g ∈ {0, 1}                a_g = 1 ⇔ n_g ≥ 1
    k_{g,C} ∈ ℕ                 lots of offer class C (product p(C), available on d) for the group
    u_{g,p} ∈ {0, 1}            product p is in the basket

The relay point receives y_{g,p} = Σ_C lot_C · k_{g,C} of p (whole lots, split between producers in
stage two); each of its n_g baskets holds y_{g,p} / n_g. With w_p the grams per unit, v_p the
product's reference price (quantity-weighted mean of its offers), τ the tolerance:

    Σ_p w_p y_{g,p}  ∈ [(1 − τ) · target_g, (1 + τ) · target_g] · n_g      weight per basket
    Σ_p v_p y_{g,p}  ∈ [(1 − τ) · price_g,  (1 + τ) · price_g]  · n_g      value per basket
    w_p y_{g,p} ≤ max_share · (1 − τ) · target_g · n_g                      no product dominates
    u_{g,p} = 0 ⇒ k_{g,C} = 0;  u_{g,p} = 1 ⇒ w_p y_{g,p} ≥ min_item_g · n_g
    Σ_p u_{g,p} ≥ min_products · a_g;   u_{g,p} ≤ a_g;   n_g ≥ a_g;   n_g ≤ count_g · a_g

All linear in (n, k, u): the per-basket rules are homogeneous in n_g, so the number of baskets is a
decision of the same model. (`max_share` is taken against the lowest admissible weight, so the
share of the actual weight is never above it.) Products sold by the piece (unit ≠ kg) must split
evenly: y_{g,p} = n_g · q_{g,p} with q integer pieces (a CP-SAT multiplication constraint).
Products sold by the kg are split by weight at the hub: y_{g,p} / n_g is reported to the gram.

Rule for "nobody receives more than ordered": the relay point receives exactly n_g × (contents of
one basket), which are whole lots of their offers; baskets not composed (n_g < count_g) are a
shortfall of the group, in baskets.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from ortools.sat.python import cp_model

from orders.portioning.demand import MU, BasketGroup, Prepared
from orders.portioning.model import BasketPlan


@dataclass(slots=True)
class GroupVars:
    group: BasketGroup
    n: cp_model.IntVar
    active: cp_model.IntVar
    k: dict[int, cp_model.IntVar]  # class index → lots
    used: dict[str, cp_model.IntVar]  # product → in the basket
    grams_expr: cp_model.LinearExprT


def candidate_products(prep: Prepared, day: str, caps: dict[int, int], index: int,
                       max_products: int) -> list[str]:
    """Products a group may use: those with lots left that day; when more than `max_products`,
    an evenly spaced selection along the price order, shifted by the group's index, so that the
    groups of a day spread over all products and each sees cheap and dear ones (keeps the
    regional model small; deterministic)."""
    avail = sorted(
        (pid for pid, cls in prep.classes_by_product.items()
         if any(caps.get(ci, 0) > 0 and prep.classes[ci].available_on(day) for ci in cls)),
        key=lambda pid: (prep.ref_price[pid], pid))
    if len(avail) <= max_products:
        return avail
    stride = len(avail) / max_products
    offset = (index * 0.618034) % 1.0
    return sorted({avail[int((j + offset) * stride) % len(avail)] for j in range(max_products)})


def add_basket_groups(model: cp_model.CpModel, prep: Prepared, class_use: dict[int, list],
                      caps: dict[int, int], max_products: int = 16,
                      bounds: dict[int, tuple[int, int]] | None = None) -> list[GroupVars]:
    """Create the variables of the groups in `bounds` (index → (n_min, n_max); all groups with
    n ∈ [0, count] when None) over the lots left (`caps[class]`); append each lot variable to
    class_use[class] for the capacity rows."""
    out: list[GroupVars] = []
    if bounds is None:
        bounds = {gi: (0, g.count) for gi, g in enumerate(prep.basket_groups)}
    for gi in sorted(bounds):
        g = prep.basket_groups[gi]
        n_lo, n_hi = bounds[gi]
        bt = g.basket_type
        tol = bt.tolerance
        target_g = bt.target_kg * 1000.0
        price_c = bt.price * 100.0
        n = model.new_int_var(n_lo, n_hi, f"n[{gi}]")
        active = model.new_bool_var(f"a[{gi}]")
        model.add(n >= active)
        model.add(n <= n_hi * active)
        share_cap_g = math.floor(bt.max_share * (1 - tol) * target_g) if bt.max_share else None
        per_basket_max_g = share_cap_g if share_cap_g is not None else math.floor((1 + tol) * target_g)
        min_item_g = max(1, math.ceil(bt.min_item_kg * 1000))
        k: dict[int, cp_model.IntVar] = {}
        used: dict[str, cp_model.IntVar] = {}
        grams_terms, cents_terms = [], []
        for pid in candidate_products(prep, g.day, caps, gi, max(max_products, 2 * bt.min_products)):
            cls = [ci for ci in prep.classes_by_product[pid]
                   if prep.classes[ci].available_on(g.day) and caps.get(ci, 0) > 0]
            prod = prep.products[pid]
            if not cls or min_item_g > per_basket_max_g:
                continue
            u = model.new_bool_var(f"u[{gi},{pid}]")
            model.add_implication(u, active)
            p_grams, p_units = [], []
            for ci in cls:
                c = prep.classes[ci]
                ub = min(caps[ci], (per_basket_max_g * n_hi) // c.grams_per_lot)
                if ub <= 0:
                    continue
                var = model.new_int_var(0, ub, f"kb[{gi},{ci}]")
                model.add(var == 0).only_enforce_if(~u)
                k[ci] = var
                class_use[ci].append(var)
                p_grams.append(c.grams_per_lot * var)
                p_units.append((c.lot_mu, ub, var))
                cents_terms.append(c.cents_per_lot * var)
            if not p_grams:
                model.add(u == 0)
                continue
            used[pid] = u
            grams_p = sum(p_grams)
            grams_terms.append(grams_p)
            model.add(grams_p >= min_item_g * n).only_enforce_if(u)
            if share_cap_g is not None:
                model.add(grams_p <= share_cap_g * n)
            if prod.unit != "kg":
                if all(lot_mu % MU == 0 for lot_mu, _, _ in p_units):
                    qmax = per_basket_max_g // max(1, round(prod.unit_kg * 1000))
                    q = model.new_int_var(0, max(0, qmax), f"q[{gi},{pid}]")
                    ymax = sum(ub_ * (lot_mu // MU) for lot_mu, ub_, _ in p_units)
                    total = model.new_int_var(0, ymax, f"y[{gi},{pid}]")
                    model.add(total == sum((lot_mu // MU) * var for lot_mu, _, var in p_units))
                    model.add_multiplication_equality(total, [n, q])
                else:  # fractional lots of pieces cannot be split evenly: keep the product out
                    model.add(u == 0)
        grams = sum(grams_terms) if grams_terms else 0
        cents = sum(cents_terms) if cents_terms else 0
        model.add(grams >= math.ceil((1 - tol) * target_g) * n)
        model.add(grams <= math.floor((1 + tol) * target_g) * n)
        model.add(cents >= math.ceil((1 - tol) * price_c) * n)
        model.add(cents <= math.floor((1 + tol) * price_c) * n)
        if used:
            model.add(sum(used.values()) >= bt.min_products * active)
        else:
            model.add(active == 0)
        out.append(GroupVars(g, n, active, k, used, grams))
    return out


def read_baskets(prep: Prepared, composition: dict[int, tuple[int, dict[int, int]]]) -> list[BasketPlan]:
    """Basket plans from the composition (group → (baskets, {class: lots})), contents per basket."""
    plans = []
    for gi, g in enumerate(prep.basket_groups):
        n, lots_by_class = composition.get(gi, (0, {}))
        contents: list[tuple[str, float]] = []
        weight_g = 0.0
        cents = 0.0
        if n > 0:
            per_product: dict[str, float] = {}
            for ci, lots in lots_by_class.items():
                if lots:
                    c = prep.classes[ci]
                    per_product[c.product] = per_product.get(c.product, 0.0) + lots * c.lot_mu / MU
            for pid in sorted(per_product):
                qty = per_product[pid] / n
                contents.append((pid, round(qty, 3)))
                weight_g += qty * prep.products[pid].unit_kg * 1000
                cents += qty * prep.ref_price[pid] * 100
        plans.append(BasketPlan(g.relay_point, g.day, g.basket_type.id, n, g.count, tuple(contents),
                                round(weight_g / 1000, 3), round(cents / 100, 2)))
    return plans
