"""Fairness figures of a solved portioning, and the targets' outcome per tier.

`fairness` (the plan's key): per consumer its tier, fill rate (served ÷ ordered: kilograms for a
canteen, over the lines that had an offer that day; baskets for a relay point, a reduced basket
counting its floor share), served and ordered; per tier min, max and Jain's index
((Σ f)² / (n Σ f²), 1 = all equal); the unsold kilograms; and `bound_gap`, the largest relative gap
between a priority or fairness level's value and its proven bound (0 when every level is optimal).
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from orders.portioning.demand import Prepared
from orders.portioning.model import LevelOutcome, TargetOutcome, Unsold
from orders.portioning.policy import FAIR_TIER, RELAY_KIND, Ranking
from orders.portioning.pooled import Pooled

FAIR_LEVELS = ("target:", "target_sum:", "fair:")


def jain(xs: list[float]) -> float:
    sq = sum(x * x for x in xs)
    return round(sum(xs) ** 2 / (len(xs) * sq), 4) if xs and sq > 0 else 1.0


def consumer_figures(prep: Prepared, pooled: Pooled, val) -> dict[str, dict[str, Any]]:
    out = {}
    basket_kg: dict[int, float] = defaultdict(float)
    basket_n: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for b in pooled.batches:
        n = val(b.n)
        if n <= 0:
            continue
        per_basket_kg = sum(prep.g_per_grain(p) * y for p, y in b.amounts(val).items()) / 1e3 / n
        for gi, var in b.per_group.items():
            k = val(var)
            basket_kg[gi] += k * per_basket_kg
            basket_n[gi][1 if b.variant == "reduced" else 0] += k
    for cid, c in sorted(pooled.consumers.items()):
        if c.lines:
            served_g = sum(prep.g_per_grain(prep.canteen_lines[i].product) * val(pooled.s[i]) for i in c.lines)
            fill = served_g / c.ordered if c.ordered else 1.0
            out[cid] = {"kind": c.kind, "tier": pooled.policy.tier_name(c.rank), "fill": round(fill, 4),
                        "served": round(served_g / 1e3, 3), "ordered": round(c.ordered / 1e3, 3), "unit": "kg",
                        "served_kg": round(served_g / 1e3, 3)}
        else:
            served_milli = sum(val(b.per_group[gi]) * b.rules.fill_milli for gi in c.groups
                               for b in pooled.batches if gi in b.per_group)
            full = sum(basket_n[gi][0] for gi in c.groups)
            reduced = sum(basket_n[gi][1] for gi in c.groups)
            out[cid] = {"kind": RELAY_KIND, "tier": pooled.policy.tier_name(c.rank),
                        "fill": round(served_milli / c.ordered, 4) if c.ordered else 1.0,
                        "served": full + reduced, "full": full, "reduced": reduced,
                        "ordered": c.ordered // 1000, "unit": "basket",
                        "served_kg": round(sum(basket_kg[gi] for gi in c.groups), 3)}
    return out


def fairness_report(prep: Prepared, pol: Ranking, pooled: Pooled, val, unsold: list[Unsold],
                    levels: tuple[LevelOutcome, ...]) -> dict[str, Any]:
    consumers = consumer_figures(prep, pooled, val)
    tiers: dict[str, dict[str, Any]] = {}
    names = [t.name for t in pol.tiers] + [FAIR_TIER]
    for name in names:
        fills = [v["fill"] for v in consumers.values() if v["tier"] == name]
        if fills:
            tiers[name] = {"min": min(fills), "max": max(fills), "jain": jain(fills), "consumers": len(fills)}
    every = [v["fill"] for v in consumers.values()]
    short = [v["fill"] for v in consumers.values() if v["fill"] < 1.0]
    gaps = [lv.gap for lv in levels if lv.name.startswith(FAIR_LEVELS)]
    return {
        "consumers": consumers,
        "tiers": tiers,
        "all": {"min": min(every, default=1.0), "max": max(every, default=1.0), "jain": jain(every),
                "short": len(short)},
        "unsold_kg": round(sum(u.kg for u in unsold), 3),
        "bound_gap": round(max(gaps, default=0.0), 6),
        "proven": all(lv.status == "OPTIMAL" for lv in levels if lv.name.startswith(FAIR_LEVELS)),
    }


def target_outcomes(prep: Prepared, pol: Ranking, pooled: Pooled, val) -> list[TargetOutcome]:
    """Per tier with a target: kilograms ordered and served (canteens; a relay point's baskets at
    their target weight) and the kilograms missing to the target."""
    figures = consumer_figures(prep, pooled, val)
    kg_of_basket: dict[str, float] = defaultdict(float)
    for g in prep.basket_groups:
        kg_of_basket[g.relay_point] += g.count * g.basket_type.target_kg
    out = []
    for tier in pol.tiers:
        if tier.target <= 0:
            continue
        members = [c for c, v in figures.items() if v["tier"] == tier.name]
        ordered = sum(figures[c]["ordered"] if figures[c]["unit"] == "kg" else kg_of_basket[c] for c in members)
        served = sum(figures[c]["served"] if figures[c]["unit"] == "kg" else figures[c]["fill"] * kg_of_basket[c]
                     for c in members)
        out.append(TargetOutcome(tier.name, tier.target, round(ordered, 3), round(served, 3),
                                 round(served / ordered, 4) if ordered > 0 else 1.0,
                                 round(max(0.0, tier.target * ordered - served), 3)))
    return sorted(out, key=lambda t: t.kind)
