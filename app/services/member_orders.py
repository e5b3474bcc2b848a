"""Use cases from members to baskets: derive the week's basket orders, hand out the planned baskets
(who goes without when the plan cuts), and record the collections ticked at the relay point.

* `derive_orders` reads the members' rows into `orders.members` and writes the result as basket
  orders marked `derived_from_members`, with the derived count kept in `derived_count`. A row the
  manager changed since (its `count` differs from its `derived_count`) keeps the manager's count;
  a basket order entered by hand (not derived) is never touched. Called by the cycle in the step
  that closes orders (the same unit of work as the transition) and on demand by
  `POST /api/v1/weeks/{week}/basket-orders/derive` while the orders are open.
* `allot_week` compares the current plan's baskets with what the members are due and stores one
  `Collection` row per member, day and basket type (`count` handed out, `cut` gone without, by
  the relay point's rule: `orders.members.choose_cut`), returning the French e-mails for the cut
  households. Re-run after a re-plan, it keeps the ticks already recorded.
* `record_collections` stores the relay manager's ticks for a day: ticked = collected, the rest
  of the day's baskets = not collected.
"""
from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlmodel import Session, col, select

from app.models import (
    BasketOrder,
    BasketType,
    Collection,
    ExtraBasket,
    Member,
    Pause,
    PickupSlot,
    RelayMembership,
    Site,
    Subscription,
    User,
    Week,
)
from app.services import audit, weeks
from app.services.member_mail import MemberMessage, basket_cut
from orders import calendar
from orders import members as M
from orders.errors import Conflict, InvalidInput

log = logging.getLogger(__name__)


def _now() -> datetime:
    return datetime.now(UTC)


def _school_holiday(day: date) -> bool:
    try:
        return calendar.is_school_holiday(day)
    except calendar.SchoolCalendarUnknown:
        log.warning("members.school_calendar_unknown day=%s: the school holidays are not applied", day)
        return False


def week_days(week: Week) -> tuple[date, ...]:
    return tuple(sorted(date.fromisoformat(d) for d in (week.delivery_days or [])))


def member_inputs(session: Session, week: Week, relay_point_ids: list[str] | None = None):
    """The week's subscriptions, pauses and extras of the territory's (or the given) relay points."""
    sites = select(Site.id).where(Site.territory_id == week.territory_id, Site.kind == "relay")
    if relay_point_ids is not None:
        sites = sites.where(col(Site.id).in_(relay_point_ids))
    site_ids = set(session.exec(sites).all())
    days = week_days(week)
    first, last = (days[0], days[-1]) if days else (weeks.week_dates(week.iso_week))
    # plain columns, not ORM objects: a regional week reads tens of thousands of subscriptions
    rows = session.exec(select(Subscription.id, Subscription.member_id, Member.relay_point_id,
                               Subscription.basket_type_id, PickupSlot.weekday, Subscription.start,
                               Subscription.end, Subscription.frequency, Subscription.skip_school_holidays)
                        .join(Member, Member.id == Subscription.member_id)
                        .join(PickupSlot, PickupSlot.id == Subscription.slot_id)
                        .where(col(Member.relay_point_id).in_(site_ids), Member.status == "active",
                               Subscription.status == "active", Subscription.start <= last,
                               (Subscription.end == None) | (Subscription.end >= first))).all()  # noqa: E711
    subs = [M.SubscriptionLine(*row) for row in rows]
    members = {s.member for s in subs}
    pauses = [M.PauseSpan(*p) for p in session.exec(
        select(Pause.member_id, Pause.start, Pause.end).join(Member, Member.id == Pause.member_id)
        .where(col(Member.relay_point_id).in_(site_ids), Pause.start <= last, Pause.end >= first)).all()
        if p[0] in members]
    extras = [M.ExtraBasket(e.member_id, rp, e.basket_type_id, e.day, e.count) for e, rp in session.exec(
        select(ExtraBasket, Member.relay_point_id).join(Member, Member.id == ExtraBasket.member_id)
        .where(col(Member.relay_point_id).in_(site_ids), Member.status == "active",
               ExtraBasket.day >= first, ExtraBasket.day <= last)).all()]
    return site_ids, subs, pauses, extras


def derivation(session: Session, week: Week, relay_point_ids: list[str] | None = None) -> tuple[set[str], M.Derivation]:
    site_ids, subs, pauses, extras = member_inputs(session, week, relay_point_ids)
    return site_ids, M.derive_week(week.iso_week, subs, pauses, extras, week_days(week), _school_holiday)


@dataclass
class DeriveReport:
    week: str
    created: list[dict] = field(default_factory=list)
    updated: list[dict] = field(default_factory=list)
    removed: list[dict] = field(default_factory=list)
    kept_edited: list[dict] = field(default_factory=list)
    kept_by_hand: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"week": self.week, "created": self.created, "updated": self.updated, "removed": self.removed,
                "kept_edited": self.kept_edited, "kept_by_hand": self.kept_by_hand}


def derive_orders(session: Session, week: Week, *, user: User | None = None, actor: str | None = None,
                  relay_point_ids: list[str] | None = None) -> DeriveReport:
    """Write the members' basket orders of `week` (see the module docstring); never commits."""
    site_ids, result = derivation(session, week, relay_point_ids)
    with_members = {b.relay_point for b in result.baskets} | set(session.exec(
        select(Member.relay_point_id).where(col(Member.relay_point_id).in_(site_ids), Member.status == "active")
        .distinct()).all())
    report = DeriveReport(week.iso_week)
    existing = {(o.relay_point_id, o.day, o.basket_type_id): o for o in session.exec(
        select(BasketOrder).where(BasketOrder.week_id == week.id,
                                  col(BasketOrder.relay_point_id).in_(with_members))).all()}
    wanted = {(o.relay_point, o.day, o.basket_type): o.count for o in result.orders}
    new_rows = []
    for key in sorted(set(wanted) | {k for k, o in existing.items() if o.derived_from_members}):
        count = wanted.get(key, 0)
        row = existing.get(key)
        line = {"relay_point": key[0], "day": key[1].isoformat(), "basket_type": key[2], "count": count}
        if row is None:
            if count:
                new_rows.append(BasketOrder(week_id=week.id, relay_point_id=key[0], day=key[1],
                                            basket_type_id=key[2], count=count, derived_from_members=True,
                                            derived_count=count))
                report.created.append(line)
            continue
        if not row.derived_from_members:
            report.kept_by_hand.append({**line, "count": row.count, "derived": count})
            continue
        before = audit.snapshot(row)
        if row.derived_count is not None and row.count != row.derived_count:
            row.derived_count = count
            report.kept_edited.append({**line, "count": row.count, "derived": count})
        elif count == 0:
            audit.record(session, user, "basket_order", row.id, "delete", before, None, week.id, actor=actor)
            session.delete(row)
            report.removed.append(line)
            continue
        elif row.count != count:
            row.count = row.derived_count = count
            report.updated.append(line)
        else:
            continue
        row.version += 1
        session.add(row)
        audit.record(session, user, "basket_order", row.id, "update", before, audit.snapshot(row), week.id,
                     actor=actor)
    session.add_all(new_rows)
    session.flush()  # one flush for every new row (ids for their audit entries)
    for row in new_rows:
        audit.record(session, user, "basket_order", row.id, "create", None, audit.snapshot(row), week.id, actor=actor)
    session.flush()
    return report


def derive_on_demand(session: Session, user: User, week: Week, relay_point_id: str | None = None) -> DeriveReport:
    """`POST /weeks/{week}/basket-orders/derive`: the coordinator (every relay point, or one) or a relay
    point's manager (its own), while the orders are open."""
    if user.role == "relay":
        if relay_point_id not in (None, user.site_id):
            raise InvalidInput("A relay point's manager derives its own relay point only.",
                               "Un responsable de point relais ne calcule que sa propre commande.", "relay_point_id")
        relay_point_id = user.site_id
    if relay_point_id is not None:
        site = session.get(Site, relay_point_id)
        if site is None or site.kind != "relay" or site.territory_id != week.territory_id:
            raise InvalidInput(f"{relay_point_id!r} is not a relay point of this territory.",
                               f"« {relay_point_id} » n'est pas un point relais du territoire.", "relay_point_id")
    weeks.check_window(session, week, "orders")
    return derive_orders(session, week, user=user, relay_point_ids=[relay_point_id] if relay_point_id else None)


# --------------------------------------------------------------------------- handing out the plan


def _history(session: Session, week: Week, members: set[int]) -> dict[int, M.CutHistory]:
    past = session.exec(select(Collection.member_id, Week.iso_week).join(Week, Week.id == Collection.week_id)
                        .where(col(Collection.member_id).in_(members), Collection.cut > 0,
                               Week.iso_week < week.iso_week)).all()
    subscribed = {m: at for m, at in session.exec(
        select(Subscription.member_id, Subscription.created_at).where(col(Subscription.member_id).in_(members))
        .order_by(Subscription.created_at.desc())).all()}  # the earliest subscription wins (last written)
    return M.cut_history(past, {m: subscribed.get(m, datetime.min) for m in members})


def planned_baskets(session: Session, week: Week) -> dict[tuple[str, date, str], int] | None:
    from app.services import planning

    row = planning.current_plan(session, week)
    if row is None:
        return None
    return {(b.relay_point, date.fromisoformat(b.day), b.basket_type): b.count
            for b in planning.week_plan(row).baskets}


def allotment(session: Session, week: Week, relay_point_ids: list[str] | None = None) -> list[M.Cut]:
    """Who gets which baskets under the current plan (nothing stored): one `Cut` per relay point, day
    and basket type the members are due; without a plan, everyone gets what is due."""
    _, result = derivation(session, week, relay_point_ids)
    planned = planned_baskets(session, week)
    groups: dict[tuple[str, date, str], list[M.MemberBasket]] = defaultdict(list)
    for b in result.baskets:
        groups[(b.relay_point, b.day, b.basket_type)].append(b)
    if not groups:
        return []
    rules = {r.relay_point_id: r.cut_rule for r in session.exec(select(RelayMembership)).all()}
    history = _history(session, week, {b.member for b in result.baskets})
    cuts = []
    for key, baskets in sorted(groups.items()):
        due = sum(b.count for b in baskets)
        given = due if planned is None else planned.get(key, 0)
        cuts.append(M.choose_cut(baskets, given, rules.get(key[0], "rotation"), history))
    return cuts


def allot_week(session: Session, week: Week, relay_point_ids: list[str] | None = None) -> list[MemberMessage]:
    """Store the allotment as `Collection` rows (ticks kept); the e-mails for newly cut households."""
    cuts = allotment(session, week, relay_point_ids)
    existing = {(c.member_id, c.day, c.basket_type_id): c for c in session.exec(
        select(Collection).where(Collection.week_id == week.id)).all()}
    members = {m.id: m for m in session.exec(select(Member).where(
        col(Member.id).in_({m for c in cuts for m in c.kept}))).all()}
    sites = {s.id: s for s in session.exec(select(Site).where(Site.kind == "relay")).all()}
    types = {t.id: t for t in session.exec(select(BasketType)).all()}
    messages = []
    for cut in cuts:
        for member_id, kept in sorted(cut.kept.items()):
            gone = cut.members_cut.get(member_id, 0)
            row = existing.pop((member_id, cut.day, cut.basket_type), None)
            newly_cut = gone > (row.cut if row else 0)
            if row is None:
                row = Collection(week_id=week.id, member_id=member_id, relay_point_id=cut.relay_point, day=cut.day,
                                 basket_type_id=cut.basket_type, count=kept, cut=gone)
            row.count, row.cut = kept, gone
            session.add(row)
            if newly_cut:
                messages.append(basket_cut(members[member_id], sites[cut.relay_point], week.iso_week, cut.day,
                                           types.get(cut.basket_type), gone, kept))
    for row in existing.values():  # no longer due (a pause entered late): nothing to hand out
        if relay_point_ids is None or row.relay_point_id in relay_point_ids:
            row.count, row.cut = 0, 0
            session.add(row)
    session.flush()
    return messages


# --------------------------------------------------------------------------- collections


@dataclass(frozen=True, slots=True)
class SheetRow:
    collection_id: int | None
    member_id: int
    member: str
    basket_type: str
    count: int
    cut: int
    collected: bool | None


def sheet_rows(session: Session, week: Week, site_id: str, day: date) -> list[SheetRow]:
    """The day's members at a relay point: the stored collections, else the allotment of the plan."""
    stored = session.exec(select(Collection, Member.name).join(Member, Member.id == Collection.member_id)
                          .where(Collection.week_id == week.id, Collection.relay_point_id == site_id,
                                 Collection.day == day)).all()
    if stored:
        rows = [SheetRow(c.id, c.member_id, name, c.basket_type_id, c.count, c.cut, c.collected)
                for c, name in stored if c.count or c.cut]
    else:
        cuts = [c for c in allotment(session, week, [site_id]) if c.day == day]
        names = dict(session.exec(select(Member.id, Member.name).where(
            col(Member.id).in_({m for c in cuts for m in c.kept}))).all())
        rows = [SheetRow(None, m, names[m], c.basket_type, kept, c.members_cut.get(m, 0), None)
                for c in cuts for m, kept in c.kept.items()]
    return sorted(rows, key=lambda r: (r.member.casefold(), r.member_id, r.basket_type))


def record_collections(session: Session, user: User, week: Week, site_id: str, day: date,
                       collected: set[tuple[int, str]], now: datetime | None = None) -> list[Collection]:
    """The manager's ticks for `day`, as (member id, basket type): ticked collected, the other handed-out
    baskets not collected."""
    if day.isoformat() not in (week.delivery_days or []):
        raise InvalidInput(f"{day} is not a delivery day of {week.iso_week}.",
                           "Ce jour n'est pas un jour de livraison de la semaine.", "day")
    if week.state not in ("published", "delivered", "planned"):
        raise Conflict("Collections are recorded once the week is planned.",
                       "Les retraits se notent une fois la semaine planifiée.", "week")
    if not session.exec(select(Collection.id).where(Collection.week_id == week.id,
                                                    Collection.relay_point_id == site_id)).first():
        allot_week(session, week, [site_id])  # no e-mail here: the cycle tells the cut households
    rows = session.exec(select(Collection).where(Collection.week_id == week.id, Collection.relay_point_id == site_id,
                                                 Collection.day == day, Collection.count > 0)).all()
    unknown = collected - {(r.member_id, r.basket_type_id) for r in rows}
    if unknown:
        raise InvalidInput("Some ticked baskets are not this day's.",
                           "Certaines lignes cochées ne sont pas celles de ce jour.", "collected")
    now = now or _now()
    for row in rows:
        row.collected = (row.member_id, row.basket_type_id) in collected
        row.recorded_at, row.recorded_by = now, user.name
        session.add(row)
    audit.record(session, user, "collection", f"{site_id}:{day.isoformat()}", "update", None,
                 {"collected": sorted(r.id for r in rows if r.collected),
                  "not_collected": sorted(r.id for r in rows if not r.collected)}, week.id)
    return list(rows)


def collection_sheet(session: Session, week: Week, site: Site, day: date):
    """The signing sheet's view model (`reports.collection_sheet`) for a relay point and day."""
    from app.services.member_mail import slot_fr
    from reports.collection_sheet import CutLine, SheetLine, sheet_of

    if day.isoformat() not in (week.delivery_days or []):
        raise InvalidInput(f"{day} is not a delivery day of {week.iso_week}.",
                           "Ce jour n'est pas un jour de livraison de la semaine.", "day")
    names = {t.id: t.name for t in session.exec(select(BasketType)).all()}
    rows = sheet_rows(session, week, site.id, day)
    slots = session.exec(select(PickupSlot).where(PickupSlot.relay_point_id == site.id,
                                                  PickupSlot.weekday == day.weekday())
                         .order_by(PickupSlot.start)).all()
    return sheet_of(site.name, day, week.iso_week,
                    [SheetLine(r.member, names.get(r.basket_type, r.basket_type), r.count, r.collected)
                     for r in rows if r.count],
                    [CutLine(r.member, names.get(r.basket_type, r.basket_type), r.cut) for r in rows if r.cut],
                    ", ".join(f"retrait {slot_fr(s)}" for s in slots), site.address or "")
