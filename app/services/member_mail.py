"""E-mails to households, in French: a place freed on the waiting list, a basket cut this week.

Use cases build `MemberMessage`s inside their transaction; the caller sends them after its commit
with `send`, through `notify.notify` (recorded, then sent, once per key). A member without an
e-mail address gets a `skipped` record.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlmodel import Session

from app.models import BasketType, Member, Notification, PickupSlot, Site, Subscription
from app.services import notify
from reports import formatting

WEEKDAYS_FR = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


@dataclass(frozen=True, slots=True)
class Recipient:
    """What `notify.notify` reads of a recipient (a member may have no user account)."""

    id: int | None
    email: str | None
    name: str


@dataclass(frozen=True, slots=True)
class MemberMessage:
    key: str
    kind: str
    member_id: int
    recipient: Recipient
    subject: str
    body: str
    territory_id: str | None = None
    week: str | None = None


def _recipient(member: Member) -> Recipient:
    return Recipient(member.user_id, member.email, member.name)


def slot_fr(slot: PickupSlot) -> str:
    return f"le {WEEKDAYS_FR[slot.weekday]} de {slot.start.replace(':', ' h ')} à {slot.end.replace(':', ' h ')}"


def place_offered(member: Member, sub: Subscription, slot: PickupSlot, basket: BasketType | None,
                  site: Site) -> MemberMessage:
    name = basket.name if basket else "panier"
    subject = f"Une place se libère au point relais {site.name}"
    body = (f"Bonjour {member.name},\n\n"
            f"Une place vient de se libérer au point relais {site.name} pour le panier « {name} », "
            f"retrait {slot_fr(slot)}.\n"
            "Vous étiez le prochain foyer sur la liste d'attente : dites-nous si vous la prenez depuis "
            "votre page adhérent ou auprès du responsable du point relais.\n\n"
            "Bonne journée,\nLe point relais et la coordination Terril\n")
    return MemberMessage(f"member{member.id}:offer:sub{sub.id}", "member_place_offered", member.id,
                         _recipient(member), subject, body, site.territory_id)


def basket_cut(member: Member, site: Site, week: str, day: date, basket: BasketType | None, cut: int,
               kept: int) -> MemberMessage:
    name = basket.name if basket else "panier"
    when = formatting.date_long(day)
    what = "votre panier" if cut == 1 else f"{formatting.number(cut, 0)} de vos paniers"
    subject = f"Pas de panier « {name} » pour vous le {when}"
    body = (f"Bonjour {member.name},\n\n"
            f"Les producteurs n'ont pas assez récolté cette semaine : le point relais {site.name} recevra "
            f"moins de paniers « {name} » que commandé pour le {when}. {what.capitalize()} "
            "ne sera donc pas disponible ce jour-là"
            + (f" (il vous en reste {formatting.number(kept, 0)})" if kept else "") + ".\n"
            "Pour être juste, ce sont chaque fois d'autres foyers qui s'en passent, selon la règle choisie "
            "par votre point relais ; rien ne vous sera demandé pour ce panier.\n\n"
            "Toutes nos excuses,\nLe point relais et la coordination Terril\n")
    return MemberMessage(f"member{member.id}:cut:{week}:{day.isoformat()}:{basket.id if basket else ''}",
                         "member_basket_cut", member.id, _recipient(member), subject, body, site.territory_id, week)


def send(session: Session, mailer: notify.Mailer | None, messages: list[MemberMessage],
         now: datetime | None = None) -> list[Notification]:
    """Record and send each message once (never inside a unit of work: see `notify.notify`)."""
    now = now or datetime.now(UTC)
    return [notify.notify(session, mailer, m.key, m.kind, m.recipient, m.subject, m.body, now,
                          territory_id=m.territory_id, week=m.week) for m in messages]
