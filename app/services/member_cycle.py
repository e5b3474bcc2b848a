"""The members' steps of the weekly cycle (called from `app/services/cycle_jobs.py`).

* when orders close: `derive_orders` runs in the same unit of work as the `orders_open → closed`
  transition (see `cycle_jobs._advance`), so a week closes with its members' orders or not at all;
* once a week is published (and again for every later plan version, a re-plan after a morning
  shortage): the planned baskets are handed out (`member_orders.allot_week`, one unit of work
  with its `JobRun`, keyed per plan version so it runs once each) and the households that go
  without are told by e-mail, each once (`Notification` keys).
"""
from __future__ import annotations

import logging
from datetime import datetime

from sqlmodel import Session, select

from app.db import unit_of_work
from app.models import JobRun, Territory, Week
from app.services import member_mail, member_orders, notify

log = logging.getLogger(__name__)
ACTOR = "scheduler"
HANDED_OUT = ("published", "delivered")


def derive_at_close(session: Session, week: Week) -> dict:
    """The close step's part: derive, and say how many rows moved (for the step's `JobRun`)."""
    report = member_orders.derive_orders(session, week, actor=ACTOR)
    return {name: len(rows) for name, rows in report.as_dict().items() if name != "week"}


def after_publication(session: Session, terr: Territory, week: Week, now: datetime,
                      mailer: notify.Mailer | None, actions: list[str]) -> None:
    """Hand out the published plan's baskets once per plan version; tell the cut households."""
    if week.state not in HANDED_OUT:
        return
    from app.services import planning  # planning imports the jobs, which import the cycle

    with unit_of_work(session):
        plan = planning.current_plan(session, week)
        if plan is None:
            return
        key = f"{terr.id}:{week.iso_week}:members_allot:v{plan.version}"
        if session.exec(select(JobRun.id).where(JobRun.key == key)).first() is not None:
            return
        messages = member_orders.allot_week(session, week)
        session.add(JobRun(job="members_allot", territory_id=terr.id, week=week.iso_week, key=key, started=now,
                           finished=now, outcome="ok",
                           detail={"plan_version": plan.version, "cut": [m.key for m in messages]}))
    member_mail.send(session, mailer, messages, now)
    if messages:
        actions.append(f"{terr.id} {week.iso_week}: {len(messages)} foyers prévenus d'un panier en moins")
