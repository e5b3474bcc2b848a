"""What SECURITY.md promises: hashed tokens compared in constant time, a limit on guessing,
security headers, secrets from the environment only. (PDFs fetching nothing from outside is
tested with the renderer: tests/reports/test_hostile_data.py and tests/reports/test_render.py.)
"""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

from sqlmodel import select

import app.auth as auth
from app import create_app
from app.db import get_session
from app.models import ApiToken
from app.web import ratelimit
from tests.app.world import build_world

ROOT = Path(__file__).resolve().parents[2]


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_only_the_sha256_of_a_token_is_stored(app):
    world = build_world(app)
    token = world.tokens["coordinator"]
    with app.app_context():
        hashes = [row.token_hash for row in get_session().exec(select(ApiToken)).all()]
    assert hashlib.sha256(token.encode()).hexdigest() in hashes
    assert all(token not in h for h in hashes) and all(len(h) == 64 for h in hashes)


def test_tokens_are_compared_in_constant_time(app, monkeypatch):
    world = build_world(app)
    calls = []
    real = auth.hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(auth.hmac, "compare_digest", spy)
    assert world.get("/api/v1/users/me").status_code == 200
    assert calls, "the token check must go through hmac.compare_digest"


def _limited_app(app, limit: int = 3) -> FakeClock:
    clock = FakeClock()
    app.extensions["terril_limiter"] = ratelimit.FailureLimiter(clock)
    app.config["TERRIL_AUTH_FAILURES_PER_MINUTE"] = limit
    return clock


def test_repeated_bad_tokens_from_one_address_get_429_then_recover(app):
    world = build_world(app)
    clock = _limited_app(app, limit=3)
    bad = {"Authorization": "Bearer trl_guess"}
    attacker = {"REMOTE_ADDR": "203.0.113.7"}
    for _ in range(3):
        assert world.client.get("/api/v1/users/me", headers=bad, environ_base=attacker).status_code == 401
    refused = world.client.get("/api/v1/users/me", headers=bad, environ_base=attacker)
    assert refused.status_code == 429 and refused.mimetype == "application/problem+json"
    assert int(refused.headers["Retry-After"]) >= 1
    clock.now += 61
    assert world.client.get("/api/v1/users/me", headers=bad, environ_base=attacker).status_code == 401


def test_good_tokens_never_count_as_failures(app):
    world = build_world(app)
    _limited_app(app, limit=2)
    for _ in range(10):
        assert world.get("/api/v1/users/me").status_code == 200


def test_json_answers_carry_a_locked_down_csp_and_no_hsts_over_http(client):
    res = client.get("/api/v1/users/me")
    assert res.headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert res.headers["X-Content-Type-Options"] == "nosniff"
    assert res.headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in res.headers
    assert client.get("/healthz").headers["Content-Security-Policy"].startswith("default-src 'none'")


def test_hsts_is_sent_over_https(client):
    res = client.get("/healthz", base_url="https://terril.example")
    assert res.headers["Strict-Transport-Security"].startswith("max-age=")


def test_secret_key_comes_from_the_environment(db_url, monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("SECRET_KEY", "from-the-environment-0123456789")
    assert create_app().secret_key == "from-the-environment-0123456789"
    monkeypatch.delenv("SECRET_KEY")
    one = create_app(instance_path=str(tmp_path / "one")).secret_key
    other = create_app(instance_path=str(tmp_path / "other")).secret_key
    # drawn at random per instance (kept in <instance>/secret_key, see app/config.py), never a literal
    assert one and other and one != other and len(one) >= 32


def test_no_secret_literals_in_the_code():
    pattern = re.compile(r"""(SECRET_KEY|password|token)\s*=\s*["'][^"']{8,}["']""", re.IGNORECASE)
    offenders = [f"{path.relative_to(ROOT)}:{n}" for package in ("app", "orders", "routing", "reports")
                 for path in (ROOT / package).rglob("*.py")
                 for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if pattern.search(line)]
    assert not offenders, offenders


def test_a_nul_character_is_a_400_not_a_database_error(app):
    world = build_world(app)
    res = world.get("/api/v1/grammages/?product=%00k")
    assert res.status_code == 400 and res.json["code"] == "nul_character"
    res = world.post("/api/v1/weeks/", data='{"iso_week": "2026-W50\\u0000"}', headers={"Content-Type": "application/json"})
    assert res.status_code == 400 and res.json["code"] == "nul_character"
    assert world.get("/api/v1/grammages/?product=carotte").status_code == 200
