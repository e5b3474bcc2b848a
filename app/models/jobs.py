"""The job table: long work (portioning, rounds, documents, publication) run by the task queue.

`Job` is the record people and programs read (`/api/v1/jobs/{id}`, the coordination page, the CLI):
state (`queued → running → succeeded | failed | cancelled`), progress 0–1, the stage in French,
the result (links to the plan version or the documents) and the error (a problem+json object).
The queue (Huey, `app/jobs/`) only carries "run job N"; everything that must survive a worker's
death lives here:

* `active_key` is `<kind>:<territory>:<week>` while the job is queued or running and NULL once it
  is finished: the unique constraint makes "one identical job at a time" hold across processes
  and machines (an identical request gets the running job back).
* `attempts` is the fencing token: a worker writes progress and the outcome only while the row
  still says `running` with *its* attempt number, so a worker presumed dead cannot overwrite a
  retry, and the outcome is committed in the same transaction as the plan version it made.
* `heartbeat_at` is the lease: a running job whose heartbeat is older than `TERRIL_JOB_LEASE_S`
  is retried (or failed after `TERRIL_JOB_MAX_ATTEMPTS`) by the reaper (`app/jobs/reaper.py`).
* `finalizer` is the attempt whose last document part won the right to switch the documents
  into place (publication fans out into parts; exactly one of them finishes the job).
"""
from __future__ import annotations

from datetime import datetime

from sqlmodel import JSON, Column, Field, SQLModel

JOB_KINDS = ("portioning", "rounds", "documents", "publish", "shortage")
JOB_STATES = ("queued", "running", "succeeded", "failed", "cancelled")
FINISHED_STATES = ("succeeded", "failed", "cancelled")


class Job(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16, index=True)
    territory_id: str = Field(max_length=64, index=True)
    week_id: int = Field(foreign_key="week.id", index=True)
    iso_week: str = Field(max_length=8, index=True)
    state: str = Field(max_length=12, index=True)
    active_key: str | None = Field(default=None, max_length=200, unique=True)
    progress: float = 0.0
    stage: str | None = Field(default=None, max_length=200)
    params: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_by: str = Field(max_length=200)
    created_at: datetime = Field(index=True)
    started_at: datetime | None = None
    finished_at: datetime | None = None
    heartbeat_at: datetime | None = None
    attempts: int = 0
    worker: str | None = Field(default=None, max_length=200)
    cancel_requested: bool = False
    finalizer: int | None = None
    parts: int | None = None
    result: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    error: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))
