"""Swagger UI's files served by the app itself (from the `swagger-ui-bundle` package), so the
interactive API docs at /api/v1/docs work without reaching a CDN."""
from __future__ import annotations

from flask import Blueprint, send_from_directory
from swagger_ui_bundle import swagger_ui_path

blp = Blueprint("docs_assets", __name__, url_prefix="/api/v1/docs-assets")


@blp.get("/<path:filename>")
def asset(filename: str):
    return send_from_directory(swagger_ui_path, filename, max_age=3600)
