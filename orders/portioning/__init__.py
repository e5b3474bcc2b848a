"""Pure portioning: offers × canteen meal orders × basket orders → whole-lot allocations.

Entry point `solve(inp, time_limit_s)`; input and output dataclasses in `model`; the policy in
`policy`, hand corrections in `pins`; the model as formulas in `solver`, `pooled`, `baskets` and
`split`; shortfall and unsold reasons in `explain`; fairness figures in `report`; docs/portioning.md.
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
    PinOutcome,
    PortioningInput,
    PortioningResult,
    Product,
    RelayPoint,
    Shortfall,
    TargetOutcome,
    Unsold,
)
from orders.portioning.policy import Ranking, default_policy
from orders.portioning.solver import DEFAULT_TIME_LIMIT_S, solve
from orders.scenario import Pin, Policy, PolicyTier

__all__ = [
    "DEFAULT_TIME_LIMIT_S", "Allocation", "BasketOrder", "BasketPlan", "BasketType", "Canteen",
    "Grammage", "LevelOutcome", "MealLine", "MealOrder", "MissingGrammage", "Offer",
    "Pin", "PinOutcome", "Policy", "PortioningInput", "PortioningResult", "Product", "RelayPoint",
    "PolicyTier", "Ranking", "Shortfall", "TargetOutcome", "Unsold", "default_policy", "load_grammages", "solve",
]
