"""A planned demo week shared by the tests of one module (planning takes seconds: do it once)."""
from __future__ import annotations

import shutil

from sqlalchemy import text

from app import create_app
from app.db import make_engine, unit_of_work
from app.services import planning, weeks
from tests.app.world import WEEK, build_world
from tests.conftest import PG_URL


def planned_app(template_db, tmp_path_factory, **config):
    """An app on its own database holding the demo week, planned (rounds stored), and its world."""
    tmp = tmp_path_factory.mktemp("planned")
    if PG_URL:
        engine = make_engine(PG_URL)
        with engine.begin() as conn:
            tables = conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname='public' "
                                       "AND tablename <> 'alembic_version'")).scalars().all()
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
        engine.dispose()
        url = PG_URL
    else:
        shutil.copy(template_db, tmp / "terril.db")
        url = f"sqlite:///{tmp / 'terril.db'}"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "test",
                      "TERRIL_DOCUMENTS_DIR": str(tmp / "documents"), "TERRIL_ROUTING_TIME_LIMIT": 1.0, **config})
    world = build_world(app, state="closed")
    with app.app_context():
        with unit_of_work() as session:
            planning.plan_week(session, weeks.find_week(session, WEEK, app.config["TERRIL_TERRITORY"]), "test")
    return app, world
