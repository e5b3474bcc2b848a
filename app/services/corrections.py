"""Use cases of the coordinator's hand on the plan: the territory's policy, pins and round locks.

* The **policy** (ordered tiers with targets, then max–min fairness: `orders.scenario.Policy`) is
  stored per territory as data with a version bumped at every change; the exported week carries
  it, so every plan records the policy it used.
* A **pin** forces (or forbids) an allocation line of a week; the week's export carries its pins,
  so a re-portioning keeps them and says what each costs the others.
* A **lock** keeps a round's order at the next routing; it is its own row (day, vehicle, stops in
  order), so it survives a re-portioning, which recreates the rounds, wherever its stops still exist.

Each function is one use case step inside the caller's unit of work: it never commits.
"""
from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.models import AllocationPin, Round, RoundLock, Site, Territory, Week
from app.services import audit, rounds
from orders import contract
from orders import scenario as S
from orders.errors import Conflict, InvalidInput, NotFound

PLANNABLE = ("closed", "planned")


# ---------------------------------------------------------------- the policy


def default_policy(terr: Territory) -> S.Policy:
    """The policy a territory plans with when it has stored none: tiers from its targets."""
    targets = sorted((terr.targets or dict(S.DEFAULT_TARGETS)).items(), key=lambda kv: (-kv[1], kv[0]))
    return S.Policy(tiers=tuple(S.PolicyTier(name=kind, target=float(share), kinds=(kind,))
                                for kind, share in targets if share > 0))


def policy_of(terr: Territory) -> S.Policy:
    return S.read_part(S.Policy, terr.policy) if terr.policy else default_policy(terr)


def policy_view(terr: Territory) -> dict[str, Any]:
    return {"territory": terr.id, "version": terr.policy_version, "stored": terr.policy is not None,
            **contract.to_dict(policy_of(terr))}


def set_policy(session: Session, terr: Territory, data: dict[str, Any], actor: str) -> Territory:
    """Replace the territory's policy (validated against the scenario schema's `Policy`)."""
    policy = S.read_part(S.Policy, {"tiers": data.get("tiers", [])})
    names = [t.name for t in policy.tiers]
    if len(set(names)) != len(names):
        raise InvalidInput("Two tiers have the same name.", "Deux paliers portent le même nom.", "tiers")
    sites = {s.id: s for s in session.exec(select(Site).where(Site.territory_id == terr.id))}
    for i, tier in enumerate(policy.tiers):
        for kind in tier.kinds:
            if kind not in (*S.CANTEEN_KINDS, "relay_point"):
                raise InvalidInput(f"Unknown consumer kind {kind!r}.", f"Type de destinataire inconnu : {kind!r}.",
                                   f"tiers[{i}].kinds")
        for site_id in tier.sites:
            if site_id not in sites or sites[site_id].kind not in ("canteen", "relay"):
                raise InvalidInput(f"Unknown consumer {site_id!r}.", f"Destinataire inconnu : {site_id!r}.",
                                   f"tiers[{i}].sites")
    before = policy_view(terr)
    terr.policy = contract.to_dict(policy)
    terr.policy_version += 1
    session.add(terr)
    session.flush()
    audit.record(session, None, "policy", terr.id, "update", before, policy_view(terr), None, actor=actor)
    return terr


# ---------------------------------------------------------------- pins


def pins_of(session: Session, week: Week) -> list[AllocationPin]:
    return list(session.exec(select(AllocationPin).where(AllocationPin.week_id == week.id)
                             .order_by(AllocationPin.day, AllocationPin.consumer_id, AllocationPin.product,
                                       AllocationPin.id)))


def scenario_pins(session: Session, week: Week) -> tuple[S.Pin, ...]:
    return tuple(S.Pin(consumer=p.consumer_id, product=p.product, day=p.day.isoformat(), quantity=p.quantity,
                       producer=p.producer_id, forbid=p.forbid) for p in pins_of(session, week))


def _check_plannable(week: Week, field: str) -> None:
    if week.state not in PLANNABLE:
        raise Conflict(f"Week {week.iso_week} is {week.state}: its plan can no longer change.",
                       f"La semaine {week.iso_week} est à l'état « {week.state} » : son plan ne change plus.", field)


def add_pin(session: Session, week: Week, data: dict[str, Any], actor: str) -> AllocationPin:
    _check_plannable(week, "week")
    day = data["day"] if isinstance(data["day"], date) else date.fromisoformat(str(data["day"]))
    if day.isoformat() not in set(week.delivery_days):
        raise InvalidInput(f"{day} is not a delivery day of {week.iso_week}.",
                           f"Le {day:%d/%m/%Y} n'est pas un jour de livraison de la semaine {week.iso_week}.", "day")
    consumer = session.get(Site, data["consumer_id"])
    if consumer is None or consumer.kind not in ("canteen", "relay") or consumer.territory_id != week.territory_id:
        raise InvalidInput("Unknown consumer.", "Destinataire inconnu (cantine ou point relais).", "consumer_id")
    producer_id = data.get("producer_id")
    if producer_id:
        producer = session.get(Site, producer_id)
        if producer is None or producer.kind != "producer":
            raise InvalidInput("Unknown producer.", "Producteur inconnu.", "producer_id")
    if not data.get("forbid") and not data.get("quantity"):
        raise InvalidInput("A pin forces a positive quantity (or forbids).",
                           "Une épingle impose une quantité positive (ou interdit la ligne).", "quantity")
    same = session.exec(select(AllocationPin).where(
        AllocationPin.week_id == week.id, AllocationPin.consumer_id == consumer.id,
        AllocationPin.product == data["product"], AllocationPin.day == day,
        AllocationPin.producer_id == producer_id if producer_id else AllocationPin.producer_id.is_(None))).first()
    if same is not None:  # NULL producers are distinct for the unique constraint: say it here
        raise Conflict("This line is already pinned.", "Cette ligne est déjà épinglée.", "product")
    pin = AllocationPin(week_id=week.id, consumer_id=consumer.id, product=data["product"], day=day,
                        quantity=float(data.get("quantity") or 0.0), producer_id=producer_id or None,
                        forbid=bool(data.get("forbid")), reason=data.get("reason"), created_by=actor,
                        created_at=datetime.now(UTC))
    try:
        with session.begin_nested():
            session.add(pin)
            session.flush()
    except IntegrityError as exc:
        raise Conflict("This line is already pinned.", "Cette ligne est déjà épinglée.", "product") from exc
    audit.record(session, None, "pin", str(pin.id), "create", None, _pin_audit(pin), week.id, actor=actor)
    return pin


def delete_pin(session: Session, week: Week, pin_id: int, actor: str) -> None:
    _check_plannable(week, "week")
    pin = session.get(AllocationPin, pin_id)
    if pin is None or pin.week_id != week.id:
        raise NotFound("No such pin.", "Épingle introuvable.", "id")
    audit.record(session, None, "pin", str(pin.id), "delete", _pin_audit(pin), None, week.id, actor=actor)
    session.delete(pin)
    session.flush()


def _pin_audit(pin: AllocationPin) -> dict[str, Any]:
    return {"consumer": pin.consumer_id, "product": pin.product, "day": pin.day.isoformat(),
            "quantity": pin.quantity, "producer": pin.producer_id, "forbid": pin.forbid}


# ---------------------------------------------------------------- round locks


def locks_of(session: Session, week: Week) -> list[RoundLock]:
    return list(session.exec(select(RoundLock).where(RoundLock.week_id == week.id)
                             .order_by(RoundLock.day, RoundLock.vehicle_id)))


def locked_rounds(session: Session, week: Week, consumers: set[str]) -> dict[str, list[tuple[str, list[str]]]]:
    """Day → the locked rounds as (vehicle, consumer ids in their locked order, still in the week)."""
    out: dict[str, list[tuple[str, list[str]]]] = {}
    for lock in locks_of(session, week):
        out.setdefault(lock.day.isoformat(), []).append(
            (lock.vehicle_id, [site for site in lock.stop_ids if site in consumers]))
    return out


def is_locked(session: Session, week: Week) -> set[tuple[str, str]]:
    return {(lock.day.isoformat(), lock.vehicle_id) for lock in locks_of(session, week)}


def set_locked(session: Session, rnd: Round, locked: bool, actor: str) -> Round:
    """Lock (or unlock) a round's order: the next routings keep it, inserting new stops if any."""
    week = session.get(Week, rnd.week_id)
    _check_plannable(week, "locked")
    lock = session.exec(select(RoundLock).where(RoundLock.week_id == week.id, RoundLock.day == rnd.day,
                                                RoundLock.vehicle_id == rnd.vehicle_id)).first()
    if locked:
        stops = [s.site_id for s in rounds.stops_of(session, [rnd])[rnd.id]]
        lock = lock or RoundLock(week_id=week.id, day=rnd.day, vehicle_id=rnd.vehicle_id, stop_ids=[],
                                 locked_by=actor, locked_at=datetime.now(UTC))
        lock.stop_ids, lock.locked_by, lock.locked_at = stops, actor, datetime.now(UTC)
        session.add(lock)
    elif lock is not None:
        session.delete(lock)
    rnd.locked = locked
    session.add(rnd)
    session.flush()
    audit.record(session, None, "round", rnd.id, "lock" if locked else "unlock", None,
                 {"vehicle": rnd.vehicle_id, "day": rnd.day.isoformat(), "locked": locked}, week.id, actor=actor)
    return rnd
