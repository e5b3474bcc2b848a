"""Sign-in and sign-out with a session cookie; `/` sends each role to its own page.

Passwords are checked with `werkzeug.security` (set with `flask users set-password NAME`). Failed
attempts are limited per IP address and name (`ratelimit.py`, the limiter the API's tokens use); an unknown name costs the same
hash check as a wrong password, and both get the same message.
"""
from __future__ import annotations

from flask import current_app, redirect, render_template, request, session, url_for
from sqlmodel import select
from werkzeug.security import check_password_hash, generate_password_hash

from app.auth import current_user
from app.db import get_session
from app.models import User
from app.web import csrf, ratelimit
from app.web.blueprint import blp
from app.web.ratelimit import AttemptLimiter

WRONG = "Nom d'utilisateur ou mot de passe incorrect."
_DUMMY_HASH = generate_password_hash("terril-dummy-password")


def limiter() -> AttemptLimiter:
    ext = current_app.extensions
    if "terril_signin_limiter" not in ext:
        ext["terril_signin_limiter"] = AttemptLimiter(current_app.config["TERRIL_SIGNIN_MAX_ATTEMPTS"],
                                                      current_app.config["TERRIL_SIGNIN_WINDOW_S"],
                                                      store=ratelimit.shared(current_app))  # the API's too
    return ext["terril_signin_limiter"]


def home_of(who: User) -> str:
    if who.role == "producer":
        return url_for("web.producer_page", site_id=who.site_id)
    if who.role == "canteen":
        return url_for("web.canteen_page", site_id=who.site_id)
    if who.role == "relay":
        return url_for("web.relay_page", site_id=who.site_id)
    if who.role == "driver":
        return url_for("web.driver_page")
    if who.role == "member":
        return url_for("web.member_page")
    return url_for("web.coordination_page")


def _safe_next(target: str | None) -> str | None:
    """Only a local path may follow the sign-in (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


@blp.get("/")
def home():
    who = current_user()
    if who is None or not who.active:
        return redirect(url_for("web.signin"))
    return redirect(home_of(who))


@blp.route("/connexion", methods=["GET", "POST"])
def signin():
    error = None
    name = ""
    status = 200
    if request.method == "POST":
        name = (request.form.get("nom") or "").strip()
        password = request.form.get("mot_de_passe") or ""
        ip = request.remote_addr or "?"
        wait_s = limiter().retry_after_s(ip, name)
        if wait_s:
            error = (f"Trop de tentatives de connexion pour ce nom. Réessayez dans {wait_s} seconde"
                     f"{'s' if wait_s > 1 else ''}.")
            status = 429
        else:
            who = get_session().exec(select(User).where(User.name == name)).first() if name else None
            stored = who.password_hash if who is not None and who.password_hash else _DUMMY_HASH
            ok = check_password_hash(stored, password) and who is not None and who.active \
                and bool(who.password_hash)
            if ok:
                limiter().succeeded(ip, name)
                session.clear()
                session["user_id"] = who.id
                csrf.rotate()
                return redirect(_safe_next(request.form.get("suivant")) or home_of(who), code=303)
            limiter().failed(ip, name)
            error, status = WRONG, 401
    return render_template("connexion.html", error=error, name=name,
                           suivant=_safe_next(request.values.get("suivant")) or ""), status


@blp.post("/deconnexion")
def signout():
    session.clear()
    return redirect(url_for("web.signin", sortie=1), code=303)
