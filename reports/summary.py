"""Synthèse hebdomadaire: the coordinator's view of one planned week.

Policy targets (share of a consumer kind's ordered kilograms served locally) with a bar chart,
the shortfalls, the kilometres of the rounds and the kilograms supplied by each producer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup

from reports.render import html_to_pdf, render_html
from reports.svg import Bar, bar_chart_svg

KIND_LABELS = {
    "maternelle": "Maternelles",
    "elementaire": "Élémentaires",
    "foyer": "Foyers logement",
    "relay": "Points relais",
}
KIND_ORDER = ("maternelle", "elementaire", "foyer", "relay")

REASON_LABELS = {
    # portioning (orders/portioning/explain.py)
    "no_offer": "aucune offre ce jour-là",
    "lot_size": "reste inférieur à un lot",
    "exhausted_by_priority": "offre prise par des commandes prioritaires",
    "supply_short": "offre insuffisante, partagée équitablement",
    "basket_rules": "pas de panier conforme avec le reste de l'offre",
    "forbidden": "exclu par la coordination",
    "time_limit": "calcul arrêté avant la fin (temps limite)",
    "no_demand": "aucune commande",
    "demand_met": "commandes servies en entier",
    "below_one_lot": "reste inférieur à un lot",
    # routing (routing/model.py Reason; the plan also carries its French sentence)
    "no_coordinates": "adresse sans coordonnées",
    "no_vehicle": "aucun véhicule ce jour-là",
    "capacity": "capacité des véhicules insuffisante",
    "no_cold_vehicle": "aucun véhicule frigorifique",
    "window_infeasible": "créneau horaire impossible à tenir",
    "shift": "hors des horaires de service",
    "unreachable": "aucun itinéraire connu",
    "fleet": "flotte insuffisante",
}
"""French words for the plan's reason codes: no code reaches the printed summary."""


_CODE = re.compile(r"[a-z]+(?:_[a-z]+)+|[a-z]+")


def reason_label(reason: str, detail: str = "") -> str:
    """A reason code in French: its label, else the plan's French `detail`, else « autre motif »
    for a code this table does not know yet; a text that is already French is kept as it is."""
    if reason in REASON_LABELS:
        return REASON_LABELS[reason]
    if detail:
        return detail
    return "autre motif" if _CODE.fullmatch(reason or "") else reason


@dataclass(frozen=True, slots=True)
class TargetResult:
    """A policy target: ``target`` and ``served`` are shares (1.0 = all ordered kg)."""

    kind: str
    target: float
    served: float
    missing_kg: float = 0.0

    @property
    def label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def met(self) -> bool:
        return self.served + 1e-9 >= self.target


@dataclass(frozen=True, slots=True)
class ShortfallRow:
    consumer: str
    product: str
    day: date | str
    missing: float
    unit: str = "kg"
    reason: str = ""
    detail: str = ""
    """The plan's French sentence for this shortfall (shown when the code has no short label)."""

    @property
    def reason_label(self) -> str:
        return reason_label(self.reason, self.detail)


@dataclass(frozen=True, slots=True)
class RoundTotal:
    vehicle: str
    day: date | str
    km: float
    stops: int = 0
    minutes: int | None = None
    driver: str = ""
    vehicle_name: str = ""

    @property
    def vehicle_label(self) -> str:
        return self.vehicle_name or self.vehicle


@dataclass(frozen=True, slots=True)
class ProducerKilos:
    producer: str
    kg: float
    amount_eur: float | None = None


TIER_LABELS = {"maternelle": "maternelles", "elementaire": "élémentaires", "foyer": "foyer logement",
               "relay_point": "points relais", "fair": "tous les autres (partage équitable)"}
"""French names of the policy's tiers and consumer kinds (a tier named by the coordinator is kept)."""


def tier_label(name: str | None) -> str:
    return TIER_LABELS.get(name or "", name or "")


@dataclass(frozen=True, slots=True)
class TierFairness:
    """Fill rates (served ÷ ordered) of one tier of the policy: lowest, highest, Jain's index."""

    tier: str  # in French
    consumers: int
    min: float
    max: float
    jain: float


@dataclass(frozen=True, slots=True)
class UnsoldRow:
    producer: str
    product: str
    quantity: float
    unit: str
    day: date | str | None
    reason: str  # in French


@dataclass(frozen=True, slots=True)
class WeeklySummary:
    week: str
    targets: tuple[TargetResult, ...] = ()
    shortfalls: tuple[ShortfallRow, ...] = ()
    rounds: tuple[RoundTotal, ...] = ()
    producers: tuple[ProducerKilos, ...] = ()
    territory: str = ""
    unserved: tuple[tuple[str, str, str], ...] = ()
    """(site, day, reason) of consumers no round could visit."""
    cost_eur: float | None = None
    fairness: tuple[TierFairness, ...] = ()
    bound_gap: float | None = None
    """How far the shares are from the best possible (a bound), 0 when proven optimal."""
    unsold: tuple[UnsoldRow, ...] = ()
    unsold_kg: float = 0.0

    @property
    def km(self) -> float:
        return sum(r.km for r in self.rounds)

    @property
    def kg(self) -> float:
        return sum(p.kg for p in self.producers)

    @property
    def amount_eur(self) -> float:
        """What the week's produce is worth at the offers' prices."""
        return sum(p.amount_eur or 0.0 for p in self.producers)

    @property
    def unserved_rows(self) -> tuple[tuple[str, str, str], ...]:
        """`unserved` with each reason in French."""
        return tuple((site, day, reason_label(reason)) for site, day, reason in self.unserved)

    def chart_svg(self) -> Markup:
        bars = [Bar(t.label, t.served, t.target) for t in self.targets]
        return bar_chart_svg(bars, title="Objectifs d’approvisionnement local")


def render_summary_html(summary: WeeklySummary) -> str:
    return render_html("summary.html", summary=summary, title=f"Synthèse hebdomadaire — {summary.week}")


def render_summary_pdf(summary: WeeklySummary) -> bytes:
    return html_to_pdf(render_summary_html(summary))
