from orders.plan import Plan
from orders.scenario import Scenario
from reports.demo import demo_week
from reports.from_plan import (
    Directory,
    delivery_notes,
    documents_from_plan,
    pick_lists,
    route_sheets,
    weekly_summary,
)
from reports.route_sheet import render_day_sheets_html


def demo_documents():
    scenario, plan = demo_week()
    return scenario, plan, documents_from_plan(plan, scenario)


def tiny_world(plan: dict, **scenario) -> tuple[Plan, Directory]:
    """A typed plan and the directory of a scenario made of the given places (ids as names)."""
    return Plan.from_dict(plan), Directory(Scenario.from_dict(
        {"territory": "Test", "week": "2026-W49", "hub": {"id": "hub", "name": "Base 11/19"}, **scenario}))


def test_demo_week_gives_every_document():
    _, plan, docs = demo_documents()
    assert len(docs.route_sheets) == len(plan.rounds) == 6
    assert len(docs.pick_lists) == 10  # 5 producers × 2 days
    assert len(docs.delivery_notes) == 16
    assert list(docs.route_sheets_by_day()) == ["2026-12-01", "2026-12-03"]
    assert docs.summary.week == "2026-W49"


def test_route_sheet_from_plan_keeps_order_and_resolves_sites():
    scenario, plan, _ = demo_documents()
    sheets = route_sheets(plan, Directory(scenario))
    first_round = next(r for r in plan.rounds if r.day == "2026-12-01" and r.vehicle == "van-1")
    sheet = next(s for s in sheets if s.day == "2026-12-01" and s.vehicle == "van-1")
    assert [s.name for s in sheet.stops] == [s.name for s in first_round.stops]
    assert sheet.hub is not None and sheet.hub.name == "Base 11/19"
    assert sheet.departure == 390 and sheet.stops[0].window == ("07:30", "09:30")
    assert sheet.stops[0].address and sheet.stops[0].phone
    assert sum(d.crates for s in sheet.stops for d in s.drops) == sum(s.crates for s in first_round.stops)
    assert any(d.cold for s in sheet.stops for d in s.drops)
    assert "Bœuf haché" in render_day_sheets_html(sheets)


def test_drops_of_one_product_from_two_producers_merge_on_the_sheet():
    plan, directory = tiny_world(
        {"week": "2026-W49", "rounds": [{"vehicle": "van-1", "day": "2026-12-01", "start": "06:30", "end": "08:00",
         "km": 10, "stops": [{"site": "mat-1", "arrival": "07:30", "departure": "07:40", "drops": [
             {"product": "carotte", "quantity": 10, "crates": 1}, {"product": "carotte", "quantity": 5, "crates": 1}]}]}]},
        canteens=[{"id": "mat-1", "name": "École", "kind": "maternelle"}],
        products=[{"id": "carotte", "name": "carotte"}])
    sheet = route_sheets(plan, directory)[0]
    assert [(d.product, d.quantity, d.crates) for d in sheet.stops[0].drops] == [("carotte", 15.0, 2)]


def test_delivery_notes_use_offer_prices_and_basket_types():
    scenario, plan, _ = demo_documents()
    notes = delivery_notes(plan, Directory(scenario))
    relay = next(n for n in notes if n.is_relay)
    assert relay.basket_count > 0 and relay.baskets[0].price_eur == 12.0
    assert all(line.unit_price_eur > 0 for n in notes for line in n.lines)
    canteen = next(n for n in notes if not n.is_relay)
    assert canteen.total_eur == sum(line.total_eur for line in canteen.lines)


def test_summary_from_plan_orders_targets_and_totals_km():
    scenario, plan, _ = demo_documents()
    summary = weekly_summary(plan, Directory(scenario))
    assert [t.kind for t in summary.targets] == ["maternelle", "foyer"]
    assert round(summary.km, 1) == round(sum(r.km for r in plan.rounds), 1)
    assert summary.shortfalls[0].product == "Bœuf haché"
    assert summary.producers[0].kg >= summary.producers[-1].kg


def test_unknown_sites_and_products_fall_back_to_ids():
    plan, directory = tiny_world({"week": "2026-W49", "allocations": [
        {"producer": "f", "product": "x", "consumer": "c", "day": "2026-12-01", "quantity": 3, "crates": 1}]})
    note = delivery_notes(plan, directory)[0]
    assert note.recipient == "c" and note.lines[0].product == "x" and note.lines[0].unit_price_eur == 0.0


def test_pick_lists_say_when_a_collected_farm_hands_over_its_crates():
    places = {"producers": [{"id": "farm", "name": "Ferme du Marais"}],
              "relay_points": [{"id": "rp", "name": "Point relais"}],
              "canteens": [{"id": "mat", "name": "École maternelle", "kind": "maternelle"}]}
    allocations = [
        {"producer": "farm", "product": "oeuf", "consumer": "rp", "day": "2026-12-01", "quantity": 9, "crates": 2},
        {"producer": "farm", "product": "oeuf", "consumer": "mat", "day": "2026-12-03", "quantity": 4.5, "crates": 1},
    ]
    rounds = [{"vehicle": "master-pm", "day": "2026-12-01", "start": "15:00", "end": "18:00",
               "stops": [{"site": "farm", "kind": "pickup", "arrival": "15:18", "departure": "15:23", "drops": []},
                         {"site": "rp", "kind": "delivery", "arrival": "16:10", "departure": "16:18", "drops": []}]}]
    collections = [{"for_day": "2026-12-01", "producer": "farm", "product": "oeuf", "quantity": 3,
                    "when": "la veille, 13:00–16:00"},
                   {"for_day": "2026-12-03", "producer": "farm", "product": "oeuf", "quantity": 4.5,
                    "when": "la veille, 13:00–16:00"}]
    plan = {"week": "2026-W49", "allocations": allocations, "rounds": rounds, "collections": collections}
    typed, directory = tiny_world(plan, **places)
    by_day = {p.day: p.drop_off for p in pick_lists(typed, directory)}
    assert by_day["2026-12-01"] == ("Enlèvement à la ferme à 15:18 (master-pm) ; "
                                    "enlèvement à la ferme la veille, 13:00–16:00 pour le reste")
    assert by_day["2026-12-03"] == "Enlèvement à la ferme la veille, 13:00–16:00"
    plain = {"week": "2026-W49", "allocations": allocations[:1], "rounds": [{**rounds[0], "stops": rounds[0]["stops"][1:]}]}
    typed, directory = tiny_world(plain, **places)
    assert pick_lists(typed, directory)[0].drop_off == "Base 11/19, avant 15:00"
