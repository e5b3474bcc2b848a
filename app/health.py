"""Health checks for the process manager and the load balancer.

* `/healthz` — liveness: the process answers and its database answers (`SELECT 1`); 503 otherwise.
* `/readyz` — readiness: the database and the task queue's storage (SQLite file or Redis) answer;
  the body says how many tasks wait, so a growing number shows missing workers.
"""
from __future__ import annotations

import logging

from flask import Flask, current_app
from sqlalchemy import text

from app.db import engine

log = logging.getLogger(__name__)


def _database() -> str:
    try:
        with engine().connect() as conn:
            conn.execute(text("SELECT 1"))
        return "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means "not healthy"
        log.warning("health: database unavailable: %s", exc)
        return "unavailable"


def init_app(app: Flask) -> None:
    @app.get("/healthz")
    def healthz():
        database = _database()
        return {"status": "ok" if database == "ok" else "unavailable", "database": database}, \
            200 if database == "ok" else 503

    @app.get("/readyz")
    def readyz():
        from app.jobs import huey_of
        from app.jobs.queue import describe, ping

        database = _database()
        body = {"database": database}
        huey = huey_of(current_app)
        try:
            body.update(queue="ok", queue_storage=describe(huey), waiting_tasks=ping(huey))
        except Exception as exc:  # noqa: BLE001
            log.warning("readiness: queue unavailable: %s", exc)
            body.update(queue="unavailable", queue_storage=describe(huey))
        ready = database == "ok" and body["queue"] == "ok"
        body["status"] = "ok" if ready else "unavailable"
        return body, 200 if ready else 503
