"""Configuration, read once from the environment (STYLE.md habit 6).

| variable | default | meaning |
| --- | --- | --- |
| `DATABASE_URL` | `sqlite:///<instance>/terril.db` | SQLAlchemy URL; `postgresql://…` for PostgreSQL |
| `TERRIL_TIMEZONE` | `Europe/Paris` | timezone of deadlines and rounds |
| `TERRIL_TERRITORY` | `lens-lievin` | territory used when a request names none |
| `SECRET_KEY` | random per process | signs session cookies (set it in production) |
| `TERRIL_MATRIX_PROVIDER` | `haversine` | `haversine` (embedded) or `osrm` |
| `TERRIL_OSRM_URL` | `http://127.0.0.1:5000` | OSRM base URL when the provider is `osrm` |
| `TERRIL_DOCUMENTS_DIR` | `<instance>/documents` | where published PDFs are cached |
| `TERRIL_SMTP_HOST` / `_PORT` / `_SENDER` | `127.0.0.1` / `25` / `terril@localhost` | notification e-mails |
| `TERRIL_ROUTING_TIME_LIMIT` | `2` | seconds the routing search may use per day |
| `TERRIL_PORTIONING_TIME_LIMIT` | `2` | seconds the portioning may use (a regional week: 20) |
| `TERRIL_SCHEDULER_TICK_S` / `_LOCK_RETRY_S` / `_MISFIRE_GRACE_S` | `60` / `30` / `300` | scheduler (docs/scheduler.md) |
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path


def from_environment(instance_path: str) -> dict:
    env = os.environ
    instance = Path(instance_path)
    return {
        "SQLALCHEMY_DATABASE_URI": env.get("DATABASE_URL") or f"sqlite:///{instance / 'terril.db'}",
        "TERRIL_TIMEZONE": env.get("TERRIL_TIMEZONE", "Europe/Paris"),
        "TERRIL_TERRITORY": env.get("TERRIL_TERRITORY", "lens-lievin"),
        "SECRET_KEY": env.get("SECRET_KEY") or secrets.token_hex(32),
        "TERRIL_MATRIX_PROVIDER": env.get("TERRIL_MATRIX_PROVIDER", "haversine"),
        "TERRIL_OSRM_URL": env.get("TERRIL_OSRM_URL", "http://127.0.0.1:5000"),
        "TERRIL_DOCUMENTS_DIR": env.get("TERRIL_DOCUMENTS_DIR") or str(instance / "documents"),
        "TERRIL_SMTP_HOST": env.get("TERRIL_SMTP_HOST", "127.0.0.1"),
        "TERRIL_SMTP_PORT": int(env.get("TERRIL_SMTP_PORT", "25")),
        "TERRIL_SMTP_SENDER": env.get("TERRIL_SMTP_SENDER", "terril@localhost"),
        "TERRIL_ROUTING_TIME_LIMIT": float(env.get("TERRIL_ROUTING_TIME_LIMIT", "2")),
        "TERRIL_PORTIONING_TIME_LIMIT": float(env.get("TERRIL_PORTIONING_TIME_LIMIT", "2")),
        "TERRIL_AUTH_FAILURES_PER_MINUTE": int(env.get("TERRIL_AUTH_FAILURES_PER_MINUTE", "20")),
        "TERRIL_MACANTINE_MAPPING": env.get("TERRIL_MACANTINE_MAPPING") or None,
        "TERRIL_SCHEDULER_TICK_S": int(env.get("TERRIL_SCHEDULER_TICK_S", "60")),
        "TERRIL_SCHEDULER_LOCK_RETRY_S": float(env.get("TERRIL_SCHEDULER_LOCK_RETRY_S", "30")),
        "TERRIL_SCHEDULER_MISFIRE_GRACE_S": int(env.get("TERRIL_SCHEDULER_MISFIRE_GRACE_S", "300")),
        # flask-smorest / OpenAPI
        "API_TITLE": "Terril",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": "docs",
        "OPENAPI_SWAGGER_UI_URL": "/api/v1/docs-assets/",  # served locally, see app/api/docs_assets.py
        "JSON_SORT_KEYS": False,
    }
