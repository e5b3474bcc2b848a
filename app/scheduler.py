"""The scheduler process: APScheduler runs `cycle_jobs.tick` every minute, one instance at a time.

Process model (docs/scheduler.md):

* `flask --app wsgi scheduler` runs it as its own process until SIGTERM/SIGINT;
  `start_in_process(app)` runs it in a background thread of another process (the demo, one
  machine on SQLite).
* Jobs live in the app's database (`SQLAlchemyJobStore`, table `apscheduler_jobs`, created by the
  migrations); the tick job has a fixed id and is added with `replace_existing`, so a restart
  finds it once, never twice. Coalescing folds missed runs into one and `misfire_grace_time`
  bounds how late a run may start; the tick itself catches up whatever a downtime missed.
* One active scheduler: on PostgreSQL it holds `pg_try_advisory_lock(LOCK_ID)` on a dedicated
  connection for its lifetime (the server releases it if the process dies); on SQLite an
  exclusive `flock` on `<database>.scheduler.lock` (released by the kernel when the process
  dies). A scheduler that does not get the lock stays passive — APScheduler not started — and
  retries every `TERRIL_SCHEDULER_LOCK_RETRY_S` seconds, taking over when the active one stops.

The job function is referenced by name in the job store (`app.scheduler:run_tick`), so it finds
its app through the running scheduler (`_RUNNING`), set by `TerrilScheduler.start`.
"""
from __future__ import annotations

import atexit
import fcntl
import logging
import os
import signal
import threading
from abc import ABC, abstractmethod
from datetime import UTC, datetime
from pathlib import Path

import click
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

log = logging.getLogger(__name__)

TICK_JOB_ID = "terril-cycle-tick"
#: The nightly purge (app/services/purge.py): a cron trigger, so a restart never postpones it.
PURGE_JOB_ID = "terril-purge"
JOBSTORE_TABLE = "apscheduler_jobs"
#: The advisory lock key: a fixed 63-bit number ("terril" + "sched" as text, folded).
LOCK_ID = int.from_bytes(b"terrilsc", "big") & 0x7FFF_FFFF_FFFF_FFFF


# --------------------------------------------------------------------------- the single-instance lock


class SchedulerLock(ABC):
    """One active scheduler per database; `acquire()` never blocks."""

    @abstractmethod
    def acquire(self) -> bool:
        """Take the lock if nobody holds it; True when this process now holds it."""

    def healthy(self) -> bool:
        return True

    @abstractmethod
    def release(self) -> None:
        """Give the lock back (and close what held it)."""


class PostgresAdvisoryLock(SchedulerLock):
    """`pg_try_advisory_lock` held by a dedicated connection (session-level lock).

    The connection is kept out of the pool's reach for as long as the lock is held; closing it,
    or the process dying, releases the lock on the server. Its commits end the lock's own
    statements: no use case runs on this connection (each tick step has its unit of work).
    """

    def __init__(self, engine: Engine, key: int = LOCK_ID) -> None:
        self.engine, self.key = engine, key
        self.conn: Connection | None = None

    def acquire(self) -> bool:
        if self.conn is not None:
            return True
        conn = self.engine.connect()
        try:
            got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": self.key}).scalar())
            conn.commit()  # a session-level advisory lock outlives the transaction
        except Exception:
            conn.close()
            raise
        if not got:
            conn.close()
            return False
        self.conn = conn
        return True

    def healthy(self) -> bool:
        if self.conn is None:
            return False
        try:
            self.conn.execute(text("SELECT 1"))
            self.conn.commit()
            return True
        except Exception:  # noqa: BLE001 - any failure means the lock may be gone
            log.warning("scheduler.lock_lost key=%s", self.key)
            self.release()
            return False

    def release(self) -> None:
        conn, self.conn = self.conn, None
        if conn is None:
            return
        try:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self.key})
            conn.commit()
        except Exception:  # noqa: BLE001 - closing the connection releases it anyway
            log.warning("scheduler.unlock_failed key=%s", self.key)
        finally:
            conn.close()


class FileLock(SchedulerLock):
    """An exclusive, non-blocking `flock` on a file next to the SQLite database."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.fd: int | None = None

    def acquire(self) -> bool:
        if self.fd is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self.fd = fd
        return True

    def healthy(self) -> bool:
        return self.fd is not None

    def release(self) -> None:
        fd, self.fd = self.fd, None
        if fd is not None:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)


class NoLock(SchedulerLock):
    """An in-memory SQLite database is private to its process: nothing to share."""

    held = False

    def acquire(self) -> bool:
        self.held = True
        return True

    def release(self) -> None:
        self.held = False


def lock_for(engine: Engine) -> SchedulerLock:
    url = engine.url
    if url.get_backend_name() == "postgresql":
        return PostgresAdvisoryLock(engine)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return FileLock(f"{url.database}.scheduler.lock")
    return NoLock()


# --------------------------------------------------------------------------- the scheduler


_RUNNING: dict[str, TerrilScheduler] = {}


def run_purge() -> None:
    """The stored nightly job: expired idempotency records and superseded caches."""
    sched = _RUNNING.get("active")
    if sched is None:
        log.warning("scheduler.purge_without_scheduler")
        return
    from app.maintenance import run_purge as purge_now

    log.info("scheduler.purge %s", purge_now(sched.app, datetime.now(UTC)).summary_fr())


def run_tick() -> None:
    """The stored job: one tick of every territory at the current time."""
    sched = _RUNNING.get("active")
    if sched is None:
        log.warning("scheduler.tick_without_scheduler")
        return
    sched.tick(datetime.now(UTC))


class TerrilScheduler:
    """A BackgroundScheduler on the app's database, started only while it holds the lock."""

    def __init__(self, app: Flask, *, lock: SchedulerLock | None = None) -> None:
        self.app = app
        self.engine: Engine = app.extensions["terril_engine"]
        self.lock = lock or lock_for(self.engine)
        self.interval_s = int(app.config.get("TERRIL_SCHEDULER_TICK_S", 60))
        self.retry_s = float(app.config.get("TERRIL_SCHEDULER_LOCK_RETRY_S", 30))
        self.misfire_grace_s = int(app.config.get("TERRIL_SCHEDULER_MISFIRE_GRACE_S", 300))
        self.scheduler: BackgroundScheduler | None = None
        self._stop = threading.Event()
        self._watch: threading.Thread | None = None
        self._guard = threading.Lock()

    @property
    def active(self) -> bool:
        return self.scheduler is not None and self.scheduler.running

    def _make_scheduler(self) -> BackgroundScheduler:
        return BackgroundScheduler(
            jobstores={"default": SQLAlchemyJobStore(engine=self.engine, tablename=JOBSTORE_TABLE)},
            job_defaults={"coalesce": True, "misfire_grace_time": self.misfire_grace_s, "max_instances": 1},
            timezone=UTC,
        )

    def try_become_active(self) -> bool:
        """Take the lock and start APScheduler; False (and stay passive) when another holds it."""
        with self._guard:
            if self.active:
                return True
            if not self.lock.acquire():
                log.info("scheduler.passive reason=lock_held_elsewhere")
                return False
            sched = self._make_scheduler()
            sched.start()
            sched.add_job(run_tick, "interval", seconds=self.interval_s, id=TICK_JOB_ID, name="cycle tick",
                          replace_existing=True)
            sched.add_job(run_purge, "cron", hour=3, minute=17, id=PURGE_JOB_ID, name="nightly purge",
                          replace_existing=True)
            self.scheduler = sched
            _RUNNING["active"] = self
            log.info("scheduler.active interval_s=%s", self.interval_s)
            return True

    def _step_down(self) -> None:
        with self._guard:
            sched, self.scheduler = self.scheduler, None
            if sched is not None and sched.running:
                sched.shutdown(wait=True)
            if _RUNNING.get("active") is self:
                del _RUNNING["active"]
            self.lock.release()

    def _watchdog(self) -> None:
        """Passive: retry the lock. Active: check the lock is still held, step down if lost."""
        while not self._stop.wait(self.retry_s):
            if self.active:
                if not self.lock.healthy():
                    log.error("scheduler.step_down reason=lock_lost")
                    self._step_down()
            else:
                self.try_become_active()

    def start(self, *, watch: bool = True) -> TerrilScheduler:
        self.try_become_active()
        if watch and self._watch is None:
            self._watch = threading.Thread(target=self._watchdog, name="terril-scheduler-lock", daemon=True)
            self._watch.start()
        return self

    def shutdown(self) -> None:
        self._stop.set()
        if self._watch is not None and self._watch is not threading.current_thread():
            self._watch.join(timeout=5)
        self._step_down()

    def jobs(self) -> list:
        return self.scheduler.get_jobs() if self.scheduler is not None else []

    def tick(self, now: datetime) -> None:
        from app.services.cycle_jobs import tick

        with self.app.app_context():
            with Session(self.engine, expire_on_commit=False) as session:
                report = tick(session, now)  # each step of the tick commits in its own unit of work
        for line in report.actions:
            log.info("scheduler.action %s", line)
        for line in report.errors:
            log.error("scheduler.error %s", line)


def start_in_process(app: Flask) -> TerrilScheduler:
    """Run the scheduler in background threads of this process (stopped at interpreter exit)."""
    sched = TerrilScheduler(app).start()
    atexit.register(sched.shutdown)
    return sched


# --------------------------------------------------------------------------- command line


@click.command("scheduler")
@with_appcontext
def scheduler_command() -> None:
    """Run the weekly-cycle scheduler until SIGTERM or SIGINT (one active instance per database)."""
    stop = threading.Event()

    def _signal(signum, _frame):
        log.info("scheduler.signal %s", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, _signal)
    signal.signal(signal.SIGINT, _signal)
    sched = TerrilScheduler(current_app._get_current_object()).start()
    click.echo("Planificateur démarré (" + ("actif" if sched.active else "en attente du verrou") + ").")
    while not stop.wait(1.0):
        pass
    sched.shutdown()
    click.echo("Planificateur arrêté.")


def parse_now(now_text: str | None) -> datetime:
    """A command's `--now`: an ISO date-time with its offset, or now (UTC) when none is given."""
    if not now_text:
        return datetime.now(UTC)
    try:
        now = datetime.fromisoformat(now_text)
    except ValueError as exc:
        raise click.BadParameter(f"{now_text!r} is not an ISO date-time", param_hint="--now") from exc
    if now.tzinfo is None:
        raise click.BadParameter("give a time zone offset, e.g. +01:00 or Z", param_hint="--now")
    return now


cycle_cli = AppGroup("cycle", help="The weekly cycle: run the scheduler's jobs by hand.")


@cycle_cli.command("tick")
@click.option("--now", "now_text", default=None, help="ISO date-time with offset (default: now), "
              "e.g. 2026-12-07T08:00:00+01:00")
def cycle_tick(now_text: str | None) -> None:
    """Run one tick of the cycle: transitions, new week, standing orders, reminders, planning."""
    from app.db import get_session
    from app.services.cycle_jobs import tick

    now = parse_now(now_text)
    report = tick(get_session(), now)
    for line in report.actions:
        click.echo(line)
    for line in report.errors:
        click.echo(f"ERREUR : {line}", err=True)
    if not report.actions and not report.errors:
        click.echo("Rien à faire.")
    if report.errors:
        raise SystemExit(1)


calendar_cli = AppGroup("calendar", help="Public and school holiday calendars.")


@calendar_cli.command("update-school-holidays")
@click.option("--source", default=None, help="URL or file of the Ministry's open-data export "
              "(default: the fr-en-calendrier-scolaire JSON export for zone B / Lille)")
@click.option("--zone", default="B", show_default=True)
@click.option("--academy", default="Lille", show_default=True)
@click.option("--dest", default=None, help="CSV to rewrite (default: orders/data/school_holidays.csv)")
def calendar_update(source: str | None, zone: str, academy: str, dest: str | None) -> None:
    """Rewrite the school-holiday CSV from the open-data calendar."""
    from orders import calendar

    try:
        rows = calendar.update_school_holidays(source, dest or calendar.DEFAULT_SCHOOL_HOLIDAYS_CSV,
                                               zone=zone, academy=academy)
    except (calendar.SchoolHolidaysUpdateError, FileNotFoundError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{len(rows)} périodes de vacances scolaires (zone {zone.upper()}, académie de {academy}), "
               f"du {rows[0].start.isoformat()} au {rows[-1].end.isoformat()}.")


def init_app(app: Flask) -> None:
    app.cli.add_command(scheduler_command)
    app.cli.add_command(cycle_cli)
    app.cli.add_command(calendar_cli)
