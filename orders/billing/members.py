"""Households' accounts: what a basket costs, what a member holds, and who is below the floor.

A member's account has two balances: in euros, what the member has paid less what it was charged
(negative: it owes), read from its 411 ADH<id> account; in MANNE, what its wallet holds. Baskets
are charged per basket handed out (`subscribed`: every basket of the member's subscription the
plan gave it, collected or not) or per basket collected (`collected`), by the relay point's rule.
A charge is never refused for the floor: a member whose euro balance goes below the territory's
floor is flagged to its relay point's manager.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from orders.billing import accounts as A
from orders.billing.ledger import Entry, balances
from orders.billing.money import EUR, MANNE, ZERO
from orders.errors import InvalidInput

CHARGE_RULES = ("subscribed", "collected")
CHARGE_RULES_FR = {"subscribed": "par panier réservé", "collected": "par panier retiré"}


def charged_count(rule: str, count: int, collected: bool | None) -> int:
    """Baskets to charge for one collection row (`count` handed out, `collected` ticked or not)."""
    if rule not in CHARGE_RULES:
        raise InvalidInput(f"Unknown charge rule {rule!r}.", "Règle de facturation des paniers inconnue.",
                           "charge_rule")
    if rule == "collected":
        return count if collected else 0
    return count


@dataclass(frozen=True, slots=True)
class MemberBalance:
    eur: Decimal  # paid − charged (negative: the member owes)
    manne: Decimal  # MANNE in the wallet
    floor_eur: Decimal
    below_floor: bool


def member_balance(entries: list[Entry], member_id: int, floor_eur: Decimal) -> MemberBalance:
    aux = A.member_aux(member_id)
    b = balances(entries)
    eur = -b.get((EUR, A.CUSTOMERS, aux), ZERO)
    manne = -b.get((MANNE, A.WALLET, aux), ZERO)
    return MemberBalance(eur, manne, floor_eur, eur < floor_eur)


def check_manne(wallet: Decimal, amount: Decimal) -> None:
    if amount > wallet:
        raise InvalidInput(f"Not enough MANNE: the member holds {wallet}.",
                           f"MANNE insuffisante : l'adhérent n'en a que {str(wallet).replace('.', ',')}.", "amount")


def statement(entries: list[Entry], member_id: int, unit: str) -> list[tuple[Entry, Decimal, Decimal]]:
    """The member's movements in `unit`, oldest first: (entry, signed amount for the member, balance)."""
    aux = A.member_aux(member_id)
    account = A.CUSTOMERS if unit == EUR else A.WALLET
    out, running = [], ZERO
    for entry in sorted(entries, key=lambda e: (e.day, e.id or 0)):
        if entry.unit != unit:
            continue
        amount = -sum((ln.amount for ln in entry.lines if ln.account == account and ln.aux == aux), ZERO)
        if amount:
            running += amount
            out.append((entry, amount, running))
    return out


def charge_rule_of(rules: Mapping[str, str], relay_point: str) -> str:
    return rules.get(relay_point, "subscribed")
