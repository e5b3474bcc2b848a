"""The MANNE, the territory's local currency, and the gardens members lend to the collective.

1 MANNE = `eur_per_manne` € (1 unless the territory says otherwise). A member lends a garden
(place, m², from–to); its contributions earn MANNE by the coordinator's rule:

* `hours` of work in it: `per_hour` MANNE an hour;
* `kg` harvested for the collective: `per_kg` MANNE a kilogram;
* `months` lent: `per_m2_month` MANNE per m² and month (the monthly credit).

Credits are rounded to the cent of MANNE. A contribution dated outside the garden's loan is refused.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from orders.billing.money import cents, dec, positive
from orders.errors import InvalidInput

CONTRIBUTION_KINDS = ("hours", "kg", "months")
KINDS_FR = {"hours": "heures de jardinage", "kg": "kg récoltés", "months": "mois de prêt"}


@dataclass(frozen=True, slots=True)
class GardenRule:
    per_hour: Decimal = Decimal("10")
    per_kg: Decimal = Decimal("1")
    per_m2_month: Decimal = Decimal("0.10")

    @classmethod
    def from_dict(cls, data: Mapping | None) -> GardenRule:
        data = data or {}
        default = cls()
        return cls(*(positive(data.get(k, getattr(default, k)), k, allow_zero=True)
                     for k in ("per_hour", "per_kg", "per_m2_month")))

    def to_dict(self) -> dict[str, str]:
        return {"per_hour": str(self.per_hour), "per_kg": str(self.per_kg), "per_m2_month": str(self.per_m2_month)}


@dataclass(frozen=True, slots=True)
class Garden:
    place: str
    area_m2: float
    start: date
    end: date | None = None

    def lent_on(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


def check_garden(garden: Garden) -> None:
    if not garden.place.strip():
        raise InvalidInput("A garden names its place.", "Un jardin a un lieu.", "place")
    if not garden.area_m2 > 0:
        raise InvalidInput("area_m2 must be positive.", "La surface (m²) est positive.", "area_m2")
    if garden.end is not None and garden.end < garden.start:
        raise InvalidInput("end is before start.", "La fin du prêt précède son début.", "end")


def credit(rule: GardenRule, garden: Garden, kind: str, quantity: float | Decimal, day: date) -> Decimal:
    """MANNE earned by one contribution."""
    if kind not in CONTRIBUTION_KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(CONTRIBUTION_KINDS)}.",
                           "Contribution inconnue : heures, kg ou mois.", "kind")
    amount = dec(quantity)
    if not amount.is_finite() or amount <= 0 or amount > 10000:
        raise InvalidInput("quantity must be positive.", "La quantité est positive.", "quantity")
    if not garden.lent_on(day):
        raise InvalidInput("The garden is not lent on that day.", "Le jardin n'est pas prêté à cette date.", "day")
    per = {"hours": rule.per_hour, "kg": rule.per_kg, "months": rule.per_m2_month * dec(garden.area_m2)}[kind]
    return cents(amount * per)
