"""Jobs run by real worker processes, on both queue lanes; a worker killed with SIGKILL mid-job.

Each test starts `flask --app wsgi worker` (the README's command) against the test's database and
queue, submits through the API as a client would, and reads the outcome from the job resource and
the database. The lease is 3 s here (`TERRIL_JOB_LEASE_S`), so a dead worker's job is retried
within seconds.
"""
from __future__ import annotations

from pathlib import Path

from sqlmodel import select

from app.db import get_session
from app.models import Job, Plan, Round, Week, WeekEvent
from tests.app.world import WEEK, build_world
from tests.jobs.lanes import wait_until


def _job(world, job_id: int) -> dict:
    res = world.get(f"/api/v1/jobs/{job_id}")
    assert res.status_code == 200, res.json
    return res.json


def _finished(world, job_id: int):
    def check():
        job = _job(world, job_id)
        return job if job["state"] in ("succeeded", "failed", "cancelled") else None
    return check


def _submit(world, path: str) -> dict:
    res = world.post(path, {})
    assert res.status_code == 202, res.json
    assert res.headers["Location"] == f"/api/v1/jobs/{res.json['id']}"
    return res.json


def _plans_rounds_events(app):
    with app.app_context():
        session = get_session()
        plans = session.exec(select(Plan).order_by(Plan.version)).all()
        rounds = session.exec(select(Round)).all()
        events = session.exec(select(WeekEvent).where(WeekEvent.to_state == "published")).all()
        return plans, rounds, events


def _published_files(app) -> tuple[set[str], list[Path]]:
    root = Path(app.config["TERRIL_DOCUMENTS_DIR"])
    with app.app_context():
        week = get_session().exec(select(Week)).one()
        version = get_session().exec(select(Plan).where(Plan.current == True)).one().version  # noqa: E712
        folder = root / week.territory_id / week.iso_week / f"v{version}"
    staging = [p for p in folder.parent.iterdir() if p.name.startswith(".")] if folder.parent.exists() else []
    return ({p.name for p in folder.glob("*.pdf")} if folder.exists() else set()), staging


def test_workers_plan_and_publish_a_week_with_the_documents_all_at_once(lane):
    app = lane.app()
    world = build_world(app, state="closed")
    lane.start_worker(workers=2)
    rounds_job = _submit(world, f"/api/v1/weeks/{WEEK}/rounds")
    again = world.post(f"/api/v1/weeks/{WEEK}/rounds", {})  # the same request while it is under way
    if again.status_code == 202:
        assert again.json["id"] == rounds_job["id"]
    done = wait_until(_finished(world, rounds_job["id"]), "the rounds job", lane)
    assert done["state"] == "succeeded", done
    assert done["result"]["rounds"] > 0 and done["progress"] == 1.0 and done["attempts"] == 1
    assert world.get(f"/api/v1/weeks/{WEEK}").json["state"] == "planned"

    publish = _submit(world, f"/api/v1/weeks/{WEEK}/publish")
    done = wait_until(_finished(world, publish["id"]), "the publication", lane)
    assert done["state"] == "succeeded", done
    names, staging = _published_files(app)
    assert names == {d["name"] for d in done["result"]["documents"]} and len(names) > 10
    assert staging == []  # no staging folder left behind
    assert world.get(f"/api/v1/weeks/{WEEK}").json["state"] == "published"
    listed = world.get(f"/api/v1/jobs?week={WEEK}&state=succeeded").json
    assert [j["id"] for j in listed["items"]] == [publish["id"], rounds_job["id"]]


def test_a_worker_killed_mid_routing_is_replaced_and_the_job_retried_without_duplicates(lane):
    app = lane.app()
    world = build_world(app, state="closed")
    first = lane.start_worker()
    job = _submit(world, f"/api/v1/weeks/{WEEK}/rounds")
    wait_until(lambda: _job(world, job["id"])["state"] == "running", "the job to start", lane, every_s=0.02)
    lane.kill(first)
    assert _job(world, job["id"])["state"] in ("running", "queued")  # nobody works on it now
    lane.start_worker()
    done = wait_until(_finished(world, job["id"]), "the retried job", lane)
    assert done["state"] == "succeeded", done
    assert done["attempts"] == 2
    plans, rounds, _ = _plans_rounds_events(app)
    assert [p.version for p in plans] == [1, 2]  # one portioning, one routing: no duplicate version
    assert len(rounds) == len(plans[-1].plan["rounds"]) and all(r.plan_id == plans[-1].id for r in rounds)


def test_a_worker_killed_mid_publication_leaves_one_whole_set_and_one_publication(lane):
    app = lane.app()
    world = build_world(app, state="closed")
    lane.start_worker(TERRIL_PUBLISH_BATCH="2")
    done = wait_until(_finished(world, _submit(world, f"/api/v1/weeks/{WEEK}/rounds")["id"]), "rounds", lane)
    assert done["state"] == "succeeded", done
    lane.stop_all()
    first = lane.start_worker(TERRIL_PUBLISH_BATCH="2")
    job = _submit(world, f"/api/v1/weeks/{WEEK}/publish")
    root = Path(app.config["TERRIL_DOCUMENTS_DIR"])

    def mid_part():  # parts of 2 documents: an odd count of PDFs means a part is half-way
        pdfs = list(root.rglob(".staging-*/*.pdf"))
        return len(pdfs) >= 3 and len(pdfs) % 2 == 1
    wait_until(mid_part, "a part half-rendered", lane, every_s=0.01)
    lane.kill(first)
    names_before, _ = _published_files(app)
    assert names_before == set()  # nothing switched in yet: the set is not complete
    lane.start_worker(TERRIL_PUBLISH_BATCH="2")
    done = wait_until(_finished(world, job["id"]), "the retried publication", lane)
    assert done["state"] == "succeeded", done
    assert done["attempts"] == 2
    names, staging = _published_files(app)
    assert names == {d["name"] for d in done["result"]["documents"]} and staging == []
    _, _, events = _plans_rounds_events(app)
    assert len(events) == 1  # published once


def test_a_job_whose_worker_died_for_the_last_time_is_failed_with_a_french_reason(lane):
    lane.config["TERRIL_JOB_MAX_ATTEMPTS"] = 1
    app = lane.app()
    world = build_world(app, state="closed")
    first = lane.start_worker()
    job = _submit(world, f"/api/v1/weeks/{WEEK}/rounds")
    wait_until(lambda: _job(world, job["id"])["state"] == "running", "the job to start", lane, every_s=0.02)
    lane.kill(first)
    # no worker is left: reading the job is enough for its lease to be checked
    done = wait_until(_finished(world, job["id"]), "the job to be failed", lane, every_s=0.5)
    assert done["state"] == "failed"
    assert done["error"]["code"] == "worker_lost" and "interrompu" in done["error"]["detail_fr"]
    with app.app_context():
        assert get_session().exec(select(Job)).one().active_key is None  # a new request may start
    assert world.post(f"/api/v1/weeks/{WEEK}/rounds", {}).json["id"] != job["id"]
