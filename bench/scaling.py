"""Portioning and routing time as the territory grows: `python -m bench.scaling` prints JSON.

Each size is a seeded synthetic week (`app.planning.generate`) planned end to end through the same
pipeline as the app (`app.planning.pipeline`): portioning, then one routing problem per day.
"""
from __future__ import annotations

import argparse
import json
import sys
from time import perf_counter

from app.planning.generate import generate_week
from app.planning.pipeline import PlanSettings, portion, route

SIZES = (  # producers, products, canteens, relay points, days
    ("demo", 5, 14, 6, 10, 2),
    ("x2", 10, 20, 12, 20, 2),
    ("x4", 20, 30, 25, 40, 3),
    ("x8", 40, 50, 50, 80, 4),
)


def run(name: str, producers: int, products: int, canteens: int, relays: int, days: int,
        routing_limit_s: float, seed: int) -> dict:
    scenario = generate_week(seed=seed, producers=producers, products=products, canteens=canteens,
                             relay_points=relays, days=days, scarcity=0.9)
    settings = PlanSettings(portioning_time_limit_s=20.0, routing_time_limit_s=routing_limit_s)
    t0 = perf_counter()
    portioned = portion(scenario, settings)
    t1 = perf_counter()
    routed = route(scenario, portioned, settings)
    t2 = perf_counter()
    stops = sum(len(r.deliveries) for r in routed.rounds)
    return {"size": name, "producers": producers, "products": products, "canteens": canteens,
            "relay_points": relays, "days": days, "allocations": len(portioned.allocations),
            "portioning_seconds": round(t1 - t0, 3), "portioning_status": portioned.solver["portioning"]["status"],
            "routing_seconds": round(t2 - t1, 3), "routing_time_limit_s_per_day": routing_limit_s,
            "stops_served": stops, "unserved": len(routed.unserved), "rounds": len(routed.rounds),
            "km": routed.totals.km}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default=",".join(s[0] for s in SIZES))
    parser.add_argument("--routing-time-limit", type=float, default=None,
                        help="seconds per day (default: the solver's size-scaled budget)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    wanted = set(args.sizes.split(","))
    rows = []
    for size in SIZES:
        if size[0] in wanted:
            print(f"scaling: {size[0]}…", file=sys.stderr)
            rows.append(run(*size, routing_limit_s=args.routing_time_limit, seed=args.seed))
    print(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
