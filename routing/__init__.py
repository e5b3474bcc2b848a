"""Terril's pure routing package: model dataclasses, matrix providers, the solver (OR-Tools, with
PyVRP as a second engine on the days it can represent), one plan checker, unserved stops explained.

Imports only the standard library, ortools and pyvrp (never flask, the database, `app` or `orders`).
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
    WayOut,
)
from routing.params import SolverParams
from routing.solver import solve

__all__ = [
    "REASON_FR", "CachedProvider", "Drop", "HaversineProvider", "LockedRound", "Matrix", "MatrixProvider",
    "MatrixUnavailable", "OsrmProvider", "Pickup", "Reason", "Round", "RoutingProblem", "RoutingResult",
    "Site", "SolverParams", "Stop", "TimeWindow", "Unserved", "Vehicle", "Visit", "WayOut", "provider_from_config",
    "solve",
]
