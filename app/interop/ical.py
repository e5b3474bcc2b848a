"""iCalendar feeds (RFC 5545) of the stored rounds: one per driver, one per relay point.

A driver's feed has one VEVENT per round (start and end of the shift at the hub, the stops in
order in the description); a relay point's feed has one VEVENT per delivery day, starting at the
stop's estimated arrival. Times are local (Europe/Paris) with the VTIMEZONE included; UIDs are
stable (`round-<id>@…`, `delivery-<site>-<day>@…`) so a calendar client updates, not duplicates,
when a week is re-planned.
"""
from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event
from sqlmodel import Session, select

from app.models import Round, RoundStop, Site
from app.services.rounds import stops_of

PRODID = "-//Terril//Circuit court Lens-Lievin//FR"
DOMAIN = "terril"


def _at(day: date, hhmm: str, tz: ZoneInfo) -> datetime:
    hours, minutes = (int(x) for x in hhmm.split(":"))
    return datetime.combine(day, time(hours, minutes), tzinfo=tz)


def _calendar(name: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    return cal


def _finish(cal: Calendar) -> bytes:
    cal.add_missing_timezones()
    return cal.to_ical()


def _drops(drops: list[dict]) -> str:
    return ", ".join(f"{d['product']} {d['quantity']:g}" for d in drops)


def driver_feed(session: Session, user_id: int, name: str, timezone: str = "Europe/Paris") -> bytes:
    tz = ZoneInfo(timezone)
    cal = _calendar(f"Tournées — {name}")
    stamp = datetime.now(UTC)
    rounds = session.exec(select(Round).where(Round.driver_user_id == user_id)
                          .order_by(Round.day, Round.start, Round.id)).all()
    stops_by_round = stops_of(session, rounds)
    for rnd in rounds:
        stops = stops_by_round[rnd.id]
        lines = []
        for stop in stops:
            site = session.get(Site, stop.site_id)
            where = f"{site.name} ({site.address})" if site and site.address else (site.name if site else stop.site_id)
            lines.append(f"{stop.seq}. {stop.arrival} {where} — {stop.load_kg:g} kg, {stop.crates} caisses")
        event = Event()
        event.add("uid", f"round-{rnd.id}@{DOMAIN}")
        event.add("dtstamp", stamp)
        event.add("dtstart", _at(rnd.day, rnd.start, tz))
        event.add("dtend", _at(rnd.day, rnd.end, tz))
        event.add("summary", f"Tournée {rnd.vehicle_id} — {len(stops)} arrêt(s)")
        event.add("description", "\n".join(lines) or "Aucun arrêt")
        event.add("categories", ["tournee"])
        cal.add_component(event)
    return _finish(cal)


def relay_feed(session: Session, site: Site, timezone: str = "Europe/Paris") -> bytes:
    tz = ZoneInfo(timezone)
    cal = _calendar(f"Livraisons — {site.name}")
    stamp = datetime.now(UTC)
    rows = session.exec(select(RoundStop, Round).join(Round, Round.id == RoundStop.round_id)
                        .where(RoundStop.site_id == site.id).order_by(Round.day, RoundStop.arrival)).all()
    by_day: dict[date, list[tuple[RoundStop, Round]]] = {}
    for stop, rnd in rows:
        by_day.setdefault(rnd.day, []).append((stop, rnd))
    for day, visits in sorted(by_day.items()):
        first, last = visits[0][0], visits[-1][0]
        event = Event()
        event.add("uid", f"delivery-{site.id}-{day.isoformat()}@{DOMAIN}")
        event.add("dtstamp", stamp)
        event.add("dtstart", _at(day, first.arrival, tz))
        event.add("dtend", _at(day, last.departure, tz))
        event.add("summary", f"Livraison Terril — arrivée prévue {first.arrival}")
        event.add("description", "\n".join(
            f"Arrivée prévue {s.arrival} ({r.vehicle_id}) : {s.crates} caisses, {s.load_kg:g} kg"
            + (f" — {_drops(s.drops)}" if s.drops else "") for s, r in visits))
        if site.address:
            event.add("location", site.address)
        cal.add_component(event)
    return _finish(cal)
