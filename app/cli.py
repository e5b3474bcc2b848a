"""Command-line interface: `flask --app wsgi <command>`.

db upgrade|downgrade|check|revision   schema migrations (Alembic)
users create NAME --role R [--site ID] create a user; its API token is the last line printed
demo [--week 2026-W49]                 load the Lens-Liévin demo territory and week
invoices issue --week W                the week's invoices, credit notes and money entries (idempotent)
"""
from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from app import migrate
from app.db import unit_of_work
from app.models import ROLES
from orders.errors import DomainError
from orders.plan import Plan as WeekPlan

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


DEMO_USERS = (  # name, role, index of the site in the demo scenario's list of that kind
    ("Claire Coordination", "coordinator", None),
    ("Ferme du Terril", "producer", ("producers", 0)),
    ("Épicerie solidaire du Grand Lens", "relay", ("relay_points", 0)),
    ("École maternelle Les Galibots", "canteen", ("canteens", 0)),
)


@click.command("demo")
@with_appcontext
@click.option("--week", default="2026-W49", show_default=True)
@click.option("--tokens", "tokens_file", default=None, type=click.Path(dir_okay=False),
              help="write the demo users' API tokens to this file (JSON)")
def demo(week: str, tokens_file: str | None) -> None:
    """Load the Lens-Liévin demo territory and week, with one demo user per role (fresh tokens, and
    one password for the pages: `TERRIL_DEMO_PASSWORD`, or a random one written with the tokens)."""
    import json
    import os
    import secrets

    from sqlmodel import select
    from werkzeug.security import generate_password_hash

    from app.auth import create_user, issue_token
    from app.models import User
    from app.services.scenario import import_scenario
    from orders.demo import build_demo_scenario
    from orders.scenario import Scenario

    migrate.upgrade(_url())
    scenario = Scenario.from_dict(build_demo_scenario(week))
    tokens = {}
    password = os.environ.get("TERRIL_DEMO_PASSWORD") or secrets.token_urlsafe(9)
    password_hash = generate_password_hash(password)
    with unit_of_work() as session:
        loaded = import_scenario(session, scenario)
        drivers = sorted({v.driver for v in scenario.vehicles if v.driver})
        for name, role, site in [*DEMO_USERS, *((d, "driver", None) for d in drivers)]:
            site_id = getattr(scenario, site[0])[site[1]].id if site else None
            user = session.exec(select(User).where(User.name == name)).first()
            if user is None:
                user, token = create_user(session, name, role, site_id)
            else:
                token = issue_token(session, user, label="demo")
            user.password_hash = password_hash
            session.add(user)
            tokens[name] = {"role": role, "site_id": site_id, "token": token, "password": password}
        from app.services.demo_members import load_demo_members  # the relay points' households (issue 19)
        tokens.update({k: {**v, "password": password} for k, v in
                       load_demo_members(session, scenario, loaded, password_hash).items()})
        from app.services.billing_settings import load_demo as load_demo_billing  # paying bodies (issue 20)

        load_demo_billing(session, loaded.territory_id)
    click.echo(f"Territoire de démonstration chargé : semaine {loaded.iso_week} ({loaded.state}), "
               f"{len(scenario.producers)} fermes, {len(scenario.relay_points)} points relais, "
               f"{len(scenario.canteens)} cantines, {len(scenario.vehicles)} tournées-véhicules.")
    if tokens_file:
        with open(tokens_file, "w", encoding="utf-8") as handle:
            json.dump(tokens, handle, ensure_ascii=False, indent=2)
        click.echo(f"Jetons d'accès des utilisateurs de démonstration écrits dans {tokens_file}.")


scenario_cli = AppGroup("scenario", help="The week scenario file (SCENARIO.md): run it, export it.")


def _week_row(session, week: str):
    from app.services import weeks as week_service

    return week_service.find_week(session, week, current_app.config["TERRIL_TERRITORY"])


def _fail(exc: DomainError):
    raise click.ClickException(exc.detail_fr) from exc


def _run_job(kind: str, week: str, params: dict | None = None):
    """Submit the job (or join the identical one under way), follow it, fail with its French error."""
    from app.db import get_session
    from app.jobs.follow import follow
    from app.jobs.submit import submit

    try:
        job, created = submit(kind, _week_row(get_session(), week), "cli", params)
    except DomainError as exc:
        _fail(exc)
    if not created:
        click.echo(f"Un travail identique est déjà en cours (n° {job.id}) : on le suit.", err=True)
    job = follow(job.id)
    if job.state == "cancelled":
        raise click.ClickException(f"Travail n° {job.id} annulé.")
    if job.state != "succeeded":
        raise click.ClickException((job.error or {}).get("detail_fr") or f"Travail n° {job.id} en échec.")
    return job


def _plan_of(week: str):
    from app.db import get_session
    from app.services import planning

    session = get_session()
    session.expire_all()
    return planning.require_plan(session, _week_row(session, week))


@click.command("portion")
@with_appcontext
@click.option("--week", required=True, help="ISO week, e.g. 2026-W49")
@click.option("--reason", default=None, help="why this run replaces the current plan")
def portion_cmd(week: str, reason: str | None) -> None:
    """Portion a closed week: allocations, baskets, shortfalls, targets (a new plan version; a job)."""
    _run_job("portioning", week, {"reason": reason} if reason else {})
    plan = _plan_of(week)
    body = WeekPlan.from_dict(plan.plan)
    click.echo(f"Répartition de la semaine {week} (version {plan.version}) : {len(body.allocations)} lignes, "
               f"{len(body.shortfalls)} manques.")
    for kind, target in body.targets:
        click.echo(f"  objectif {kind} : {target.served * 100:.0f} % servi pour {target.target * 100:.0f} % "
                   f"visé ({target.missing_kg:.1f} kg manquants)")


@click.command("route")
@with_appcontext
@click.option("--week", required=True)
@click.option("--reason", default=None)
def route_cmd(week: str, reason: str | None) -> None:
    """Plan the delivery rounds of a portioned week (the week becomes planned; a job)."""
    _run_job("rounds", week, {"reason": reason} if reason else {})
    plan = _plan_of(week)
    body = WeekPlan.from_dict(plan.plan)
    click.echo(f"Tournées de la semaine {week} (version {plan.version}) : {len(body.rounds)} tournées, "
               f"{body.totals.km:.1f} km, {len(body.unserved)} arrêts non servis.")
    for rnd in body.rounds:
        click.echo(f"  {rnd.day} {rnd.vehicle} ({rnd.driver or '—'}) {rnd.start}–{rnd.end} "
                   f"{rnd.km:.1f} km, {len(rnd.stops)} arrêts")


@click.command("publish")
@with_appcontext
@click.option("--week", required=True)
def publish_cmd(week: str) -> None:
    """Render the week's documents (in parallel, by the workers) and mark the week published (a job)."""
    job = _run_job("publish", week)
    click.echo(f"Semaine {week} publiée : {len(job.result.get('documents', []))} documents.")


@click.command("documents")
@with_appcontext
@click.option("--week", required=True)
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False))
def documents_cmd(week: str, out_dir: str) -> None:
    """Write every PDF of the week's current plan into OUT (rendered by the workers, a job)."""
    import shutil
    from pathlib import Path

    from app.db import get_session
    from app.services import documents

    job = _run_job("documents", week)
    session = get_session()
    folder = documents.cache_dir(_week_row(session, week), _plan_of(week))
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = [shutil.copyfile(folder / doc["name"], out / doc["name"]) for doc in job.result["documents"]]
    click.echo(f"{len(written)} documents écrits dans {out}")


@scenario_cli.command("run")
@click.argument("file", type=click.File("r", encoding="utf-8"))
@click.option("--out", "out_dir", default=None, type=click.Path(file_okay=False), help="also write the PDFs")
def scenario_run(file, out_dir: str | None) -> None:
    """Plan a scenario file without touching the database; print the plan JSON on stdout."""
    import json
    from pathlib import Path

    from app.planning.pipeline import PlanSettings, plan
    from app.services.planning import settings as app_settings
    from orders.scenario import InvalidScenario, Scenario

    try:
        scenario = Scenario.from_dict(json.load(file))
    except json.JSONDecodeError as exc:
        raise click.ClickException(f"Fichier scénario illisible : {exc}") from exc
    except InvalidScenario as exc:
        raise click.ClickException("Scénario invalide :\n" + "\n".join(f"  {e}" for e in exc.errors)) from exc
    base = app_settings()
    try:
        body = plan(scenario, PlanSettings(base.portioning_time_limit_s, base.routing_time_limit_s, base.matrix,
                                           base.matrix_options, None))
    except DomainError as exc:
        _fail(exc)
    click.echo(json.dumps(body.to_dict(), ensure_ascii=False, indent=2))
    if out_dir:
        from app.services.documents import render_set
        from reports.from_plan import documents_from_plan

        written = render_set(documents_from_plan(body, scenario), Path(out_dir), scenario.week)
        click.echo(f"{len(written)} documents écrits dans {out_dir}", err=True)


@scenario_cli.command("export")
@click.option("--week", required=True)
def scenario_export(week: str) -> None:
    """Print a stored week as a scenario file (JSON)."""
    import json

    from app.db import get_session
    from app.services.scenario import export_scenario

    session = get_session()
    try:
        data = export_scenario(session, _week_row(session, week))
    except DomainError as exc:
        _fail(exc)
    click.echo(json.dumps(data.to_dict(), ensure_ascii=False, indent=2))


def init_app(app: Flask) -> None:
    app.cli.add_command(db_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(demo)
    app.cli.add_command(scenario_cli)
    from app.cli_members import members_cli

    app.cli.add_command(members_cli)
    from app.cli_billing import invoices_cli  # the week's money (issue 20)

    app.cli.add_command(invoices_cli)
    for command in (portion_cmd, route_cmd, publish_cmd, documents_cmd):
        app.cli.add_command(command)
    from app import backup  # flask backup OUT / flask restore IN (docs/trust.md)

    backup.init_app(app)
