"""On SQLite a use case whose first write is a savepoint is still one transaction: a failure after
the savepoint's release stores nothing (pysqlite alone would have committed at the RELEASE)."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.db import make_engine


def test_a_released_savepoint_is_rolled_back_with_its_transaction(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'sp.db'}")
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE t (x INTEGER)"))
    with pytest.raises(RuntimeError):
        with engine.begin() as conn:
            with conn.begin_nested():
                conn.execute(sa.text("INSERT INTO t VALUES (1)"))
            raise RuntimeError("the use case fails after its savepoint")
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM t")).scalar_one() == 0
    engine.dispose()
