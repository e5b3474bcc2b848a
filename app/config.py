"""Configuration, read once from the environment (STYLE.md habit 6).

| variable | default | meaning |
| --- | --- | --- |
| `DATABASE_URL` | `sqlite:///<instance>/terril.db` | SQLAlchemy URL; `postgresql://…` for PostgreSQL |
| `TERRIL_TIMEZONE` | `Europe/Paris` | timezone of deadlines and rounds |
| `TERRIL_TERRITORY` | `lens-lievin` | territory used when a request names none |
| `SECRET_KEY` | `<instance>/secret_key` | signs session cookies; unset: generated once into that file (0600) and shared by every process on the instance |
| `TERRIL_MATRIX_PROVIDER` | `haversine` | `haversine` (embedded) or `osrm` |
| `TERRIL_OSRM_URL` | `http://127.0.0.1:5000` | OSRM base URL when the provider is `osrm` |
| `TERRIL_DOCUMENTS_DIR` | `<instance>/documents` | where published PDFs are cached |
| `TERRIL_SMTP_HOST` / `_PORT` / `_SENDER` | `127.0.0.1` / `25` / `terril@localhost` | notification e-mails |
| `TERRIL_ROUTING_TIME_LIMIT` | `2` | seconds the routing search may use per day |
| `TERRIL_PORTIONING_TIME_LIMIT` | `2` | seconds the portioning may use (a regional week: 20) |
| `TERRIL_IDEMPOTENCY_KEEP_HOURS` | `24` | age after which the nightly purge forgets an `Idempotency-Key` |
| `TERRIL_CACHE_KEEP_DAYS` | `14` | age after which the nightly purge deletes superseded PDF folders and matrix files |
| `TERRIL_SCHEDULER_TICK_S` / `_LOCK_RETRY_S` / `_MISFIRE_GRACE_S` | `60` / `30` / `300` | scheduler (docs/scheduler.md) |
| `TERRIL_REDIS_URL` (or `TERRIL_QUEUE_URL`) | unset | task queue on Redis; unset: SQLite file `TERRIL_QUEUE_FILE` |
| `TERRIL_QUEUE_FILE` / `TERRIL_QUEUE_NAME` | `<instance>/queue.db` / `terril` | embedded queue file, queue name |
| `TERRIL_JOB_LEASE_S` / `TERRIL_JOB_MAX_ATTEMPTS` | `30` / `2` | jobs: heartbeat lease, tries (docs/jobs.md) |
| `TERRIL_PUBLISH_BATCH` | `4` | documents per task of a publication |
| `TERRIL_TRUSTED_PROXIES` | unset | addresses or networks of the reverse proxies whose `X-Forwarded-For`/`-Proto` are believed (e.g. `127.0.0.1`); unset: those headers are ignored |
| `TERRIL_PG_SYNCHRONOUS_COMMIT` | `off` | PostgreSQL only: `off` acknowledges a commit before its WAL reaches the disk (like SQLite's WAL + `synchronous=NORMAL`: an app crash loses nothing, a database or machine crash may lose the last ≤ 0.6 s); `on` waits for the flush (docs/trust.md) |
| `TERRIL_MAX_CONTENT_LENGTH` | `4194304` | largest request body in bytes (Flask's `MAX_CONTENT_LENGTH`): larger is 413 before it is read; a spreadsheet itself may be 2 MB |
"""
from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

SECRET_KEY_FILE = "secret_key"


def from_environment(instance_path: str) -> dict:
    env = os.environ
    instance = Path(instance_path)
    return {
        "SQLALCHEMY_DATABASE_URI": env.get("DATABASE_URL") or f"sqlite:///{instance / 'terril.db'}",
        "TERRIL_TIMEZONE": env.get("TERRIL_TIMEZONE", "Europe/Paris"),
        "TERRIL_TERRITORY": env.get("TERRIL_TERRITORY", "lens-lievin"),
        "SECRET_KEY": env.get("SECRET_KEY") or None,  # None: `instance_secret_key()` (create_app)
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
        "TERRIL_IDEMPOTENCY_KEEP_HOURS": float(env.get("TERRIL_IDEMPOTENCY_KEEP_HOURS", "24")),
        "TERRIL_CACHE_KEEP_DAYS": float(env.get("TERRIL_CACHE_KEEP_DAYS", "14")),
        "TERRIL_SCHEDULER_TICK_S": int(env.get("TERRIL_SCHEDULER_TICK_S", "60")),
        "TERRIL_SCHEDULER_LOCK_RETRY_S": float(env.get("TERRIL_SCHEDULER_LOCK_RETRY_S", "30")),
        "TERRIL_SCHEDULER_MISFIRE_GRACE_S": int(env.get("TERRIL_SCHEDULER_MISFIRE_GRACE_S", "300")),
        # the task queue and its jobs (docs/jobs.md)
        "TERRIL_QUEUE_URL": env.get("TERRIL_REDIS_URL") or env.get("TERRIL_QUEUE_URL") or None,
        "TERRIL_QUEUE_FILE": env.get("TERRIL_QUEUE_FILE") or str(instance / "queue.db"),
        "TERRIL_QUEUE_NAME": env.get("TERRIL_QUEUE_NAME", "terril"),
        "TERRIL_QUEUE_IMMEDIATE": env.get("TERRIL_QUEUE_IMMEDIATE") == "1",
        "TERRIL_JOB_LEASE_S": float(env.get("TERRIL_JOB_LEASE_S", "30")),
        "TERRIL_JOB_MAX_ATTEMPTS": int(env.get("TERRIL_JOB_MAX_ATTEMPTS", "2")),
        "TERRIL_PUBLISH_BATCH": int(env.get("TERRIL_PUBLISH_BATCH", "4")),
        "TERRIL_TRUSTED_PROXIES": env.get("TERRIL_TRUSTED_PROXIES", ""),
        "TERRIL_PG_SYNCHRONOUS_COMMIT": _choice(env.get("TERRIL_PG_SYNCHRONOUS_COMMIT", "off"),
                                                "TERRIL_PG_SYNCHRONOUS_COMMIT", ("on", "off", "local")),
        "MAX_CONTENT_LENGTH": int(env.get("TERRIL_MAX_CONTENT_LENGTH", str(4 * 1024 * 1024))),
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


def _choice(value: str, name: str, allowed: tuple[str, ...]) -> str:
    value = value.strip().lower()
    if value not in allowed:
        raise RuntimeError(f"{name} must be one of {', '.join(allowed)} (got {value!r})")
    return value


def instance_secret_key(instance_path: str | os.PathLike[str]) -> str:
    """The key stored in `<instance>/secret_key`, created on first use (mode 0600).

    Every process of one instance (gunicorn workers, the scheduler, the CLI) reads the same file,
    so a session cookie signed by one is accepted by all. Creation is race-free: the key is written
    to a private temporary file then hard-linked into place, which fails if another process won
    the race; everyone then reads the winner's complete file.
    """
    path = Path(instance_path) / SECRET_KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{SECRET_KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except OSError as exc:
            raise RuntimeError(f"SECRET_KEY is not set and {path} cannot be created ({exc.strerror}): "
                               "set SECRET_KEY, or make the instance folder writable") from exc
        try:
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(secrets.token_hex(32) + "\n")
            with contextlib.suppress(FileExistsError):
                os.link(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
    key = path.read_text(encoding="ascii").strip()
    if len(key) < 32:
        raise RuntimeError(f"{path} holds no usable secret key: delete it (a new one is generated) "
                           "or set SECRET_KEY")
    return key
