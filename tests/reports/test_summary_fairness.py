"""The weekly summary prints the fairness of the plan and what stays unsold, in French (issue 13 item 7)."""
from __future__ import annotations

import io

from pypdf import PdfReader

from app.planning.pipeline import PlanSettings, portion
from orders.demo import build_demo_scenario
from orders.plan import Unsold
from orders.scenario import Scenario
from reports.from_plan import Directory, weekly_summary
from reports.summary import render_summary_pdf


def test_the_summary_prints_fairness_per_tier_and_unsold_stock():
    scenario = Scenario.from_dict(build_demo_scenario("2026-W49"))
    plan = portion(scenario, PlanSettings(portioning_time_limit_s=3.0))
    plan = plan.replace(unsold=plan.unsold + (Unsold("ferme-terril", "carotte", 30.0, "lot_size", "2026-12-01"),))
    summary = weekly_summary(plan, Directory(scenario))
    assert {t.tier for t in summary.fairness} >= {"maternelles", "foyer logement"}
    assert all(0 <= t.min <= t.max <= 1 and 0 < t.jain <= 1 for t in summary.fairness)
    row = next(u for u in summary.unsold if u.day == "2026-12-01" and u.quantity == 30.0)
    assert row.reason == "reste inférieur à un lot" and row.product == "Carotte"
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(render_summary_pdf(summary))).pages).split())
    assert "Équité de la répartition" in text and "Indice de Jain" in text and "maternelles" in text
    assert "Invendus" in text and "reste inférieur à un lot" in text
    assert "lot_size" not in text and "relay_point" not in text


def test_delivery_notes_print_each_basket_recipe_with_its_own_contents_and_price():
    from reports.from_plan import delivery_notes

    scenario = Scenario.from_dict(build_demo_scenario("2026-W49"))
    plan = portion(scenario, PlanSettings(portioning_time_limit_s=3.0))
    mixed = [b for b in plan.baskets if b.second or b.reduced]
    assert mixed, "the demo week makes baskets by more than one recipe"
    basket = mixed[0]
    note = next(n for n in delivery_notes(plan, Directory(scenario))
                if n.site_id == basket.relay_point and n.day == basket.day)
    lines = {b.basket_type: b for b in note.baskets}
    name = next(t.name for t in scenario.basket_types if t.id == basket.basket_type)
    assert sum(b.count for b in note.baskets if b.basket_type.startswith(name)) == basket.count
    assert lines[name].count == basket.first_count
    variant = basket.second or basket.reduced
    other = lines[f"{name} (seconde composition)" if basket.second else f"{name} (réduit)"]
    assert other.count == variant.count and len(other.contents) == len(variant.contents)
