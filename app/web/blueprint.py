"""The `web` blueprint: session user, CSRF check on POST, CSP header, French error pages."""
from __future__ import annotations

from flask import Blueprint, g, render_template, request, session
from werkzeug.exceptions import HTTPException

from app.web import csrf
from orders.errors import DomainError

blp = Blueprint("web", __name__, template_folder="templates", static_folder="static",
                static_url_path="/pages-static")

ERROR_TITLES = {
    400: "Requête refusée",
    401: "Connexion requise",
    403: "Accès refusé",
    404: "Page introuvable",
    405: "Action non autorisée",
    409: "Action impossible pour l'instant",
    412: "Version périmée",
    422: "Données invalides",
    429: "Trop de tentatives",
}
ERROR_TEXTS = {
    400: "La demande n'a pas pu être traitée.",
    403: "Cette page ne vous est pas accessible.",
    404: "Cette page n'existe pas ou ne vous est pas accessible.",
    405: "Cette action n'est pas possible à cette adresse.",
}


@blp.before_request
def load_session_user():
    """Make the signed-in user visible to `app.auth.current_user()`; refuse a POST without CSRF."""
    user_id = session.get("user_id")
    if user_id is not None:
        g.session_user_id = user_id
    if request.method == "POST":
        csrf.check()


@blp.after_request
def page_headers(response):
    from app.web import CSP

    response.headers["Content-Security-Policy"] = CSP
    if response.mimetype == "text/html":
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def error_page(status: int, message: str | None = None, title: str | None = None):
    return render_template("erreur.html", status=status, title=title or ERROR_TITLES.get(status, "Erreur"),
                           message=message or ERROR_TEXTS.get(status, "Une erreur est survenue.")), status


@blp.errorhandler(DomainError)
def domain_error(exc: DomainError):
    return error_page(exc.status, exc.detail_fr)


@blp.errorhandler(HTTPException)
def http_error(exc: HTTPException):
    if exc.description == "csrf":
        return error_page(400, "Le formulaire a expiré ou son jeton de sécurité manque : rechargez la page "
                               "et recommencez.", "Formulaire refusé")
    data = getattr(exc, "data", None) or {}
    return error_page(exc.code or 500, data.get("detail_fr") or ERROR_TEXTS.get(exc.code or 500))


@blp.context_processor
def page_helpers():
    from app.auth import current_user
    from app.web import common

    return {**common.template_globals(), "nombre": common.number, "jour": common.day_fr,
            "csrf_token": csrf.token, "me": current_user()}
