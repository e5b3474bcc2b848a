"""Database engine per app and one session per request (flaskr's `get_db`, with SQLModel).

SQLite runs in WAL mode with foreign keys on; PostgreSQL through psycopg 3. A use case commits
once, in the service layer (`unit_of_work`); a failed request rolls back and stores nothing.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, current_app, g
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, create_engine


def normalise_url(url: str) -> str:
    """Accept the usual `postgresql://` and `postgres://` URLs and use the psycopg 3 driver."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    if make_url(url).get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # pragma: no cover - trivial
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    # no pre-ping (a round trip on every checkout); connections are recycled every 5 minutes instead
    return create_engine(url, pool_recycle=300, pool_size=10, max_overflow=20)


def init_app(app: Flask) -> None:
    app.extensions["terril_engine"] = make_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    app.teardown_appcontext(close_session)


def engine() -> Engine:
    return current_app.extensions["terril_engine"]


def get_session() -> Session:
    if "db_session" not in g:
        g.db_session = Session(engine(), expire_on_commit=False)
    return g.db_session


def close_session(_exc: BaseException | None = None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()  # rolls back whatever was not committed and returns the connection


@contextmanager
def unit_of_work() -> Iterator[Session]:
    """The transaction of one use case: commit on success, roll back on any error."""
    session = get_session()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
