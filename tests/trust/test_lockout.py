"""The limiter can't be turned against users: a valid token is served while others are refused.

One limiter (app/web/ratelimit.py) counts refused credentials per (source, credential prefix)
and per source, for the API's tokens and the sign-in page alike; `X-Forwarded-For` is believed
only from the proxies of `TERRIL_TRUSTED_PROXIES` (app/security.py).
"""
from __future__ import annotations

from app import create_app
from app.security import TrustedProxies, parse_networks
from app.web import ratelimit
from tests.app.world import build_world
from tests.trust.test_security import FakeClock

ME = "/api/v1/users/me"
ATTACKER, VICTIM = {"REMOTE_ADDR": "203.0.113.7"}, {"REMOTE_ADDR": "198.51.100.1"}


def _limited(app, limit: int = 3) -> FakeClock:
    clock = FakeClock()
    app.extensions["terril_limiter"] = ratelimit.FailureLimiter(clock)
    app.config["TERRIL_AUTH_FAILURES_PER_MINUTE"] = limit
    return clock


def _bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_a_valid_token_is_served_while_another_source_and_bad_tokens_of_its_own_source_are_refused(app):
    world = build_world(app)
    _limited(app, limit=3)
    good = _bearer(world.tokens["coordinator"])
    for _ in range(3):  # one revoked/mistyped token, and guesses with ever-new prefixes
        assert world.client.get(ME, headers=_bearer("trl_revokedtoken"), environ_base=ATTACKER).status_code == 401
    assert world.client.get(ME, headers=_bearer("trl_revokedtoken"), environ_base=ATTACKER).status_code == 429
    assert world.client.get(ME, headers=_bearer("trl_othr_guess"), environ_base=ATTACKER).status_code == 429
    # the victim's source never failed; the attacker's source with a valid token is served too
    assert world.client.get(ME, headers=good, environ_base=VICTIM).status_code == 200
    assert world.client.get(ME, headers=good, environ_base=ATTACKER).status_code == 200
    # the victim's own source, with bad tokens of its own, is refused; its valid token still served
    for i in range(3):
        world.client.get(ME, headers=_bearer(f"trl_victim{i:03d}x"), environ_base=VICTIM)
    assert world.client.get(ME, headers=_bearer("trl_victim999x"), environ_base=VICTIM).status_code == 429
    assert world.client.get(ME, headers=good, environ_base=VICTIM).status_code == 200


def test_a_token_hammered_by_a_script_is_refused_without_a_lookup(app, monkeypatch):
    world = build_world(app)
    _limited(app, limit=2)
    for _ in range(2):
        world.client.get(ME, headers=_bearer("trl_revokedtoken"), environ_base=ATTACKER)
    import app.auth as auth
    lookups = []
    monkeypatch.setattr(auth, "user_for_token", lambda *a: lookups.append(a))
    res = world.client.get(ME, headers=_bearer("trl_revokedtoken"), environ_base=ATTACKER)
    assert res.status_code == 429 and res.headers["Retry-After"] and not lookups


def test_forwarded_for_is_believed_only_from_a_trusted_proxy(db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("TERRIL_TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8")
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": db_url, "SECRET_KEY": "t",
                      "TERRIL_DOCUMENTS_DIR": str(tmp_path / "d")})
    world = build_world(app)
    _limited(app, limit=2)
    bad, good = _bearer("trl_badbadbadbad"), _bearer(world.tokens["coordinator"])
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    for _ in range(2):  # a client behind the proxy fails twice
        world.client.get(ME, headers={**bad, "X-Forwarded-For": "192.0.2.50"}, environ_base=proxy)
    assert world.client.get(ME, headers={**bad, "X-Forwarded-For": "192.0.2.50"},
                            environ_base=proxy).status_code == 429
    # everybody else behind the same proxy is a different source: not refused
    assert world.client.get(ME, headers={**bad, "X-Forwarded-For": "192.0.2.51"},
                            environ_base=proxy).status_code == 401
    # a forged left-most entry changes nothing: the proxy appended the real client on the right
    assert world.client.get(ME, headers={**bad, "X-Forwarded-For": "1.1.1.1, 192.0.2.50"},
                            environ_base=proxy).status_code == 429
    # an untrusted client sending X-Forwarded-For is judged by its own address
    for _ in range(2):
        world.client.get(ME, headers={**bad, "X-Forwarded-For": "192.0.2.99"}, environ_base=ATTACKER)
    assert world.client.get(ME, headers={**bad, "X-Forwarded-For": "192.0.2.99"},
                            environ_base=ATTACKER).status_code == 429
    assert world.client.get(ME, headers={**bad, "X-Forwarded-For": "203.0.113.7"},
                            environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code == 429
    assert world.client.get(ME, headers=good, environ_base=ATTACKER).status_code == 200
    app.extensions["terril_engine"].dispose()


def test_the_proxy_chain_is_walked_from_the_right():
    seen = {}

    def inner(environ, start_response):
        seen.update(addr=environ["REMOTE_ADDR"], scheme=environ["wsgi.url_scheme"])
        return []

    fix = TrustedProxies(inner, parse_networks("10.0.0.0/8"))
    fix({"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 192.0.2.9, 10.0.0.1",
         "HTTP_X_FORWARDED_PROTO": "https", "wsgi.url_scheme": "http"}, None)
    assert seen == {"addr": "192.0.2.9", "scheme": "https"}
    fix({"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "not-an-ip", "wsgi.url_scheme": "http"}, None)
    assert seen["addr"] == "10.0.0.2"
    fix({"REMOTE_ADDR": "192.0.2.1", "HTTP_X_FORWARDED_FOR": "10.9.9.9", "HTTP_X_FORWARDED_PROTO": "https",
         "wsgi.url_scheme": "http"}, None)
    assert seen == {"addr": "192.0.2.1", "scheme": "http"}


def test_sign_in_and_the_api_share_one_limiter(app):
    from app.web.signin import limiter
    with app.test_request_context():
        assert limiter().store is ratelimit.shared(app)
