"""`flask --app wsgi invoices issue --week W`: the week's invoices and credit notes, the households'
basket charges and the producers' supplies (idempotent: a second run does only what changed)."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from app.db import unit_of_work
from orders.errors import DomainError

invoices_cli = AppGroup("invoices", help="Invoices to canteens (Factur-X), credit notes, the week's money.")


@invoices_cli.command("issue")
@with_appcontext
@click.option("--week", required=True, help="ISO week, e.g. 2026-W49")
def issue(week: str) -> None:
    """Issue the week's invoices and credit notes (and post basket charges and supplies)."""
    from app.services import billing
    from app.services.weeks import find_week

    try:
        with unit_of_work() as session:
            run = billing.issue_week(session, find_week(session, week, current_app.config["TERRIL_TERRITORY"]), "cli")
    except DomainError as exc:
        raise click.ClickException(exc.detail_fr) from exc
    for number in run.issued:
        click.echo(f"Facture émise : {number}")
    for number in run.credit_notes:
        click.echo(f"Avoir émis : {number}")
    for site, reason in run.refused:
        click.echo(f"Non facturée ({site}) : {reason}", err=True)
    click.echo(f"Semaine {run.week} : {len(run.issued)} facture(s) émise(s), {len(run.credit_notes)} avoir(s), "
               f"{len(run.already)} déjà émise(s), {run.basket_entries} écriture(s) de paniers, "
               f"{run.supply_entries} écriture(s) d'apports.")
