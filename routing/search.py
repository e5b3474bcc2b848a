"""The OR-Tools routing model over prepared tasks, and one search phase.

Model (integer units: seconds, metres, grams, crates, cost units of 1/36000 €):

    minimise  Σ_used v  fixed_v
            + Σ_arcs (i,j) on v  round(dist_ij · cost_per_km_v · 36)
            + Σ_v  span_v · cost_per_hour_v · 10             (span = end − start of the round, s)
            + Σ_dropped task  penalty
    s.t.  time:    T_j ≥ T_i + service_i + travel_ij          (waiting allowed)
                   window_lo_i ≤ T_i ≤ window_hi_i ;  shift_lo_v ≤ T_start_v, T_end_v ≤ shift_hi_v
          load:    on board ≤ capacity_kg_v and ≤ capacity_crates_v everywhere on the round
          cold:    a cold task only on a cold vehicle
          pairs:   pickup p and its delivery d on the same vehicle, T_p ≤ T_d, both or neither
          locks:   the stops s_1…s_k of a locked round stay on its vehicle, T_{s_i} + service ≤ T_{s_i+1}

Without pickups the load dimension counts what has been dropped so far (starts at 0, ≤ capacity at
the end). With pickups it is the load on board: it starts at the sum of the round's hub deliveries
(free start cumul, end cumul fixed at 0), a hub delivery subtracts, a pickup adds, its delivery
subtracts.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

from ortools.constraint_solver import pywrapcp, routing_enums_pb2
from ortools.util import optional_boolean_pb2

from routing.prepare import DAY_S, Prepared

log = logging.getLogger(__name__)

COST_PER_EUR = 36_000
"""Integer cost units per euro: makes €/km per metre (×36) and €/h per second (×10) integers."""


def euros(value: float) -> int:
    return round(value * COST_PER_EUR)


@dataclass(frozen=True, slots=True)
class Plan:
    """Routes as task indices per vehicle (index into `Prepared.vehicles`), dropped task indices."""

    routes: tuple[tuple[int, ...], ...]
    dropped: tuple[int, ...]
    cost: int

    @property
    def used(self) -> int:
        return sum(1 for r in self.routes if r)


def arc_cost_per_km(prepared: Prepared) -> list[float]:
    """€/km used by the search; a vehicle without any cost is routed by distance (1 €/km)."""
    return [v.cost_per_km if (v.cost_per_km or v.cost_per_hour) else 1.0 for v in prepared.vehicles]


def drop_penalty(prepared: Prepared, penalty_eur: float | None) -> int:
    if penalty_eur is not None:
        return euros(penalty_eur)
    longest = max(max(row) for row in prepared.distance_m) if prepared.distance_m else 0
    worst = 0
    for v, per_km in zip(prepared.vehicles, arc_cost_per_km(prepared), strict=True):
        shift_s = (v.shift.end_min - v.shift.start_min) * 60
        worst = max(worst, euros(v.fixed_cost) + round(2 * longest * per_km * COST_PER_EUR / 1000)
                    + round(v.cost_per_hour * 10) * shift_s)
    return 2 * worst + 1


class Search:
    """An OR-Tools model over `prepared` restricted to the vehicles `fleet` (indices, sorted)."""

    def __init__(self, prepared: Prepared, fleet: Sequence[int], penalty: int) -> None:
        self.prepared = prepared
        self.fleet = tuple(fleet)
        tasks = prepared.tasks
        # nodes: one per distinct start/end site of the fleet, then one per task
        depot_sites = sorted({prepared.vehicle_start[v] for v in self.fleet}
                             | {prepared.vehicle_end[v] for v in self.fleet})
        node_of_site = {s: i for i, s in enumerate(depot_sites)}
        n_depots = len(depot_sites)
        self.n_depots = n_depots
        n_nodes = n_depots + len(tasks)
        starts = [node_of_site[prepared.vehicle_start[v]] for v in self.fleet]
        ends = [node_of_site[prepared.vehicle_end[v]] for v in self.fleet]
        self.manager = pywrapcp.RoutingIndexManager(n_nodes, len(self.fleet), starts, ends)
        self.routing = pywrapcp.RoutingModel(self.manager)
        site_of = depot_sites + [t.site for t in tasks]
        service = [0] * n_depots + [t.service_s for t in tasks]
        dist, dur = prepared.distance_m, prepared.duration_s
        m, r = self.manager, self.routing

        per_km = arc_cost_per_km(prepared)
        # tie-break: entering task j on vehicle k costs (k+1)·(j+1) more cost units (1/36000 €, a few
        # cents a day at most), so exchanging stops between equal vans never gives an equal-cost
        # plan: the optimum the search keeps does not depend on the order it explored ties in
        for k, v in enumerate(self.fleet):
            scale = per_km[v] * COST_PER_EUR / 1000
            tie = [0] * n_depots + [(k + 1) * (t + 1) for t in range(len(tasks))]
            callback = r.RegisterTransitMatrix(
                [[round(dist[site_of[i]][site_of[j]] * scale) + tie[j] for j in range(n_nodes)]
                 for i in range(n_nodes)])
            r.SetArcCostEvaluatorOfVehicle(callback, k)
            # + v cost units (1/36000 €): identical vans are no longer tied, the first ones are used;
            # a van's second trip pays no fixed cost of its own
            fixed = euros(prepared.vehicles[v].fixed_cost) if prepared.trip_of(v) == 1 else 0
            r.SetFixedCostOfVehicle(fixed + v, k)

        # the cold and ambient parts of one stop, one right after the other in the same van, are one
        # visit: the first part's service is the second's (no time between them)
        group = [None] * n_depots + [t.group for t in tasks]
        time_cb = r.RegisterTransitMatrix(
            [[0 if group[i] is not None and group[i] == group[j] else service[i] + dur[site_of[i]][site_of[j]]
              for j in range(n_nodes)] for i in range(n_nodes)])
        horizon = max([DAY_S] + [prepared.vehicles[v].shift.end_min * 60 for v in self.fleet]
                      + [t.window_s[1] for t in tasks if t.window_s is not None])
        r.AddDimension(time_cb, horizon, horizon, False, "time")
        self.time = r.GetDimensionOrDie("time")
        for k, v in enumerate(self.fleet):
            vehicle = prepared.vehicles[v]
            lo, hi = vehicle.shift.start_min * 60, vehicle.shift.end_min * 60
            self.time.CumulVar(r.Start(k)).SetRange(lo, hi)
            self.time.CumulVar(r.End(k)).SetRange(lo, hi)
            self.time.SetSpanCostCoefficientForVehicle(round(vehicle.cost_per_hour * 10), k)
            r.AddVariableMaximizedByFinalizer(self.time.CumulVar(r.Start(k)))
            r.AddVariableMinimizedByFinalizer(self.time.CumulVar(r.End(k)))
        for t, task in enumerate(tasks):
            index = m.NodeToIndex(n_depots + t)
            if task.window_s is not None:
                self.time.CumulVar(index).SetRange(*task.window_s)

        with_pickups = any(t.kind == "pickup" for t in tasks)
        for name, amount, capacity in (
            ("kg", [t.load_g for t in tasks], [round(prepared.vehicles[v].capacity_kg * 1000) for v in self.fleet]),
            ("crates", [t.crates for t in tasks], [prepared.vehicles[v].capacity_crates for v in self.fleet]),
        ):
            if with_pickups:
                # on-board load: pickups add, every delivery subtracts; the start holds the hub goods
                demand = [0] * n_depots + [a if t.kind == "pickup" else -a for a, t in zip(amount, tasks, strict=True)]
            else:
                demand = [0] * n_depots + amount
            cb = r.RegisterUnaryTransitVector(demand)
            r.AddDimensionWithVehicleCapacity(cb, 0, capacity, not with_pickups, name)
            if with_pickups:
                dim = r.GetDimensionOrDie(name)
                for k in range(len(self.fleet)):
                    dim.CumulVar(r.End(k)).SetRange(0, 0)

        cold_fleet = [k for k, v in enumerate(self.fleet) if prepared.vehicles[v].cold]
        solver = r.solver()
        for t, task in enumerate(tasks):
            index = m.NodeToIndex(n_depots + t)
            if task.cold:
                r.VehicleVar(index).SetValues([-1, *cold_fleet])
            if task.group is not None:
                continue  # a temperature part: optional with the alternative of its whole task
            split = prepared.split_of(t)
            if split is None:
                r.AddDisjunction([index], penalty + len(tasks) - t)  # ties: drop later tasks first
            else:  # served by its cold and ambient parts (in one van or two), each or both dropped
                r.AddDisjunction([index], 0)
                solver.Add(r.ActiveVar(index) == 0)
                for i in split:
                    r.AddDisjunction([m.NodeToIndex(n_depots + i)], penalty + len(tasks) - i)
            if task.kind == "pickup" and task.pair is not None:
                delivery = m.NodeToIndex(n_depots + task.pair)
                r.AddPickupAndDelivery(index, delivery)
                solver.Add(r.VehicleVar(index) == r.VehicleVar(delivery))
                solver.Add(r.ActiveVar(index) == r.ActiveVar(delivery))
                solver.Add(self.time.CumulVar(index) <= self.time.CumulVar(delivery))
        self._lock_rounds(solver)
        self._link_trips(solver)
        r.CloseModelWithParameters(pywrapcp.DefaultRoutingSearchParameters())

    def _link_trips(self, solver) -> None:
        """A van's second trip leaves the hub after the first is back and reloaded, and is used
        only if the first is."""
        prepared, r = self.prepared, self.routing
        slot = {v: k for k, v in enumerate(self.fleet)}
        for k, v in enumerate(self.fleet):
            if prepared.trip_of(v) > 1 and v - 1 in slot:
                first = slot[v - 1]
                solver.Add(self.time.CumulVar(r.End(first)) + prepared.reload_s <= self.time.CumulVar(r.Start(k)))
                solver.Add(r.ActiveVehicleVar(k) <= r.ActiveVehicleVar(first))

    def _lock_rounds(self, solver) -> None:
        """Locked rounds: their deliveries stay on the locked vehicle, in the locked order; other
        stops may be inserted between them. A locked vehicle outside this fleet frees its stops."""
        prepared, m, r = self.prepared, self.manager, self.routing
        fleet_of: dict[str, int] = {}
        for k, v in enumerate(self.fleet):  # a van's first trip (slot) carries its locked round
            fleet_of.setdefault(prepared.vehicles[v].id, k)
        parts: dict[str, list[int]] = {}
        for t, task in enumerate(prepared.tasks):
            if task.kind == "delivery" and task.group is None:
                parts.setdefault(task.stop.id, []).append(t)
        for lock in prepared.problem.locked:
            k = fleet_of.get(lock.vehicle_id)
            if k is None:
                continue
            chain = [m.NodeToIndex(self.n_depots + t) for stop_id in lock.stop_ids for t in parts.get(stop_id, ())]
            for index in chain:
                r.VehicleVar(index).SetValues([-1, k])
            for a, b in zip(chain, chain[1:], strict=False):
                service = prepared.tasks[m.IndexToNode(a) - self.n_depots].service_s
                solver.Add(self.time.CumulVar(a) + service <= self.time.CumulVar(b))

    def _params(self, strategy: str, metaheuristic: str, gls_lambda: float, seconds: float,
                solutions: int | None, log_search: bool, insertion_operators: bool = False):
        p = pywrapcp.DefaultRoutingSearchParameters()
        p.first_solution_strategy = getattr(routing_enums_pb2.FirstSolutionStrategy, strategy)
        p.local_search_metaheuristic = getattr(routing_enums_pb2.LocalSearchMetaheuristic, metaheuristic)
        p.guided_local_search_lambda_coefficient = gls_lambda
        p.time_limit.FromMilliseconds(max(1, int(seconds * 1000)))
        # each LNS move is otherwise cut at 100 ms of wall clock, which makes the search depend on the
        # machine's load; bounded by the phase's own limit instead, the same input gives the same plan
        p.lns_time_limit.FromMilliseconds(max(1, int(seconds * 1000)))
        if solutions is not None:
            p.solution_limit = max(1, solutions)
        p.log_search = log_search
        if insertion_operators:
            ops = p.local_search_operators
            for name in ("use_relocate_and_make_active", "use_exchange_and_make_active",
                         "use_extended_swap_active", "use_inactive_lns", "use_node_pair_swap_active"):
                setattr(ops, name, optional_boolean_pb2.BOOL_TRUE)
        return p

    def task_index(self, t: int) -> int:
        return self.manager.NodeToIndex(self.n_depots + t)

    def run(self, strategy: str, metaheuristic: str, gls_lambda: float, seconds: float,
            solutions: int | None, start: Plan | None = None, stop_when_complete: bool = False,
            log_search: bool = False) -> Plan | None:
        """One search phase; from `start` (a plan over the full vehicle list) when given."""
        r = self.routing
        if len(self.prepared.tasks) <= 1:
            # guided local search never stops on a single visit (no neighbour, no new solution
            # to count against the solution limit): a descent is exact there
            metaheuristic = "GREEDY_DESCENT"
        params = self._params(strategy, metaheuristic, gls_lambda, seconds, solutions, log_search,
                              insertion_operators=stop_when_complete)
        if stop_when_complete:
            active = [r.ActiveVar(self.task_index(t)) for t in range(len(self.prepared.tasks))]

            def on_solution() -> None:
                if not self.prepared.dropped({t for t, a in enumerate(active) if a.Value()}):
                    r.solver().FinishCurrentSearch()

            r.AddAtSolutionCallback(on_solution)
        began = time.perf_counter()
        if start is None:
            solution = r.SolveWithParameters(params)
        else:
            routes = [[self.task_index(t) for t in start.routes[v]] for v in self.fleet]
            initial = r.ReadAssignmentFromRoutes(routes, True)
            if initial is None:
                log.warning("initial routes rejected by the model; solving from scratch")
                solution = r.SolveWithParameters(params)
            else:
                solution = r.SolveFromAssignmentWithParameters(initial, params)
        log.debug("search phase", extra={"strategy": strategy, "fleet": len(self.fleet),
                                         "seconds": round(time.perf_counter() - began, 3),
                                         "found": solution is not None})
        if solution is None:
            return None
        return self.read(solution)

    def read(self, solution) -> Plan:
        r, m = self.routing, self.manager
        routes: list[tuple[int, ...]] = [()] * len(self.prepared.vehicles)
        seen: set[int] = set()
        for k, v in enumerate(self.fleet):
            index = solution.Value(r.NextVar(r.Start(k)))
            route: list[int] = []
            while not r.IsEnd(index):
                t = m.IndexToNode(index) - self.n_depots
                route.append(t)
                seen.add(t)
                index = solution.Value(r.NextVar(index))
            routes[v] = tuple(route)
        return Plan(tuple(routes), self.prepared.dropped(seen), solution.ObjectiveValue())
