"""Notifications: French reminder texts, sent once through a real SMTP server on loopback, recorded."""
from __future__ import annotations

import socket
from datetime import UTC, datetime
from email import message_from_bytes, policy
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import select

from app.auth import create_user
from app.db import get_session
from app.models import Notification
from app.services import notify
from tests.app.world import build_world

PARIS = ZoneInfo("Europe/Paris")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpSink:
    """An aiosmtpd handler keeping every message it receives, parsed."""

    def __init__(self) -> None:
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        msg = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        self.messages.append({"to": list(envelope.rcpt_tos), "subject": msg["Subject"],
                              "body": msg.get_body(("plain",)).get_content(), "from": msg["From"]})
        return "250 Message accepted"


@pytest.fixture
def smtp_sink(app):
    sink = SmtpSink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(TERRIL_SMTP_HOST="127.0.0.1", TERRIL_SMTP_PORT=port, TERRIL_SMTP_SENDER="cycle@terril.test")
    yield sink
    controller.stop()


def test_reminder_texts_are_french_with_the_deadline():
    deadline = datetime(2026, 11, 24, 12, 0, tzinfo=PARIS)
    subject, body = notify.reminder_text("offers", "2026-W49", deadline, "Paul")
    assert subject == "Rappel : publiez vos offres avant mardi 24 novembre 2026 à 12:00"
    assert "Bonjour Paul" in body and "semaine 2026-W49 (du 30 novembre au 6 décembre 2026)" in body
    subject, _ = notify.reminder_text("orders", "2026-W49", datetime(2026, 11, 25, 12, 0, tzinfo=PARIS), "C")
    assert subject == "Rappel : passez votre commande avant mercredi 25 novembre 2026 à 12:00"
    with pytest.raises(ValueError):
        notify.reminder_text("invoices", "2026-W49", deadline, "x")


def test_a_notification_is_sent_once_and_recorded(app, smtp_sink):
    build_world(app)
    now = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)
    with app.app_context():
        session = get_session()
        user, _ = create_user(session, "Paula", "producer", "ferme-terril", "paula@ferme.test")
        nobody, _ = create_user(session, "Sans Courriel", "producer", "ferme-terril")
        session.commit()
        mailer = notify.Mailer.from_config(app.config)
        first = notify.notify(session, mailer, "k1", "reminder_offers", user, "Sujet é", "Corps à lire", now)
        again = notify.notify(session, mailer, "k1", "reminder_offers", user, "Sujet é", "Corps à lire", now)
        skipped = notify.notify(session, mailer, "k2", "reminder_offers", nobody, "Sujet", "Corps", now)
        assert first.status == again.status == "sent" and first.id == again.id and first.sent_at == now
        assert skipped.status == "skipped" and skipped.email is None
        rows = session.exec(select(Notification).order_by(Notification.id)).all()
        assert [(r.key, r.status, r.user_id) for r in rows] == [("k1", "sent", user.id), ("k2", "skipped", nobody.id)]
    assert len(smtp_sink.messages) == 1
    mail = smtp_sink.messages[0]
    assert mail["to"] == ["paula@ferme.test"] and mail["subject"] == "Sujet é" and "Corps à lire" in mail["body"]
    assert "cycle@terril.test" in mail["from"]


def test_a_failed_send_is_recorded_and_retried_a_bounded_number_of_times(app):
    build_world(app)
    now = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)
    closed = notify.Mailer("127.0.0.1", free_port(), "cycle@terril.test", timeout_s=2)
    with app.app_context():
        session = get_session()
        user, _ = create_user(session, "Paula", "producer", "ferme-terril", "paula@ferme.test")
        session.commit()
        for attempt in range(1, notify.MAX_ATTEMPTS + 2):
            row = notify.notify(session, closed, "k", "reminder_offers", user, "S", "B", now)
            assert row.status == "failed" and row.error
            assert row.attempts == min(attempt, notify.MAX_ATTEMPTS)
