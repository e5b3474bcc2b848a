"""Lexicographic optimisation on one CP-SAT model: solve level k, fix its value, go to k + 1.

After each level the found objective value is added as a constraint (`expr ≥ v` for a maximised
level, `expr ≤ v` for a minimised one) and the solution becomes the hint of the next level, so the
next solve starts from a feasible point of the same quality. A level stopped by its time budget
keeps its best value found (status FEASIBLE); its `bound` tells how far it may be from optimal.

Determinism: CP-SAT with `num_workers = 1` follows one deterministic search; with more workers we
set `interleave_search`, which is also deterministic. Each level also gets a deterministic time
limit (`max_deterministic_time`, in CP-SAT's machine-independent work units) so that a level cut
short is cut at the same point on every machine; the wall-clock limit is only a safety net.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from time import perf_counter

from ortools.sat.python import cp_model

from orders.portioning.model import LevelOutcome

log = logging.getLogger(__name__)

STATUS = {
    cp_model.OPTIMAL: "OPTIMAL", cp_model.FEASIBLE: "FEASIBLE", cp_model.INFEASIBLE: "INFEASIBLE",
    cp_model.MODEL_INVALID: "MODEL_INVALID", cp_model.UNKNOWN: "UNKNOWN",
}


class Lexicographic:
    def __init__(self, model: cp_model.CpModel, variables: Sequence[cp_model.IntVar],
                 num_workers: int = 1, seed: int = 0):
        self.model = model
        self.variables = list(variables)
        self.num_workers = num_workers
        self.seed = seed
        self.levels: list[LevelOutcome] = []
        self.values: dict[int, int] = {}  # var index → value of the last solution
        self.last: cp_model.CpSolver | None = None  # the solver of the last solution

    def value(self, var: cp_model.IntVar) -> int:
        return self.values.get(var.Index(), 0)

    def evaluate(self, expr) -> int:
        """Value of a linear expression in the last solution (0 before the first)."""
        if isinstance(expr, int) or self.last is None:
            return expr if isinstance(expr, int) else 0
        return int(self.last.value(expr))

    def track(self, var: cp_model.IntVar, hint: int = 0) -> cp_model.IntVar:
        """Add a variable created for a later level, hinted at `hint` (a value the last solution
        satisfies), so the next solve starts from a complete feasible hint."""
        self.variables.append(var)
        self.values[var.Index()] = hint
        return var

    def _hint(self) -> None:
        self.model.clear_hints()
        for v in self.variables:
            self.model.add_hint(v, self.values.get(v.Index(), 0))

    def optimise(self, name: str, expr: cp_model.LinearExprT, maximize: bool,
                 budget_s: float, relative_gap: float = 0.0) -> LevelOutcome:
        m = self.model
        if self.values:
            self._hint()
        if maximize:
            m.maximize(expr)
        else:
            m.minimize(expr)
        solver = cp_model.CpSolver()
        p = solver.parameters
        p.num_workers = self.num_workers
        if self.num_workers > 1:
            p.interleave_search = True
        p.random_seed = self.seed
        p.cp_model_probing_level = 0  # small models solved many times: probing and symmetry cost more than they save
        p.symmetry_level = 0
        if relative_gap > 0:
            p.relative_gap_limit = relative_gap
        p.max_time_in_seconds = 1.0 + 5 * budget_s  # a safety net only: the deterministic limit decides
        p.max_deterministic_time = max(0.05, budget_s)
        t0 = perf_counter()
        status = solver.solve(m)
        seconds = perf_counter() - t0
        label = STATUS.get(status, str(status))
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            # Only when the budget is exhausted before the hint is repaired: keep the previous
            # solution (still feasible: the levels so far are constraints it satisfies).
            outcome = LevelOutcome(name, "NO_SOLUTION" if label == "UNKNOWN" else label, 0.0, 0.0, seconds)
            self.levels.append(outcome)
            log.warning("portioning level %s: %s", name, label)
            return outcome
        value = round(solver.objective_value)
        bound = solver.best_objective_bound
        m.add(expr >= value if maximize else expr <= value)
        self.values = {v.Index(): solver.value(v) for v in self.variables}
        self.last = solver
        if label == "OPTIMAL" and abs(bound - value) > 0.5:
            label = "FEASIBLE"  # stopped by the relative gap limit, not proven optimal
        outcome = LevelOutcome(name, label, float(value), float(bound), seconds)
        log.info("portioning level %s: %s value=%s bound=%s %.3fs", name, label, value, bound, seconds)
        self.levels.append(outcome)
        return outcome

