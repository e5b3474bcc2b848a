"""Load the demo's households (`orders/demo_members.py`) into the demo relay points.

The demo week's basket orders of those relay points become derived from the members (they match
them exactly), so the cycle's derivation at the close keeps them, and the relay points' waiting
lists hold two households each. One household gets a sign-in for the members' page. Nothing is
loaded twice: a relay point that already has members is left as it is.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, select

from app.auth import issue_token
from app.models import BasketOrder, Member, PickupSlot, Subscription, User, Week
from orders.demo_members import demo_members
from orders.isoweek import week_monday
from orders.scenario import Scenario

DEMO_MEMBER_SIGN_IN = "rp-lens"  # the relay point whose first household signs in


def load_demo_members(session: Session, scenario: Scenario, week: Week, password_hash: str) -> dict[str, dict]:
    """Create the slots, households and subscriptions; return the demo sign-in (name → details)."""
    orders = [{"relay_point": o.relay_point, "day": o.day, "basket_type": o.basket_type, "count": o.count}
              for o in scenario.basket_orders]
    slots, people = demo_members(orders, week_monday(week.iso_week))
    taken = set(session.exec(select(Member.relay_point_id).distinct()).all())
    slot_ids: dict[tuple[str, int], int] = {}
    for slot in slots:
        if slot.relay_point in taken:
            continue
        row = PickupSlot(relay_point_id=slot.relay_point, weekday=slot.weekday, start=slot.start, end=slot.end,
                         capacity_baskets=slot.capacity_baskets)
        session.add(row)
        session.flush()
        slot_ids[(slot.relay_point, slot.weekday)] = row.id
    now = datetime.now(UTC)
    first_member: Member | None = None
    for rank, person in enumerate(people):
        if person.relay_point in taken:
            continue
        member = Member(relay_point_id=person.relay_point, name=person.name, email=person.email,
                        phone=person.phone or None, created_at=now - timedelta(days=400 - rank))
        session.add(member)
        session.flush()
        sub = person.subscription
        session.add(Subscription(member_id=member.id, basket_type_id=sub.basket_type,
                                 slot_id=slot_ids[(person.relay_point, sub.weekday)], start=sub.start,
                                 status="waiting" if sub.waiting else "active",
                                 created_at=datetime.combine(sub.start, datetime.min.time(), UTC)
                                 + timedelta(minutes=rank)))
        if first_member is None and person.relay_point == DEMO_MEMBER_SIGN_IN and not sub.waiting:
            first_member = member
    loaded = {p.relay_point for p in people} - taken
    for order in session.exec(select(BasketOrder).where(BasketOrder.week_id == week.id,
                                                        col(BasketOrder.relay_point_id).in_(loaded))).all():
        order.derived_from_members, order.derived_count = True, order.count
        session.add(order)
    out: dict[str, dict] = {}
    if first_member is not None and session.exec(select(User).where(User.name == first_member.name)).first() is None:
        user = User(name=first_member.name, role="member", email=first_member.email, password_hash=password_hash,
                    created_at=now)
        session.add(user)
        session.flush()
        first_member.user_id = user.id
        session.add(first_member)
        out[user.name] = {"role": "member", "site_id": None, "member_id": first_member.id,
                          "token": issue_token(session, user, label="demo")}
    session.flush()
    return out
