"""Following a job from the command line: a progress bar on a terminal (rich), plain lines otherwise.

`follow(job_id)` polls the job row until it is finished. On a terminal it draws the stage and the
progress; when the output is a file or a pipe (the demo script, cron, CI logs) it prints one line
per stage change, e.g. `[ 40 %] Calcul des tournées (solveur)`. Ctrl+C cancels the job.
"""
from __future__ import annotations

import sys
import time

import click

from app.db import engine
from app.jobs import state, submit
from app.jobs.reaper import reap
from app.models import FINISHED_STATES, Job

NO_WORKER_HINT_S = 10.0


def _poll(job_id: int, on_change) -> Job:
    started = time.monotonic()
    hinted = False
    job = submit.fresh(job_id)
    while job.state not in FINISHED_STATES:
        on_change(job)
        if not hinted and job.state == "queued" and job.attempts == 0 \
                and time.monotonic() - started > NO_WORKER_HINT_S:
            click.echo("En attente d'un worker : lancez « flask --app wsgi worker » s'il n'y en a aucun.", err=True)
            hinted = True
        time.sleep(0.25)
        reap(job_id=job_id)
        job = submit.fresh(job_id)
    on_change(job)
    return job


def follow(job_id: int, tty: bool | None = None) -> Job:
    """Wait for the job, showing its progress; the finished job."""
    tty = sys.stdout.isatty() if tty is None else tty
    try:
        if tty:
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f} %"),
                          TimeElapsedColumn(), transient=False) as bar:
                task = bar.add_task("En attente", total=100)
                return _poll(job_id, lambda j: bar.update(task, completed=100 * j.progress,
                                                          description=(j.stage or j.state)[:60]))
        last: list = [None]

        def line(job: Job) -> None:
            shown = (job.stage, job.state)
            if shown != last[0]:
                last[0] = shown
                click.echo(f"[{100 * job.progress:3.0f} %] {job.stage or job.state}")

        return _poll(job_id, line)
    except KeyboardInterrupt:
        outcome = state.request_cancel(engine(), job_id)
        click.echo("Annulation demandée." if outcome != "finished" else "Le travail était déjà terminé.", err=True)
        raise SystemExit(130) from None
