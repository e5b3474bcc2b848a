"""Terril's application shell: `create_app()` builds the Flask app; nothing runs at import time."""
from __future__ import annotations

import logging
import os

from flask import Flask


def create_app(test_config: dict | None = None, instance_path: str | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True, instance_path=instance_path)
    os.makedirs(app.instance_path, exist_ok=True)
    from app import config

    app.config.from_mapping(config.from_environment(app.instance_path))
    if test_config:
        app.config.update(test_config)
    if not app.config.get("SECRET_KEY"):  # shared by every process of this instance (app/config.py)
        app.config["SECRET_KEY"] = config.instance_secret_key(app.instance_path)
    logging.basicConfig(level=os.environ.get("TERRIL_LOG_LEVEL", "WARNING").upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    from app import api, cli, db, errors, health, idempotency, jobs, maintenance, scheduler, security, web
    from app.api import cycle as cycle_api
    from app.api import jobs as jobs_api
    from reports.render import check_fonts

    check_fonts()  # the PDFs' font is checked at start-up, with a clear message when missing
    db.init_app(app)
    rest = api.init_app(app)
    rest.register_blueprint(cycle_api.blp)
    rest.register_blueprint(jobs_api.blp)
    errors.register(app)
    security.init_app(app)
    idempotency.init_app(app)
    cli.init_app(app)
    maintenance.init_app(app)
    scheduler.init_app(app)
    web.init_app(app)
    jobs.init_app(app)
    health.init_app(app)

    return app
