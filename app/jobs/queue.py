"""The task queue: a Huey instance built from the app's configuration.

* `TERRIL_REDIS_URL` (or `TERRIL_QUEUE_URL`) set: `RedisHuey` — workers on several machines share
  the queue (and must share `TERRIL_DOCUMENTS_DIR`, e.g. a network volume, and the database).
* unset: `SqliteHuey` on `TERRIL_QUEUE_FILE` (default `instance/queue.db`) — no server to install.
* `TERRIL_QUEUE_IMMEDIATE=1` (the ordinary tests): tasks run at once in the caller, in memory.

The queue carries only "run job N, attempt A (part P)"; what a job is, its state and its result
live in the `Job` table. Huey's own result store is not used (`results=False`).
"""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from huey import Huey, RedisHuey, SqliteHuey


def make_huey(config: dict) -> Huey:
    name = config.get("TERRIL_QUEUE_NAME", "terril")
    immediate = bool(config.get("TERRIL_QUEUE_IMMEDIATE"))
    url = config.get("TERRIL_QUEUE_URL")
    if url:
        if urlsplit(url).scheme not in ("redis", "rediss", "unix"):
            raise ValueError(f"TERRIL_REDIS_URL must be a redis:// URL, not {url!r}")
        return RedisHuey(name, url=url, results=False, immediate=immediate, blocking=True,
                         read_timeout=1, utc=True)
    path = Path(config["TERRIL_QUEUE_FILE"])
    path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(name, filename=str(path), results=False, immediate=immediate, utc=True,
                      timeout=30)


def describe(huey: Huey) -> str:
    """What the queue is, for logs and `/readyz` (no secrets: the Redis URL's password is dropped)."""
    storage = huey.storage
    if isinstance(huey, RedisHuey):
        kwargs = storage.conn.connection_pool.connection_kwargs
        return f"redis://{kwargs.get('host', '?')}:{kwargs.get('port', '?')}/{kwargs.get('db', 0)}"
    return f"sqlite:{getattr(storage, 'filename', '?')}"


def ping(huey: Huey) -> int:
    """Raise when the queue's storage does not answer; the number of waiting messages otherwise."""
    return huey.pending_count()
