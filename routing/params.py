"""Solver parameters (one frozen object, documented field by field)."""

from __future__ import annotations

from dataclasses import dataclass

STRATEGIES = (
    "PARALLEL_CHEAPEST_INSERTION", "LOCAL_CHEAPEST_INSERTION", "SEQUENTIAL_CHEAPEST_INSERTION",
    "SAVINGS", "PARALLEL_SAVINGS", "PATH_CHEAPEST_ARC", "GLOBAL_CHEAPEST_ARC", "LOCAL_CHEAPEST_ARC",
    "BEST_INSERTION", "CHRISTOFIDES", "SWEEP", "AUTOMATIC", "LOCAL_CHEAPEST_COST_INSERTION",
)
METAHEURISTICS = ("GUIDED_LOCAL_SEARCH", "SIMULATED_ANNEALING", "TABU_SEARCH", "GREEDY_DESCENT", "AUTOMATIC")


@dataclass(frozen=True, slots=True)
class SolverParams:
    """How hard and how `routing.solve` searches.

    time_limit_s:
        Wall-clock budget in seconds for the whole solve (all phases share it). None = scaled with
        the size: 1 s + 0.04 s per task (delivery or pickup visit), at most 30 s.
    solution_limit:
        Number of solutions the local search may visit in each phase. This is what makes the result
        deterministic: when it binds before the time limit, the same input gives the same plan on
        any machine. None = 50 + 10 per task. 0 = no limit (the time limit alone stops the search).
    first_solution_strategy:
        OR-Tools first solution strategy name (see `STRATEGIES`).
    local_search_metaheuristic:
        OR-Tools metaheuristic name; GUIDED_LOCAL_SEARCH escapes local minima by penalising arcs.
    gls_lambda:
        Guided local search penalty coefficient (OR-Tools default 0.1).
    vehicle_reduction:
        After a first plan, try removing the smallest round and re-inserting its stops with one
        vehicle less, while it serves everything; pays off when vehicles have a fixed cost.
    reduction_share:
        Share of the budget (time, and solutions) the first phase gets before vehicle reduction.
    reduction_tries:
        How many rounds (smallest first) vehicle reduction tries to remove before giving up.
    reduction_attempt_share:
        Share of the remaining time one removal attempt may use.
    reduction_gls_lambda:
        Guided local search coefficient during removal attempts: stronger than for the distance
        search, it pushes the search out of "one stop still dropped" plateaus.
    workers:
        Engines searching in parallel processes (default 2: one per core of the target machine).
        The first is OR-Tools with `first_solution_strategy`; the second is PyVRP on the days it can
        represent (`pyvrp`), else OR-Tools with the next of `extra_strategies`; further workers take
        further strategies. Every plan is checked (`routing.check`); the valid plan with the fewest
        unserved stops, then the lowest cost, then the earliest engine wins, so the result stays
        deterministic when the solution and iteration limits bind.
    extra_strategies:
        Strategies for workers after the first.
    pyvrp:
        Let PyVRP (hybrid genetic search / iterated local search) be the second engine where it
        can hold the day (no farm pickups, no locked rounds).
    hgs_iterations:
        PyVRP iterations at most (a determinism limit, like `solution_limit`). None = 50 000;
        0 = no iteration limit.
    hgs_no_improvement:
        PyVRP stops after this many iterations without a better plan (deterministic too). None =
        1000 + 20 per task; 0 = never for that reason.
    seed:
        PyVRP's random seed.
    rescue:
        When a stop is left unserved, solve again letting a stop's cold and ambient goods travel
        in two vans and every van make a second trip from the hub; keep it if it serves more.
    rescue_share:
        Budget of that second solve, as a share of the day's budget.
    reload_min:
        Minutes at the hub between a van's two trips (unloading, reloading).
    explain:
        For each stop still unserved for lack of vans or hours, find the binding constraint and the
        smallest change that serves it by re-solving relaxed days (`routing.explain`).
    explain_solutions:
        Solution limit of each relaxed re-solve (they are many and short).
    explain_share:
        Wall-clock cap of the explanations, as a multiple of the day's budget (a safety cap: the
        solution limits normally end them first).
    drop_penalty_eur:
        Cost in euros of leaving a stop unserved. None = automatic: more than any round could cost,
        so a stop is only dropped when no plan can serve it.
    log_search:
        Print OR-Tools' search log (stderr).
    """

    time_limit_s: float | None = None
    solution_limit: int | None = None
    first_solution_strategy: str = "PARALLEL_CHEAPEST_INSERTION"
    local_search_metaheuristic: str = "GUIDED_LOCAL_SEARCH"
    gls_lambda: float = 0.1
    vehicle_reduction: bool = True
    reduction_share: float = 0.3
    reduction_tries: int = 3
    reduction_attempt_share: float = 0.3
    reduction_gls_lambda: float = 1.0
    workers: int = 2
    extra_strategies: tuple[str, ...] = ("SAVINGS", "LOCAL_CHEAPEST_INSERTION", "PATH_CHEAPEST_ARC")
    pyvrp: bool = True
    hgs_iterations: int | None = None
    hgs_no_improvement: int | None = None
    seed: int = 1
    rescue: bool = True
    rescue_share: float = 0.5
    reload_min: int = 20
    explain: bool = True
    explain_solutions: int = 40
    explain_share: float = 3.0
    drop_penalty_eur: float | None = None
    log_search: bool = False

    def __post_init__(self) -> None:
        for name in (self.first_solution_strategy, *self.extra_strategies):
            if name not in STRATEGIES:
                raise ValueError(f"unknown first solution strategy {name!r}")
        if self.local_search_metaheuristic not in METAHEURISTICS:
            raise ValueError(f"unknown metaheuristic {self.local_search_metaheuristic!r}")
        if self.workers < 1:
            raise ValueError("workers >= 1")
        if not 0 < self.reduction_share <= 1:
            raise ValueError("0 < reduction_share <= 1")

    def time_budget_s(self, stops: int) -> float:
        if self.time_limit_s is not None:
            return self.time_limit_s
        return min(30.0, 1.0 + 0.04 * stops)

    def solutions_budget(self, stops: int) -> int | None:
        if self.solution_limit == 0:
            return None
        if self.solution_limit is not None:
            return self.solution_limit
        return 50 + 10 * stops

    def hgs_iterations_budget(self, tasks: int) -> int:
        return 50_000 if self.hgs_iterations is None else self.hgs_iterations

    def hgs_no_improvement_budget(self, tasks: int) -> int:
        return 1000 + 20 * tasks if self.hgs_no_improvement is None else self.hgs_no_improvement

    def strategies(self) -> tuple[str, ...]:
        ordered = [self.first_solution_strategy]
        ordered += [s for s in self.extra_strategies if s not in ordered]
        return tuple(ordered[: self.workers])
