"""Alerts to the coordinator: shown on the coordination page and `GET /api/v1/alerts`, e-mailed by
the scheduler's tick, kept until someone resolves them; each is raised once (its `key`).

* **A held publication**: a week with no offers, or whose plan misses a policy target, is not
  published silently (by the scheduler or a coordinator who did not acknowledge it): it stays
  `planned` and the alert says why.
* **A round left unconfirmed** when its driver's shift is over.
* **A site holding more crates** than the threshold the coordinator set for it.

Functions that record work inside the caller's unit of work; `send_emails` is its own use case
(through `services/notify.py`, which commits the record of each e-mail before sending it).
"""
from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from app.models import Alert, Round, Site, Territory, User, Week
from app.services import delivery, notify
from app.services.scenario import export_scenario
from orders import alerts as A
from orders.errors import Conflict, NotFound
from reports import formatting
from reports.summary import tier_label


class PublicationHeld(Conflict):
    """The week would be published with no offers or a missed policy target."""

    code = "publication_held"

    def __init__(self, week: Week, holds: list[A.Hold]):
        self.holds = holds
        text = "; ".join(hold_text(h) for h in holds)
        super().__init__(f"Week {week.iso_week} is held at planned: {', '.join(h.kind for h in holds)}. "
                         "Publish with acknowledge to go on.",
                         f"Publication de la semaine {week.iso_week} retenue : {text}. La coordination peut "
                         "publier quand même en le confirmant.", "acknowledge")


def hold_text(hold: A.Hold) -> str:
    if hold.kind == "no_offers":
        return "aucune offre n'a été saisie pour la semaine"
    return (f"objectif {tier_label(hold.target_kind)} non atteint : "
            f"{formatting.percent(hold.served)} servis pour {formatting.percent(hold.target)} visés")


def raise_alert(session: Session, territory_id: str, week: str | None, kind: str, key: str,
                message_fr: str) -> Alert:
    """The alert of `key`, created now unless it exists already (raised once)."""
    alert = session.exec(select(Alert).where(Alert.key == key)).first()
    if alert is None:
        alert = Alert(territory_id=territory_id, week=week, kind=kind, key=key, message_fr=message_fr,
                      created_at=datetime.now(UTC))
        session.add(alert)
        session.flush()
    return alert


def check_publication(session: Session, week: Week, plan_row, acknowledge: bool = False) -> None:
    """Refuse (and alert) a publication the coordinator has not acknowledged while it is held."""
    from app.services.planning import week_plan

    holds = A.publication_holds(export_scenario(session, week), week_plan(plan_row))
    if holds and not acknowledge:
        raise PublicationHeld(week, holds)


def held_alert(session: Session, week: Week, exc: PublicationHeld) -> Alert:
    return raise_alert(session, week.territory_id, week.iso_week, "publication_held",
                       f"{week.territory_id}:{week.iso_week}:held:{'+'.join(sorted(h.kind for h in exc.holds))}",
                       exc.detail_fr)


def check_crates(session: Session, week: Week, site_id: str) -> Alert | None:
    site = session.get(Site, site_id)
    balance = delivery.crate_balances(session, week.territory_id, site_id).get(site_id, {})
    held = A.crates_above(balance, site.crate_alert_threshold if site else None)
    if held is None:
        return None
    return raise_alert(session, week.territory_id, week.iso_week, "crates_above_threshold",
                       f"{week.territory_id}:{week.iso_week}:crates:{site_id}",
                       f"{site.name} garde {formatting.crates(held)} du collectif (seuil : "
                       f"{site.crate_alert_threshold}) : à reprendre à la prochaine livraison.")


def check_unconfirmed_rounds(session: Session, terr: Territory, now: datetime) -> list[Alert]:
    """Rounds of published weeks whose driver's shift is over with stops still unconfirmed."""
    tz = ZoneInfo(terr.timezone or "Europe/Paris")
    local = now.astimezone(tz)
    out = []
    for week in session.exec(select(Week).where(Week.territory_id == terr.id, Week.state == "published")):
        due = [r for r in session.exec(select(Round).where(Round.week_id == week.id))
               if (r.day, r.end) < (local.date(), local.strftime("%H:%M"))]
        for rnd, (done, total) in delivery.round_progress(session, due).items():
            if done >= total:
                continue
            r = next(x for x in due if x.id == rnd)
            out.append(raise_alert(
                session, terr.id, week.iso_week, "round_unconfirmed",
                f"{terr.id}:{week.iso_week}:round:{r.day.isoformat()}:{r.vehicle_id}",
                f"Tournée du {formatting.date_long(r.day, with_year=False)} ({r.driver or 'sans chauffeur'}) : "
                f"{total - done} arrêt{'s' if total - done > 1 else ''} sur {total} non confirmé"
                f"{'s' if total - done > 1 else ''} après la fin du service ({r.end})."))
    return out


def open_alerts(session: Session, territory_id: str) -> list[Alert]:
    return list(session.exec(select(Alert).where(Alert.territory_id == territory_id,
                                                 Alert.resolved_at.is_(None)).order_by(Alert.created_at)))


def resolve(session: Session, territory_id: str, alert_id: int, actor: str) -> Alert:
    alert = session.get(Alert, alert_id)
    if alert is None or alert.territory_id != territory_id:
        raise NotFound("No such alert.", "Alerte introuvable.", "alert_id")
    if alert.resolved_at is None:
        alert.resolved_at, alert.resolved_by = datetime.now(UTC), actor
        session.add(alert)
    return alert


def send_emails(session: Session, mailer: notify.Mailer | None, terr: Territory, now: datetime) -> int:
    """E-mail every open alert to the territory's coordinators, once per alert and person."""
    coordinators = session.exec(select(User).where(User.role == "coordinator", User.active == True)).all()  # noqa: E712
    sent = 0
    for alert in open_alerts(session, terr.id):
        for user in coordinators:
            notify.notify(session, mailer, f"alert:{alert.key}:{user.id}", "alert", user,
                          f"Terril — alerte : {ALERT_SUBJECT.get(alert.kind, 'à voir')}",
                          f"Bonjour {user.name},\n\n{alert.message_fr}\n\nÀ voir sur la page de coordination.\n\n"
                          "La coordination Terril\n", now, territory_id=terr.id, week=alert.week)
            sent += 1
    return sent


ALERT_SUBJECT = {"publication_held": "publication retenue", "round_unconfirmed": "tournée non confirmée",
                 "crates_above_threshold": "caisses à reprendre"}
