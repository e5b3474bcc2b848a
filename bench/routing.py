"""Benchmark Terril's router on Solomon VRPTW instances, side by side with PyVRP.

    python -m bench.routing --instances /work/shared/bench/solomon --time-limit 10 [--only C101,R101]
    python -m bench.routing --territory [--sizes demo,x2,x4,x8 --seeds 1,2,3 --budgets 2,10]
                                           # generated territory days vs PyVRP (bench/territory.py)

Prints ONE JSON list on stdout, a row per instance and solver:
`{"instance", "solver", "vehicles", "distance", "gap", "seconds"}` with `gap = 100 × (distance − bks) /
bks` (bks from `bks.csv` in the instances directory). Progress and notes go to stderr.

Terril goes through `routing.solve` like the app does: a `RoutingProblem` with an explicit matrix
(1 Solomon unit = 1000 "m" of distance and 1 minute = 60 s of travel, rounded up so that
the plan stays feasible with exact times), one vehicle per Solomon van with
a fixed cost far above any distance (fewest vehicles first, then distance). The reported distance is
recomputed in floating point from the visit sequence, and the plan is checked exactly (windows,
capacity, every customer once); a violation is printed on stderr and the row gets `"valid": false`.
Terril's defaults run a portfolio (OR-Tools and PyVRP on its own model, two processes): here both
are stopped by the time limit alone. PyVRP alone runs after it, one process, with its own model.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

from routing import Matrix, RoutingProblem, Site, SolverParams, Stop, TimeWindow, Vehicle, solve

FIXED_COST_EUR = 10_000.0
"""Per used vehicle; a Solomon route is a few hundred units long, so fewer vehicles always win."""


@dataclass(frozen=True)
class Customer:
    id: int
    x: float
    y: float
    demand: int
    ready: int
    due: int
    service: int


@dataclass(frozen=True)
class Instance:
    name: str
    vehicles: int
    capacity: int
    customers: tuple[Customer, ...]  # customers[0] is the depot

    def dist(self, a: int, b: int) -> float:
        ca, cb = self.customers[a], self.customers[b]
        return math.hypot(ca.x - cb.x, ca.y - cb.y)


def read_solomon(path: Path) -> Instance:
    lines = [line.split() for line in path.read_text().splitlines()]
    name = lines[0][0]
    vehicles = capacity = None
    customers = []
    for i, row in enumerate(lines):
        if row[:2] == ["NUMBER", "CAPACITY"]:
            vehicles, capacity = int(lines[i + 1][0]), int(lines[i + 1][1])
        if len(row) == 7 and all(_is_number(x) for x in row):
            customers.append(Customer(int(row[0]), float(row[1]), float(row[2]), int(float(row[3])),
                                      int(float(row[4])), int(float(row[5])), int(float(row[6]))))
    if vehicles is None or capacity is None or not customers:
        raise ValueError(f"{path} is not a Solomon instance")
    return Instance(name, vehicles, capacity, tuple(customers))


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def to_problem(inst: Instance) -> RoutingProblem:
    depot = inst.customers[0]
    ids = tuple(str(c.id) for c in inst.customers)
    n = len(ids)
    distance = tuple(tuple(round(inst.dist(i, j) * 1000) for j in range(n)) for i in range(n))
    duration = tuple(tuple(math.ceil(inst.dist(i, j) * 60) for j in range(n)) for i in range(n))
    stops = tuple(
        Stop(str(c.id), str(c.id), f"client {c.id}", c.x, c.y, load_kg=c.demand, crates=0,
             service_min=c.service, window=TimeWindow(c.ready, c.due))
        for c in inst.customers[1:])
    vehicles = tuple(
        Vehicle(f"v{k:02d}", capacity_kg=inst.capacity, capacity_crates=0,
                shift=TimeWindow(depot.ready, depot.due), cost_per_km=1.0, fixed_cost=FIXED_COST_EUR)
        for k in range(inst.vehicles))
    return RoutingProblem(inst.name, Site(ids[0], "depot", depot.x, depot.y), stops, vehicles,
                          Matrix(distance, duration, ids))


def check(inst: Instance, routes: list[list[int]]) -> tuple[float, list[str]]:
    """Exact (floating point) distance and the violations of a plan given as customer id lists."""
    problems: list[str] = []
    seen = sorted(c for r in routes for c in r)
    if seen != list(range(1, len(inst.customers))):
        problems.append("customers not visited exactly once")
    total = 0.0
    for r in routes:
        load = sum(inst.customers[c].demand for c in r)
        if load > inst.capacity:
            problems.append(f"route over capacity: {load}")
        t, here = 0.0, 0
        for c in [*r, 0]:
            total += inst.dist(here, c)
            t = max(t + inst.dist(here, c), inst.customers[c].ready)
            if t > inst.customers[c].due + 1e-6:
                problems.append(f"late at {c}: {t:.3f} > {inst.customers[c].due}")
            t += inst.customers[c].service
            here = c
    return total, problems


def run_terril(inst: Instance, seconds: float, workers: int | None) -> tuple[int, float, list[str]]:
    # the time limit alone stops both engines of the portfolio (as PyVRP's side is stopped)
    params = SolverParams(time_limit_s=seconds, solution_limit=0, hgs_iterations=0, hgs_no_improvement=0,
                          explain=False)
    if workers is not None:
        params = replace(params, workers=workers)
    result = solve(to_problem(inst), params)
    routes = [[int(v.stop_id) for v in r.stops] for r in result.rounds]
    distance, problems = check(inst, routes)
    if result.unserved:
        problems.append(f"{len(result.unserved)} customers unserved")
    print(f"  terril: {result.stats.get('engine')} {result.stats.get('candidates')}", file=sys.stderr)
    return len(routes), distance, problems


def run_pyvrp(inst: Instance, seconds: float) -> tuple[int, float, list[str]] | None:
    try:
        from pyvrp import Model
        from pyvrp.stop import MaxRuntime
    except ImportError:
        return None
    scale = 1000
    m = Model()
    depot = inst.customers[0]
    m.add_vehicle_type(num_available=inst.vehicles, capacity=inst.capacity,
                       fixed_cost=round(FIXED_COST_EUR * scale), tw_early=depot.ready * scale,
                       tw_late=depot.due * scale)
    locations = [m.add_location(x=c.x, y=c.y) for c in inst.customers]
    m.add_depot(locations[0], tw_early=depot.ready * scale, tw_late=depot.due * scale)
    for c, where in zip(inst.customers[1:], locations[1:], strict=True):
        m.add_client(where, delivery=c.demand, service_duration=c.service * scale,
                     tw_early=c.ready * scale, tw_late=c.due * scale)
    for i, a in enumerate(locations):
        for j, b in enumerate(locations):
            d = round(inst.dist(i, j) * scale)
            m.add_edge(a, b, distance=d, duration=d)
    result = m.solve(stop=MaxRuntime(seconds), seed=1, display=False, collect_stats=False)
    # activity idx of a client counts clients from 0; customer ids count from 1 after the depot
    routes = [[a.idx + 1 for a in r if a.is_client()] for r in result.best.routes()]
    distance, problems = check(inst, routes)
    if not result.is_feasible():
        problems.append("pyvrp: infeasible best solution")
    return len(routes), distance, problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=Path, help="directory of Solomon .txt files")
    parser.add_argument("--territory", action="store_true",
                        help="generated territory days against PyVRP (bench/territory.py) instead of Solomon")
    parser.add_argument("--sizes", default="demo,x2,x4,x8", help="territory sizes")
    parser.add_argument("--seeds", default="1,2,3", help="territory seeds")
    parser.add_argument("--budgets", default="2,10", help="territory time limits per day (s)")
    parser.add_argument("--days-cache", default=None, help="directory where built territory days are pickled")
    parser.add_argument("--time-limit", type=float, default=10.0, help="seconds per instance and solver")
    parser.add_argument("--only", default="", help="comma-separated instance names, e.g. C101,R101")
    parser.add_argument("--workers", type=int, default=None,
                        help="processes for Terril's search (default: SolverParams' default)")
    parser.add_argument("--solvers", default="terril,pyvrp")
    args = parser.parse_args(argv)
    if args.territory:
        from bench.territory import run

        out = run(args.sizes.split(","), [int(x) for x in args.seeds.split(",")],
                  [float(x) for x in args.budgets.split(",")], args.workers, args.days_cache)
        print(json.dumps(out, indent=1))
        return 0
    if args.instances is None:
        parser.error("--instances is required for the Solomon mode")

    bks: dict[str, tuple[int, float]] = {}
    bks_path = args.instances / "bks.csv"
    if bks_path.exists():
        with bks_path.open() as f:
            bks = {row["instance"]: (int(row["vehicles"]), float(row["bks"])) for row in csv.DictReader(f)}
    only = {x.strip().upper() for x in args.only.split(",") if x.strip()}
    solvers = [s.strip() for s in args.solvers.split(",") if s.strip()]
    rows = []
    for path in sorted(args.instances.glob("*.txt")):
        inst = read_solomon(path)
        if only and inst.name.upper() not in only:
            continue
        best = bks.get(inst.name)
        for solver in solvers:
            print(f"{inst.name} {solver} …", file=sys.stderr, flush=True)
            began = time.perf_counter()
            if solver == "terril":
                out = run_terril(inst, args.time_limit, args.workers)
            elif solver == "pyvrp":
                out = run_pyvrp(inst, args.time_limit)
                if out is None:
                    print("  pyvrp not installed: row skipped", file=sys.stderr)
                    continue
            else:
                parser.error(f"unknown solver {solver}")
            seconds = time.perf_counter() - began
            vehicles, distance, problems = out
            for p in problems[:5]:
                print(f"  INVALID {inst.name} {solver}: {p}", file=sys.stderr)
            row = {"instance": inst.name, "solver": solver, "vehicles": vehicles, "distance": round(distance, 2),
                   "gap": round(100 * (distance - best[1]) / best[1], 2) if best else None,
                   "seconds": round(seconds, 2)}
            if best:
                row["bks_vehicles"] = best[0]
            if problems:
                row["valid"] = False
            rows.append(row)
            print(f"  {json.dumps(row)}", file=sys.stderr, flush=True)
    print(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
