"""Use cases of the delivery day: a driver confirms a stop, a week closes from its confirmations,
the delivery report and the crates each site holds.

A confirmation is stored once per stop (week, day, site); its id comes from the client, so the
same action sent twice stores one record and answers the first one. When the last delivery stop of
a published week is confirmed, the week becomes `delivered` (the scheduler only reminds). Every
function works inside the caller's unit of work and never commits.
"""
from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlmodel import Session, col, select

from app.models import Confirmation, Round, RoundStop, Site, Territory, User, Week
from app.services import audit, planning, rounds, weeks
from orders import delivery as D
from orders.errors import Conflict, InvalidInput, NotFound

CONFIRMABLE = ("published", "delivered")


def _stop(session: Session, user: User, round_id: int, stop_id: int) -> tuple[Round, RoundStop, Week]:
    rnd = rounds.visible_round(session, round_id, user)
    stop = session.get(RoundStop, stop_id)
    if stop is None or stop.round_id != rnd.id:
        raise NotFound("No such stop in this round.", "Arrêt introuvable dans cette tournée.", "stop_id")
    return rnd, stop, session.get(Week, rnd.week_id)


def to_pure(row: Confirmation) -> D.StopConfirmation:
    return D.StopConfirmation(
        site=row.site_id, day=row.day.isoformat(), outcome=row.outcome,
        drops=tuple(D.DeliveredDrop(d["product"], float(d["quantity"])) for d in row.drops),
        crates_left=tuple(sorted(row.crates_left.items())), crates_back=tuple(sorted(row.crates_back.items())),
        recipient=row.recipient or "", note=row.note or "")


def confirm(session: Session, user: User, round_id: int, stop_id: int, data: dict[str, Any]) -> tuple[Confirmation, bool]:
    """Record the driver's word on a stop; (the confirmation, whether it was created now)."""
    rnd, stop, week = _stop(session, user, round_id, stop_id)
    existing = session.get(Confirmation, data["id"])
    if existing is not None:
        if (existing.week_id, existing.day, existing.site_id) != (week.id, rnd.day, stop.site_id):
            raise Conflict("This confirmation id belongs to another stop.",
                           "Cet identifiant de confirmation appartient à un autre arrêt.", "id")
        return existing, False
    if week.state not in CONFIRMABLE:
        raise Conflict(f"Week {week.iso_week} is {week.state}: rounds are confirmed once published.",
                       f"La semaine {week.iso_week} n'est pas publiée : on confirme les arrêts d'une tournée publiée.",
                       "round_id")
    site = session.get(Site, stop.site_id)
    if site is None or site.kind not in ("canteen", "relay"):
        raise InvalidInput("Only deliveries are confirmed (not farm pickups).",
                           "Seules les livraisons se confirment (pas les enlèvements à la ferme).", "stop_id")
    done = session.exec(select(Confirmation).where(Confirmation.week_id == week.id, Confirmation.day == rnd.day,
                                                   Confirmation.site_id == stop.site_id)).first()
    if done is not None:
        raise Conflict("This stop is already confirmed.", "Cet arrêt est déjà confirmé.", "stop_id")
    loaded: dict[str, float] = {}
    for drop in stop.drops:
        loaded[drop["product"]] = loaded.get(drop["product"], 0.0) + float(drop["quantity"])
    checked = D.check(D.StopConfirmation(
        site=stop.site_id, day=rnd.day.isoformat(), outcome=data["outcome"],
        drops=tuple(D.DeliveredDrop(d["product"], float(d["quantity"])) for d in data.get("drops") or ()),
        crates_left=D.crates(data.get("crates_left"), "crates_left"),
        crates_back=D.crates(data.get("crates_back"), "crates_back")), loaded)
    at = data.get("at") or datetime.now(UTC)
    row = Confirmation(id=data["id"], week_id=week.id, day=rnd.day, site_id=stop.site_id, vehicle_id=rnd.vehicle_id,
                       round_id=rnd.id, stop_id=stop.id, outcome=checked.outcome,
                       drops=[{"product": d.product, "quantity": d.quantity} for d in checked.drops],
                       crates_left=dict(checked.crates_left), crates_back=dict(checked.crates_back),
                       recipient=data.get("recipient"), note=data.get("note"),
                       at=at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC),
                       recorded_at=datetime.now(UTC), recorded_by=user.name)
    session.add(row)
    session.flush()
    audit.record(session, user, "confirmation", row.id, "create", None,
                 {"site": row.site_id, "day": row.day.isoformat(), "outcome": row.outcome}, week.id)
    from app.services import alerts  # (alerts reads the balances computed here)

    alerts.check_crates(session, week, row.site_id)
    close_if_done(session, week, user.name)
    return row, True


def find(session: Session, user: User, round_id: int, stop_id: int) -> Confirmation:
    rnd, stop, week = _stop(session, user, round_id, stop_id)
    row = session.exec(select(Confirmation).where(Confirmation.week_id == week.id, Confirmation.day == rnd.day,
                                                  Confirmation.site_id == stop.site_id)).first()
    if row is None:
        raise NotFound("This stop is not confirmed yet.", "Cet arrêt n'est pas encore confirmé.", "stop_id")
    return row


def of_week(session: Session, week: Week) -> list[Confirmation]:
    return list(session.exec(select(Confirmation).where(Confirmation.week_id == week.id)
                             .order_by(Confirmation.day, Confirmation.site_id)))


def delivery_stops(session: Session, week: Week) -> set[tuple[str, date]]:
    """(site, day) of every delivery stop of the week's current rounds."""
    rows = list(session.exec(select(Round).where(Round.week_id == week.id)))
    consumers = {s.id for s in session.exec(select(Site).where(col(Site.kind).in_(("canteen", "relay"))))}
    stops = rounds.stops_of(session, rows)
    return {(s.site_id, r.day) for r in rows for s in stops[r.id] if s.site_id in consumers}


def round_progress(session: Session, rnds: list[Round]) -> dict[int, tuple[int, int]]:
    """Round id → (delivery stops confirmed, delivery stops): a round is done when both are equal."""
    if not rnds:
        return {}
    consumers = {s.id for s in session.exec(select(Site).where(col(Site.kind).in_(("canteen", "relay"))))}
    stops = rounds.stops_of(session, rnds)
    weeks_ = {r.week_id for r in rnds}
    done = {(c.site_id, c.day) for c in session.exec(select(Confirmation).where(col(Confirmation.week_id).in_(weeks_)))}
    out = {}
    for r in rnds:
        mine = [(s.site_id, r.day) for s in stops[r.id] if s.site_id in consumers]
        out[r.id] = (sum(1 for key in mine if key in done), len(mine))
    return out


def close_if_done(session: Session, week: Week, actor: str) -> bool:
    """A published week whose every delivery stop is confirmed (or that has none) becomes `delivered`."""
    if week.state != "published":
        return False
    expected = delivery_stops(session, week)
    confirmed = {(c.site_id, c.day) for c in of_week(session, week)}
    if not expected <= confirmed:
        return False
    weeks.transition(session, week, "delivered", None, actor=actor)
    return True


def week_report(session: Session, week: Week) -> D.DeliveryReport:
    plan = planning.week_plan(planning.require_plan(session, week))
    return D.report(plan, [to_pure(c) for c in of_week(session, week)])


def crate_balances(session: Session, territory_id: str, site_id: str | None = None) -> dict[str, dict[str, int]]:
    """Site → crate type → crates it holds, over every confirmation of the territory so far."""
    query = (select(Confirmation).join(Week, Week.id == Confirmation.week_id)
             .where(Week.territory_id == territory_id).order_by(Confirmation.day, Confirmation.site_id))
    if site_id is not None:
        query = query.where(Confirmation.site_id == site_id)
    return D.crate_balances([to_pure(c) for c in session.exec(query)])


def territory_of_week(session: Session, week: Week) -> Territory:
    return session.get(Territory, week.territory_id)
