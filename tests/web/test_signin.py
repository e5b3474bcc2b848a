"""Sign-in with a session cookie: CSRF, wrong passwords, the rate limit, the CLI, role pages."""
from __future__ import annotations

import html

from sqlmodel import select
from werkzeug.security import check_password_hash

from app.db import get_session
from app.models import User
from app.web.ratelimit import AttemptLimiter
from tests.web.people import NAMES, PASSWORD, build_people, csrf_of, sign_in


def test_signin_sends_each_role_to_its_page(app):
    build_people(app)
    expected = {"producer": "/producteur/ferme-terril", "canteen": "/cantine/mat-loos", "relay": "/relais/rp-lens",
                "driver": "/chauffeur", "coordinator": "/coordination"}
    for who, path in expected.items():
        client = app.test_client()
        response = sign_in(client, who)
        assert response.status_code == 303
        assert response.headers["Location"] == path
        assert client.get("/").headers["Location"] == path


def test_wrong_password_is_refused_in_french(app):
    build_people(app)
    response = sign_in(app.test_client(), "producer", "pas-le-bon")
    assert response.status_code == 401
    assert "Nom d'utilisateur ou mot de passe incorrect." in html.unescape(response.get_data(as_text=True))
    unknown = sign_in(app.test_client(), "Personne Inconnue", PASSWORD)
    assert unknown.status_code == 401
    assert "mot de passe incorrect" in unknown.get_data(as_text=True)


def test_post_without_csrf_token_is_refused(app):
    build_people(app)
    client = app.test_client()
    client.get("/connexion")
    response = client.post("/connexion", data={"nom": NAMES["producer"], "mot_de_passe": PASSWORD})
    assert response.status_code == 400
    assert "jeton de sécurité" in response.get_data(as_text=True)
    assert sign_in(client, "producer").status_code == 303
    page = client.get("/producteur/ferme-terril")
    refused = client.post("/producteur/ferme-terril", data={"semaine": "2026-W49", "quantite-carotte": "1"})
    assert refused.status_code == 400
    forged = client.post("/producteur/ferme-terril", data={"csrf_token": "faux", "semaine": "2026-W49"})
    assert forged.status_code == 400
    assert csrf_of(page.get_data(as_text=True))


def test_sixth_failed_attempt_in_a_minute_is_refused_even_with_the_right_password(app):
    build_people(app)
    client = app.test_client()
    for _ in range(5):
        assert sign_in(client, "producer", "mauvais").status_code == 401
    blocked = sign_in(client, "producer", PASSWORD)
    assert blocked.status_code == 429
    assert "Trop de tentatives de connexion" in blocked.get_data(as_text=True)
    # another name from the same address is not blocked
    assert sign_in(app.test_client(), "canteen").status_code == 303


def test_limiter_forgets_failures_after_its_window():
    now = [100.0]
    limiter = AttemptLimiter(max_attempts=2, window_s=60, clock=lambda: now[0])
    limiter.failed("1.2.3.4", "Paul")
    limiter.failed("1.2.3.4", "paul ")
    assert limiter.retry_after_s("1.2.3.4", "PAUL") == 60
    now[0] += 30
    assert limiter.retry_after_s("1.2.3.4", "paul") == 30
    now[0] += 30.5
    assert limiter.retry_after_s("1.2.3.4", "paul") == 0
    limiter.failed("1.2.3.4", "paul")
    limiter.succeeded("1.2.3.4", "paul")
    assert limiter.retry_after_s("1.2.3.4", "paul") == 0


def test_pages_need_a_session_and_sign_out_ends_it(app):
    build_people(app)
    client = app.test_client()
    assert client.get("/coordination").headers["Location"].startswith("/connexion")
    sign_in(client, "coordinator")
    page = client.get("/coordination")
    assert page.status_code == 200
    out = client.post("/deconnexion", data={"csrf_token": csrf_of(page.get_data(as_text=True))})
    assert out.status_code == 303
    assert client.get("/coordination").status_code == 302


def test_next_page_after_signin_is_local_only(app):
    build_people(app)
    client = app.test_client()
    token = csrf_of(client.get("/connexion?suivant=/chauffeur").get_data(as_text=True))
    ok = client.post("/connexion", data={"csrf_token": token, "nom": NAMES["coordinator"], "mot_de_passe": PASSWORD,
                                         "suivant": "//evil.example/"})
    assert ok.headers["Location"] == "/coordination"


def test_set_password_cli_hashes_the_password(app, runner):
    build_people(app)
    result = runner.invoke(args=["users", "set-password", NAMES["driver"]],
                           input="un-long-mot-de-passe\nun-long-mot-de-passe\n")
    assert result.exit_code == 0, result.output
    assert "Mot de passe de Karim Benali enregistré." in result.output
    with app.app_context():
        user = get_session().exec(select(User).where(User.name == NAMES["driver"])).one()
        assert user.password_hash != "un-long-mot-de-passe"
        assert check_password_hash(user.password_hash, "un-long-mot-de-passe")
    short = runner.invoke(args=["users", "set-password", NAMES["driver"], "--password", "court"])
    assert short.exit_code != 0 and "au moins 10 caractères" in short.output
    nobody = runner.invoke(args=["users", "set-password", "Personne", "--password", "assez-long-vraiment"])
    assert nobody.exit_code != 0 and "Aucun utilisateur" in nobody.output
