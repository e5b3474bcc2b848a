"""Use cases of a relay point's households: members, subscriptions, pauses, extras, pickup slots,
the relay point's settings and its waiting list.

Who sees what (RGPD): a member's personal data (name, e-mail, phone, notes) is read and changed only
by the manager of the member's relay point (role `relay` with that `site_id`) and the coordinator;
the member itself (role `member`, `Member.user_id`) reads its own row and pauses itself. Anyone
else gets 404 for a member (its existence is personal data too) and 403 for a relay point's lists.
The audit trail records member changes without the personal fields, so an erasure leaves nothing
behind in it.

Every function checks before it writes (nothing stored when a check fails) and never commits: the
caller's unit of work does. E-mails (a place offered) are returned as `MemberMessage`s, sent by the
caller after its commit (`app/services/member_mail.py`).
"""
from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.models import (
    BasketType,
    ExtraBasket,
    Member,
    Pause,
    PickupSlot,
    RelayMembership,
    Site,
    Subscription,
    User,
)
from app.services import audit
from app.services.member_mail import MemberMessage, place_offered
from orders.errors import Conflict, Forbidden, InvalidInput, NotFound, PreconditionFailed
from orders.members import CUT_RULES, FREQUENCIES

PERSONAL = ("name", "email", "phone", "notes")
HOLDING = ("active", "offered")  # statuses that hold a place in a slot


def _now() -> datetime:
    return datetime.now(UTC)


def _snapshot(row) -> dict | None:
    """An audit snapshot without personal data."""
    data = audit.snapshot(row)
    return {k: v for k, v in data.items() if k not in PERSONAL} if data else None


# --------------------------------------------------------------------------- access


def manages(user: User, relay_point_id: str) -> bool:
    return user.role == "coordinator" or (user.role == "relay" and user.site_id == relay_point_id)


def relay_point(session: Session, user: User, site_id: str, field: str = "site_id") -> Site:
    """The relay point a manager acts on: 404 when unknown or not a relay point, 403 for others."""
    site = session.get(Site, site_id)
    if site is None or site.kind != "relay":
        raise NotFound(f"Unknown relay point {site_id!r}.", f"Point relais inconnu : {site_id}.", field)
    if not manages(user, site_id):
        raise Forbidden("Only this relay point's manager and the coordinator see its members.",
                        "Seuls le responsable de ce point relais et la coordination voient ses adhérents.", field)
    return site


def member_of_user(session: Session, user: User) -> Member | None:
    if user.role != "member":
        return None
    return session.exec(select(Member).where(Member.user_id == user.id)).first()


def get_member(session: Session, user: User, member_id: int, *, own_ok: bool = True) -> Member:
    """The member, for its relay point's manager, the coordinator or (`own_ok`) itself; else 404."""
    member = session.get(Member, member_id)
    allowed = member is not None and member.status != "erased" and (
        manages(user, member.relay_point_id) or (own_ok and user.role == "member" and member.user_id == user.id))
    if not allowed:
        raise NotFound(f"Member {member_id} not found.", "Adhérent introuvable.", "member_id")
    return member


def _check_version(row, expected: int | None) -> None:
    if expected is not None and expected != row.version:
        raise PreconditionFailed(f"Stale write: the resource is no longer at version {expected}; reload it.",
                                 "Quelqu'un a modifié cette ressource entre-temps : rechargez-la.", "If-Match")


# --------------------------------------------------------------------------- settings and slots


def settings(session: Session, site_id: str) -> RelayMembership:
    return session.get(RelayMembership, site_id) or RelayMembership(relay_point_id=site_id)


def update_settings(session: Session, user: User, site_id: str, data: dict) -> RelayMembership:
    relay_point(session, user, site_id)
    row = settings(session, site_id)
    if "cut_rule" in data:
        if data["cut_rule"] not in CUT_RULES:
            raise InvalidInput(f"Unknown cut rule {data['cut_rule']!r}; expected one of {', '.join(CUT_RULES)}.",
                               "Règle inconnue : « rotation » (chacun son tour) ou « seniority » (par date "
                               "d'abonnement).", "cut_rule")
        row.cut_rule = data["cut_rule"]
    if "basket_types" in data:
        known = set(session.exec(select(BasketType.id)).all())
        for i, type_id in enumerate(data["basket_types"]):
            if type_id not in known:
                raise InvalidInput(f"Unknown basket type {type_id!r}.", f"Type de panier inconnu : {type_id}.",
                                   f"basket_types.{i}")
        row.basket_types = sorted(set(data["basket_types"]))
    session.add(row)
    return row


def offered_types(session: Session, site_id: str) -> list[str]:
    """The basket types a relay point offers (its settings; every type when it names none)."""
    chosen = settings(session, site_id).basket_types
    return list(chosen) if chosen else sorted(session.exec(select(BasketType.id)).all())


def list_slots(session: Session, user: User, site_id: str) -> list[PickupSlot]:
    relay_point(session, user, site_id)
    return list(session.exec(select(PickupSlot).where(PickupSlot.relay_point_id == site_id)
                             .order_by(PickupSlot.weekday, PickupSlot.start, PickupSlot.id)).all())


def _hhmm(value: str, field: str) -> str:
    parts = value.split(":") if isinstance(value, str) else []
    if len(parts) != 2 or not all(p.isdigit() and len(p) == 2 for p in parts) or int(parts[0]) > 23 \
            or int(parts[1]) > 59:
        raise InvalidInput(f"{field} must be HH:MM.", "Heure attendue au format HH:MM (ex. 17:30).", field)
    return value


def create_slot(session: Session, user: User, site_id: str, data: dict, now: datetime | None = None
                ) -> tuple[PickupSlot, list[MemberMessage]]:
    relay_point(session, user, site_id)
    start, end = _hhmm(data["start"], "start"), _hhmm(data["end"], "end")
    if end <= start:
        raise InvalidInput("The slot ends before it starts.", "Le créneau se termine avant de commencer.", "end")
    if not 0 <= data["weekday"] <= 6:
        raise InvalidInput("weekday is 0 (Monday) to 6 (Sunday).", "Jour attendu de 0 (lundi) à 6 (dimanche).",
                           "weekday")
    slot = PickupSlot(relay_point_id=site_id, weekday=data["weekday"], start=start, end=end,
                      capacity_baskets=data["capacity_baskets"], capacity_crates=data.get("capacity_crates"))
    session.add(slot)
    session.flush()
    return slot, []


def update_slot(session: Session, user: User, site_id: str, slot_id: int, data: dict,
                now: datetime | None = None) -> tuple[PickupSlot, list[MemberMessage]]:
    relay_point(session, user, site_id)
    slot = session.get(PickupSlot, slot_id)
    if slot is None or slot.relay_point_id != site_id:
        raise NotFound(f"Slot {slot_id} not found.", "Créneau introuvable.", "slot_id")
    for key in ("capacity_baskets", "capacity_crates"):
        if key in data:
            setattr(slot, key, data[key])
    session.add(slot)
    session.flush()
    return slot, offer_free_places(session, slot, now or _now())


def capacity(slot: PickupSlot) -> int:
    """Baskets a slot holds: its baskets, and at most its crates (one basket travels in one crate)."""
    if slot.capacity_crates is None:
        return slot.capacity_baskets
    return min(slot.capacity_baskets, slot.capacity_crates)


def places_taken(session: Session, slot_id: int, today: date) -> int:
    return session.exec(select(func.count()).select_from(Subscription).where(
        Subscription.slot_id == slot_id, col(Subscription.status).in_(HOLDING),
        (Subscription.end == None) | (Subscription.end >= today))).one()  # noqa: E711


# --------------------------------------------------------------------------- members


def list_members(session: Session, user: User, site_id: str, status: str | None = None) -> list[Member]:
    relay_point(session, user, site_id)
    query = select(Member).where(Member.relay_point_id == site_id, Member.status != "erased")
    if status:
        query = query.where(Member.status == status)
    return list(session.exec(query.order_by(Member.name, Member.id)).all())


def create_member(session: Session, user: User, site_id: str, data: dict) -> Member:
    relay_point(session, user, site_id)
    if not (data.get("name") or "").strip():
        raise InvalidInput("A member needs a name.", "Le nom du foyer est obligatoire.", "name")
    member = Member(relay_point_id=site_id, name=data["name"].strip(), email=data.get("email"),
                    phone=data.get("phone"), notes=data.get("notes"), created_at=_now())
    session.add(member)
    session.flush()
    audit.record(session, user, "member", member.id, "create", None, _snapshot(member))
    return member


def update_member(session: Session, user: User, member_id: int, changes: dict, expected: int | None) -> Member:
    member = get_member(session, user, member_id, own_ok=False)
    _check_version(member, expected)
    before = _snapshot(member)
    if "name" in changes and not (changes["name"] or "").strip():
        raise InvalidInput("A member needs a name.", "Le nom du foyer est obligatoire.", "name")
    if changes.get("status") not in (None, "active", "left"):
        raise InvalidInput("status is active or left.", "Statut attendu : actif ou parti.", "status")
    for key in ("name", "email", "phone", "notes", "status"):
        if key in changes:
            setattr(member, key, changes[key])
    member.version += 1
    session.add(member)
    audit.record(session, user, "member", member.id, "update", before, _snapshot(member))
    return member


def delete_member(session: Session, user: User, member_id: int, expected: int | None,
                  now: datetime | None = None) -> list[MemberMessage]:
    """The household leaves: its subscriptions end today and their places go to the waiting list.

    The row stays (status `left`) so past collections still count; `flask members erase` removes
    the personal data."""
    member = get_member(session, user, member_id, own_ok=False)
    _check_version(member, expected)
    now = now or _now()
    before = _snapshot(member)
    member.status = "left"
    member.version += 1
    session.add(member)
    messages: list[MemberMessage] = []
    slots = set()
    for sub in session.exec(select(Subscription).where(Subscription.member_id == member.id,
                                                       Subscription.status != "ended")).all():
        slots.add(sub.slot_id)
        sub.status = "ended"
        sub.end = min(sub.end or now.date(), now.date())
        session.add(sub)
    session.flush()
    for slot_id in sorted(slots):
        messages += offer_free_places(session, session.get(PickupSlot, slot_id), now)
    audit.record(session, user, "member", member.id, "delete", before, _snapshot(member))
    return messages


# --------------------------------------------------------------------------- subscriptions


def list_subscriptions(session: Session, user: User, member_id: int) -> list[Subscription]:
    get_member(session, user, member_id)
    return list(session.exec(select(Subscription).where(Subscription.member_id == member_id)
                             .order_by(Subscription.created_at, Subscription.id)).all())


def create_subscription(session: Session, user: User, member_id: int, data: dict,
                        now: datetime | None = None) -> Subscription:
    """Subscribe a member; beyond the slot's capacity the subscription waits (status `waiting`)."""
    member = get_member(session, user, member_id, own_ok=False)
    now = now or _now()
    type_id = data["basket_type_id"]
    if type_id not in offered_types(session, member.relay_point_id):
        raise InvalidInput(f"Relay point {member.relay_point_id!r} does not offer basket type {type_id!r}.",
                           f"Ce point relais ne propose pas le type de panier « {type_id} ».", "basket_type_id")
    if data.get("frequency", "weekly") not in FREQUENCIES:
        raise InvalidInput("frequency is weekly or every_other_week.",
                           "Fréquence attendue : chaque semaine ou une semaine sur deux.", "frequency")
    slot = _slot_for(session, member.relay_point_id, data.get("slot_id"))
    if data.get("end") is not None and data["end"] < data["start"]:
        raise InvalidInput("The subscription ends before it starts.",
                           "L'abonnement se termine avant de commencer.", "end")
    full = places_taken(session, slot.id, now.date()) >= capacity(slot)
    sub = Subscription(member_id=member.id, basket_type_id=type_id, slot_id=slot.id,
                       frequency=data.get("frequency", "weekly"), start=data["start"], end=data.get("end"),
                       skip_school_holidays=data.get("skip_school_holidays", False),
                       status="waiting" if full else "active", created_at=now)
    session.add(sub)
    session.flush()
    audit.record(session, user, "subscription", sub.id, "create", None, audit.snapshot(sub))
    return sub


def _slot_for(session: Session, site_id: str, slot_id: int | None) -> PickupSlot:
    if slot_id is None:
        slot = session.exec(select(PickupSlot).where(PickupSlot.relay_point_id == site_id)
                            .order_by(PickupSlot.weekday, PickupSlot.start, PickupSlot.id)).first()
        if slot is None:
            raise InvalidInput("The relay point has no pickup slot yet.",
                               "Le point relais n'a encore aucun créneau de retrait.", "slot_id")
        return slot
    slot = session.get(PickupSlot, slot_id)
    if slot is None or slot.relay_point_id != site_id:
        raise InvalidInput(f"Slot {slot_id} is not one of this relay point's.",
                           "Ce créneau n'appartient pas au point relais de l'adhérent.", "slot_id")
    return slot


def end_subscription(session: Session, user: User, member_id: int, subscription_id: int,
                     now: datetime | None = None) -> list[MemberMessage]:
    get_member(session, user, member_id, own_ok=False)
    sub = session.get(Subscription, subscription_id)
    if sub is None or sub.member_id != member_id:
        raise NotFound(f"Subscription {subscription_id} not found.", "Abonnement introuvable.", "subscription_id")
    now = now or _now()
    before = audit.snapshot(sub)
    sub.status, sub.end = "ended", min(sub.end or now.date(), now.date())
    session.add(sub)
    session.flush()
    audit.record(session, user, "subscription", sub.id, "update", before, audit.snapshot(sub))
    return offer_free_places(session, session.get(PickupSlot, sub.slot_id), now)


# --------------------------------------------------------------------------- waiting list


def waiting_list(session: Session, user: User, site_id: str) -> list[tuple[Subscription, Member, int]]:
    """Waiting and offered subscriptions in order (first come first offered), with their rank."""
    relay_point(session, user, site_id)
    rows = session.exec(select(Subscription, Member).join(Member, Member.id == Subscription.member_id)
                        .where(Member.relay_point_id == site_id, col(Subscription.status).in_(("waiting", "offered")))
                        .order_by(Subscription.created_at, Subscription.id)).all()
    return [(sub, member, rank) for rank, (sub, member) in enumerate(rows, start=1)]


def offer_free_places(session: Session, slot: PickupSlot, now: datetime) -> list[MemberMessage]:
    """Offer the slot's free places to the waiting subscriptions, in order; the e-mails to send."""
    free = capacity(slot) - places_taken(session, slot.id, now.date())
    if free <= 0:
        return []
    waiting = session.exec(select(Subscription).where(Subscription.slot_id == slot.id,
                                                      Subscription.status == "waiting")
                           .order_by(Subscription.created_at, Subscription.id).limit(free)).all()
    messages = []
    for sub in waiting:
        sub.status, sub.offered_at = "offered", now
        session.add(sub)
        member = session.get(Member, sub.member_id)
        messages.append(place_offered(member, sub, slot, session.get(BasketType, sub.basket_type_id),
                                      session.get(Site, slot.relay_point_id)))
    session.flush()
    return messages


def answer_offer(session: Session, user: User, subscription_id: int, accept: bool,
                 now: datetime | None = None, site_id: str | None = None) -> tuple[Subscription, list[MemberMessage]]:
    """The household takes the offered place (active) or lets it go (ended; the next one is offered)."""
    sub = session.get(Subscription, subscription_id)
    member = get_member(session, user, sub.member_id) if sub is not None else None
    if sub is None or (site_id is not None and member.relay_point_id != site_id):
        raise NotFound(f"Subscription {subscription_id} not found.", "Abonnement introuvable.", "subscription_id")
    if sub.status != "offered":
        raise Conflict("No place is offered to this subscription.",
                       "Aucune place n'est proposée à cet abonnement pour l'instant.", "subscription_id")
    now = now or _now()
    before = audit.snapshot(sub)
    if accept:
        sub.status, sub.start = "active", max(sub.start, now.date())
        messages: list[MemberMessage] = []
    else:
        sub.status, sub.end = "ended", now.date()
    session.add(sub)
    session.flush()
    if not accept:
        messages = offer_free_places(session, session.get(PickupSlot, sub.slot_id), now)
    audit.record(session, user, "subscription", sub.id, "update", before, audit.snapshot(sub))
    return sub, messages


# --------------------------------------------------------------------------- pauses and extras


def list_pauses(session: Session, user: User, member_id: int) -> list[Pause]:
    get_member(session, user, member_id)
    return list(session.exec(select(Pause).where(Pause.member_id == member_id).order_by(Pause.start)).all())


def create_pause(session: Session, user: User, member_id: int, start: date, end: date) -> Pause:
    member = get_member(session, user, member_id)
    if end < start:
        raise InvalidInput("The pause ends before it starts.", "La pause se termine avant de commencer.", "end")
    pause = Pause(member_id=member.id, start=start, end=end, created_at=_now())
    session.add(pause)
    session.flush()
    audit.record(session, user, "pause", pause.id, "create", None, audit.snapshot(pause))
    return pause


def delete_pause(session: Session, user: User, member_id: int, pause_id: int) -> None:
    get_member(session, user, member_id)
    pause = session.get(Pause, pause_id)
    if pause is None or pause.member_id != member_id:
        raise NotFound(f"Pause {pause_id} not found.", "Pause introuvable.", "pause_id")
    audit.record(session, user, "pause", pause.id, "delete", audit.snapshot(pause), None)
    session.delete(pause)


def list_extras(session: Session, user: User, member_id: int) -> list[ExtraBasket]:
    get_member(session, user, member_id)
    return list(session.exec(select(ExtraBasket).where(ExtraBasket.member_id == member_id)
                             .order_by(ExtraBasket.day)).all())


def create_extra(session: Session, user: User, member_id: int, data: dict) -> ExtraBasket:
    member = get_member(session, user, member_id, own_ok=False)
    if data["basket_type_id"] not in offered_types(session, member.relay_point_id):
        raise InvalidInput(f"Relay point {member.relay_point_id!r} does not offer {data['basket_type_id']!r}.",
                           f"Ce point relais ne propose pas le type de panier « {data['basket_type_id']} ».",
                           "basket_type_id")
    extra = ExtraBasket(member_id=member.id, basket_type_id=data["basket_type_id"], day=data["day"],
                        count=data.get("count", 1), created_at=_now())
    session.add(extra)
    session.flush()
    audit.record(session, user, "extra_basket", extra.id, "create", None, audit.snapshot(extra))
    return extra


# --------------------------------------------------------------------------- sign-in


def link_user(session: Session, user: User, member_id: int, name: str, email: str | None = None) -> User:
    """Give a member a sign-in (role `member`); the password is set with `flask users set-password`."""
    from app.auth import create_user

    member = get_member(session, user, member_id, own_ok=False)
    if member.user_id is not None:
        raise Conflict("This member already has a sign-in.", "Cet adhérent a déjà un identifiant.", "member_id")
    account, _token = create_user(session, name, "member", None, email or member.email)
    member.user_id = account.id
    session.add(member)
    return account
