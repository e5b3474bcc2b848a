"""Terril's pure routing package: model dataclasses, matrix providers, the OR-Tools solver.

Imports only the standard library and ortools (never flask, the database, `app` or `orders`).
"""

from routing.matrix import (
    CachedProvider,
    HaversineProvider,
    MatrixProvider,
    MatrixUnavailable,
    OsrmProvider,
    provider_from_config,
)
from routing.model import (
    REASON_FR,
    Drop,
    LockedRound,
    Matrix,
    Pickup,
    Reason,
    Round,
    RoutingProblem,
    RoutingResult,
    Site,
    Stop,
    TimeWindow,
    Unserved,
    Vehicle,
    Visit,
)
from routing.params import SolverParams
from routing.solver import solve

__all__ = [
    "REASON_FR", "CachedProvider", "Drop", "HaversineProvider", "LockedRound", "Matrix", "MatrixProvider",
    "MatrixUnavailable", "OsrmProvider", "Pickup", "Reason", "Round", "RoutingProblem", "RoutingResult",
    "Site", "SolverParams", "Stop", "TimeWindow", "Unserved", "Vehicle", "Visit", "provider_from_config",
    "solve",
]
