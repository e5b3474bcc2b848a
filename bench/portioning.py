"""Benchmark of the portioning solver: `python -m bench.portioning` prints JSON.

Weeks: the demo week 2026-W49 (`orders/data/demo_week.json`), seeded generated weeks of the demo size
(5 producers, 14 products, 6 canteens, 10 relay points, 2 days) with supply at about 25 %, 60 % and
80 % of demand, and a regional week (60 producers, 80 products, 100 canteens + 200 relay points,
4 days). For each: wall time beside the fairness figures (per tier min, max, Jain's index; baskets
made; relay points with none; unsold kg; the gap to the bound) and the status of every level.
`--quick` skips the regional week. Run it under `flock /tmp/terril-bench.lock` (shared 2-core VM).
"""
from __future__ import annotations

import json
import sys
from time import perf_counter

from orders.demo import build_demo_scenario
from orders.portioning import PortioningInput, solve
from orders.portioning.generate import DEMO, REGIONAL, generate_scenario


def run(name: str, scenario: dict, time_limit_s: float, size: dict | None = None) -> dict:
    inp = PortioningInput.from_dict(scenario)
    t0 = perf_counter()
    res = solve(inp, time_limit_s=time_limit_s)
    seconds = perf_counter() - t0
    per_relay: dict[str, int] = {}
    for b in res.baskets:
        per_relay[b.relay_point] = per_relay.get(b.relay_point, 0) + b.count
    fair = res.fairness
    return {
        "name": name, "size": size, "time_limit_s": time_limit_s, "offers": len(inp.offers),
        "meal_orders": len(inp.meal_orders), "basket_orders": len(inp.basket_orders),
        "seconds": round(seconds, 3), "status": res.status,
        "baskets_made": sum(b.count for b in res.baskets), "baskets_ordered": sum(b.ordered for b in res.baskets),
        "reduced_baskets": sum(b.reduced_count for b in res.baskets),
        "relay_points_without_basket": sum(1 for n in per_relay.values() if n == 0),
        "relay_points": len(per_relay),
        "unsold_kg": fair["unsold_kg"],
        "unsold_by_reason": _by_reason(res),
        "tiers": fair["tiers"], "all": fair["all"], "bound_gap": fair["bound_gap"], "proven": fair["proven"],
        "targets": {t.kind: {"target": t.target, "served": t.served, "missing_kg": t.missing_kg} for t in res.targets},
        "levels": [{"name": lv.name, "status": lv.status, "objective": lv.objective, "bound": lv.bound,
                    "gap": round(lv.gap, 6), "seconds": round(lv.seconds, 3)} for lv in res.levels],
    }


def _by_reason(res) -> dict[str, float]:
    out: dict[str, float] = {}
    for u in res.unsold:
        out[u.reason] = round(out.get(u.reason, 0.0) + u.kg, 3)
    return out


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    out = [run("demo week 2026-W49", build_demo_scenario("2026-W49"), 1.0)]
    for scarcity in (0.25, 0.6, 0.8):
        out.append(run(f"generated demo size, supply {round(scarcity * 100)} %",
                       generate_scenario(seed=1, scarcity=scarcity, **DEMO), 1.0, DEMO))
    if "--quick" not in args:
        out.append(run("regional", generate_scenario(seed=1, scarcity=0.9, **REGIONAL), 20.0, REGIONAL))
    json.dump(out, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
