"""Use cases of households' accounts: the week's basket charges, payments recorded at collection by
the relay point's manager (cash, card, transfer, MANNE), a member's balances and statement, and the
members below the territory's floor (flagged to the manager, never refused a basket).

Who: the coordinator and the manager of the member's relay point record payments; the member reads
its own account (others get 404, as for the member itself: `services.members.get_member`). Every
function works in the caller's unit of work and never commits.
"""
from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from sqlmodel import Session, select

from app.models import BasketType, Collection, Member, Payment, User, Week
from app.services import ledger
from app.services.members import get_member, manages, relay_point
from orders.billing import accounts as A
from orders.billing import members as M
from orders.billing import postings
from orders.billing.money import EUR, MANNE, ZERO, positive
from orders.errors import InvalidInput, NotFound

FOOD_VAT = 5.5  # a basket is food


def label_of(member_id: int) -> str:
    """How a household appears in the books (no personal data: an erasure leaves nothing there)."""
    return f"Adhérent n° {member_id}"


def charge_week(session: Session, week: Week, actor: str, today: date | None = None) -> int:
    """Post (or settle) the basket charges of the week's collections by each relay point's rule;
    the number of entries posted (0 on a second run with nothing changed)."""
    cfg = ledger.settings(session, week.territory_id)
    types = {b.id: b for b in session.exec(select(BasketType))}
    posted = 0
    for row in session.exec(select(Collection).where(Collection.week_id == week.id).order_by(Collection.id)):
        basket = types.get(row.basket_type_id)
        if basket is None:
            continue
        count = M.charged_count(M.charge_rule_of(cfg.charge_rules or {}, row.relay_point_id), row.count, row.collected)
        target = Decimal(str(basket.price_eur)) * count
        source_id = f"{row.id}"
        already = ledger.posted_amount(session, week.territory_id, "collection", source_id, A.CUSTOMERS)
        delta = (target - already).quantize(Decimal("0.01"))
        if delta == 0:
            continue
        entry = postings.basket_charge(row.day, row.member_id, label_of(row.member_id), delta, FOOD_VAT,
                                       basket.name or basket.id, source_id)
        ledger.post(session, week.territory_id, entry, actor)
        posted += 1
    return posted


def _territory_of(session: Session, member: Member) -> str:
    from app.models import Site

    return session.get(Site, member.relay_point_id).territory_id


def balance(session: Session, member: Member) -> tuple[M.MemberBalance, list]:
    territory_id = _territory_of(session, member)
    cfg = ledger.settings(session, territory_id)
    entries = ledger.entries(session, territory_id, aux=A.member_aux(member.id))
    return M.member_balance(entries, member.id, ledger.from_cents(cfg.member_floor_cents)), entries


def account(session: Session, user: User, member_id: int) -> dict:
    """Balances (EUR, MANNE) and the statement per unit, for the member, its manager or the coordinator."""
    member = get_member(session, user, member_id)
    bal, entries = balance(session, member)
    cfg = ledger.settings(session, _territory_of(session, member))

    def movements(unit: str) -> list[dict]:
        return [{"day": e.day, "label": e.label, "amount": amount, "balance": running, "source": e.source,
                 "entry_id": e.id} for e, amount, running in M.statement(entries, member.id, unit)]

    return {"member_id": member.id, "balances": {EUR: bal.eur, MANNE: bal.manne}, "floor_eur": bal.floor_eur,
            "below_floor": bal.below_floor, "eur_per_manne": ledger.eur_per_manne(cfg),
            "entries": {EUR: movements(EUR), MANNE: movements(MANNE)}}


def record_payment(session: Session, user: User, member_id: int, data: dict, today: date | None = None) -> Payment:
    """A payment handed over at collection (`amount` in euros, or in MANNE for method `manne`)."""
    member = get_member(session, user, member_id, own_ok=False)
    if not manages(user, member.relay_point_id):
        raise NotFound(f"Member {member_id} not found.", "Adhérent introuvable.", "member_id")
    method = data.get("method")
    if method not in A.PAYMENT_METHODS:
        raise InvalidInput(f"method must be one of {', '.join(A.PAYMENT_METHODS)}.",
                           "Moyen de paiement inconnu : espèces, carte, virement ou MANNE.", "method")
    amount = positive(data.get("amount", 0), "amount")
    territory_id = _territory_of(session, member)
    cfg = ledger.settings(session, territory_id)
    if method == "manne":
        bal, _ = balance(session, member)
        M.check_manne(bal.manne, amount)
    day = data.get("day") or today or ledger.today()
    row = Payment(member_id=member.id, relay_point_id=member.relay_point_id, day=day, method=method,
                  amount_cents=ledger.to_cents(amount), note=(data.get("note") or None), recorded_at=datetime.now(UTC),
                  recorded_by=user.name)
    session.add(row)
    session.flush()
    ledger.post_all(session, territory_id, postings.payment(day, member.id, label_of(member.id), method, amount,
                                                            row.id, ledger.eur_per_manne(cfg)), user.name)
    return row


def list_payments(session: Session, user: User, member_id: int) -> list[Payment]:
    member = get_member(session, user, member_id)
    return list(session.exec(select(Payment).where(Payment.member_id == member.id).order_by(Payment.day, Payment.id)))


def flagged(session: Session, user: User, site_id: str) -> list[tuple[Member, M.MemberBalance]]:
    """The relay point's members whose euro balance is below the territory's floor."""
    relay_point(session, user, site_id)
    out = []
    for member in session.exec(select(Member).where(Member.relay_point_id == site_id, Member.status == "active")
                               .order_by(Member.id)):
        bal, _ = balance(session, member)
        if bal.below_floor:
            out.append((member, bal))
    return out


def amount_of(payment: Payment) -> Decimal:
    return ledger.from_cents(payment.amount_cents) if payment.amount_cents else ZERO
