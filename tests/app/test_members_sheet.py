"""The signing sheet (PDF and HTML, read back with pypdf) and the collections ticked on the relay page;
the demo's relay points have households whose subscriptions derive the demo's basket orders."""
from __future__ import annotations

import io
from datetime import UTC, date, datetime

from pypdf import PdfReader
from sqlmodel import select

from app.db import get_session, unit_of_work
from app.models import BasketOrder, Collection, Member, Plan, Subscription, User
from app.services import member_orders, members, weeks
from app.services.demo_members import load_demo_members
from orders.demo import build_demo_scenario
from orders.plan import BasketPlan
from orders.plan import Plan as WeekPlan
from orders.scenario import Scenario
from tests.app.world import WEEK, build_world
from tests.web.people import build_people, csrf_of, sign_in

NAMES = ("Alice Martin", "Bruno Lefebvre", "Chloé Dubois")


def _three_households_one_cut(app, state="published"):
    world = build_people(app, state=state)
    with app.app_context(), unit_of_work() as session:
        boss = session.exec(select(User).where(User.role == "coordinator")).first()
        week = weeks.find_week(session, WEEK, "lens-lievin")
        for row in session.exec(select(BasketOrder).where(BasketOrder.relay_point_id == "rp-lens")).all():
            session.delete(row)
        members.create_slot(session, boss, "rp-lens", {"weekday": 1, "start": "17:00", "end": "19:00",
                                                       "capacity_baskets": 10})
        for i, name in enumerate(NAMES):
            m = members.create_member(session, boss, "rp-lens", {"name": name})
            members.create_subscription(session, boss, m.id, {"basket_type_id": "moyen", "start": date(2026, 11, 2)},
                                        now=datetime(2026, 10, 1 + i, tzinfo=UTC))
        # the plan gives rp-lens 2 "moyen" baskets on Tuesday for 3 households
        session.add(Plan(week_id=week.id, version=1, created_at=datetime.now(UTC), created_by="test",
                         inputs_hash="t", plan=WeekPlan(week=WEEK, baskets=(
                             BasketPlan("rp-lens", "2026-12-01", "moyen", 2, 3),)).to_dict()))
    return world


def test_the_signing_sheet_lists_who_collects_and_who_goes_without(app):
    world = _three_households_one_cut(app)
    url = f"/api/v1/sites/rp-lens/weeks/{WEEK}/days/2026-12-01/collection-sheet"
    r = world.get(url + ".pdf", who="relay")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(r.data)).pages)
    assert "Feuille d’émargement" in text and "mardi 1er décembre 2026" in text
    assert "Alice Martin Panier moyen 1 ☐" in text and "Bruno Lefebvre Panier moyen 1 ☐" in text
    # the newest subscriber (Chloé) goes without, listed apart; no internal code on the sheet
    assert "Sans panier ce jour" in text and "Chloé Dubois Panier moyen 1" in text
    assert "rp-lens" not in text and " moyen " not in text.replace("Panier moyen", "")
    html = world.get(url + ".html", who="relay").get_data(as_text=True)
    assert "Signature" in html and "Bruno Lefebvre" in html
    assert world.get(url + ".txt", who="relay").status_code == 404
    r = world.get(f"/api/v1/sites/rp-lens/weeks/{WEEK}/days/2026-12-02/collection-sheet.pdf", who="relay")
    assert r.status_code == 422 and r.get_json()["errors"][0]["field"] == "day"
    assert world.get(f"/api/v1/sites/rp-lens/weeks/{WEEK}/days/demain/collection-sheet.pdf",
                     who="relay").status_code == 404


def test_the_relay_manager_ticks_collections_and_the_rest_is_recorded_not_collected(app):
    _three_households_one_cut(app)
    client = app.test_client()
    assert sign_in(client, "relay").status_code == 303
    page = client.get(f"/relais/rp-lens?semaine={WEEK}").get_data(as_text=True)
    assert "Retraits du mardi 1er décembre" in page and "Sans panier ce jour" in page
    with app.app_context():
        alice = get_session().exec(select(Member).where(Member.name == "Alice Martin")).one()
    r = client.post("/relais/rp-lens/retraits", data={"csrf_token": csrf_of(page), "semaine": WEEK,
                                                      "jour": "2026-12-01", "retire": f"{alice.id}:moyen"})
    assert r.status_code == 303
    with app.app_context():
        rows = {get_session().get(Member, c.member_id).name: (c.count, c.cut, c.collected)
                for c in get_session().exec(select(Collection)).all()}
    assert rows == {"Alice Martin": (1, 0, True), "Bruno Lefebvre": (1, 0, False), "Chloé Dubois": (0, 1, None)}
    page = client.get(f"/relais/rp-lens?semaine={WEEK}").get_data(as_text=True)
    assert "Retraits enregistrés : 1 panier retiré, 1 non retiré." in page and "non retiré" in page


def test_demo_relay_points_have_households_deriving_the_demo_orders(app):
    build_world(app, state="orders_open")
    scenario = Scenario.from_dict(build_demo_scenario(WEEK))
    with app.app_context(), unit_of_work() as session:
        week = weeks.find_week(session, WEEK, "lens-lievin")
        signed = load_demo_members(session, scenario, week, "hash")
        assert list(signed.values())[0]["role"] == "member"
        report = member_orders.derive_orders(session, week)
        assert (report.created, report.updated, report.removed) == ([], [], [])
        per_relay = {rp: n for rp, n in session.exec(
            select(Member.relay_point_id, Member.id)).all()}
        assert len(per_relay) == 10
        waiting = session.exec(select(Subscription).where(Subscription.status == "waiting")).all()
        assert len(waiting) == 20
        again = load_demo_members(session, scenario, week, "hash")
        assert again == {}
