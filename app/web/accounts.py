"""Money on the pages: a member's balances and statement (on /adherent), and on the relay point's
page the payments recorded at collection and the households below the territory's floor.

Every amount a person reads goes through reports/formatting.py; a refused payment (not enough
MANNE, a negative amount…) is a French message on the page and stores nothing.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask import flash, redirect, request, url_for
from sqlmodel import select

from app.db import get_session, unit_of_work
from app.models import Member, Payment, Site
from app.services import member_accounts
from app.web.blueprint import blp
from app.web.common import own_site, page, user
from orders.billing.accounts import METHODS_FR, PAYMENT_METHODS
from orders.billing.money import EUR, MANNE
from orders.errors import DomainError
from reports import formatting

SOURCES_FR = {"collection": "panier", "payment": "paiement", "garden": "jardin", "reversal": "correction"}


def manne(value: Decimal) -> str:
    return f"{formatting.number(value, 2, keep_zeros=True)}{formatting.NBSP}MANNE"


def _fmt(unit: str, value: Decimal) -> str:
    return formatting.money(value) if unit == EUR else manne(value)


def member_account_view(member: Member) -> dict:
    """What the member's page shows of its account (formatted, newest movements first)."""
    data = member_accounts.account(get_session(), user(), member.id)
    movements = []
    for unit in (EUR, MANNE):
        for m in data["entries"][unit]:
            movements.append({"day": m["day"], "label": m["label"], "unit": "€" if unit == EUR else "MANNE",
                              "amount": _fmt(unit, m["amount"]), "balance": _fmt(unit, m["balance"]),
                              "kind": SOURCES_FR.get(m["source"], "")})
    movements.sort(key=lambda m: m["day"], reverse=True)
    return {"eur": formatting.money(data["balances"][EUR]), "manne": manne(data["balances"][MANNE]),
            "below_floor": data["below_floor"], "floor": formatting.money(data["floor_eur"]),
            "owes": data["balances"][EUR] < 0, "movements": movements[:40]}


def relay_money_view(site: Site) -> dict:
    """The relay page's payments block: its households, the methods, who is below the floor, the last payments."""
    session = get_session()
    households = list(session.exec(select(Member).where(Member.relay_point_id == site.id, Member.status == "active")
                                   .order_by(Member.name)))
    flagged = [{"name": m.name, "eur": formatting.money(b.eur)}
               for m, b in member_accounts.flagged(session, user(), site.id)]
    names = {m.id: m.name for m in households}
    recent = [{"day": p.day, "name": names.get(p.member_id, f"Adhérent n° {p.member_id}"),
               "method": METHODS_FR[p.method],
               "amount": _fmt(MANNE if p.method == "manne" else EUR, member_accounts.amount_of(p))}
              for p in session.exec(select(Payment).where(Payment.relay_point_id == site.id)
                                    .order_by(Payment.id.desc()).limit(10))]
    return {"households": [(m.id, m.name) for m in households], "methods": [(k, METHODS_FR[k]) for k in PAYMENT_METHODS],
            "flagged": flagged, "recent": recent}


@blp.post("/relais/<site_id>/paiements")
@page("relay", "coordinator")
def relay_payment(site_id: str):
    """A payment handed over at collection."""
    site = own_site(site_id, "relay")
    raw = (request.form.get("montant") or "").strip().replace(",", ".").replace(" ", "")
    back = redirect(url_for("web.relay_page", site_id=site.id, semaine=request.form.get("semaine") or None), code=303)
    try:
        member_id = int(request.form.get("adherent", ""))
    except ValueError:
        flash("Choisissez le foyer qui paie.", "erreur")
        return back
    try:
        with unit_of_work() as session:
            member_accounts.record_payment(session, user(), member_id, {
                "method": request.form.get("moyen"), "amount": raw or "0", "day": date.today(),
                "note": (request.form.get("note") or "").strip()[:300] or None})
    except DomainError as exc:
        flash(f"Paiement refusé : {exc.detail_fr}", "erreur")
        return back
    method = request.form.get("moyen")
    flash(f"Paiement enregistré : {_fmt(MANNE if method == 'manne' else EUR, Decimal(raw))} "
          f"({METHODS_FR.get(method, '')}).", "succes")
    return back
