"""The week's delivery report: planned against delivered, per consumer and product (PDF).

View model built from the pure `orders.delivery.DeliveryReport` and the week's names; French
labels only (outcomes, units), formatted by `reports/formatting.py` through the template filters.
"""
from __future__ import annotations

from dataclasses import dataclass

from orders.delivery import OUTCOMES_FR, DeliveryReport
from orders.scenario import Scenario
from reports.render import html_to_pdf, render_html


@dataclass(frozen=True, slots=True)
class ReportLine:
    consumer: str
    product: str
    unit: str
    day: str
    planned: float
    delivered: float | None
    outcome: str  # in French; "à confirmer" while the stop is not confirmed

    @property
    def missing(self) -> float:
        return max(0.0, self.planned - (self.delivered or 0.0)) if self.delivered is not None else 0.0


@dataclass(frozen=True, slots=True)
class DeliveryReportView:
    week: str
    territory: str
    lines: tuple[ReportLine, ...]
    confirmed_stops: int
    planned_stops: int
    outcomes: tuple[tuple[str, int], ...]  # (French outcome, stops)

    @property
    def complete(self) -> bool:
        return self.planned_stops > 0 and self.confirmed_stops == self.planned_stops


def delivery_report_view(report: DeliveryReport, scenario: Scenario) -> DeliveryReportView:
    consumers = scenario.consumers_by_id()
    products = scenario.products_by_id()
    lines = []
    for line in report.lines:
        consumer = consumers.get(line.consumer)
        product = products.get(line.product)
        lines.append(ReportLine(
            consumer=(consumer.name or consumer.id) if consumer else line.consumer,
            product=(product.name or product.id) if product else line.product,
            unit=product.unit if product else "kg", day=line.day, planned=line.planned, delivered=line.delivered,
            outcome=OUTCOMES_FR.get(line.outcome, "à confirmer") if line.outcome else "à confirmer"))
    return DeliveryReportView(report.week, scenario.territory, tuple(lines), report.confirmed_stops,
                              report.planned_stops, tuple((OUTCOMES_FR[k], n) for k, n in report.by_outcome))


def render_delivery_report_html(view: DeliveryReportView) -> str:
    return render_html("delivery_report.html", report=view, title=f"Bilan des livraisons — {view.week}")


def render_delivery_report_pdf(view: DeliveryReportView) -> bytes:
    return html_to_pdf(render_delivery_report_html(view))
