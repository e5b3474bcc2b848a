"""Tables of the self-running weekly cycle: what the scheduler did, and what it sent to whom.

* `JobRun`: one row per action of the scheduler's jobs (a transition applied, a week opened,
  standing orders copied, reminders sent, a plan, a publication), with its outcome. A step that
  must happen once per week carries a unique `key` when it succeeded, so a second run (a
  restarted scheduler, a manual `cycle tick`) sees it done and does nothing.
* `Notification`: every e-mail the cycle meant to send, keyed uniquely per week, reminder and
  recipient: a reminder is never sent twice, and the record says whether it went out.
* `apscheduler_jobs`: APScheduler's own job-store table (`SQLAlchemyJobStore`), declared here with
  exactly APScheduler 3.x's columns so that the migrations create it and `db check` knows it.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import JSON, Column, Field, SQLModel

JOB_OUTCOMES = ("ok", "error", "skipped")
NOTIFICATION_STATUSES = ("pending", "sent", "failed", "skipped")


class JobRun(SQLModel, table=True):
    """One action of a scheduler job; `started`/`finished` are on the job's clock (UTC)."""

    id: int | None = Field(default=None, primary_key=True)
    job: str = Field(max_length=32, index=True)
    week: str | None = Field(default=None, max_length=8, index=True)
    territory_id: str | None = Field(default=None, max_length=64, index=True)
    key: str | None = Field(default=None, max_length=200, unique=True)
    started: datetime = Field(index=True)
    finished: datetime | None = None
    outcome: str = Field(max_length=8)
    detail: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class Notification(SQLModel, table=True):
    """An e-mail of the cycle; `key` is unique (`<territory>:<week>:reminder:<kind>:user<id>`)."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200, unique=True)
    kind: str = Field(max_length=32, index=True)
    territory_id: str | None = Field(default=None, max_length=64)
    week: str | None = Field(default=None, max_length=8, index=True)
    user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    email: str | None = Field(default=None, max_length=300)
    subject: str = Field(max_length=300)
    body: str = Field(sa_column=Column(sa.Text, nullable=False))
    created_at: datetime
    sent_at: datetime | None = None
    status: str = Field(max_length=8)
    attempts: int = 0
    error: str | None = Field(default=None, max_length=1000)


#: APScheduler 3.x `SQLAlchemyJobStore` table, column for column (apscheduler/jobstores/sqlalchemy.py).
apscheduler_jobs = sa.Table(
    "apscheduler_jobs",
    SQLModel.metadata,
    sa.Column("id", sa.Unicode(191), primary_key=True),
    sa.Column("next_run_time", sa.Float(25), index=True),
    sa.Column("job_state", sa.LargeBinary, nullable=False),
)
