"""The policy's targets measured against everything that was ordered.

The portioning reports its targets on the lines it could serve; a publication check, a re-plan
that took stops out, or a coordinator reading a plan wants them against every meal ordered: a
maternelle whose produce never came, or whose stop no round could reach, counts as not served.
"""
from __future__ import annotations

from collections import defaultdict

from orders.grammage import GrammageTable, MissingGrammage
from orders.plan import Plan, TargetOutcome
from orders.scenario import Scenario


def targets_against(scenario: Scenario, plan: Plan) -> tuple[tuple[str, TargetOutcome], ...]:
    """The plan's target outcomes measured against every meal ordered in `scenario` (a line counts
    only up to its need, as in the portioning)."""
    table = GrammageTable(scenario.grammages)
    kinds = {c.id: c.kind for c in scenario.canteens}
    products = scenario.products_by_id()
    need: dict[tuple[str, str, str], float] = defaultdict(float)
    for m in scenario.meal_orders:
        for line in m.lines:
            try:
                need[(m.canteen, m.day, line.product)] += table.kg_needed(line.product, dict(line.meals), line.use)
            except MissingGrammage:
                continue
    got: dict[tuple[str, str, str], float] = defaultdict(float)
    for a in plan.allocations:
        if a.consumer in kinds:
            got[(a.consumer, a.day, a.product)] += a.quantity * products[a.product].unit_kg
    out = []
    for kind, old in plan.targets:
        ordered = sum(kg for (c, _, _), kg in need.items() if kinds.get(c) == kind)
        served = sum(min(got.get(key, 0.0), kg) for key, kg in need.items() if kinds.get(key[0]) == kind)
        share = served / ordered if ordered > 0 else 1.0
        out.append((kind, TargetOutcome(target=old.target, served=round(share, 4),
                                        missing_kg=round(max(0.0, old.target * ordered - served), 3),
                                        ordered_kg=round(ordered, 3), served_kg=round(served, 3))))
    return tuple(out)
