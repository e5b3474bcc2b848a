"""`flask --app wsgi purge` and the scheduler's nightly purge job (app/services/purge.py)."""
from __future__ import annotations

import logging
from datetime import UTC, datetime

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from app.db import unit_of_work
from app.services.purge import PurgeReport, PurgeSettings, purge

log = logging.getLogger(__name__)


def run_purge(app: Flask, now: datetime) -> PurgeReport:
    """One purge as its own unit of work (the scheduler's job, the command)."""
    with app.app_context():
        with unit_of_work() as session:
            return purge(session, now, PurgeSettings.from_app(app))


@click.command("purge")
@click.option("--now", "now_text", default=None, help="ISO date-time with offset (default: now)")
@with_appcontext
def purge_command(now_text: str | None) -> None:
    """Delete expired idempotency keys, superseded PDF folders and old distance matrices."""
    from app.scheduler import parse_now

    now = parse_now(now_text)
    report = run_purge(current_app._get_current_object(), now.astimezone(UTC))
    click.echo(report.summary_fr())


def init_app(app: Flask) -> None:
    app.cli.add_command(purge_command)
