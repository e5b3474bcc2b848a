"""Every error leaves as `application/problem+json` (RFC 9457), with the fields that are wrong.

Shape: `{"type", "title", "status", "detail", "detail_fr", "code", "errors": [{"field", "message"}]}`.
Domain exceptions are mapped here and nowhere else; anything unexpected is logged and answered
with a generic 500 that reveals nothing.
"""
from __future__ import annotations

import logging

from flask import Flask, current_app, json, request
from marshmallow import Schema, fields
from sqlalchemy.exc import IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException

from orders.errors import DomainError

log = logging.getLogger(__name__)
PROBLEM = "application/problem+json"

TITLES_FR = {
    400: "Requête invalide",
    401: "Authentification requise",
    403: "Accès refusé",
    404: "Introuvable",
    405: "Méthode non autorisée",
    409: "Conflit",
    412: "Version périmée",
    413: "Requête trop volumineuse",
    415: "Type de contenu non pris en charge",
    422: "Données invalides",
    428: "Précondition requise",
    429: "Trop de requêtes",
    500: "Erreur interne",
    503: "Service indisponible",
}


class FieldErrorSchema(Schema):
    field = fields.String()
    message = fields.String()
    row = fields.Integer(allow_none=True, metadata={"description": "spreadsheet imports: the row"})
    column = fields.String(allow_none=True, metadata={"description": "spreadsheet imports: the column"})


class ProblemSchema(Schema):
    """RFC 9457 problem details, as documented in the OpenAPI spec for every error response."""

    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    detail_fr = fields.String()
    code = fields.String()
    errors = fields.List(fields.Nested(FieldErrorSchema))


def _flatten(messages, prefix: str = "") -> list[dict]:
    """webargs/marshmallow nest messages by location and field; make them a flat list."""
    out: list[dict] = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = str(key) if not prefix else f"{prefix}.{key}"
            if key in ("json", "query", "path", "headers", "form", "files") and not prefix:
                name = ""
            out.extend(_flatten(value, name))
    elif isinstance(messages, list) and messages and all(isinstance(m, str) for m in messages):
        out.extend({"field": prefix or "body", "message": m} for m in messages)
    elif isinstance(messages, list):
        for item in messages:
            out.extend(_flatten(item, prefix))
    elif messages is not None:
        out.append({"field": prefix or "body", "message": str(messages)})
    return out


def problem(status: int, detail: str, *, code: str | None = None, detail_fr: str | None = None,
            errors: list[dict] | None = None, headers: dict | None = None):
    body = {
        "type": "about:blank",
        "title": TITLES_FR.get(status, "Erreur"),
        "status": status,
        "detail": detail,
        "detail_fr": detail_fr or detail,
        "code": code or str(status),
        "errors": errors or [],
    }
    response = current_app.response_class(json.dumps(body), status=status, mimetype=PROBLEM)
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _http_error(exc: HTTPException):
    data = getattr(exc, "data", None) or {}
    messages = data.get("messages") or data.get("errors")
    errors = _flatten(messages) if messages else []
    detail = data.get("message") or exc.description or exc.name
    if exc.code == 400 and request.is_json is False and request.data and not errors:
        detail = "The request body is not valid JSON."
    if exc.code == 422 and errors:
        detail = "Invalid input: " + "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
    headers = {}
    if exc.code == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="terril"'
    if getattr(exc, "retry_after", None) is not None:
        headers["Retry-After"] = str(exc.retry_after)
    fr = data.get("detail_fr") or {
        401: "Jeton d'accès manquant ou invalide.",
        403: "Vous n'avez pas le droit d'effectuer cette action.",
        404: "Ressource introuvable.",
        405: "Méthode non autorisée sur cette adresse.",
        422: "Données invalides : vérifiez les champs signalés.",
        429: "Trop de tentatives depuis cette adresse : patientez avant de réessayer.",
    }.get(exc.code or 500)
    return problem(exc.code or 500, str(detail), code=data.get("code"), detail_fr=fr, errors=errors,
                   headers=headers)


def _domain_error(exc: DomainError):
    errors = [{"field": exc.field, "message": exc.detail}] if exc.field else []
    return problem(exc.status, exc.detail, code=exc.code, detail_fr=exc.detail_fr, errors=errors)


def _integrity_error(exc: IntegrityError):
    log.info("integrity error: %s", exc.orig)
    return problem(409, "The change conflicts with stored data (duplicate or missing reference).",
                   code="integrity_conflict",
                   detail_fr="La modification entre en conflit avec des données existantes "
                             "(doublon ou référence manquante).")


def _operational_error(exc: OperationalError):
    log.warning("database unavailable or busy: %s", exc.orig)
    return problem(503, "The database is busy; retry the request.", code="database_busy",
                   detail_fr="La base de données est occupée ; réessayez.",
                   headers={"Retry-After": "1"})


def _unexpected(exc: Exception):
    log.exception("unexpected error on %s %s", request.method, request.path)
    return problem(500, "Internal error.", code="internal",
                   detail_fr="Erreur interne : l'équipe technique est prévenue.")


def register(app: Flask) -> None:
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(DomainError, _domain_error)
    app.register_error_handler(IntegrityError, _integrity_error)
    app.register_error_handler(OperationalError, _operational_error)
    app.register_error_handler(Exception, _unexpected)
