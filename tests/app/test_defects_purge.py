"""Expired idempotency records and superseded caches are purged, nightly and by command (issue 12)."""
from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

from sqlmodel import select

from app import scheduler
from app.auth import create_user
from app.db import get_session, unit_of_work
from app.models import IdempotencyRecord, Plan, Week
from app.services.scenario import import_scenario
from orders.demo import build_demo_scenario

NOW = datetime(2026, 12, 20, 12, 0, tzinfo=UTC)
OLD = (NOW - timedelta(days=30)).timestamp()
RECENT = (NOW - timedelta(days=2)).timestamp()


def _age(path, stamp: float) -> None:
    for item in [*path.rglob("*"), path] if path.is_dir() else [path]:
        os.utime(item, (stamp, stamp))


def _world(app):
    """The demo week with three stored plan versions (v3 current), two idempotency records."""
    with app.app_context(), unit_of_work() as session:
        import_scenario(session, build_demo_scenario("2026-W49"), state="closed")
        user, _ = create_user(session, "Claire", "coordinator", None)
        week = session.exec(select(Week)).one()
        for version in (1, 2, 3):
            session.add(Plan(week_id=week.id, version=version, current=version == 3, created_at=NOW,
                             created_by="test", inputs_hash="x" * 64, plan={}))
        for key, created in (("old", NOW - timedelta(hours=25)), ("fresh", NOW - timedelta(hours=1))):
            session.add(IdempotencyRecord(user_id=user.id, key=key, method="POST", path="/api/v1/x",
                                          request_hash="h" * 64, created_at=created, status=201))
        return week.territory_id, week.iso_week


def _files(app, territory, iso_week):
    docs = app.config["TERRIL_DOCUMENTS_DIR"]
    folders = {}
    for name in ("v1", "v2", "v3"):
        folder = os.path.join(docs, territory, iso_week, name)
        os.makedirs(folder)
        with open(os.path.join(folder, "synthese.pdf"), "wb") as handle:
            handle.write(b"%PDF")
        folders[name] = folder
    stale_week = os.path.join(docs, territory, "2025-W10", "v1")  # a week that is not in the database
    os.makedirs(stale_week)
    folders["gone"] = stale_week
    matrices = os.path.join(app.instance_path, "matrices")
    os.makedirs(matrices, exist_ok=True)
    paths = {name: os.path.join(matrices, name) for name in ("old.json", "old.tmp", "new.json", "notes.txt")}
    for path in paths.values():
        open(path, "w").close()
    from pathlib import Path

    for name, stamp in (("v1", OLD), ("v2", RECENT), ("v3", OLD), ("gone", OLD)):
        _age(Path(folders[name]), stamp)
    for name in ("old.json", "old.tmp", "notes.txt"):
        _age(Path(paths[name]), OLD)
    _age(Path(paths["new.json"]), RECENT)
    return folders, paths


def _keys(app) -> set[str]:
    with app.app_context():
        return {r.key for r in get_session().exec(select(IdempotencyRecord)).all()}


def test_purge_command_removes_expired_records_and_superseded_caches(app, tmp_path):
    app.instance_path = str(tmp_path / "instance")
    territory, iso_week = _world(app)
    folders, matrices = _files(app, territory, iso_week)
    result = app.test_cli_runner().invoke(args=["purge", "--now", NOW.isoformat()])
    assert result.exit_code == 0, result.output
    assert "1 clés d'idempotence" in result.output
    assert _keys(app) == {"fresh"}
    # superseded and old: gone; superseded but recent: kept; current (however old): kept
    assert not os.path.exists(folders["v1"]) and not os.path.exists(folders["gone"])
    assert os.path.exists(folders["v2"]) and os.path.exists(os.path.join(folders["v3"], "synthese.pdf"))
    assert not os.path.exists(matrices["old.json"]) and not os.path.exists(matrices["old.tmp"])
    assert os.path.exists(matrices["new.json"]) and os.path.exists(matrices["notes.txt"])
    again = app.test_cli_runner().invoke(args=["purge", "--now", NOW.isoformat()])
    assert again.exit_code == 0 and again.output.startswith("0 clés")


def test_purge_refuses_a_naive_time(app):
    result = app.test_cli_runner().invoke(args=["purge", "--now", "2026-12-20T12:00:00"])
    assert result.exit_code != 0 and "--now" in result.output


def test_the_scheduler_runs_the_purge_every_night(app, tmp_path, monkeypatch):
    app.instance_path = str(tmp_path / "instance")
    territory, iso_week = _world(app)
    folders, _ = _files(app, territory, iso_week)
    sched = scheduler.TerrilScheduler(app).start(watch=False)
    try:
        job = next(job for job in sched.jobs() if job.id == scheduler.PURGE_JOB_ID)
        assert str(job.trigger) == "cron[hour='3', minute='17']"
        assert job.func is scheduler.run_purge
        monkeypatch.setattr(scheduler, "datetime", type("Clock", (), {"now": staticmethod(lambda tz=None: NOW)}))
        scheduler.run_purge()  # what APScheduler calls at 03:17
    finally:
        sched.shutdown()
    assert _keys(app) == {"fresh"}
    assert not os.path.exists(folders["v1"]) and os.path.exists(folders["v3"])
