"""Migrations agree with the models; the OpenAPI spec validates; the CLI creates users and the demo."""
from __future__ import annotations

import pytest
from openapi_spec_validator import validate
from sqlalchemy import inspect

from app import migrate
from app.db import make_engine
from tests.conftest import PG_URL


def test_migrations_and_models_agree(db_url):
    migrate.check(db_url)


@pytest.mark.skipif(bool(PG_URL), reason="the PostgreSQL lane shares one database; SQLite covers this")
def test_an_empty_database_upgrades_and_downgrades(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    assert {"offer", "mealorder", "basketorder", "week", "user", "apitoken", "auditentry", "plan"} <= set(
        inspect(engine).get_table_names())
    migrate.downgrade(url, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()


def test_openapi_spec_validates_and_documents_problems(client):
    res = client.get("/api/v1/openapi.json")
    assert res.status_code == 200
    spec = res.json
    validate(spec)
    assert "/api/v1/offers" in spec["paths"]
    assert "Problem" in spec["components"]["schemas"]
    page = client.get("/api/v1/docs")
    assert page.status_code == 200 and b"/api/v1/docs-assets/swagger-ui-bundle.js" in page.data
    asset = client.get("/api/v1/docs-assets/swagger-ui-bundle.js")
    assert asset.status_code == 200 and len(asset.data) > 100_000  # served locally, no CDN needed


def test_cli_creates_a_user_and_prints_the_token_last(app, runner):
    from app.auth import user_for_token
    from app.db import get_session

    result = runner.invoke(args=["users", "create", "Claire", "--role", "coordinator"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    with app.app_context():
        user = user_for_token(get_session(), token)
        assert user is not None and user.name == "Claire" and user.role == "coordinator"
    refused = runner.invoke(args=["users", "create", "Paul", "--role", "producer"])
    assert refused.exit_code != 0 and "site" in refused.output


def test_cli_demo_loads_the_territory(app, runner):
    from sqlmodel import select

    from app.db import get_session
    from app.models import Site, Week

    tokens_file = app.instance_path + "/test-demo-tokens.json"
    result = runner.invoke(args=["demo", "--tokens", tokens_file], env={"TERRIL_DEMO_PASSWORD": "mot-de-passe-demo"})
    assert result.exit_code == 0, result.output
    import json

    from werkzeug.security import check_password_hash

    from app.auth import user_for_token

    tokens = json.load(open(tokens_file, encoding="utf-8"))
    assert {v["role"] for v in tokens.values()} == {"coordinator", "producer", "relay", "canteen", "driver",
                                                   "member"}
    with app.app_context():
        session = get_session()
        kinds = [s.kind for s in session.exec(select(Site)).all()]
        assert kinds.count("relay") == 10 and kinds.count("producer") == 5 and kinds.count("hub") == 1
        assert session.exec(select(Week)).one().iso_week == "2026-W49"
        for name, entry in tokens.items():  # every demo user can use the API and sign in to the pages
            user = user_for_token(session, entry["token"])
            assert user is not None and user.name == name and user.role == entry["role"]
            assert check_password_hash(user.password_hash, "mot-de-passe-demo")
