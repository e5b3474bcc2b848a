"""A shortage on the delivery morning (issue 18): the week is re-planned as a job, only the affected
documents get a new version (marked), and the consumers whose delivery changed are e-mailed."""
from __future__ import annotations

import io

from pypdf import PdfReader
from sqlmodel import select

from app.db import get_session, unit_of_work
from app.models import Offer, User, Week
from app.services import documents, planning, weeks
from tests.app.test_notify import smtp_sink  # noqa: F401  (fixture)
from tests.app.test_planning_api import run_job
from tests.app.world import WEEK, build_world


def published_with_documents(app, world):
    run_job(world, f"/api/v1/weeks/{WEEK}/rounds")
    with app.app_context():
        with unit_of_work() as session:
            week = session.exec(select(Week).where(Week.iso_week == WEEK)).one()
            documents.write_week(session, week, planning.require_plan(session, week),
                                 documents.cache_dir(week, planning.require_plan(session, week)).parents[2])
            weeks.transition(session, week, "published", None, actor="test")
            for user in session.exec(select(User).where(User.role.in_(("canteen", "relay")))):
                user.email = f"{user.site_id}@terril.test"
                session.add(user)


def pdf_text(data: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())


def test_a_shortage_replans_only_what_changes_and_tells_the_consumers(app, smtp_sink):  # noqa: F811
    world = build_world(app, state="closed")
    published_with_documents(app, world)
    with app.app_context():
        session = get_session()
        week = session.exec(select(Week).where(Week.iso_week == WEEK)).one()
        old_row = planning.require_plan(session, week)
        old = planning.week_plan(old_row)
        farm = world.scenario["producers"][0]["id"]
        used = {}
        for a in old.allocations:
            if a.producer == farm:
                used[a.product] = used.get(a.product, 0) + a.quantity
        product = max(used, key=used.get)
        offer = session.exec(select(Offer).where(Offer.week_id == week.id, Offer.producer_id == farm,
                                                 Offer.product_id == product)).one()
        offer_id, before = offer.id, offer.quantity
        old_dir = documents.cache_dir(week, old_row)
        old_files = {p.name: p.read_bytes() for p in old_dir.glob("*.pdf")}
    cut = {"quantity": round(used[product] / 3), "reason": "gel de la nuit"}
    res = world.post(f"/api/v1/offers/{offer_id}/shortage", cut, who="producer", headers={"Prefer": "wait=90"})
    assert res.status_code == 200, res.json
    assert res.json["state"] == "succeeded", res.json
    changed = {tuple(c) for c in res.json["result"]["changed_consumers"]}
    assert changed
    with app.app_context():
        session = get_session()
        week = session.exec(select(Week).where(Week.iso_week == WEEK)).one()
        assert week.state == "published"
        row = planning.require_plan(session, week)
        assert row.version == old_row.version + 1 and "gel de la nuit" in row.reason
        assert session.get(Offer, offer_id).quantity == cut["quantity"] < before
        new_dir = documents.cache_dir(week, row)
        new_files = {p.name: p.read_bytes() for p in new_dir.glob("*.pdf")}
        affected = set(res.json["result"]["documents"])
        assert set(new_files) == set(old_files) and affected and affected < set(new_files)
        for name, data in new_files.items():
            if name not in affected:
                assert data == old_files[name], name  # copied, not rendered again
        site_id = sorted(changed)[0][0]
        note_name = next(n for n in affected if n.startswith("bon-de-livraison-"))
        text = pdf_text(new_files[note_name])
        assert "Nouvelle version — modifications" in text and "gel de la nuit" in text and "→" in text
    with_users = {world.scenario[k][i]["id"] for k in ("canteens", "relay_points") for i in (0, 1)}
    told = {m["to"][0] for m in smtp_sink.messages}
    assert told == {f"{site}@terril.test" for site, _ in changed if site in with_users}
    assert all("change" in m["subject"] and "gel de la nuit" in m["body"] for m in smtp_sink.messages)
    assert site_id in {site for site, _ in changed}


def test_a_shortage_is_refused_naming_the_field(app):
    world = build_world(app, state="closed")
    run_job(world, f"/api/v1/weeks/{WEEK}/rounds")
    with app.app_context():
        session = get_session()
        offers = session.exec(select(Offer)).all()
        mine = next(o for o in offers if o.producer_id == world.scenario["producers"][0]["id"])
        theirs = next(o for o in offers if o.producer_id != world.scenario["producers"][0]["id"])
    early = world.post(f"/api/v1/offers/{mine.id}/shortage", {"quantity": 1, "reason": "gel"}, who="producer")
    assert early.status_code == 409  # not published yet: change the offer itself
    with app.app_context():
        with unit_of_work() as session:
            week = session.exec(select(Week).where(Week.iso_week == WEEK)).one()
            weeks.transition(session, week, "published", None, actor="test")
    other = world.post(f"/api/v1/offers/{theirs.id}/shortage", {"quantity": 1, "reason": "gel"}, who="producer")
    assert other.status_code == 404
    more = world.post(f"/api/v1/offers/{mine.id}/shortage", {"quantity": mine.quantity + 5, "reason": "gel"},
                      who="producer")
    assert more.status_code == 422 and more.json["errors"][0]["field"] == "quantity"
    blank = world.post(f"/api/v1/offers/{mine.id}/shortage", {"quantity": 1, "reason": " "}, who="producer")
    assert blank.status_code == 422 and blank.json["errors"][0]["field"] == "reason"
    with app.app_context():
        assert get_session().get(Offer, mine.id).quantity == mine.quantity
