"""`flask --app wsgi users set-password NAME`: set a user's sign-in password (prompted twice)."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlmodel import select
from werkzeug.security import generate_password_hash

from app.db import unit_of_work
from app.models import User

MIN_LENGTH = 10


@click.command("set-password")
@with_appcontext
@click.argument("name")
@click.password_option("--password", prompt="Mot de passe", confirmation_prompt="Confirmez le mot de passe",
                       help="le nouveau mot de passe (demandé s'il n'est pas donné)")
def set_password(name: str, password: str) -> None:
    """Set the password NAME signs in with on the pages (hashed with werkzeug.security)."""
    if len(password) < MIN_LENGTH:
        raise click.ClickException(f"Le mot de passe doit compter au moins {MIN_LENGTH} caractères.")
    with unit_of_work() as session:
        user = session.exec(select(User).where(User.name == name)).first()
        if user is None:
            raise click.ClickException(f"Aucun utilisateur nommé « {name} ».")
        user.password_hash = generate_password_hash(password)
        session.add(user)
    click.echo(f"Mot de passe de {name} enregistré.")


def register(app: Flask) -> None:
    from app.cli import users_cli

    users_cli.add_command(set_password)
