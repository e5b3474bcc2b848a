"""The job resource and its callers (API, CLI, pages) with the queue in immediate mode, and without a
worker (jobs stay queued): dedup, cancel, `Prefer: wait`, listing, a failed render's explanation."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlmodel import select

from app.db import get_session
from app.models import Plan, Week
from tests.app.world import WEEK, build_world

WAIT = {"Prefer": "wait=60"}


def _folder(app, version: int) -> Path:
    return Path(app.config["TERRIL_DOCUMENTS_DIR"]) / "lens-lievin" / WEEK / f"v{version}"


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.pdf"))}


def test_identical_requests_share_one_job_which_can_be_cancelled(lane):
    app = lane.app()  # a real queue and no worker: the job waits
    world = build_world(app, state="closed")
    first = world.post(f"/api/v1/weeks/{WEEK}/portioning", {"reason": "essai"})
    assert first.status_code == 202 and first.headers["Location"] == f"/api/v1/jobs/{first.json['id']}"
    assert first.json["state"] == "queued" and first.json["progress"] == 0.0
    assert set(first.json) >= {"id", "kind", "territory", "week", "state", "progress", "stage", "created_at",
                               "started_at", "finished_at", "result", "error"}
    second = world.post(f"/api/v1/weeks/{WEEK}/portioning", {})
    assert second.status_code == 202 and second.json["id"] == first.json["id"]
    other = world.post(f"/api/v1/weeks/{WEEK}/rounds", {})
    assert other.json["id"] != first.json["id"]  # another kind is another job

    waited = world.get(f"/api/v1/jobs/{first.json['id']}", headers={"Prefer": "wait=1"})
    assert waited.status_code == 202 and waited.headers["Preference-Applied"] == "wait=1"
    assert world.get(f"/api/v1/jobs/{first.json['id']}", who="producer").status_code == 403

    cancelled = world.delete(f"/api/v1/jobs/{first.json['id']}")
    assert cancelled.status_code == 200 and cancelled.json["state"] == "cancelled"
    again = world.delete(f"/api/v1/jobs/{first.json['id']}")
    assert again.status_code == 409 and "rien à annuler" in again.json["detail_fr"]
    listed = world.get(f"/api/v1/jobs?week={WEEK}&state=cancelled").json
    assert [j["id"] for j in listed["items"]] == [first.json["id"]]
    assert world.get(f"/api/v1/jobs?week={WEEK}&state=queued").json["items"][0]["id"] == other.json["id"]
    fresh = world.post(f"/api/v1/weeks/{WEEK}/portioning", {})
    assert fresh.status_code == 202 and fresh.json["id"] not in (first.json["id"], other.json["id"])
    assert world.get("/api/v1/jobs/999999").status_code == 404
    assert world.get("/api/v1/jobs?state=lost").status_code == 422


def test_a_refused_run_is_a_4xx_before_any_job(app):
    world = build_world(app, state="orders_open")
    res = world.post(f"/api/v1/weeks/{WEEK}/rounds", {}, headers=WAIT)
    assert res.status_code == 409 and res.mimetype == "application/problem+json"
    assert world.post(f"/api/v1/weeks/{WEEK}/publish", {}).status_code == 404  # no plan to publish
    assert world.get("/api/v1/jobs").json["total"] == 0


def test_a_failed_render_names_the_document_and_keeps_the_previous_documents(app, monkeypatch):
    world = build_world(app, state="closed")
    assert world.post(f"/api/v1/weeks/{WEEK}/rounds", {}, headers=WAIT).json["state"] == "succeeded"
    with app.test_request_context():  # the documents of plan version 2, as `flask documents` renders them
        from app.jobs.submit import submit

        docs, _ = submit("documents", get_session().exec(select(Week)).one(), "test")
    assert docs.state == "succeeded"
    published = _digests(_folder(app, 2))
    assert len(published) == len(docs.result["documents"]) > 10
    assert world.post(f"/api/v1/weeks/{WEEK}/rounds", {"reason": "re-plan"}, headers=WAIT).json["state"] == "succeeded"

    from reports import route_sheet

    real = route_sheet.render_route_sheet_pdf
    calls = []

    def broken(sheet):
        calls.append(sheet)
        if len(calls) == 2:
            raise ValueError("image de carte illisible")
        return real(sheet)

    monkeypatch.setattr(route_sheet, "render_route_sheet_pdf", broken)
    failed = world.post(f"/api/v1/weeks/{WEEK}/publish", {}, headers=WAIT).json
    assert failed["state"] == "failed" and failed["error"]["code"] == "document_failed"
    name = failed["error"]["errors"][0]["field"]
    assert name.startswith("feuille-de-route-") and name in failed["error"]["detail_fr"]
    assert "image de carte illisible" in failed["error"]["detail_fr"]
    assert "restent en place" in failed["error"]["detail_fr"]
    assert world.get(f"/api/v1/weeks/{WEEK}").json["state"] == "planned"
    assert _digests(_folder(app, 2)) == published  # the previous version's set is untouched
    assert not _folder(app, 3).exists() and not list(_folder(app, 3).parent.glob(".staging-*"))

    monkeypatch.setattr(route_sheet, "render_route_sheet_pdf", real)
    done = world.post(f"/api/v1/weeks/{WEEK}/publish", {}, headers=WAIT).json
    assert done["state"] == "succeeded" and world.get(f"/api/v1/weeks/{WEEK}").json["state"] == "published"
    assert set(_digests(_folder(app, 3))) == {d["name"] for d in done["result"]["documents"]}


def test_the_cli_waits_for_its_jobs_and_prints_progress_lines(app, runner, tmp_path):
    build_world(app, state="closed")
    routed = runner.invoke(args=["route", "--week", WEEK, "--reason", "démonstration"])
    assert routed.exit_code == 0, routed.output
    assert "[100 %] Tournées calculées" in routed.output and "Tournées de la semaine" in routed.output
    out = tmp_path / "out"
    written = runner.invoke(args=["documents", "--week", WEEK, "--out", str(out)])
    assert written.exit_code == 0, written.output
    with app.app_context():
        week = get_session().exec(select(Week)).one()
        version = get_session().exec(select(Plan).where(Plan.week_id == week.id, Plan.current == True)).one().version  # noqa: E712
    assert _digests(out) == _digests(_folder(app, version)) and len(_digests(out)) > 10
    published = runner.invoke(args=["publish", "--week", WEEK])
    assert published.exit_code == 0 and "publiée" in published.output, published.output
    refused = runner.invoke(args=["portion", "--week", WEEK])
    assert refused.exit_code != 0 and "publiée" in refused.output


@pytest.mark.parametrize("tty", [False])
def test_follow_prints_one_line_per_stage_off_a_terminal(app, tty, capsys):
    from app.jobs.follow import follow
    from app.jobs.submit import submit

    build_world(app, state="closed")
    with app.test_request_context():
        week = get_session().exec(select(Week)).one()
        job, created = submit("portioning", week, "test")
        assert created and job.state == "succeeded"
        assert follow(job.id, tty=tty).state == "succeeded"
    assert capsys.readouterr().out.strip().splitlines()[-1] == "[100 %] Répartition calculée"


def test_a_stale_running_job_is_reaped_even_with_a_leftover_message_in_the_queue(lane):
    """A "run job" message left in the queue (enqueued twice while a worker was claiming it) cannot move
    a running job on: it must not keep the dead worker's job `running`."""
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import update

    from app.jobs import huey_of
    from app.models import Job

    lane.config["TERRIL_JOB_MAX_ATTEMPTS"] = 1
    app = lane.app()
    world = build_world(app, state="closed")
    job = world.post(f"/api/v1/weeks/{WEEK}/portioning", {}).json  # queued, its message waits
    with app.app_context():
        assert len(huey_of(app).pending()) == 1
        with app.extensions["terril_engine"].begin() as conn:  # a worker claimed it, then died
            conn.execute(update(Job).where(Job.id == job["id"]).values(
                state="running", attempts=1, heartbeat_at=datetime.now(UTC) - timedelta(minutes=5)))
    seen = world.get(f"/api/v1/jobs/{job['id']}").json
    assert seen["state"] == "failed" and seen["error"]["code"] == "worker_lost"
