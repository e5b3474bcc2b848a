"""Pure portioning: offers × canteen meal orders × basket orders → whole-lot allocations.

Entry point `solve(inp, time_limit_s)`; input and output dataclasses in `model`; the model as
formulas in `solver`, `baskets` and `split`; shortfall reasons in `explain`; docs/portioning.md.
No Flask, no database: the standard library and ortools only.
"""
from orders.grammage import Grammage, MissingGrammage, load_grammages
from orders.portioning.model import (
    Allocation,
    BasketOrder,
    BasketPlan,
    BasketType,
    Canteen,
    LevelOutcome,
    MealLine,
    MealOrder,
    Offer,
    PortioningInput,
    PortioningResult,
    Product,
    RelayPoint,
    Shortfall,
    TargetOutcome,
)
from orders.portioning.solver import DEFAULT_TIME_LIMIT_S, solve

__all__ = [
    "DEFAULT_TIME_LIMIT_S", "Allocation", "BasketOrder", "BasketPlan", "BasketType", "Canteen",
    "Grammage", "LevelOutcome", "MealLine", "MealOrder", "MissingGrammage", "Offer",
    "PortioningInput", "PortioningResult", "Product", "RelayPoint", "Shortfall", "TargetOutcome",
    "load_grammages", "solve",
]
