"""Database engine per app and one session per request (flaskr's `get_db`, with SQLModel).

SQLite runs in WAL mode with foreign keys on; PostgreSQL through psycopg 3.

Transactions: a use case runs inside `unit_of_work()`, which commits once when it succeeds and
rolls back when anything fails, so a failed request or scheduler step stores nothing. Services
take the session and never commit or roll back themselves; a use case called from inside
another joins its transaction (only the outermost unit of work commits). The rare write that
must be stored whatever happens next (an e-mail about to leave, the answer of an idempotent
request) is an explicit `separate_unit_of_work`, whose docstring at the call site says why.
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


def make_engine(url: str, synchronous_commit: str = "on") -> Engine:
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

        @event.listens_for(engine, "savepoint")
        def _sqlite_savepoint(conn, _name):  # pragma: no cover - trivial
            # pysqlite opens a transaction only before INSERT/UPDATE/DELETE: a use case whose first
            # write is a SAVEPOINT ran outside any transaction, the RELEASE committing the row alone
            # (a SIGKILL then left an order without its audit entry). Open the transaction first.
            dbapi = conn.connection.driver_connection
            if not dbapi.in_transaction:
                dbapi.execute("BEGIN")

        return engine
    # no pre-ping (a round trip on every checkout); connections are recycled every 5 minutes instead.
    # synchronous_commit: the app passes TERRIL_PG_SYNCHRONOUS_COMMIT (docs/trust.md, "PostgreSQL").
    return create_engine(url, pool_recycle=300, pool_size=10, max_overflow=20,
                         connect_args={"options": f"-c synchronous_commit={synchronous_commit}"})


def init_app(app: Flask) -> None:
    app.extensions["terril_engine"] = make_engine(app.config["SQLALCHEMY_DATABASE_URI"],
                                                  app.config.get("TERRIL_PG_SYNCHRONOUS_COMMIT", "on"))
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


_DEPTH = "terril_unit_of_work_depth"


def in_unit_of_work(session: Session) -> bool:
    return session.info.get(_DEPTH, 0) > 0


@contextmanager
def unit_of_work(session: Session | None = None) -> Iterator[Session]:
    """The transaction of one use case: commit once on success, roll back on any error.

    `session` defaults to the request's (or CLI command's) session; the scheduler passes its own.
    Re-entrant: inside another unit of work on the same session it joins that transaction and
    neither commits nor rolls back (the outermost one decides).
    """
    session = session if session is not None else get_session()
    depth = session.info.get(_DEPTH, 0)
    session.info[_DEPTH] = depth + 1
    try:
        yield session
        if depth == 0:
            session.commit()
    except BaseException:
        if depth == 0:
            session.rollback()
        raise
    finally:
        session.info[_DEPTH] = depth


@contextmanager
def separate_unit_of_work(session: Session | None = None) -> Iterator[Session]:
    """A unit of work committed on its own, whatever the use case around it does next.

    With `session`, that session must not be inside another unit of work (its commit would store
    the other one's half-done writes: RuntimeError); without, a fresh session on the app's engine
    is opened and closed (e.g. after the request's own transaction has ended).
    """
    if session is None:
        with Session(engine(), expire_on_commit=False) as own, unit_of_work(own):
            yield own
        return
    if in_unit_of_work(session):
        raise RuntimeError("a separate unit of work cannot run inside another one on the same session")
    with unit_of_work(session):
        yield session
