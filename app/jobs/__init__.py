"""Long work as jobs on a task queue (Huey): portioning, rounds, documents, publication.

* `queue.py` builds the queue from the configuration (SQLite file by default, Redis when
  `TERRIL_REDIS_URL` is set); `init_app` registers the tasks on it for this app;
* `submit.py`: a request (API, page, CLI) creates the `Job` row and enqueues it — one identical
  job at a time — and may wait for it (`Prefer: wait=N`);
* `runner.py`: a worker claims the row, keeps its lease alive and records the outcome;
* `tasks.py` (portioning, rounds) and `publication.py` (documents in parallel parts, switched
  into place at once) do the work; `reaper.py` retries or fails jobs whose worker died;
* `worker.py`: `flask --app wsgi worker`, the worker process (docs/jobs.md).
"""
from __future__ import annotations

from flask import Flask
from huey import Huey

from app.jobs.queue import make_huey

TASK_JOB = "terril.run_job"
TASK_PART = "terril.run_part"


def init_app(app: Flask) -> None:
    from app.jobs import publication, runner, tasks
    from app.jobs.worker import worker_cmd

    huey = make_huey(app.config)

    def run_job(job_id: int) -> None:
        runner.run(app, job_id, lambda ctx: WORK[ctx.job.kind](ctx))

    def run_part(job_id: int, attempt: int, version: int, index: int, total: int, names: list[str]) -> None:
        publication.run_part(app, job_id, attempt, version, index, total, names)

    job_task = huey.task(name=TASK_JOB)(run_job)
    part_task = huey.task(name=TASK_PART)(run_part)

    def enqueue_part(job_id, attempt, version, index, total, names):
        huey.enqueue(part_task.s(job_id, attempt, version, index, total, names))

    WORK = {
        "portioning": tasks.portioning,
        "rounds": tasks.rounds,
        "documents": lambda ctx: publication.start(ctx, enqueue_part),
        "publish": lambda ctx: publication.start(ctx, enqueue_part),
        "shortage": tasks.shortage,
    }
    app.extensions["terril_huey"] = huey
    app.extensions["terril_job_task"] = job_task
    app.cli.add_command(worker_cmd)


def huey_of(app: Flask) -> Huey:
    return app.extensions["terril_huey"]


def enqueue_job(app: Flask, job_id: int) -> None:
    huey_of(app).enqueue(app.extensions["terril_job_task"].s(job_id))
