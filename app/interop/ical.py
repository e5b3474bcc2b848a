"""iCalendar feeds (RFC 5545) of the stored rounds: one per driver, one per relay point.

A driver's feed has one VEVENT per round (start and end of the shift at the hub, the stops in
order in the description); a relay point's feed has one VEVENT per delivery day, starting at the
stop's estimated arrival. Times are local (Europe/Paris) with the VTIMEZONE included.

Identity and revisions, so a calendar app updates events instead of dropping and duplicating them:
- UIDs say what the event is, never a database id (rounds are recreated at each re-plan):
  `round-<day>-<vehicle>-<territory>@terril`, `delivery-<day>-<site>-<territory>@terril`.
- SEQUENCE counts the plan versions of the week in which the event's content changed (times,
  stops, loads); LAST-MODIFIED (and DTSTAMP, as RFC 5545 wants without METHOD) is the creation time
  of the version that made the last change, CREATED that of the first version that had it. Nothing
  is stored for this: the stored plan versions (their rounds) are the history, the current rounds
  the last state. The feed is the same bytes until something changes.
- A feed with nothing to show still holds a component: the VTIMEZONE of its time zone.
"""
from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone
from sqlmodel import Session, select

from app.models import Plan, Round, RoundStop, Site, Week
from app.services.rounds import stops_of

PRODID = "-//Terril//Circuit court Lens-Lievin//FR"
DOMAIN = "terril"


def _at(day: date, hhmm: str, tz: ZoneInfo) -> datetime:
    hours, minutes = (int(x) for x in hhmm.split(":"))
    return datetime.combine(day, time(hours, minutes), tzinfo=tz)


def _calendar(name: str, timezone: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", timezone)
    cal.add_component(Timezone.from_tzid(timezone))
    return cal


def _drops(drops: list[dict]) -> str:
    return ", ".join(f"{d['product']} {d['quantity']:g}" for d in drops)


def _digest(value: object) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class Revision:
    sequence: int
    created: datetime
    modified: datetime


def revisions(history: list[tuple[datetime, dict[str, str]]]) -> dict[str, Revision]:
    """Per event key, its revision from the states of successive plan versions (time, key → digest).

    An event appears at the first version that has it (SEQUENCE 0); each later version that has it
    with another digest than the last one seen adds one. A version without it (a portioning-only
    version, or a plan that dropped it for a while) changes nothing.
    """
    out: dict[str, Revision] = {}
    last: dict[str, str] = {}
    for moment, states in history:
        for key, now in states.items():
            if key not in out:
                out[key] = Revision(0, moment, moment)
            elif now != last[key]:
                old = out[key]
                out[key] = Revision(old.sequence + 1, old.created, moment)
            last[key] = now
    return out


def _stop_state(site: str, arrival: str, departure: str, load: float, crates: int, drops: list) -> list:
    return [site, arrival, departure, round(float(load), 3), int(crates),
            sorted((d.get("product"), round(float(d.get("quantity", 0)), 3)) for d in drops or [])]


def _key(*parts: object) -> str:
    return "-".join(str(p) for p in parts)


def _history_with_current(session: Session, plan_id: int, current: dict[str, str],
                          state_of) -> list[tuple[datetime, dict[str, str]]]:
    """The week's earlier routed plan versions as digests (`state_of(rounds) → key → digest`), oldest
    first, then the stored rounds (`current`) at the time of their plan version `plan_id`."""
    plan = session.get(Plan, plan_id)
    earlier = session.exec(select(Plan).where(Plan.week_id == plan.week_id, Plan.version < plan.version)
                           .order_by(Plan.version)).all()
    history = [(_utc(p.created_at), state_of(p.plan.get("rounds") or [])) for p in earlier if "rounds" in p.plan]
    return history + [(_utc(plan.created_at), current)]


# --- drivers ---------------------------------------------------------------------------------

def _round_state(start: str, end: str, driver: str | None, stops: list[list]) -> str:
    return _digest([start, end, driver, stops])


def _json_round_states(rounds: list[dict]) -> dict[str, str]:
    out = {}
    for r in rounds:
        stops = [_stop_state(s["site"], s["arrival"], s["departure"], s.get("load_kg", 0), s.get("crates", 0),
                             s.get("drops")) for s in r.get("stops", [])]
        out[_key(r["day"], r["vehicle"])] = _round_state(r["start"], r["end"], r.get("driver"), stops)
    return out


def driver_feed(session: Session, user_id: int, name: str, timezone: str = "Europe/Paris") -> bytes:
    tz = ZoneInfo(timezone)
    cal = _calendar(f"Tournées — {name}", timezone)
    rounds = session.exec(select(Round).where(Round.driver_user_id == user_id)
                          .order_by(Round.day, Round.start, Round.id)).all()
    stops_by_round = stops_of(session, rounds)
    sites = {s.id: s for s in session.exec(select(Site)).all()} if rounds else {}
    by_plan: dict[int, list[Round]] = defaultdict(list)
    for rnd in rounds:
        by_plan[rnd.plan_id].append(rnd)
    for week_rounds in by_plan.values():
        week = session.get(Week, week_rounds[0].week_id)
        all_rounds = session.exec(select(Round).where(Round.plan_id == week_rounds[0].plan_id)).all()
        all_stops = stops_of(session, all_rounds)
        current = {_key(r.day.isoformat(), r.vehicle_id): _round_state(
            r.start, r.end, r.driver, [_stop_state(s.site_id, s.arrival, s.departure, s.load_kg, s.crates, s.drops)
                                       for s in all_stops[r.id]]) for r in all_rounds}
        revs = revisions(_history_with_current(session, week_rounds[0].plan_id, current, _json_round_states))
        for rnd in week_rounds:
            stops = stops_by_round[rnd.id]
            lines = []
            for stop in stops:
                site = sites.get(stop.site_id)
                where = f"{site.name} ({site.address})" if site and site.address else (site.name if site else stop.site_id)
                lines.append(f"{stop.seq}. {stop.arrival} {where} — {stop.load_kg:g} kg, {stop.crates} caisses")
            rev = revs[_key(rnd.day.isoformat(), rnd.vehicle_id)]
            event = Event()
            event.add("uid", f"round-{rnd.day.isoformat()}-{rnd.vehicle_id}-{week.territory_id}@{DOMAIN}")
            _revision(event, rev)
            event.add("dtstart", _at(rnd.day, rnd.start, tz))
            event.add("dtend", _at(rnd.day, rnd.end, tz))
            event.add("summary", f"Tournée {rnd.vehicle_id} — {len(stops)} arrêt(s)")
            event.add("description", "\n".join(lines) or "Aucun arrêt")
            event.add("categories", ["tournee"])
            cal.add_component(event)
    return cal.to_ical()


def _revision(event: Event, rev: Revision) -> None:
    event.add("dtstamp", rev.modified)
    event.add("created", rev.created)
    event.add("last-modified", rev.modified)
    event.add("sequence", rev.sequence)


# --- relay points ------------------------------------------------------------------------------

def _visit_state(vehicle: str, stop: list) -> list:
    return [vehicle, *stop]


def relay_feed(session: Session, site: Site, timezone: str = "Europe/Paris") -> bytes:
    tz = ZoneInfo(timezone)
    cal = _calendar(f"Livraisons — {site.name}", timezone)
    rows = session.exec(select(RoundStop, Round).join(Round, Round.id == RoundStop.round_id)
                        .where(RoundStop.site_id == site.id).order_by(Round.day, RoundStop.arrival)).all()
    by_day: dict[date, list[tuple[RoundStop, Round]]] = {}
    for stop, rnd in rows:
        by_day.setdefault(rnd.day, []).append((stop, rnd))

    def states(rounds: list[dict]) -> dict[str, str]:
        visits: dict[str, list] = defaultdict(list)
        for r in rounds:
            for s in r.get("stops", []):
                if s["site"] == site.id:
                    visits[r["day"]].append(_visit_state(r["vehicle"], _stop_state(
                        s["site"], s["arrival"], s["departure"], s.get("load_kg", 0), s.get("crates", 0),
                        s.get("drops"))))
        return {day: _digest(sorted(v, key=lambda x: (x[2], x[0]))) for day, v in visits.items()}

    revs: dict[str, Revision] = {}
    for plan_id in sorted({rnd.plan_id for _, rnd in rows}):
        current: dict[str, list] = defaultdict(list)
        for stop, rnd in rows:
            if rnd.plan_id == plan_id:
                current[rnd.day.isoformat()].append(_visit_state(rnd.vehicle_id, _stop_state(
                    stop.site_id, stop.arrival, stop.departure, stop.load_kg, stop.crates, stop.drops)))
        digests = {day: _digest(sorted(v, key=lambda x: (x[2], x[0]))) for day, v in current.items()}
        revs.update(revisions(_history_with_current(session, plan_id, digests, states)))
    territory = site.territory_id
    for day, visits in sorted(by_day.items()):
        first, last = visits[0][0], visits[-1][0]
        event = Event()
        event.add("uid", f"delivery-{day.isoformat()}-{site.id}-{territory}@{DOMAIN}")
        _revision(event, revs[day.isoformat()])
        event.add("dtstart", _at(day, first.arrival, tz))
        event.add("dtend", _at(day, last.departure, tz))
        event.add("summary", f"Livraison Terril — arrivée prévue {first.arrival}")
        event.add("description", "\n".join(
            f"Arrivée prévue {s.arrival} ({r.vehicle_id}) : {s.crates} caisses, {s.load_kg:g} kg"
            + (f" — {_drops(s.drops)}" if s.drops else "") for s, r in visits))
        if site.address:
            event.add("location", site.address)
        cal.add_component(event)
    return cal.to_ical()
