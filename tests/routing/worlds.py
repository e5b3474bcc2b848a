"""Builders of small routing worlds around the Lens-Liévin hub (Base 11/19)."""

from __future__ import annotations

from routing import Drop, Matrix, RoutingProblem, Site, SolverParams, Stop, TimeWindow, Vehicle

HUB = Site("hub", "Base 11/19", 50.4574, 2.7937)
DAY = "2026-12-01"
# small, deterministic limits: the solution limit binds long before the (generous) time limit
FAST = SolverParams(time_limit_s=60, solution_limit=60)


def stop(i: int | str, dlat: float = 0.01, dlon: float = 0.01, *, load_kg: float = 50, crates: int = 5,
         cold: bool = False, service_min: int = 10, window: tuple[int, int] | None = None,
         drops: tuple[Drop, ...] = (), **extra) -> Stop:
    sid = f"s{i}" if isinstance(i, int) else i
    return Stop(sid, f"site-{sid}", f"Site {sid}", HUB.lat + dlat, HUB.lon + dlon, load_kg=load_kg,
                crates=crates, cold=cold, service_min=service_min,
                window=TimeWindow(*window) if window else None, drops=drops, **extra)


def van(i: int | str, *, kg: float = 800, crates: int = 60, cold: bool = True,
        shift: tuple[int, int] = (390, 780), **extra) -> Vehicle:
    vid = f"van-{i}" if isinstance(i, int) else i
    extra.setdefault("cost_per_km", 0.35)
    extra.setdefault("cost_per_hour", 22.0)
    extra.setdefault("fixed_cost", 30.0)
    return Vehicle(vid, capacity_kg=kg, capacity_crates=crates, shift=TimeWindow(*shift), cold=cold, **extra)


def problem(stops, vehicles, matrix: Matrix | None = None) -> RoutingProblem:
    return RoutingProblem(DAY, HUB, tuple(stops), tuple(vehicles), matrix)


def explicit(ids: list[str], distance: list[list[int]], speed_m_per_s: float = 10.0) -> Matrix:
    """A matrix given with the problem: durations from distances at a constant speed."""
    duration = [[round(d / speed_m_per_s) for d in row] for row in distance]
    return Matrix(tuple(map(tuple, distance)), tuple(map(tuple, duration)), tuple(ids))
