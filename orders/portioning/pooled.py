"""Stage one's CP-SAT model: pooled whole lots per offer class and day, served quantities per consumer.

Variables (quantities in grains: grams of a product sold by the kg, whole units of the others):

    L_{C,d} ∈ [0, lots_C]      whole lots of offer class C bought for day d (C open on d);
                               Σ_d L_{C,d} ≤ lots_C (a weekly offer is shared between its days)
    s_ℓ ∈ [0, need_ℓ]          what canteen line ℓ = (canteen, day, product) gets within its need
    o_ℓ ∈ [0, lot_max − 1]     rounding over the need (the pooled lots' remainder)
    baskets: N_β, y_{β,p}, n_{r,β} of `baskets.py`

    Σ_{C of p} lot_C · L_{C,d} = Σ_{ℓ of (p,d)} (s_ℓ + o_ℓ) + Σ_β y_{β,p}      pooled lots, day by day

Rounding never robs an equal or higher tier: with F_{p,d,t} ∈ {0,1} "every line of (p, d) of tier
rank ≤ t is at its need" (F ⇒ s_ℓ ≥ need_ℓ for those lines), o_ℓ ≤ (lot_max − 1) · F_{p,d,rank(ℓ)}
and Σ_{ℓ of (p,d)} o_ℓ ≤ lot_max − 1 (less than one lot over the needs, per product and day).

Consumers' served quantity, in the unit of their fill rate: a canteen in grams (Σ s_ℓ w_p,
over lines that have an offer that day), a relay point in thousandths of a basket (1000 per full
basket, `Rules.fill_milli` per reduced one). `Pooled.fill_ge(c, z)` adds 10⁴ · served_c ≥ z · ordered_c.
Products sold by the piece move in whole pieces.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from orders.portioning.baskets import Batch, add_batches
from orders.portioning.demand import Prepared
from orders.portioning.policy import RELAY_KIND, Ranking
from orders.portioning.recipes import Recipes

SHARE_SCALE = 10_000


@dataclass
class Consumer:
    id: str
    kind: str  # canteen kind, or RELAY_KIND
    rank: int  # policy tier index
    ordered: int  # canteen: grams on lines with an offer; relay point: ‰ baskets
    lines: list[int] = field(default_factory=list)  # canteen line indices
    groups: list[int] = field(default_factory=list)  # basket group indices


@dataclass
class Pooled:
    model: cp_model.CpModel
    prep: Prepared
    policy: Ranking
    lots: dict[tuple[int, str], cp_model.IntVar]
    s: dict[int, cp_model.IntVar]
    rest: dict[tuple[str, str], cp_model.LinearExprT]  # (product, day) → grains (× scale) bought over what is served
    batches: list[Batch]
    consumers: dict[str, Consumer]
    served: dict[str, cp_model.LinearExprT]
    variables: list[cp_model.IntVar]
    need: dict[int, int]  # canteen line → grains ordered
    scale: int = 1  # baskets counted in 1/scale (see build)
    fluid_lots: bool = False  # lots counted in grains (see build)
    pinned: set[int] = field(default_factory=set)  # variables a pin bounds (kept as solved by balance)

    def fill_ge(self, cid: str, z, plus: int = 0, enforce=None) -> None:
        c = self.consumers[cid]
        ct = self.model.add(SHARE_SCALE * self.served[cid] >= z * c.ordered + plus)
        if enforce is not None:
            ct.only_enforce_if(enforce)

    def served_g_expr(self) -> cp_model.LinearExprT:
        """Grams delivered within the needs, canteen lines and baskets, a gram to a higher tier
        weighing more (tier rank r of n: weight n + 1 − r; baskets at the shared tier's weight)."""
        top = len(self.policy.tiers) + 1
        terms = [(top - self.consumers[self.prep.canteen_lines[i].canteen].rank) * self.scale
                 * self.prep.g_per_grain(self.prep.canteen_lines[i].product) * v for i, v in self.s.items()]
        terms += [b.weight_g for b in self.batches]
        return sum(terms) if terms else 0

    def mu(self, product: str, grains: int) -> int:
        return grains * self.prep.grain_mu(product)


def build(prep: Prepared, policy: Ranking, recipes: Recipes, banned_lines: set[int] = frozenset(),
          scale: int = 1, floor: dict | None = None, fluid_lots: bool = False) -> Pooled:
    """The stage-one model, quantities in grains (`Prepared.grain_mu`). The fluid model of the
    fairness levels counts baskets in 1/`scale` of a basket and lots in grains (`fluid_lots`: a
    capacity, not whole lots); `floor` gives lower bounds (variable name → value) from the rounded
    fluid solution for the whole model."""
    m = cp_model.CpModel()
    days = prep.days
    # ---- pooled lots per class and day
    lots: dict[tuple[int, str], cp_model.IntVar] = {}
    supply: dict[tuple[str, str], int] = defaultdict(int)
    max_lot: dict[tuple[str, str], int] = defaultdict(int)
    per_class: dict[int, list] = defaultdict(list)
    lot_cap: dict[int, int] = {}
    for ci, c in enumerate(prep.classes):
        lot = prep.lot_grains(ci)
        cap = c.lots * lot if fluid_lots else c.lots
        lot_cap[ci] = cap
        for d in days:
            if c.available_on(d) and c.lots > 0 and lot > 0:
                v = m.new_int_var(0, cap, f"L[{ci},{d}]")
                lots[(ci, d)] = v
                per_class[ci].append(v)
                supply[(c.product, d)] += c.lots * lot
                max_lot[(c.product, d)] = max(max_lot[(c.product, d)], lot)
    for ci, vs in per_class.items():
        if len(vs) > 1:
            m.add(sum(vs) <= (prep.classes[ci].lots * prep.lot_grains(ci) if fluid_lots else prep.classes[ci].lots))

    # ---- canteen lines
    s: dict[int, cp_model.IntVar] = {}
    need: dict[int, int] = {}
    uses: dict[tuple[str, str], list] = defaultdict(list)
    consumers: dict[str, Consumer] = {}
    canteen_kind = {ln.canteen: ln.kind for ln in prep.canteen_lines}
    for cid in sorted(canteen_kind):
        consumers[cid] = Consumer(cid, canteen_kind[cid], policy.rank_of(cid, canteen_kind[cid]), 0)
    for i, ln in enumerate(prep.canteen_lines):
        key = (ln.product, ln.day)
        if supply.get(key, 0) <= 0 or i in banned_lines:
            continue
        need[i] = ln.need_mu // prep.grain_mu(ln.product)
        if need[i] <= 0:
            continue
        s[i] = m.new_int_var(0, need[i], f"s[{i}]")
        uses[key].append(s[i])
        consumers[ln.canteen].lines.append(i)
        consumers[ln.canteen].ordered += need[i] * prep.g_per_grain(ln.product)

    # ---- baskets
    batches = add_batches(m, prep, recipes, supply, scale)
    for b in batches:
        for pid in b.recipe:
            uses[(pid, b.day)].append(b.y(pid))
    for gi, g in enumerate(prep.basket_groups):
        if g.relay_point not in consumers:
            consumers[g.relay_point] = Consumer(g.relay_point, RELAY_KIND, policy.rank_of(g.relay_point, RELAY_KIND), 0)
        consumers[g.relay_point].groups.append(gi)
        consumers[g.relay_point].ordered += 1000 * scale * g.count
        ns = [b.per_group[gi] for b in batches if gi in b.per_group]
        if len(ns) > 1:
            m.add(sum(ns) <= scale * g.count)

    # ---- pooled lots = what is served + a remainder smaller than the largest lot, per product and day
    rest: dict[tuple[str, str], cp_model.LinearExprT] = {}
    s_ids = {id(v) for v in s.values()}
    for (pid, d), vs in sorted(uses.items()):
        bought = [(1 if fluid_lots else prep.lot_grains(ci)) * v for (ci, dd), v in lots.items()
                  if dd == d and prep.classes[ci].product == pid]
        rest[(pid, d)] = (scale * sum(bought) - sum(scale * v for v in vs if id(v) in s_ids)
                          - sum(v for v in vs if id(v) not in s_ids))
        m.add(rest[(pid, d)] >= 0)
    top: dict[tuple[str, str], int] = defaultdict(int)  # the most that can be used per (product, day)
    for i in s:
        ln = prep.canteen_lines[i]
        top[(ln.product, ln.day)] += scale * need[i]
    for b in batches:
        for pid, q in b.recipe.items():
            top[(pid, b.day)] += q * b.n_max + scale * b.extra_max.get(pid, 0)
    for (ci, d), v in lots.items():  # never more lots than what can be used (a tight domain presolves fast)
        lot = 1 if fluid_lots else prep.lot_grains(ci)
        cap = -(-top.get((prep.classes[ci].product, d), 0) // (scale * lot))
        if cap < lot_cap[ci]:
            m.add(v <= cap)
    for (ci, d), v in lots.items():  # a class nobody can use that day buys nothing
        if (prep.classes[ci].product, d) not in uses:
            m.add(v == 0)

    served: dict[str, cp_model.LinearExprT] = {}
    for cid, c in consumers.items():
        if c.lines:
            served[cid] = sum(prep.g_per_grain(prep.canteen_lines[i].product) * s[i] for i in c.lines)
        else:
            terms = [b.rules.fill_milli * b.per_group[gi] for gi in c.groups for b in batches if gi in b.per_group]
            served[cid] = sum(terms) if terms else 0
    consumers = {cid: c for cid, c in consumers.items() if c.ordered > 0}
    if floor:
        for v in list(s.values()) + [x for b in batches for x in b.per_group.values()]:
            if v.Name() in floor:
                m.add(v >= floor[v.Name()])
    variables = list(lots.values()) + list(s.values())
    for b in batches:
        variables += [b.n, *b.extra.values(), *b.per_group.values()]
    return Pooled(m, prep, policy, lots, s, rest, batches, consumers, served, variables, need, scale, fluid_lots)
