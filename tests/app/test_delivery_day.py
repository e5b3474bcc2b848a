"""The delivery day through the API (issue 18): confirmations, the week closing from them, the
delivery report and crate balances; bad input refused naming the field, nothing stored."""
from __future__ import annotations

import io
import uuid

import pytest
from pypdf import PdfReader
from sqlmodel import select

from app.auth import create_user
from app.db import get_session, unit_of_work
from app.models import Confirmation, Site, Week
from app.services import weeks
from tests.app.test_planning_api import run_job
from tests.app.world import WEEK, build_world


def publish(app, world):
    """The demo week planned through the API, then marked published (the documents are not needed here)."""
    run_job(world, f"/api/v1/weeks/{WEEK}/rounds")
    with app.app_context():
        with unit_of_work() as session:
            week = session.exec(select(Week).where(Week.iso_week == WEEK)).one()
            weeks.transition(session, week, "published", None, actor="test")


def consumer_stops(app, world, who="coordinator"):
    with app.app_context():
        consumers = {s.id for s in get_session().exec(select(Site).where(Site.kind.in_(("canteen", "relay"))))}
    rounds = world.get(f"/api/v1/weeks/{WEEK}/rounds?page_size=100", who=who).json["items"]
    return [(r, s) for r in rounds for s in r["stops"] if s["site_id"] in consumers]


def url(rnd, stop):
    return f"/api/v1/rounds/{rnd['id']}/stops/{stop['id']}/confirmation"


def test_a_confirmation_is_recorded_once_and_read_back(app):
    world = build_world(app, state="closed")
    publish(app, world)
    rnd, stop = consumer_stops(app, world, who="driver")[0]
    body = {"id": str(uuid.uuid4()), "outcome": "delivered", "crates_left": stop["crates"], "crates_back": 2,
            "recipient": "Mme Dupré", "note": "RAS"}
    first = world.post(url(rnd, stop), body, who="driver")
    assert first.status_code == 201, first.json
    assert first.json["drops"] == [{"product": d["product"], "quantity": d["quantity"]}
                                   for d in sorted(stop["drops"], key=lambda d: d["product"])]
    again = world.post(url(rnd, stop), body, who="driver")
    assert again.status_code == 200 and again.json["id"] == body["id"]
    assert world.get(url(rnd, stop), who="driver").json["recipient"] == "Mme Dupré"
    with app.app_context():
        assert len(get_session().exec(select(Confirmation)).all()) == 1
    other = world.post(url(rnd, stop), {**body, "id": str(uuid.uuid4())}, who="driver")
    assert other.status_code == 409 and other.json["errors"][0]["field"] == "stop_id"


def test_bad_confirmations_are_refused_naming_the_field_and_nothing_is_stored(app):
    world = build_world(app, state="closed")
    run_job(world, f"/api/v1/weeks/{WEEK}/rounds")
    rnd, stop = consumer_stops(app, world)[0]
    early = world.post(url(rnd, stop), {"id": str(uuid.uuid4()), "outcome": "delivered"})
    assert early.status_code == 409  # the week is not published yet
    with app.app_context():
        with unit_of_work() as session:
            week = session.exec(select(Week).where(Week.iso_week == WEEK)).one()
            weeks.transition(session, week, "published", None, actor="test")
            create_user(session, "Autre Chauffeur", "driver", None)
    drop = stop["drops"][0]
    too_much = world.post(url(rnd, stop), {"id": str(uuid.uuid4()), "outcome": "partial",
                                           "drops": [{"product": drop["product"], "quantity": drop["quantity"] + 1}]})
    assert too_much.status_code == 422 and too_much.json["errors"][0]["field"] == "drops[0].quantity"
    unknown = world.post(url(rnd, stop), {"id": str(uuid.uuid4()), "outcome": "partial",
                                          "drops": [{"product": "truffe", "quantity": 1}]})
    assert unknown.status_code == 422 and unknown.json["errors"][0]["field"] == "drops[0].product"
    bare = world.post(url(rnd, stop), {"id": str(uuid.uuid4()), "outcome": "partial"})
    assert bare.status_code == 422 and bare.json["errors"][0]["field"] == "drops"
    negative = world.post(url(rnd, stop), {"id": str(uuid.uuid4()), "outcome": "delivered", "crates_back": -1})
    assert negative.status_code == 422 and "crates_back" in str(negative.json)
    with app.app_context():
        from app.auth import issue_token
        from app.models import User

        with unit_of_work() as session:
            other = session.exec(select(User).where(User.name == "Autre Chauffeur")).one()
            world.tokens["other"] = issue_token(session, other)
    assert world.post(url(rnd, stop), {"id": str(uuid.uuid4()), "outcome": "delivered"},
                      who="other").status_code == 404
    with app.app_context():
        assert get_session().exec(select(Confirmation)).all() == []


def test_the_week_closes_from_its_confirmations_with_report_and_crates(app):
    world = build_world(app, state="closed")
    publish(app, world)
    stops = consumer_stops(app, world)
    (r0, s0), (r1, s1), *rest = stops
    drop = s0["drops"][0]
    partial = {"id": str(uuid.uuid4()), "outcome": "partial", "crates_left": 1, "crates_back": 0,
               "drops": [{"product": drop["product"], "quantity": drop["quantity"] / 2}]}
    assert world.post(url(r0, s0), partial).status_code == 201
    assert world.post(url(r1, s1), {"id": str(uuid.uuid4()), "outcome": "refused", "crates_back": 0}).status_code == 201
    report = world.get(f"/api/v1/weeks/{WEEK}/delivery-report").json
    assert not report["complete"] and report["confirmed_stops"] == 2
    line = next(ln for ln in report["lines"] if ln["consumer"] == s0["site_id"] and ln["product"] == drop["product"]
                and ln["day"] == r0["day"])
    assert line["delivered"] == pytest.approx(drop["quantity"] / 2, abs=1e-3) and line["outcome"] == "partial"
    refused = [ln for ln in report["lines"] if ln["consumer"] == s1["site_id"] and ln["day"] == r1["day"]]
    assert refused and all(ln["delivered"] == 0 and ln["missing"] == ln["planned"] for ln in refused)
    expected = {s0["site_id"]: 1}  # crates each site holds after these confirmations
    expected.setdefault(s1["site_id"], 0)
    for rnd, stop in rest:
        res = world.post(url(rnd, stop), {"id": str(uuid.uuid4()), "outcome": "delivered",
                                          "crates_left": stop["crates"], "crates_back": 1})
        assert res.status_code == 201, res.json
        expected[stop["site_id"]] = expected.get(stop["site_id"], 0) + stop["crates"] - 1
    assert world.get(f"/api/v1/weeks/{WEEK}").json["state"] == "delivered"
    report = world.get(f"/api/v1/weeks/{WEEK}/delivery-report").json
    assert report["complete"] and report["by_outcome"] == {"delivered": len(rest), "partial": 1, "refused": 1}
    crates = {row["site_id"]: row["crates"] for row in world.get("/api/v1/crates").json}
    assert crates == {site: {"caisse": n} for site, n in expected.items() if n}
    pdf = world.get(f"/api/v1/weeks/{WEEK}/delivery-report.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages).split()).lower()
    assert "bilan des livraisons" in text and "livré en partie" in text and "refusé" in text
    assert "semaine livrée" in text


def test_the_next_delivery_note_prints_the_crates_a_site_holds(app):
    world = build_world(app, state="closed")
    publish(app, world)
    rnd, stop = consumer_stops(app, world)[0]
    body = {"id": str(uuid.uuid4()), "outcome": "delivered", "crates_left": 7, "crates_back": 2}
    assert world.post(url(rnd, stop), body).status_code == 201
    with app.app_context():
        from app.services import documents, planning

        session = get_session()
        week = session.exec(select(Week).where(Week.iso_week == WEEK)).one()
        note = documents.delivery_note_doc(session, week, planning.require_plan(session, week),
                                           session.get(Site, stop["site_id"]))
        text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(note.render_pdf())).pages).split())
    assert "Caisses du collectif chez vous à ce jour : 5 caisses" in text
