"""Backups under write load: `flask backup` while threads place orders, `flask restore` into a fresh
database, and every order acknowledged before the backup began is there, whole.

On the test database: a file SQLite (online backup API), or PostgreSQL when `TEST_DATABASE_URL` is
set (pg_dump / pg_restore into a scratch database created next to it).
"""
from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from app.backup import BackupError, restore
from app.db import make_engine, normalise_url
from tests.app.world import build_world
from tests.trust.test_crash import _payloads

ROOT = Path(__file__).resolve().parents[2]
THREADS = 6
BACKUP_AFTER_ACKS = 20


def _flask(db_url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": db_url, "SECRET_KEY": "backup-test", "PYTHONPATH": str(ROOT)}
    env.pop("TERRIL_SCHEDULER_IN_PROCESS", None)
    return subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture
def fresh_url(db_url, tmp_path):
    """An empty database of the same kind as the test database."""
    if db_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    base = make_url(normalise_url(db_url))
    name = f"{base.database}_restore"
    admin = make_engine(db_url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield base.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _orders(url: str) -> dict[int, tuple]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT id, relay_point_id, basket_type_id, day, count FROM basketorder")).all()
            audited = set(conn.execute(text(
                "SELECT entity_id FROM auditentry WHERE entity = 'basket_order' AND action = 'create'")).scalars())
    finally:
        engine.dispose()
    return {r[0]: (r[1], r[2], str(r[3])[:10], r[4], str(r[0]) in audited) for r in rows}


def _revision(url: str) -> str | None:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        engine.dispose()


def test_a_backup_taken_under_write_load_restores_every_acknowledged_order(app, db_url, fresh_url, tmp_path):
    world = build_world(app, state="orders_open")
    auth = {"Authorization": f"Bearer {world.tokens['coordinator']}"}
    before = _orders(db_url)
    queue = iter(_payloads())
    lock = threading.Lock()
    acked: dict[int, dict] = {}
    enough, stop = threading.Event(), threading.Event()
    errors: list[str] = []

    def writer():
        client = app.test_client()
        while not stop.is_set():
            with lock:
                body = next(queue, None)
            if body is None:
                return
            res = client.post("/api/v1/basket-orders", json=body, headers=auth)
            with lock:
                if res.status_code != 201:
                    errors.append(f"{res.status_code} {res.get_data(as_text=True)[:300]}")
                    continue
                acked[res.json["id"]] = res.json
                if len(acked) >= BACKUP_AFTER_ACKS:
                    enough.set()

    threads = [threading.Thread(target=writer) for _ in range(THREADS)]
    for t in threads:
        t.start()
    assert enough.wait(120), errors
    with lock:
        acked_before_backup = dict(acked)
    out = tmp_path / "terril.backup"
    done = _flask(db_url, "backup", str(out))
    with lock:
        acked_during_backup = len(acked) - len(acked_before_backup)
    stop.set()
    for t in threads:
        t.join()
    assert done.returncode == 0, done.stdout + done.stderr
    assert not errors, errors
    assert acked_during_backup > 0  # the writers kept committing while the backup ran
    assert out.is_file() and not out.with_name(out.name + ".partial").exists()

    restored = _flask(fresh_url, "restore", str(out))
    assert restored.returncode == 0, restored.stdout + restored.stderr
    orders = _orders(fresh_url)
    for order_id, answer in acked_before_backup.items():
        assert orders[order_id] == (answer["relay_point_id"], answer["basket_type_id"], answer["day"],
                                    answer["count"], True), order_id
    # a snapshot: every order in it is whole (its audit entry too) and was sent or there before
    new = {i: o for i, o in orders.items() if i not in before}
    assert set(new) <= set(acked) and all(o[4] for o in new.values())
    assert {i: o[:4] for i, o in orders.items() if i in before} == {i: o[:4] for i, o in before.items()}
    # the restored database is at the same migration as the original
    assert _revision(fresh_url) == _revision(db_url) is not None
    # a second restore into the now non-empty database is refused without --force
    with pytest.raises(BackupError, match="--force"):
        restore(fresh_url, out)
    restore(fresh_url, out, force=True)
    assert set(_orders(fresh_url)) == set(orders)


def test_a_backup_of_the_wrong_kind_is_refused(fresh_url, tmp_path):
    bogus = tmp_path / "not-a-backup"
    bogus.write_bytes(b"GIF89a" + b"\x00" * 64)
    with pytest.raises(BackupError, match="not of the same kind"):
        restore(fresh_url, bogus)
