"""Crash safety: SIGKILL the server in the middle of a burst of orders; nothing acknowledged is
lost, nothing is half-written, and retries of the unanswered requests create nothing twice.

The real thing: `flask db upgrade` + `flask demo` + `flask users create`, then gunicorn with two
workers on the test database (a file SQLite in WAL mode, or PostgreSQL when `TEST_DATABASE_URL`
is set), a burst of basket orders from 8 client threads, `SIGKILL` to the whole process group
once 40 orders were acknowledged, a restart, and checks through the API and the database.
"""
from __future__ import annotations

import http.client
import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from app.db import make_engine
from orders.demo import build_demo_scenario
from tests.app.world import WEEK

ROOT = Path(__file__).resolve().parents[2]
THREADS = 8
KILL_AFTER_ACKS = 40


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _flask(env: dict, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


class Server:
    def __init__(self, env: dict, port: int, log: Path):
        self.env, self.port, self.log = env, port, log
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{self.port}", "wsgi:app"],
                cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        for _ in range(600):  # bounded wait for readiness (not a timing assertion)
            assert self.proc.poll() is None, self.log.read_text()
            try:
                if self.request("GET", "/healthz")[0] == 200:
                    return
            except OSError:
                time.sleep(0.05)
        raise AssertionError("gunicorn did not become ready:\n" + self.log.read_text())

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)  # master and workers, no chance to clean up
            self.proc.wait()

    def request(self, method: str, path: str, body: dict | None = None, headers: dict | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            payload = json.dumps(body) if body is not None else None
            conn.request(method, path, body=payload, headers={"Content-Type": "application/json", **(headers or {})})
            res = conn.getresponse()
            data = res.read()
            return res.status, json.loads(data) if data else None
        finally:
            conn.close()


@pytest.fixture
def server(db_url, tmp_path):
    env = {**os.environ, "DATABASE_URL": db_url, "SECRET_KEY": "crash-test", "FLASK_RUN_FROM_CLI": "",
           "TERRIL_DOCUMENTS_DIR": str(tmp_path / "documents"), "PYTHONPATH": str(ROOT)}
    env.pop("TERRIL_SCHEDULER_IN_PROCESS", None)
    _flask(env, "db", "upgrade")
    _flask(env, "demo")
    token = _flask(env, "users", "create", "Crash Tester", "--role", "coordinator").strip().splitlines()[-1]
    srv = Server(env, _free_port(), tmp_path / "gunicorn.log")
    srv.start()
    srv.token = token
    yield srv
    srv.kill()


def _payloads() -> list[dict]:
    scenario = build_demo_scenario(WEEK)
    existing = {(o["relay_point"], o["basket_type"], o["day"]) for o in scenario["basket_orders"]}
    days = [f"2026-11-{d}" for d in (30,)] + [f"2026-12-0{d}" for d in range(1, 7)]
    combos = [(r["id"], b["id"], d) for r, b, d in itertools.product(
        scenario["relay_points"], scenario["basket_types"], days)]
    return [{"week": WEEK, "relay_point_id": r, "basket_type_id": b, "day": d, "count": 1 + i % 9}
            for i, (r, b, d) in enumerate(c for c in combos if c not in existing)]


def test_sigkill_mid_burst_loses_no_acknowledged_order_and_leaves_nothing_half_written(server, db_url):
    auth = {"Authorization": f"Bearer {server.token}"}
    # the demo week is loaded closed: reopen its orders
    status, _ = server.request("POST", f"/api/v1/weeks/{WEEK}/transitions",
                               {"to": "orders_open", "reason": "crash test"}, auth)
    assert status == 200
    assert server.request("GET", f"/api/v1/weeks/{WEEK}", headers=auth)[1]["state"] == "orders_open"
    _, before = server.request("GET", f"/api/v1/basket-orders?week={WEEK}&page_size=500", headers=auth)

    payloads = _payloads()
    assert len(payloads) > KILL_AFTER_ACKS * 2
    queue = iter(enumerate(payloads))
    lock = threading.Lock()
    acked: dict[int, dict] = {}       # payload index -> the 201 body
    unanswered: set[int] = set()      # sent, no answer (killed in flight, or refused after the kill)
    killed = threading.Event()

    def client():
        while True:
            with lock:
                item = next(queue, None)
            if item is None:
                return
            i, body = item
            try:
                status, answer = server.request("POST", "/api/v1/basket-orders", body,
                                                {**auth, "Idempotency-Key": f"crash-{i}"})
            except (OSError, http.client.HTTPException):  # refused, reset, or cut mid-answer (IncompleteRead)
                with lock:
                    unanswered.add(i)
                continue
            with lock:
                assert status == 201, (status, answer)
                acked[i] = answer
                if len(acked) >= KILL_AFTER_ACKS and not killed.is_set():
                    killed.set()
                    server.kill()

    threads = [threading.Thread(target=client) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert killed.is_set() and len(acked) >= KILL_AFTER_ACKS and unanswered

    server.start()
    # 1. every acknowledged order is there, exactly as acknowledged
    _, after = server.request("GET", f"/api/v1/basket-orders?week={WEEK}&page_size=500", headers=auth)
    stored = {o["id"]: o for o in after["items"]}
    for i, answer in acked.items():
        assert stored[answer["id"]] == answer, (i, answer)
    # 2. nothing half-written: every new row is one we sent, whole, with its audit entry
    old_ids = {o["id"] for o in before["items"]}
    sent = {(p["relay_point_id"], p["basket_type_id"], p["day"]): p for p in payloads}
    new_rows = [o for o in after["items"] if o["id"] not in old_ids]
    for row in new_rows:
        p = sent[(row["relay_point_id"], row["basket_type_id"], row["day"])]
        assert row["count"] == p["count"] and row["week"] == WEEK
    engine = make_engine(db_url)
    with engine.connect() as conn:
        audited = set(conn.execute(text(
            "SELECT entity_id FROM auditentry WHERE entity = 'basket_order' AND action = 'create'")).scalars())
        assert {str(r["id"]) for r in new_rows} <= audited
        if engine.dialect.name == "sqlite":
            assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    engine.dispose()
    # 3. retrying the unanswered requests with their keys creates nothing twice
    for i in sorted(unanswered):
        status, answer = server.request("POST", "/api/v1/basket-orders", payloads[i],
                                        {**auth, "Idempotency-Key": f"crash-{i}"})
        assert status in (201, 409), (status, answer)  # 409: committed just before the kill
    _, final = server.request("GET", f"/api/v1/basket-orders?week={WEEK}&page_size=500", headers=auth)
    keys = [(o["relay_point_id"], o["basket_type_id"], o["day"]) for o in final["items"]]
    assert len(keys) == len(set(keys))
    assert len(final["items"]) == len(before["items"]) + len(acked) + len(unanswered)
