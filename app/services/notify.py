"""E-mail notifications of the weekly cycle: French texts, SMTP delivery, a record of each message.

Every message is first stored as a `Notification` with a unique key and committed, then sent,
then marked `sent` (or `failed`, with the error): two separate units of work around the send,
because an e-mail that left cannot be taken back by a rollback, so its record must not be one
either. A crash between the send and the mark leaves
the row `pending`: it is not sent again (at most once: a missing reminder is better than two).
A recipient without an e-mail address gets a `skipped` row, so the record still says who was
not reminded and why.

SMTP comes from the config (`TERRIL_SMTP_HOST`, `TERRIL_SMTP_PORT`, `TERRIL_SMTP_SENDER`); the
server is a plain relay on the local network (no authentication, no TLS), like a postfix
satellite next to the app.
"""
from __future__ import annotations

import logging
import smtplib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from sqlmodel import Session, select

from app.db import separate_unit_of_work
from app.models import Notification, User
from orders.cycle import week_monday
from reports import formatting

log = logging.getLogger(__name__)

#: A failed e-mail is retried on later ticks, at most this many attempts in all.
MAX_ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class Mailer:
    """Sends one plain-text e-mail through an SMTP relay."""

    host: str
    port: int
    sender: str
    timeout_s: float = 10.0

    @classmethod
    def from_config(cls, config: Mapping) -> Mailer:
        return cls(config["TERRIL_SMTP_HOST"], int(config["TERRIL_SMTP_PORT"]), config["TERRIL_SMTP_SENDER"])

    def send(self, to: str, subject: str, body: str, *, to_name: str | None = None) -> None:
        msg = EmailMessage()
        msg["From"] = formataddr(("Terril", self.sender))
        msg["To"] = formataddr((to_name or "", to))
        msg["Subject"] = subject
        msg["Message-ID"] = make_msgid(domain=self.sender.rpartition("@")[2] or "terril.local")
        msg.set_content(body)
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout_s) as smtp:
            smtp.send_message(msg)


# --------------------------------------------------------------------------- French texts


def _week_span_fr(iso_week: str) -> str:
    monday = week_monday(iso_week)
    return f"semaine {iso_week} ({formatting.date_span(monday, monday + timedelta(days=6))})"


def reminder_text(kind: str, iso_week: str, deadline: datetime, name: str) -> tuple[str, str]:
    """Subject and body of a reminder; `deadline` is already in the territory's time zone."""
    when = formatting.datetime_long(deadline)
    span = _week_span_fr(iso_week)
    if kind == "offers":
        subject = f"Rappel : publiez vos offres avant {when}"
        body = (f"Bonjour {name},\n\n"
                f"Vous n'avez encore publié aucune offre pour la livraison de la {span}.\n"
                f"La saisie des offres ferme le {when}. Passé ce délai, vos produits ne pourront "
                "pas être proposés aux cantines ni aux points relais cette semaine-là.\n\n"
                "Bonne journée,\nLa coordination Terril\n")
    elif kind == "orders":
        subject = f"Rappel : passez votre commande avant {when}"
        body = (f"Bonjour {name},\n\n"
                f"Nous n'avons pas encore reçu votre commande pour la livraison de la {span}.\n"
                f"La saisie des commandes ferme le {when}. Sans commande à cette date, rien ne "
                "vous sera livré cette semaine-là.\n\n"
                "Bonne journée,\nLa coordination Terril\n")
    else:
        raise ValueError(f"unknown reminder kind {kind!r}: expected 'offers' or 'orders'")
    return subject, body


# --------------------------------------------------------------------------- record and send


def notify(session: Session, mailer: Mailer | None, key: str, kind: str, user: User, subject: str, body: str,
           now: datetime, *, territory_id: str | None = None, week: str | None = None) -> Notification:
    """Record then send one message to `user`, once per `key` (see the module docstring).

    Its own use case, in two separate units of work on `session` (so never called inside another
    unit of work): the `pending` record is committed before the e-mail leaves (a crash after the
    send must not send it again), the outcome after. Returns the row; an existing `sent`,
    `skipped` or `pending` row is returned unchanged, a `failed` one is retried until
    `MAX_ATTEMPTS`.
    """
    with separate_unit_of_work(session):
        row = session.exec(select(Notification).where(Notification.key == key)).first()
        if row is not None and (row.status != "failed" or row.attempts >= MAX_ATTEMPTS):
            return row
        if row is None:
            row = Notification(key=key, kind=kind, territory_id=territory_id, week=week, user_id=user.id,
                               email=user.email, subject=subject, body=body, created_at=now, status="pending")
            if not user.email:
                row.status = "skipped"
                row.error = "no e-mail address"
                session.add(row)
                log.info("notify.skipped key=%s user=%s reason=no_email", key, user.id)
                return row
        row.status = "pending"
        row.attempts += 1
        session.add(row)
    _deliver(session, mailer, row, user, now)
    return row


def _deliver(session: Session, mailer: Mailer | None, row: Notification, user: User, now: datetime) -> None:
    """Send the recorded message and store the outcome (a separate unit of work: the send happened)."""
    key = row.key
    if mailer is None:
        row.status, row.error = "failed", "no mailer configured"
    else:
        try:
            mailer.send(row.email, row.subject, row.body, to_name=user.name)
        except (OSError, smtplib.SMTPException) as exc:
            row.status, row.error = "failed", f"{type(exc).__name__}: {exc}"[:1000]
            log.warning("notify.failed key=%s to=%s error=%s", key, row.email, exc)
        else:
            row.status, row.error, row.sent_at = "sent", None, now
            log.info("notify.sent key=%s to=%s", key, row.email)
    with separate_unit_of_work(session):
        session.add(row)
