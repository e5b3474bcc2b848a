"""The commit durability policy is what docs/trust.md states: TERRIL_PG_SYNCHRONOUS_COMMIT on every
PostgreSQL connection of the app (default `off`, SQLite's WAL + NORMAL level), a bad value refused."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from app import config
from app.db import engine, make_engine


def test_the_default_policy_and_a_bad_value(monkeypatch, tmp_path):
    monkeypatch.delenv("TERRIL_PG_SYNCHRONOUS_COMMIT", raising=False)
    assert config.from_environment(str(tmp_path))["TERRIL_PG_SYNCHRONOUS_COMMIT"] == "off"
    monkeypatch.setenv("TERRIL_PG_SYNCHRONOUS_COMMIT", "ON")
    assert config.from_environment(str(tmp_path))["TERRIL_PG_SYNCHRONOUS_COMMIT"] == "on"
    monkeypatch.setenv("TERRIL_PG_SYNCHRONOUS_COMMIT", "off; drop table user")
    with pytest.raises(RuntimeError, match="TERRIL_PG_SYNCHRONOUS_COMMIT"):
        config.from_environment(str(tmp_path))


def test_postgresql_connections_carry_the_policy(app, db_url):
    if not db_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only (TEST_DATABASE_URL)")
    with app.app_context(), engine().connect() as conn:
        assert conn.execute(text("SHOW synchronous_commit")).scalar() == app.config["TERRIL_PG_SYNCHRONOUS_COMMIT"]
    strict = make_engine(db_url, "on")
    with strict.connect() as conn:
        assert conn.execute(text("SHOW synchronous_commit")).scalar() == "on"
    strict.dispose()
