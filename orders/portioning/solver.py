"""The portioning solver: who gets which part of the pooled lots, by policy tier, then fairly.

Why CP-SAT: lots are whole, baskets are counted in whole baskets, recipes need booleans (at least
`min_products` distinct products); the model is an integer program with lexicographic priorities.
CP-SAT solves such models, proves (or bounds) each level, is deterministic with a fixed seed and one
worker, and ships with ortools, our fixed stack.

Steps (docs/portioning.md):

1. recipes per (day, basket type, variant) (`recipes.py`);
2. the levels on the **fluid** model (`pooled.py`: baskets in tenths, lots as a capacity), each solved
   then fixed as a constraint (`lexico.py`); with f_c the fill rate of consumer c (served ÷ ordered:
   kilograms for a canteen, baskets for a relay point) and T_i the policy's tiers (`policy.py`):

       target:T_i       max z, f_c ≥ z for c ∈ T_i, z ≤ t_i           (max–min up to the target, exact)
       target_sum:T_i   max Σ_{c ∈ T_i} min(f_c, t_i)                 (skipped when z reached t_i)
       fair:r           max z, f_c ≥ z for every consumer still free  (every tier alike, 1 % gap)
       saturate:r       max Σ b_c, b_c ⇒ f_c > z*_r: who can rise stays free for round r + 1 (leximin)
       evenness         max Σ_c Σ_k (K − k) u_{c,k} (a concave utility: the rest to the poorest first)
       served           max grams served within the needs, a gram to a higher tier weighing more

3. whole lots and baskets (`rounding.py`: round, top up with transfers toward max–min, a second
   recipe from what is left; `balance.py`: water filling within each pool);
4. the split between producers and consumers (`split.py`), remainders placed, reasons for each
   shortfall and unsold lot (`explain.py`), fairness figures (`report.py`), pins (`pins.py`).
"""
from __future__ import annotations

import logging
from time import perf_counter

from ortools.sat.python import cp_model

from orders.portioning import explain
from orders.portioning import pins as pinning
from orders.portioning.balance import balance
from orders.portioning.baskets import read_baskets
from orders.portioning.demand import MU, prepare
from orders.portioning.lexico import Lexicographic
from orders.portioning.model import PortioningInput, PortioningResult
from orders.portioning.policy import Ranking, policy_record, resolve
from orders.portioning.pooled import SHARE_SCALE, Pooled, build
from orders.portioning.recipes import make_recipes
from orders.portioning.report import fairness_report, target_outcomes
from orders.portioning.rounding import rest_of, round_fluid, second_batches, top_up
from orders.portioning.split import Demand, apportion, assign, offer_day_lots
from orders.scenario import Policy

log = logging.getLogger(__name__)

DEFAULT_TIME_LIMIT_S = 20.0
DEFAULT_WORKERS = 1
FAIR_ROUNDS = 2  # leximin rounds after the targets
FAIR_GAP = 0.01  # max–min levels stop within 1 % of their proven bound (reported in fairness.bound_gap)
TOTAL_GAP = 0.005  # the served-kilograms level stops within 0.5 %
FLUID_SCALE = 10  # the fairness levels count baskets in tenths (see _stage_one)
FAIR_SHARE = 0.6  # of the budget, for the fairness levels
EVEN_STEPS = 10  # segments of the concave utility of the whole model's first level
CP_SAT_SHARE = 0.7  # of the time limit for the CP-SAT levels; recipes, rounding and the split take the rest
MIN_LEVEL_S = 0.25  # a level gets at least this (CP-SAT presolves the demo week in about 0.2 s)
PIN_COST_RESOLVES = 3  # pins whose cost is measured by a re-solve without each one


def solve(inp: PortioningInput, time_limit_s: float = DEFAULT_TIME_LIMIT_S,
          num_workers: int = DEFAULT_WORKERS, policy: Policy | Ranking | None = None,
          pins: tuple | None = None, pin_costs: bool = True) -> PortioningResult:
    """Allocate the week's offers by the policy (see the module docstring).

    Raises `MissingGrammage` (a meal line without portion size) or `InvalidInput` (unknown ids,
    non-positive lots). `time_limit_s` is the whole budget, split between levels; a level cut short
    keeps its best solution and reports status FEASIBLE with its bound.
    """
    t0 = perf_counter()
    pol = resolve(inp, policy)
    pin_list = tuple(pins if pins is not None else getattr(inp, "pins", ()) or ())
    prep = prepare(inp)
    share = (0.6 if pin_list and pin_costs else 1.0) * CP_SAT_SHARE
    out = _stage_one(prep, pol, pin_list, time_limit_s * share, num_workers)
    pooled, lex, kept, dropped = out
    result = _finish(inp, prep, pol, pooled, lex, kept, dropped, pin_list, t0)
    if pin_list and pin_costs:
        result = _with_pin_costs(inp, result, pol, pin_list, time_limit_s * (1 - share), num_workers)
    return result


def _stage_one(prep, pol: Ranking, pin_list, budget_s: float, num_workers: int):
    """The levels on the fluid model (baskets in tenths, lots as a capacity), then whole lots and
    whole baskets: the fluid solution rounded (`rounding.round_fluid`), topped up greedily from what
    is left (`rounding.top_up`) and evened out (`balance.balance`)."""
    t0 = perf_counter()
    lines_off, _ = pinning.banned(prep, pin_list)
    recipes = make_recipes(prep, pol)
    fluid = build(prep, pol, recipes, lines_off, scale=FLUID_SCALE, fluid_lots=True)
    kept, dropped = pinning.apply(fluid, pin_list)
    lex = Lexicographic(fluid.model, fluid.variables, num_workers=num_workers)
    lex.values = {v.Index(): 0 for v in fluid.variables}  # nothing served: feasible, a complete first hint
    fair_levels = _fair_levels(fluid, lex, pol, budget_s * FAIR_SHARE, t0)
    if fair_levels is None and kept:  # the pins together cannot hold: solve without, say so
        out = _stage_one(prep, pol, (), budget_s / 2, num_workers)
        return out[:2] + ([], {**dropped, **{p: "conflict" for p in kept if not p.forbid}})
    left = max(2 * MIN_LEVEL_S, budget_s * (1 - FAIR_SHARE))
    lex.optimise("evenness", _evenness(fluid, lex), True, left / 2, TOTAL_GAP)
    lex.optimise("served", fluid.served_g_expr(), True, left / 2, TOTAL_GAP)
    whole = build(prep, pol, recipes, lines_off)
    pinning.apply(whole, kept)
    values = top_up(prep, whole, round_fluid(prep, fluid, lex.value, whole))
    second_batches(prep, whole, values)
    values = top_up(prep, whole, values)
    values = balance(prep, whole, values, {})
    lex2 = Lexicographic(whole.model, whole.variables, num_workers=num_workers)
    lex2.levels = list(lex.levels)
    lex2.values = values
    return whole, lex2, kept, dropped


def _evenness(pooled: Pooled, lex: Lexicographic):
    """A concave utility of the fill rates: Σ_c Σ_k (K − k) · u_{c,k}, with f_c ≥ Σ_k u_{c,k} and
    u_{c,k} ∈ [0, 1/K] (in 10⁴ths): what the whole model adds over the rounded fluid solution goes to
    the poorest first (K = EVEN_STEPS segments), higher tiers weighing more."""
    m = pooled.model
    top = len(pooled.policy.tiers) + 1
    terms = []
    step = SHARE_SCALE // EVEN_STEPS
    for cid, c in sorted(pooled.consumers.items()):
        fill = lex.evaluate(pooled.served[cid]) * SHARE_SCALE // c.ordered if c.ordered else SHARE_SCALE
        us = []
        for k in range(EVEN_STEPS):
            hint = max(0, min(step, fill - k * step))
            u = lex.track(m.new_int_var(0, step, f"u[{cid},{k}]"), hint)
            us.append(u)
            terms.append((top - c.rank) * (EVEN_STEPS - k) * u)
        m.add(SHARE_SCALE * pooled.served[cid] >= sum(us) * c.ordered)
    return sum(terms) if terms else 0


def _fair_levels(pooled: Pooled, lex: Lexicographic, pol: Ranking, budget_s: float, t0: float):
    """Targets per tier, then leximin rounds (module docstring); None if the pins make it infeasible."""
    m = pooled.model
    consumers = pooled.consumers
    target_tiers = [(r, t) for r, t in enumerate(pol.tiers) if t.target > 0
                    and any(c.rank == r for c in consumers.values())]
    n_levels = 2 * len(target_tiers) + 2 * FAIR_ROUNDS - 1

    def budget(done: int) -> float:  # from the budget alone, not the clock: the same week gives the same plan
        return max(MIN_LEVEL_S, budget_s / max(1, n_levels))

    def current_fill(cid: str) -> int:
        """The consumer's fill rate (× 10⁴, rounded down) in the last solution."""
        c = consumers[cid]
        served = lex.evaluate(pooled.served[cid])
        return min(SHARE_SCALE, SHARE_SCALE * served // c.ordered) if c.ordered else SHARE_SCALE

    done = 0
    first = True
    for r, tier in target_tiers:
        members = sorted(c for c, v in consumers.items() if v.rank == r)
        cap = min(SHARE_SCALE, int(tier.target * SHARE_SCALE + 1e-9))
        z = lex.track(m.new_int_var(0, cap, f"z_target[{r}]"), min(cap, min(current_fill(c) for c in members)))
        for cid in members:
            pooled.fill_ge(cid, z)
        out = lex.optimise(f"target:{tier.name}", z, True, budget(done))
        done += 1
        if first and out.status in ("INFEASIBLE", "MODEL_INVALID"):
            return None
        first = False
        if int(out.objective) >= cap:  # every member reached the target: nothing left for the sum
            continue
        fs = []
        for cid in members:
            f = lex.track(m.new_int_var(0, cap, f"f_target[{cid}]"), min(cap, current_fill(cid)))
            pooled.fill_ge(cid, f)
            fs.append(f)
        lex.optimise(f"target_sum:{tier.name}", sum(fs), True, budget(done))
        done += 1

    free = sorted(consumers)
    for rnd in range(FAIR_ROUNDS):
        if not free:
            break
        z = lex.track(m.new_int_var(0, SHARE_SCALE, f"z_fair[{rnd}]"), min(current_fill(cid) for cid in free))
        for cid in free:
            pooled.fill_ge(cid, z)
        out = lex.optimise(f"fair:{rnd + 1}", z, True, budget(done), FAIR_GAP)
        done += 1
        if first and out.status in ("INFEASIBLE", "MODEL_INVALID"):
            return None
        first = False
        level = int(out.objective)
        if level >= SHARE_SCALE or rnd == FAIR_ROUNDS - 1:
            break
        bs = {}
        for cid in free:
            b = lex.track(m.new_bool_var(f"b[{rnd},{cid}]"))
            pooled.fill_ge(cid, level, plus=consumers[cid].ordered, enforce=b)
            bs[cid] = b
        lex.optimise(f"saturate:{rnd + 1}", sum(bs.values()), True, budget(done))
        done += 1
        free = [cid for cid in free if lex.value(bs[cid])]  # those that can still rise
    return lex.levels


def place_remainders(prep, pooled: Pooled, value, rest: dict[tuple[str, str], int]):
    """Give each (product, day)'s remainder (bought lots over what is served, less than a lot) to
    the lines still short of it, by tier then fill rate; then over the need to the line of the highest
    tier (everyone of that product and day is then served: rounding robs nobody); else spread over
    the day's baskets holding the product. Whole lots the remainder holds are not bought. Returns
    (line → grains served within the need, line → grains over the need, (class, day) → lots not
    bought); batch bonuses are set on the batches."""
    got = {i: value(v) for i, v in pooled.s.items()}
    over: dict[int, int] = {}
    by_key: dict[tuple[str, str], list[int]] = {}
    for i in pooled.s:
        ln = prep.canteen_lines[i]
        by_key.setdefault((ln.product, ln.day), []).append(i)
    unbuy: dict[tuple[int, str], int] = {}
    for (pid, day), r in sorted(rest.items()):
        if r <= 0:
            continue
        for ci in sorted(prep.classes_open(pid, day), key=lambda ci: -prep.lot_grains(ci)):  # whole lots not needed
            if (ci, day) in pooled.lots:
                lot = prep.lot_grains(ci)
                k = min(value(pooled.lots[(ci, day)]), r // lot) if lot > 0 else 0
                if k > 0:
                    unbuy[(ci, day)] = k
                    r -= k * lot
        if r <= 0:
            continue
        idx = by_key.get((pid, day), [])

        def rank(i: int) -> int:
            return pooled.consumers[prep.canteen_lines[i].canteen].rank

        for i in sorted(idx, key=lambda i: (rank(i), got[i] / max(1, pooled.need[i]), i)):
            add = min(r, pooled.need[i] - got[i])
            if add > 0:
                got[i] += add
                r -= add
        if r > 0 and idx:
            top = min(idx, key=lambda i: (rank(i), i))
            over[top] = over.get(top, 0) + r
            r = 0
        if r > 0:
            holders = [b for b in pooled.batches if b.day == day and pid in b.recipe and value(b.n) > 0]
            if holders:
                b = max(holders, key=lambda b: (value(b.n), b.basket_type.id, b.variant))
                b.bonus[pid] = b.bonus.get(pid, 0) + r
    return got, over, unbuy


def _finish(inp, prep, pol, pooled: Pooled, lex: Lexicographic, kept, dropped, pin_list, t0) -> PortioningResult:
    got, over, unbuy = place_remainders(prep, pooled, lex.value, rest_of(prep, pooled, lex.values))

    def val(var):  # the solution, with the remainders placed
        if isinstance(var, int):
            return var
        return got[var_line[var.Index()]] if var.Index() in var_line else lex.value(var)

    var_line = {v.Index(): i for i, v in pooled.s.items()}
    class_day = {k: val(v) - unbuy.get(k, 0) for k, v in pooled.lots.items()}
    demands: list[Demand] = []
    line_got = [0] * len(prep.canteen_lines)
    line_s = [0] * len(prep.canteen_lines)
    for i, v in pooled.s.items():
        ln = prep.canteen_lines[i]
        line_s[i] = pooled.mu(ln.product, val(v))
        line_got[i] = line_s[i] + pooled.mu(ln.product, over.get(i, 0))
        if line_got[i]:
            demands.append(Demand(ln.canteen, "canteen", ln.product, ln.day, line_got[i]))
    relay_mu: dict[tuple[str, str, str], int] = {}
    for b in pooled.batches:
        if val(b.n) <= 0:
            continue
        gis = sorted(b.per_group)
        counts = [val(b.per_group[gi]) for gi in gis]
        for pid, total in sorted(b.amounts(val).items()):
            if not total:
                continue
            if prep.products[pid].unit != "kg":  # whole pieces, the same in every basket
                even = total - b.bonus.get(pid, 0)
                parts = [c * even // val(b.n) for c in counts]
                parts = [a + e for a, e in zip(parts, apportion(total - sum(parts), [c * total for c in counts]), strict=True)]
            else:
                parts = apportion(total, [c * total for c in counts])
            for gi, part in zip(gis, parts, strict=True):
                if part:
                    key = (prep.basket_groups[gi].relay_point, pid, b.day)
                    relay_mu[key] = relay_mu.get(key, 0) + pooled.mu(pid, part)
    for (rp, pid, day), mu in sorted(relay_mu.items()):
        demands.append(Demand(rp, "relay_point", pid, day, mu))

    pin_map: dict[tuple[str, str, str], list] = {}
    forbid_map: dict[tuple[str, str, str], set] = {}
    for p in kept:
        if p.forbid:
            forbid_map.setdefault((p.consumer, p.product, p.day), set()).add(p.producer)
        elif any(ln.canteen == p.consumer and ln.product == p.product and ln.day == p.day
                 for ln in prep.canteen_lines):
            pin_map.setdefault((p.consumer, p.product, p.day), []).append((p.producer, round(p.quantity * MU)))
    day_lots = offer_day_lots(prep, class_day)
    allocations, pins_short, forbids_broken = assign(prep, day_lots, demands, pin_map, forbid_map)
    baskets = read_baskets(prep, pooled.batches, val)
    used_lots: dict[int, int] = {}
    for (oi, _d), n in day_lots.items():
        used_lots[oi] = used_lots.get(oi, 0) + n

    levels = tuple(lex.levels)
    status = "OPTIMAL" if all(lv.status == "OPTIMAL" for lv in levels) else "FEASIBLE"
    # the whole solution is topped up greedily until nobody can take more: what is left is left by
    # the rules, whatever the CP-SAT levels' gaps (reasons from the facts, not from the status)
    shortfalls = explain.shortfalls(prep, pol, pooled, line_s, baskets, class_day, True)
    unsold = explain.unsold(prep, pooled, line_s, baskets, used_lots, True)
    pin_outcomes = []
    for p in pin_list:
        reason = dropped.get(p, "")
        honoured = reason in ("", "above_order")
        if honoured and not p.forbid and p.producer and (p.consumer, p.product, p.day, p.producer) in pins_short:
            honoured, reason = False, "producer_short"
        if p.forbid and (p.consumer, p.product, p.day) in forbids_broken:
            honoured, reason = False, "forbid_broken"
        pin_outcomes.append(pinning.outcome(p, honoured, reason))
    seconds = perf_counter() - t0
    fairness = fairness_report(prep, pol, pooled, val, unsold, levels)
    log.info("portioning: %s in %.2fs, %d allocations, %d shortfalls, %d unsold", status, seconds,
             len(allocations), len(shortfalls), len(unsold))
    return PortioningResult(
        status=status, objective=tuple(lv.objective for lv in levels), seconds=round(seconds, 3),
        allocations=tuple(allocations), shortfalls=tuple(shortfalls),
        targets=tuple(target_outcomes(prep, pol, pooled, val)), baskets=tuple(baskets), levels=levels,
        unsold=tuple(unsold), fairness=fairness, policy=policy_record(pol), pins=tuple(pin_outcomes))


def _with_pin_costs(inp, result: PortioningResult, pol, pin_list, budget_s: float, num_workers: int) -> PortioningResult:
    """What each honoured pin costs the others: a re-solve without it (the first few pins), the
    others' served kilograms and baskets and the lowest fill rate, with minus without."""
    from dataclasses import replace

    def others(res, consumer):
        fills = {c: v["fill"] for c, v in res.fairness["consumers"].items() if c != consumer}
        kg = sum(v["served_kg"] for c, v in res.fairness["consumers"].items() if c != consumer)
        return kg, min(fills.values(), default=1.0)

    honoured = [i for i, po in enumerate(result.pins) if po.honoured and po.kind == "pin"]
    todo = honoured[:PIN_COST_RESOLVES]
    if not todo:
        return result
    per = max(0.2, budget_s / len(todo))
    outs = list(result.pins)
    for i in todo:
        pin = outs[i]
        rest = tuple(p for j, p in enumerate(pin_list) if j != i)
        alt = solve(inp, per, num_workers, pol, rest, pin_costs=False)
        kg_with, min_with = others(result, pin.consumer)
        kg_without, min_without = others(alt, pin.consumer)
        outs[i] = replace(pin, cost={"others_kg": round(kg_without - kg_with, 3),
                                     "others_min_fill": round(min_without - min_with, 4)})
    return replace(result, pins=tuple(outs))


__all__ = ["DEFAULT_TIME_LIMIT_S", "solve", "cp_model"]
