"""Benchmark of the portioning solver: `python -m bench.portioning` prints JSON.

Two seeded weeks from `orders.portioning.generate`: the demo size (5 producers, 14 products,
6 canteens, 10 relay points, 2 days) and a regional week (60 producers, 80 products,
100 canteens + 200 relay points, 4 days). Reports wall time, status per level and the gap of
the last level of each stage.
"""
from __future__ import annotations

import json
import sys
from time import perf_counter

from orders.portioning import PortioningInput, solve
from orders.portioning.generate import DEMO, REGIONAL, generate_scenario


def run(name: str, size: dict, seed: int, scarcity: float, time_limit_s: float) -> dict:
    scenario = generate_scenario(seed=seed, scarcity=scarcity, **size)
    inp = PortioningInput.from_dict(scenario)
    t0 = perf_counter()
    res = solve(inp, time_limit_s=time_limit_s)
    seconds = perf_counter() - t0
    return {
        "name": name, "seed": seed, "scarcity": scarcity, "size": size, "time_limit_s": time_limit_s,
        "offers": len(inp.offers), "meal_orders": len(inp.meal_orders), "basket_orders": len(inp.basket_orders),
        "seconds": round(seconds, 3), "status": res.status,
        "levels": [{"name": lv.name, "status": lv.status, "objective": lv.objective, "bound": lv.bound,
                    "gap": round(lv.gap, 6), "seconds": round(lv.seconds, 3)} for lv in res.levels],
        "priority_levels_optimal": all(lv.status == "OPTIMAL" for lv in res.levels
                                       if lv.name.startswith("target:") or lv.name.startswith("canteen")),
        "last_level_gap": round(res.levels[-1].gap, 6) if res.levels else 0.0,
        "allocations": len(res.allocations), "shortfalls": len(res.shortfalls),
        "baskets_served": sum(b.count for b in res.baskets), "baskets_ordered": sum(b.ordered for b in res.baskets),
        "targets": {t.kind: {"target": t.target, "served": t.served, "missing_kg": t.missing_kg} for t in res.targets},
    }


def main(argv: list[str] | None = None) -> int:
    quick = "--quick" in (sys.argv[1:] if argv is None else argv)
    out = [run("demo", DEMO, seed=1, scarcity=0.9, time_limit_s=1.0)]
    if not quick:
        out.append(run("regional", REGIONAL, seed=1, scarcity=0.9, time_limit_s=20.0))
    json.dump(out, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
