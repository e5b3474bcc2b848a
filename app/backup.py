"""Backups while the server runs, and restores into a fresh database (`flask backup`, `flask restore`).

* **SQLite**: the online backup API (`sqlite3.Connection.backup`, all pages in one step). The copy
  is one consistent snapshot — the state after some commit, never half a transaction — taken while
  other processes keep writing (WAL mode: writers are not blocked, the backup holds a read
  transaction). It is written to `OUT.partial`, checked with `PRAGMA integrity_check`, then renamed,
  so `OUT` is either a whole backup or absent. The backup is itself a SQLite database.
* **PostgreSQL**: `pg_dump --format=custom` (one repeatable-read snapshot; writers are not
  blocked), same `.partial` + rename; restored with `pg_restore`. The client's major version must
  be at least the server's (`pg_dump --version`, `psql -c 'show server_version'`); on Debian:
  `apt-get install postgresql-client-15` (or the `postgresql-client` of your server's version). The
  password is handed to the tools through `PGPASSWORD`, never on their command line.

`restore` refuses a database that already holds Terril's tables unless `--force` (then SQLite is
overwritten page by page through the same backup API, PostgreSQL restored with `--clean`).
Schedule and procedure: docs/trust.md ("Backups").
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import click
from flask import Flask, current_app
from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from app.db import make_engine, normalise_url

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


class BackupError(click.ClickException):
    pass


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("An in-memory SQLite database cannot be backed up.")
    return Path(database)


def _pg_env(url: str) -> tuple[list[str], dict]:
    """libpq arguments and environment for `url` (password in PGPASSWORD, not on the command line)."""
    parsed = make_url(normalise_url(url))
    env = {**os.environ}
    for var, value in (("PGHOST", parsed.host), ("PGPORT", parsed.port), ("PGUSER", parsed.username),
                       ("PGPASSWORD", parsed.password), ("PGDATABASE", parsed.database)):
        if value is not None:
            env[var] = str(value)
    return ["--no-password"], env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed: install the PostgreSQL client of your server's major version "
                          "(Debian/Ubuntu: apt-get install postgresql-client-15; or postgresql-client).")
    return found


def _run(args: list[str], env: dict) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed ({done.returncode}): {done.stderr.strip()[:2000]}")


def backup(url: str, out: str | os.PathLike[str]) -> Path:
    """Write a consistent backup of the database at `url` to `out`; return its path."""
    out = Path(out)
    partial = out.with_name(out.name + ".partial")
    partial.unlink(missing_ok=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    if make_url(normalise_url(url)).get_backend_name() == "sqlite":
        source = sqlite3.connect(_sqlite_path(url), timeout=30)
        target = sqlite3.connect(partial)
        try:
            source.backup(target, pages=-1)  # one step: one snapshot, whatever writers do meanwhile
            verdict = target.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            target.close()
            source.close()
        if verdict != "ok":
            partial.unlink(missing_ok=True)
            raise BackupError(f"The backup copy failed its integrity check: {verdict}")
    else:
        args, env = _pg_env(url)
        _run([_tool("pg_dump"), *args, "--format=custom", "--no-owner", f"--file={partial}"], env)
    os.replace(partial, out)
    return out


def _has_tables(url: str) -> bool:
    engine = make_engine(url)
    try:
        return bool(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def restore(url: str, source: str | os.PathLike[str], force: bool = False) -> None:
    """Restore the backup file `source` into the database at `url` (empty unless `force`)."""
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"No backup file at {source}.")
    with open(source, "rb") as handle:
        magic = handle.read(16)
    sqlite_target = make_url(normalise_url(url)).get_backend_name() == "sqlite"
    if sqlite_target != (magic == SQLITE_MAGIC) or (not sqlite_target and not magic.startswith(PGDUMP_MAGIC)):
        raise BackupError("The backup and the database are not of the same kind (a SQLite backup restores into "
                          "SQLite, a pg_dump archive into PostgreSQL).")
    if _has_tables(url) and not force:
        raise BackupError("The target database already holds tables: restore into a fresh database, or pass --force "
                          "to overwrite it (stop the server and the scheduler first).")
    if sqlite_target:
        backup_db = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        target = sqlite3.connect(_sqlite_path(url), timeout=30)
        try:
            backup_db.backup(target, pages=-1)
            verdict = target.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            target.close()
            backup_db.close()
        if verdict != "ok":
            raise BackupError(f"The restored database failed its integrity check: {verdict}")
        return
    args, env = _pg_env(url)
    extra = ["--clean", "--if-exists"] if force else []
    _run([_tool("pg_restore"), *args, "--no-owner", "--exit-on-error", "--single-transaction", *extra,
          f"--dbname={env.get('PGDATABASE', '')}", str(source)], env)


@click.command("backup")
@click.argument("out", type=click.Path(dir_okay=False))
def backup_cmd(out: str) -> None:
    """Back up the database (DATABASE_URL) to OUT while the server keeps running."""
    path = backup(current_app.config["SQLALCHEMY_DATABASE_URI"], out)
    click.echo(f"{path} ({path.stat().st_size} bytes)")


@click.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False))
@click.option("--force", is_flag=True, help="overwrite a database that already holds tables")
def restore_cmd(source: str, force: bool) -> None:
    """Restore the backup SOURCE into the database (DATABASE_URL): a fresh one, unless --force."""
    restore(current_app.config["SQLALCHEMY_DATABASE_URI"], source, force=force)
    click.echo("restored")


def init_app(app: Flask) -> None:
    app.cli.add_command(backup_cmd)
    app.cli.add_command(restore_cmd)
