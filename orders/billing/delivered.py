"""What each allocation of a plan turned into on the delivery day: the basis of invoices and statements.

A consumer's product on a day may come from several producers (several allocations); the driver
confirms the stop per product. Where the stop is confirmed, each allocation's delivered quantity is
its share of what was handed over (planned × delivered / planned of that consumer, product and
day), basis `delivered`; where it is not confirmed yet, the planned quantity, basis `plan`.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from orders.delivery import DeliveryReport
from orders.plan import Allocation, Plan

BASES = ("delivered", "plan")
BASES_FR = {"delivered": "livré (confirmé)", "plan": "prévu (livraison non confirmée)"}


@dataclass(frozen=True, slots=True)
class Supplied:
    producer: str
    product: str
    consumer: str
    consumer_kind: str
    day: str
    quantity: float  # product unit
    unit_price: float  # € per unit, before VAT
    basis: str  # "delivered" or "plan"


def supplied(plan: Plan, report: DeliveryReport) -> tuple[Supplied, ...]:
    """Every allocation of `plan` with what was delivered of it (confirmed zeros kept)."""
    confirmed = {(ln.consumer, ln.day, ln.product): ln for ln in report.lines}
    planned: dict[tuple[str, str, str], float] = defaultdict(float)
    for a in plan.allocations:
        planned[(a.consumer, a.day, a.product)] += a.quantity
    out = []
    for a in sorted(plan.allocations, key=_key):
        key = (a.consumer, a.day, a.product)
        ln = confirmed.get(key)
        if ln is not None and ln.delivered is not None:
            share = a.quantity / planned[key] if planned[key] > 0 else 0.0
            quantity, basis = round(ln.delivered * share, 3), "delivered"
        else:
            quantity, basis = round(a.quantity, 3), "plan"
        if quantity > 0 or basis == "delivered":  # a refused line stays, at zero: it shows the stop confirmed
            out.append(Supplied(a.producer, a.product, a.consumer, a.consumer_kind, a.day, quantity,
                                a.unit_price, basis))
    return tuple(out)


def _key(a: Allocation) -> tuple:
    return (a.day, a.consumer, a.product, a.producer, a.unit_price)
