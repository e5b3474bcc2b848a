"""Command-line interface: `flask --app wsgi <command>`.

db upgrade|downgrade|check|revision   schema migrations (Alembic)
users create NAME --role R [--site ID] create a user; its API token is the last line printed
demo [--week 2026-W49]                 load the Lens-Liévin demo territory and week
"""
from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from app import migrate
from app.db import unit_of_work
from app.models import ROLES
from orders.errors import DomainError

db_cli = AppGroup("db", help="Database schema migrations (Alembic).")
users_cli = AppGroup("users", help="Users and their API tokens.")


def _url() -> str:
    return current_app.config["SQLALCHEMY_DATABASE_URI"]


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Bring the database schema up to REVISION (default: the latest)."""
    migrate.upgrade(_url(), revision)
    click.echo(f"Base de données à jour ({revision}).")


@db_cli.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    migrate.downgrade(_url(), revision)


@db_cli.command("check")
def db_check() -> None:
    """Fail when the models and the migrations disagree."""
    migrate.check(_url())
    click.echo("Les migrations correspondent aux modèles.")


@db_cli.command("revision")
@click.option("-m", "--message", required=True)
def db_revision(message: str) -> None:
    migrate.revision(_url(), message)


@users_cli.command("create")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--site", "site_id", default=None, help="the producer, relay point or canteen of the user")
@click.option("--email", default=None)
def users_create(name: str, role: str, site_id: str | None, email: str | None) -> None:
    """Create a user and print its API token (shown once: the last line of the output)."""
    from app.auth import create_user

    try:
        with unit_of_work() as session:
            user, token = create_user(session, name, role, site_id, email)
    except DomainError as exc:
        raise click.ClickException(exc.detail_fr) from exc
    click.echo(f"Utilisateur {user.name} créé (rôle {user.role}, id {user.id}). Jeton d'accès :")
    click.echo(token)


@click.command("demo")
@with_appcontext
@click.option("--week", default="2026-W49", show_default=True)
def demo(week: str) -> None:
    """Load the Lens-Liévin demo territory and a realistic week of offers and orders."""
    from app.services.scenario import import_scenario
    from orders.demo import build_demo_scenario

    migrate.upgrade(_url())
    with unit_of_work() as session:
        loaded = import_scenario(session, build_demo_scenario(week))
    click.echo(f"Territoire de démonstration chargé : semaine {loaded.iso_week} ({loaded.state}).")


def init_app(app: Flask) -> None:
    app.cli.add_command(db_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(demo)
