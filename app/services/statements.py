"""Use cases of producers' statements: a producer's week or month (what it supplied × its price,
less the collective's commission), its PDF and CSV, and the week's supply entries in the ledger.

Who: the coordinator, or the producer itself (role `producer` with that site); others get 403.
Never commits.
"""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from sqlmodel import Session, select

from app.models import Site, User, Week
from app.services import billing, ledger, planning
from orders.billing import accounts as A
from orders.billing import postings
from orders.billing import statements as ST
from orders.billing.delivered import Supplied
from orders.billing.money import cents, dec
from orders.errors import Forbidden, InvalidInput, NotFound

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def _producer(session: Session, user: User, producer_id: str) -> Site:
    site = session.get(Site, producer_id)
    if site is None or site.kind != "producer":
        raise NotFound(f"Unknown producer {producer_id!r}.", f"Producteur inconnu : {producer_id}.", "producer_id")
    if not (user.role == "coordinator" or (user.role == "producer" and user.site_id == producer_id)):
        raise Forbidden("A producer reads its own statements only.",
                        "Un producteur ne lit que ses propres relevés.", "producer_id")
    return site


def commission_rate(session: Session, territory_id: str) -> Decimal:
    return dec(ledger.settings(session, territory_id).commission_rate)


def _weeks(session: Session, territory_id: str, month: str | None, week: str | None) -> list[Week]:
    rows = list(session.exec(select(Week).where(Week.territory_id == territory_id).order_by(Week.iso_week)))
    if week:
        return [w for w in rows if w.iso_week == week]
    out = []
    for w in rows:
        monday = date.fromisocalendar(int(w.iso_week[:4]), int(w.iso_week[6:]), 1)
        sunday = date.fromisocalendar(int(w.iso_week[:4]), int(w.iso_week[6:]), 7)
        if monday.strftime("%Y-%m") <= month <= sunday.strftime("%Y-%m"):
            out.append(w)
    return out


def statement(session: Session, user: User, producer_id: str, month: str | None = None,
              week: str | None = None) -> ST.Statement:
    """The producer's statement of `month` ("YYYY-MM") or of one `week` ("YYYY-Www")."""
    site = _producer(session, user, producer_id)
    if bool(month) == bool(week):
        raise InvalidInput("Give month=YYYY-MM or week=YYYY-Www.", "Indiquez un mois (AAAA-MM) ou une semaine.",
                           "month")
    if month and not MONTH.match(month):
        raise InvalidInput("month: YYYY-MM expected.", "Mois attendu au format AAAA-MM.", "month")
    names = {p: (info.name, info.unit) for p, info in billing.products(session).items()}
    consumers = {s.id: s.name for s in session.exec(select(Site))}
    lines: list[ST.StatementLine] = []
    for w in _weeks(session, site.territory_id, month, week):
        if planning.current_plan(session, w) is None:
            continue
        lines += ST.lines_of(w.iso_week, billing.supplied(session, w), producer_id, names, consumers, month)
    return ST.Statement(producer_id, month or week, tuple(lines), commission_rate(session, site.territory_id),
                        site.name)


def post_supplies(session: Session, week: Week, rows: tuple[Supplied, ...], actor: str,
                  today: date | None = None) -> int:
    """Post (or settle) each producer's supply of the week: 607 / 401, the commission 401 / 706."""
    rate = commission_rate(session, week.territory_id)
    names = {s.id: s.name for s in session.exec(select(Site).where(Site.kind == "producer"))}
    gross: dict[str, Decimal] = {}
    for s in rows:
        gross[s.producer] = gross.get(s.producer, Decimal(0)) + cents(dec(s.quantity) * dec(s.unit_price))
    day = today or ledger.today()
    posted = 0
    for producer, amount in sorted(gross.items()):
        source_id = f"{week.iso_week}:{producer}"
        already = ledger.posted_amount(session, week.territory_id, "supply", source_id, A.PURCHASES)
        delta = cents(amount - already)
        if delta == 0:
            continue
        already_commission = -ledger.posted_amount(session, week.territory_id, "supply", source_id, A.COMMISSIONS)
        commission = cents(cents(amount * rate) - already_commission)
        ledger.post(session, week.territory_id, postings.supply(day, producer, names.get(producer, producer), delta,
                                                                commission, week.iso_week, source_id), actor)
        posted += 1
    return posted
