"""Fixtures shared by every layer: an app on a migrated database, clients per role, a small world.

The database is SQLite (a fresh migrated file per test, copied from a template) unless
`TEST_DATABASE_URL` names a PostgreSQL database: then the schema is migrated once and every table
is truncated before each test.
"""
from __future__ import annotations

import os
import shutil

import pytest
from hypothesis import settings
from sqlalchemy import text

from app import create_app, migrate
from app.db import make_engine

PG_URL = os.environ.get("TEST_DATABASE_URL")

# Property tests explore the same examples on every run (a green CI stays green); set
# HYPOTHESIS_PROFILE=explore to draw new examples while developing.
settings.register_profile("repeatable", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


def _reset_postgres(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def template_db(tmp_path_factory):
    if PG_URL:
        _reset_postgres(PG_URL)
        migrate.upgrade(PG_URL)
        return PG_URL
    path = tmp_path_factory.mktemp("template") / "terril.db"
    migrate.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def db_url(template_db, tmp_path):
    if PG_URL:
        engine = make_engine(PG_URL)
        with engine.begin() as conn:
            tables = conn.execute(text(
                "SELECT tablename FROM pg_tables WHERE schemaname='public' AND tablename <> 'alembic_version'"
            )).scalars().all()
            if tables:
                conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
        engine.dispose()
        return PG_URL
    path = tmp_path / "terril.db"
    shutil.copy(template_db, path)
    return f"sqlite:///{path}"


@pytest.fixture
def app(db_url, tmp_path):
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": db_url,
        "SECRET_KEY": "test",
        "TERRIL_DOCUMENTS_DIR": str(tmp_path / "documents"),
        "TERRIL_ROUTING_TIME_LIMIT": 1.0,
        "TERRIL_PORTIONING_TIME_LIMIT": 2.0,
        "TERRIL_QUEUE_IMMEDIATE": True,  # jobs run at once in the caller; tests/jobs/ start real workers
    })
    yield app
    app.extensions["terril_engine"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()
