"""The scheduler process: APScheduler on the app's database, one active instance, CLI, API."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import text
from sqlmodel import select

from app import scheduler
from app.db import get_session
from app.models import JobRun, Week
from tests.app.world import build_world
from tests.conftest import PG_URL


def _stored_tick_jobs(app) -> int:
    with app.extensions["terril_engine"].connect() as conn:
        return conn.execute(text("SELECT count(*) FROM apscheduler_jobs WHERE id = :id"),
                            {"id": scheduler.TICK_JOB_ID}).scalar()


def test_the_tick_job_is_stored_once_across_restarts(app):
    first = scheduler.TerrilScheduler(app).start(watch=False)
    try:
        assert first.active
        assert sorted(job.id for job in first.jobs()) == sorted([scheduler.TICK_JOB_ID, scheduler.PURGE_JOB_ID])
        assert _stored_tick_jobs(app) == 1
    finally:
        first.shutdown()
    assert not first.active and _stored_tick_jobs(app) == 1
    second = scheduler.TerrilScheduler(app).start(watch=False)
    try:
        assert second.active
        jobs = second.jobs()
        assert sorted(job.id for job in jobs) == sorted([scheduler.TICK_JOB_ID, scheduler.PURGE_JOB_ID])
        assert _stored_tick_jobs(app) == 1
        tick = next(job for job in jobs if job.id == scheduler.TICK_JOB_ID)
        assert tick.coalesce is True and tick.misfire_grace_time == 300
    finally:
        second.shutdown()


def test_a_second_scheduler_stays_passive_until_the_first_stops(app):
    first = scheduler.TerrilScheduler(app).start(watch=False)
    second = scheduler.TerrilScheduler(app).start(watch=False)
    try:
        assert first.active and not second.active
        assert second.try_become_active() is False
        first.shutdown()
        assert second.try_become_active() is True and second.active
        assert _stored_tick_jobs(app) == 1
    finally:
        first.shutdown()
        second.shutdown()


def test_the_sqlite_fallback_is_an_exclusive_file_lock(tmp_path):
    one, two = scheduler.FileLock(tmp_path / "t.db.scheduler.lock"), scheduler.FileLock(tmp_path / "t.db.scheduler.lock")
    assert one.acquire() and not two.acquire()
    one.release()
    assert two.acquire()
    two.release()


@pytest.mark.skipif(not PG_URL, reason="needs PostgreSQL (TEST_DATABASE_URL)")
def test_the_postgres_advisory_lock_admits_one_holder(app):
    engine = app.extensions["terril_engine"]
    one, two = scheduler.PostgresAdvisoryLock(engine), scheduler.PostgresAdvisoryLock(engine)
    assert isinstance(scheduler.lock_for(engine), scheduler.PostgresAdvisoryLock)
    try:
        assert one.acquire() and one.healthy()
        assert not two.acquire()
        with engine.connect() as conn:  # the server sees the lock held by one session
            held = conn.execute(text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted")).scalar()
        assert held == 1
        one.release()
        assert two.acquire()
    finally:
        one.release()
        two.release()


def test_cli_cycle_tick_runs_one_tick_at_the_given_time(app, runner):
    build_world(app, state="published")
    result = runner.invoke(args=["cycle", "tick", "--now", "2026-12-07T09:00:00+01:00"])
    assert result.exit_code == 0, result.output
    assert "2026-W51: semaine créée" in result.output and "draft → offers_open" in result.output
    again = runner.invoke(args=["cycle", "tick", "--now", "2026-12-07T09:00:00+01:00"])
    assert again.exit_code == 0 and "Rien à faire." in again.output
    naive = runner.invoke(args=["cycle", "tick", "--now", "2026-12-07T09:00:00"])
    assert naive.exit_code != 0 and "offset" in naive.output
    with app.app_context():
        assert {w.iso_week: w.state for w in get_session().exec(select(Week))}["2026-W51"] == "offers_open"


def test_cli_updates_the_school_holidays_from_an_export_file(runner, tmp_path):
    export = tmp_path / "export.json"
    export.write_text(json.dumps([
        {"description": "Vacances de Noël", "population": "-", "start_date": "2027-12-17T23:00:00+00:00",
         "end_date": "2028-01-02T23:00:00+00:00", "location": "Lille", "zones": "Zone B",
         "annee_scolaire": "2027-2028"},
        {"description": "Vacances de Noël", "population": "-", "start_date": "2027-12-17T23:00:00+00:00",
         "end_date": "2028-01-02T23:00:00+00:00", "location": "Paris", "zones": "Zone C",
         "annee_scolaire": "2027-2028"}]), encoding="utf-8")
    dest = tmp_path / "school_holidays.csv"
    result = runner.invoke(args=["calendar", "update-school-holidays", "--source", str(export), "--dest", str(dest)])
    assert result.exit_code == 0, result.output
    assert "1 périodes" in result.output and "2027-12-18" in dest.read_text(encoding="utf-8")
    missing = runner.invoke(args=["calendar", "update-school-holidays", "--source", str(tmp_path / "nope.json"),
                                  "--dest", str(dest)])
    assert missing.exit_code != 0


def test_schedule_api_reads_validates_and_replaces_the_cycle(app):
    world = build_world(app)
    url = "/api/v1/territories/lens-lievin/schedule"
    got = world.get(url)
    assert got.status_code == 200 and got.json["offers_close"] == "tuesday 12:00"
    assert got.json["delivery_weekdays"] == [1, 3] and got.json["timezone"] == "Europe/Paris"
    bad = world.call("PUT", url, json={"offers_close": "monday 07:00"})
    assert bad.status_code == 422 and bad.mimetype == "application/problem+json"
    assert bad.json["errors"][0]["field"] == "offers_close" and bad.json["detail_fr"]
    bad_time = world.call("PUT", url, json={"publish": "thursday 25:00"})
    assert bad_time.status_code == 422
    put = world.call("PUT", url, json={"orders_close": "wednesday 13:00", "delivery_weekdays": [1, 4]})
    assert put.status_code == 200 and put.json["orders_close"] == "wednesday 13:00"
    assert world.get(url).json["delivery_weekdays"] == [1, 4]
    assert world.get("/api/v1/territories/nowhere/schedule").status_code == 404
    assert world.get(url, who="producer").status_code == 403 and world.get(url, who=None).status_code == 401


def test_job_runs_api_lists_what_the_scheduler_did(app, runner):
    world = build_world(app, state="published")
    assert runner.invoke(args=["cycle", "tick", "--now", "2026-12-07T09:00:00+01:00"]).exit_code == 0
    res = world.get("/api/v1/job-runs?week=2026-W51&page_size=10")
    assert res.status_code == 200
    jobs = [r["job"] for r in res.json["items"]]
    assert sorted(jobs) == ["open_week", "standing_orders", "transition"] and res.json["total"] == 3
    only = world.get("/api/v1/job-runs?job=transition&week=2026-W51").json
    assert only["total"] == 1 and only["items"][0]["detail"]["to"] == "offers_open"
    assert world.get("/api/v1/job-runs?week=nope").status_code == 422
    assert world.get("/api/v1/job-runs", who="canteen").status_code == 403
    assert world.get("/api/v1/notifications?week=2026-W51").json["total"] == 0
    with app.app_context():
        assert len(get_session().exec(select(JobRun)).all()) == 4  # and W49 delivered


@pytest.mark.skipif(bool(PG_URL), reason="runs its own SQLite database; the PostgreSQL lock is tested above")
def test_the_scheduler_command_runs_until_sigterm(tmp_path):
    import os
    import signal
    import subprocess
    import sys

    from app import migrate

    url = f"sqlite:///{tmp_path / 'proc.db'}"
    migrate.upgrade(url)
    env = {**os.environ, "DATABASE_URL": url, "TERRIL_LOG_LEVEL": "WARNING"}
    proc = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "scheduler"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert "Planificateur démarré (actif)" in proc.stdout.readline()
        assert (tmp_path / "proc.db.scheduler.lock").exists()
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "Planificateur arrêté." in out
