"""The JSON API under /api/v1 (flask-smorest): blueprints, the OpenAPI spec and its docs pages."""
from __future__ import annotations

from apispec.ext.marshmallow import MarshmallowPlugin
from apispec.ext.marshmallow.common import resolve_schema_cls
from flask import Flask
from flask_smorest import Api

from app.errors import ProblemSchema


class TerrilApi(Api):
    """flask-smorest's Api, documenting errors as RFC 9457 problem details."""

    ERROR_SCHEMA = ProblemSchema


def schema_name(schema) -> str:
    """Component name of a schema; partial (PATCH) variants get their own name."""
    cls = resolve_schema_cls(schema)
    name = cls.__name__.removesuffix("Schema")
    if not isinstance(schema, type) and getattr(schema, "partial", False):
        name += "Patch"
    return name


def init_app(app: Flask) -> Api:
    from app.api import documents, market, plans, reference, users, weeks

    api = TerrilApi(app, spec_kwargs={
        "marshmallow_plugin": MarshmallowPlugin(schema_name_resolver=schema_name),
        "info": {"description": "Terril — logistique du circuit court Lens-Liévin. "
                                "Erreurs au format application/problem+json (RFC 9457)."},
    })
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    for blp in reference.BLUEPRINTS:
        api.register_blueprint(blp)
    api.register_blueprint(weeks.blp)
    api.register_blueprint(market.blp)
    api.register_blueprint(users.blp)
    api.register_blueprint(plans.blp)
    api.register_blueprint(documents.blp)
    from app.api import interop
    api.register_blueprint(interop.blp)
    return api
