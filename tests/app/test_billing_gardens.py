"""Gardens: a member lends one, the coordinator offers its harvest in the week as an offer of the
collective (a producer site of its own, at the hub), which the week's scenario then carries."""
from __future__ import annotations

from sqlmodel import select

from app.db import get_session, unit_of_work
from app.models import Offer, Site, User, Week
from app.services import members as member_service
from app.services.scenario import export_scenario
from tests.app.world import WEEK, build_world


def test_a_gardens_harvest_becomes_an_offer_of_the_collective(app):
    world = build_world(app, state="offers_open")
    relay = world.scenario["relay_points"][0]["id"]
    with app.app_context():
        with unit_of_work() as session:
            coordinator = session.exec(select(User).where(User.role == "coordinator")).first()
            member_id = member_service.create_member(session, coordinator, relay, {"name": "Foyer Martin"}).id
    garden = world.post("/api/v1/gardens", {"member_id": member_id, "place": "Jardin rue Voltaire", "area_m2": 40,
                                            "start": "2026-01-01"}).json
    product = world.scenario["products"][0]["id"]
    body = {"week": WEEK, "product_id": product, "quantity": 6, "unit_price_eur": 1.5}
    first = world.post(f"/api/v1/gardens/{garden['id']}/offers", body)
    assert first.status_code == 201, first.json
    second = world.post(f"/api/v1/gardens/{garden['id']}/offers", {**body, "quantity": 4})
    assert second.status_code == 201 and second.json["id"] == first.json["id"] and second.json["quantity"] == 10
    assert world.post(f"/api/v1/gardens/{garden['id']}/offers", body, who="producer").status_code == 403
    bad = world.post(f"/api/v1/gardens/{garden['id']}/offers", {**body, "quantity": -1})
    assert bad.status_code == 422 and "quantity" in str(bad.json["errors"])
    late = world.post("/api/v1/gardens", {"member_id": member_id, "place": "x", "area_m2": 10,
                                          "start": "2026-05-01", "end": "2026-04-01"})
    assert late.status_code == 422 and late.json["errors"][0]["field"] == "end"
    early = app.test_cli_runner().invoke(args=["invoices", "issue", "--week", WEEK])
    assert early.exit_code != 0 and "pas encore publiée" in early.output
    with app.app_context():
        session = get_session()
        offer = session.get(Offer, first.json["id"])
        site = session.get(Site, offer.producer_id)
        assert site.kind == "producer" and site.name == "Jardins du collectif"
        week = session.exec(select(Week).where(Week.iso_week == WEEK)).one()
        scenario = export_scenario(session, week)
        assert site.id in {p.id for p in scenario.producers}
        assert any(o.producer == site.id and o.quantity == 10 for o in scenario.offers)
