"""`flask --app wsgi worker`: the worker process of the task queue.

It runs Huey's consumer on the app's queue with `--workers N` worker processes (forked; the PDF
rendering and the solvers are CPU-bound, threads would share one core) or threads, and a reaper
thread (`reaper.py`). Start as many as the machines have cores to spare, on as many machines as
wanted when the queue is on Redis; stop with SIGTERM or Ctrl+C (a running task finishes first with
SIGINT; a killed worker's job is retried by any other worker's reaper after the lease).
"""
from __future__ import annotations

import logging

import click
from flask import current_app
from flask.cli import with_appcontext

log = logging.getLogger(__name__)


@click.command("worker")
@with_appcontext
@click.option("--workers", "-w", default=2, show_default=True, type=click.IntRange(1, 64),
              help="tasks run at once by this process")
@click.option("--worker-type", default="process", show_default=True, type=click.Choice(["process", "thread"]))
def worker_cmd(workers: int, worker_type: str) -> None:
    """Run the job worker (portioning, rounds, documents, publication) until SIGTERM / Ctrl+C."""
    from app.jobs import huey_of
    from app.jobs.queue import describe
    from app.jobs.reaper import Reaper

    app = current_app._get_current_object()
    huey = huey_of(app)
    if huey.immediate:
        raise click.ClickException("TERRIL_QUEUE_IMMEDIATE=1 : les tâches s'exécutent sans worker.")
    engine = app.extensions["terril_engine"]

    @huey.on_startup()
    def _fresh_connections() -> None:  # a forked worker must not share its parent's connections
        engine.dispose(close=False)

    consumer = huey.create_consumer(workers=workers, worker_type=worker_type, periodic=False,
                                    initial_delay=0.05, backoff=1.3, max_delay=0.5,
                                    check_worker_health=True, health_check_interval=2)
    Reaper(app).start()
    click.echo(f"Worker Terril : {workers} {'processus' if worker_type == 'process' else 'fils'} sur la file "
               f"{describe(huey)} (bail {app.config['TERRIL_JOB_LEASE_S']:g} s).", err=True)
    consumer.run()
