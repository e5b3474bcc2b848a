"""Queries of the stored rounds: the stops of a set of rounds, a week's rounds, a round a user may see.

The rounds of the current plan are stored as `Round` rows and their ordered `RoundStop` rows
(`planning._store_rounds`). The API, the pages, the calendar feeds and the routing's locked rounds
all read them through these functions: one query for the stops of any number of rounds.
"""
from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session, col, select

from app.models import Round, RoundStop, User, Week
from orders.errors import NotFound


def stops_of(session: Session, rounds: Iterable[Round | int]) -> dict[int, list[RoundStop]]:
    """The stops of each round, in visiting order: one query, every round id a key (maybe empty)."""
    ids = [r if isinstance(r, int) else r.id for r in rounds]
    out: dict[int, list[RoundStop]] = {i: [] for i in ids}
    if not ids:
        return out
    rows = session.exec(select(RoundStop).where(col(RoundStop.round_id).in_(ids))
                        .order_by(RoundStop.round_id, RoundStop.seq)).all()
    for stop in rows:
        out[stop.round_id].append(stop)
    return out


def week_rounds_query(week: Week, user: User, *, day=None, vehicle: str | None = None, driver: str | None = None):
    """The rounds of `week` (by day, then vehicle), filtered; a driver's query holds only their own."""
    query = select(Round).where(Round.week_id == week.id)
    if day:
        query = query.where(Round.day == day)
    if vehicle:
        query = query.where(Round.vehicle_id == vehicle)
    if driver:
        query = query.where(Round.driver == driver)
    if user.role == "driver":
        query = query.where(Round.driver_user_id == user.id)
    return query.order_by(Round.day, Round.vehicle_id)


def visible_round(session: Session, round_id: int, user: User) -> Round:
    """A round `user` may see: any for the coordinator, their own for a driver (404 otherwise)."""
    rnd = session.get(Round, round_id)
    if rnd is None or (user.role == "driver" and rnd.driver_user_id != user.id):
        raise NotFound(f"Round {round_id} not found.", "Tournée introuvable.", "round_id")
    return rnd


def round_out(session: Session, rounds: list[Round], iso_week: str | None = None) -> list[dict]:
    """Rounds with their stops as the API shows them (`RoundSchema`), the stops in one query."""
    stops = stops_of(session, rounds)
    weeks: dict[int, str] = {}
    out = []
    for rnd in rounds:
        if iso_week is None and rnd.week_id not in weeks:
            weeks[rnd.week_id] = session.get(Week, rnd.week_id).iso_week
        out.append({**rnd.model_dump(), "week": iso_week or weeks[rnd.week_id],
                    "stops": [s.model_dump() for s in stops[rnd.id]]})
    return out
