"""The JSON API under /api/v1 (flask-smorest): blueprints, the OpenAPI spec and its docs pages."""
from __future__ import annotations

from apispec.ext.marshmallow import MarshmallowPlugin
from apispec.ext.marshmallow.common import resolve_schema_cls
from flask import Flask
from flask_smorest import Api
from werkzeug.routing import IntegerConverter

from app.api.openapi import ConventionsPlugin
from app.errors import PROBLEM, ProblemSchema


class TerrilApi(Api):
    """flask-smorest's Api, documenting errors as RFC 9457 problem details."""

    ERROR_SCHEMA = ProblemSchema

    def _register_responses(self):
        """Error responses are documented as `application/problem+json`, which is what they are."""
        default = self.DEFAULT_RESPONSE_CONTENT_TYPE
        self.DEFAULT_RESPONSE_CONTENT_TYPE = PROBLEM
        try:
            super()._register_responses()
        finally:
            self.DEFAULT_RESPONSE_CONTENT_TYPE = default


class RowIdConverter(IntegerConverter):
    """`<int:…>` bounded to a 32-bit row id: a larger number is a 404, not a database overflow (500)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def schema_name(schema) -> str:
    """Component name of a schema; partial (PATCH) variants get their own name."""
    cls = resolve_schema_cls(schema)
    name = cls.__name__.removesuffix("Schema")
    if not isinstance(schema, type) and getattr(schema, "partial", False):
        name += "Patch"
    return name


def init_app(app: Flask) -> Api:
    from app.api import documents, market, plans, reference, users, weeks

    app.url_map.converters["int"] = RowIdConverter
    api = TerrilApi(app, spec_kwargs={
        "marshmallow_plugin": MarshmallowPlugin(schema_name_resolver=schema_name),
        "extra_plugins": [ConventionsPlugin()],
        "info": {"description": "Terril — logistique du circuit court Lens-Liévin. "
                                "Erreurs au format application/problem+json (RFC 9457)."},
    })
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    from app.api import docs_assets

    app.register_blueprint(docs_assets.blp)
    for blp in reference.BLUEPRINTS:
        api.register_blueprint(blp)
    api.register_blueprint(weeks.blp)
    api.register_blueprint(market.blp)
    api.register_blueprint(users.blp)
    api.register_blueprint(plans.blp)
    api.register_blueprint(documents.blp)
    from app.api import alerts, corrections, delivery
    api.register_blueprint(corrections.blp)
    api.register_blueprint(delivery.blp)
    api.register_blueprint(alerts.blp)
    from app.api import interop
    api.register_blueprint(interop.blp)
    from app.api import members
    api.register_blueprint(members.blp)
    from app.api import billing
    api.register_blueprint(billing.blp)
    return api
