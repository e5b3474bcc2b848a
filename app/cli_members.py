"""`flask members …`: the RGPD commands for a household (access export, erasure) and its sign-in.

    flask --app wsgi members export MEMBER_ID [--out FILE]   everything stored about the member (JSON)
    flask --app wsgi members erase MEMBER_ID [--yes]         erase the personal data, keep the statistics
    flask --app wsgi members sign-in MEMBER_ID NAME          give the member a sign-in (role member);
                                                             then `flask users set-password NAME`
"""
from __future__ import annotations

import json

import click
from flask.cli import AppGroup
from sqlmodel import select

from app.db import get_session, unit_of_work
from orders.errors import DomainError

members_cli = AppGroup("members", help="Households at relay points: RGPD export and erasure, sign-in.")


@members_cli.command("export")
@click.argument("member_id", type=int)
@click.option("--out", "out_file", default=None, type=click.Path(dir_okay=False),
              help="write the JSON to this file instead of the standard output")
def export_cmd(member_id: int, out_file: str | None) -> None:
    """Print everything stored about MEMBER_ID (RGPD access request), as JSON."""
    from app.services.member_privacy import export_member

    try:
        data = export_member(get_session(), member_id)
    except DomainError as exc:
        raise click.ClickException(exc.detail_fr) from exc
    text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)
    if out_file:
        with open(out_file, "w", encoding="utf-8") as handle:
            handle.write(text + "\n")
        click.echo(f"Données de l'adhérent n° {member_id} écrites dans {out_file}.", err=True)
    else:
        click.echo(text)


@members_cli.command("erase")
@click.argument("member_id", type=int)
@click.option("--yes", is_flag=True, help="do not ask for confirmation")
def erase_cmd(member_id: int, yes: bool) -> None:
    """Erase MEMBER_ID's personal data (RGPD); its anonymous statistics stay."""
    from app.services.member_privacy import erase_member

    if not yes:
        click.confirm(f"Effacer définitivement les données personnelles de l'adhérent n° {member_id} ?", abort=True)
    from flask import current_app

    from app.services import member_mail, notify

    try:
        with unit_of_work() as session:
            member, messages = erase_member(session, member_id)
    except DomainError as exc:
        raise click.ClickException(exc.detail_fr) from exc
    member_mail.send(get_session(), notify.Mailer.from_config(current_app.config), messages)
    click.echo(f"Données personnelles effacées : l'adhérent n° {member_id} est désormais « {member.name} » "
               "(statistiques conservées).")


@members_cli.command("sign-in")
@click.argument("member_id", type=int)
@click.argument("name")
def sign_in_cmd(member_id: int, name: str) -> None:
    """Give MEMBER_ID a sign-in called NAME (role member); set its password with `flask users set-password`."""
    from app.models import User
    from app.services.members import link_user

    try:
        with unit_of_work() as session:
            boss = session.exec(select(User).where(User.role == "coordinator")).first()
            if boss is None:
                raise click.ClickException("Aucun compte de coordination : créez-en un d'abord.")
            account = link_user(session, boss, member_id, name)
    except DomainError as exc:
        raise click.ClickException(exc.detail_fr) from exc
    click.echo(f"Identifiant « {account.name} » créé pour l'adhérent n° {member_id}.")
