"""A shortage on the delivery morning: a producer (or the coordinator) reports that an offer of a
published week falls short, and Terril re-plans what that changes.

`check` refuses a report that cannot be taken (at once, before any job): the week must be
published, the offer the producer's own, the new quantity below the offered one. `apply` (the job's
work, `app/jobs/tasks.py`) then, in one unit of work:

1. records the new quantity (with the reason, in the audit trail);
2. portions the week again — pins, the policy and the coordinator's round locks are kept — and
   routes it (the locked rounds keep their order), a new plan version; the week stays `published`;
3. compares both versions (`orders/changes.py`) and writes a new version of the **affected
   documents only** (the pick lists, route sheets and delivery notes whose content changed, each
   with a box saying what changed); the others are copied from the previous version unchanged;
4. e-mails, in French, every consumer whose allocation changed: what, how much, why (once per
   plan version and person, `services/notify.py`, after the commit).
"""
from __future__ import annotations

import shutil
from datetime import UTC, datetime

from flask import current_app
from sqlmodel import Session, select

from app.models import Offer, Plan, Site, User, Week
from app.services import audit, documents, notify, planning
from app.services.scenario import export_scenario
from orders.changes import Change, PlanChanges, compare
from orders.errors import Conflict, InvalidInput, NotFound
from reports import formatting


def check(session: Session, week: Week, offer_id: int, quantity: float, reason: str, user: User) -> Offer:
    offer = session.get(Offer, offer_id)
    if offer is None or offer.week_id != week.id or (user.role == "producer" and offer.producer_id != user.site_id):
        raise NotFound("No such offer in this week.", "Offre introuvable pour cette semaine.", "offer_id")
    if week.state != "published":
        raise Conflict(f"Week {week.iso_week} is {week.state}: before publication, change the offer itself.",
                       f"La semaine {week.iso_week} n'est pas publiée : avant la publication, on modifie l'offre.",
                       "week")
    if not 0 <= quantity < offer.quantity:
        raise InvalidInput(f"The new quantity must be at least 0 and below the offered {offer.quantity:g}.",
                           f"La nouvelle quantité doit être positive et inférieure à l'offre "
                           f"({formatting.number(offer.quantity)}).", "quantity")
    if not reason or not reason.strip():
        raise InvalidInput("Say why the offer falls short.", "Dites pourquoi l'offre est en baisse (gel, casse…).",
                           "reason")
    return offer


def apply(session: Session, week: Week, offer_id: int, quantity: float, reason: str, actor: str
          ) -> tuple[Plan, PlanChanges, str]:
    """Record the shortage, re-plan, write the affected documents; (new plan version, changes, why)."""
    offer = session.get(Offer, offer_id)
    before = offer.quantity
    old_row = planning.require_plan(session, week)
    old = planning.week_plan(old_row)
    offer.quantity = quantity
    offer.version += 1
    session.add(offer)
    session.flush()
    audit.record(session, None, "offer", str(offer.id), "shortage", {"quantity": before},
                 {"quantity": quantity, "reason": reason}, week.id, actor=actor)
    producer = session.get(Site, offer.producer_id)
    scenario = export_scenario(session, week)
    name = scenario.product(offer.product_id).name or offer.product_id
    why = f"{producer.name} a signalé un manque ({name}) : {reason.strip()}"
    row = planning.replan_published(session, week, actor, f"manque signalé : {why}")
    changes = compare(old, planning.week_plan(row))
    lines = change_lines(scenario, changes, why)
    _write_documents(session, week, old_row, row, changes, lines)
    return row, changes, why


def change_lines(scenario, changes: PlanChanges, why: str) -> dict[tuple[str, str], tuple[str, ...]]:
    """(site, day) → the French lines its new documents print: each changed quantity, then why."""
    products = scenario.products_by_id()
    basket_types = {b.id: b for b in scenario.basket_types}
    out: dict[tuple[str, str], list[str]] = {}
    for c in changes.changes:
        out.setdefault((c.consumer, c.day), []).append(_line(c, products, basket_types))
    pick: dict[tuple[str, str], list[str]] = {}
    for producer, day in changes.producers:
        pick[(producer, day)] = ["Quantités à préparer modifiées : voir ci-dessous."]
    result = {key: tuple(lines + [f"Raison : {why}."]) for key, lines in out.items()}
    for key, lines in pick.items():
        result.setdefault(key, tuple(lines + [f"Raison : {why}."]))
    return result


def _line(c: Change, products, basket_types) -> str:
    if c.baskets:
        bt = basket_types.get(c.product)
        name = (bt.name or bt.id) if bt else c.product
        return f"{name} : {formatting.number(c.before, 0)} → {formatting.number(c.after, 0)} paniers"
    p = products.get(c.product)
    name, unit = ((p.name or p.id), p.unit) if p else (c.product, "kg")
    return f"{name} : {formatting.quantity(c.before, unit)} → {formatting.quantity(c.after, unit)}"


def _affected(files, changes: PlanChanges) -> set[str]:
    days = {day for day, _ in changes.rounds}
    consumers = {site for site, _ in changes.consumers}
    producers = {site for site, _ in changes.producers}
    out = set()
    for f in files:
        if (f.kind == "route_sheet" and tuple(f.key) in set(changes.rounds)) or \
                (f.kind == "day_sheets" and f.key[0] in days) or \
                (f.kind == "pick_list" and f.key[0] in producers) or \
                (f.kind == "delivery_note" and f.key[0] in consumers) or f.kind == "summary":
            out.add(f.filename)
    return out


def _write_documents(session: Session, week: Week, old_row: Plan, row: Plan, changes: PlanChanges,
                     lines: dict) -> None:
    """The new version's folder: affected documents rendered anew, the others copied as they were;
    written aside then moved in at once."""
    files = documents.week_document_files(session, week, row, lines)
    affected = _affected(files, changes)
    old_dir, new_dir = documents.cache_dir(week, old_row), documents.cache_dir(week, row)
    staging = new_dir.with_name(new_dir.name + ".staging")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for f in files:
        previous = old_dir / f.filename
        if f.filename not in affected and previous.exists():
            shutil.copy2(previous, staging / f.filename)
        else:
            (staging / f.filename).write_bytes(f.render_pdf())
    (staging / "CHANGES.txt").write_text("\n".join(sorted(affected)) + "\n", encoding="utf-8")
    shutil.rmtree(new_dir, ignore_errors=True)
    staging.replace(new_dir)


def affected_documents(week: Week, row: Plan) -> list[str]:
    """The file names a shortage's new version rendered anew (the others were copied)."""
    path = documents.cache_dir(week, row) / "CHANGES.txt"
    return path.read_text(encoding="utf-8").split() if path.exists() else []


def tell_consumers(session: Session, week: Week, row: Plan, changes: PlanChanges, why: str,
                   mailer: notify.Mailer | None) -> int:
    """E-mail every user of a consumer whose allocation changed (after the re-plan committed)."""
    scenario = export_scenario(session, week)
    lines = change_lines(scenario, changes, why)
    sent = 0
    now = datetime.now(UTC)
    for (site_id, day), text in sorted(lines.items()):
        site = session.get(Site, site_id)
        if site is None or site.kind not in ("canteen", "relay"):
            continue
        for user in session.exec(select(User).where(User.site_id == site_id, User.active == True)):  # noqa: E712
            body = (f"Bonjour {user.name},\n\nLa livraison du {formatting.date_long(day, with_year=False)} à "
                    f"{site.name} change :\n" + "\n".join(f"- {t}" for t in text) +
                    "\n\nLe nouveau bon de livraison est en ligne.\n\nLa coordination Terril\n")
            notify.notify(session, notify.Mailer.from_config(current_app.config) if mailer is None else mailer,
                          f"shortage:{week.iso_week}:v{row.version}:{site_id}:{day}:{user.id}", "shortage", user,
                          f"Terril — votre livraison du {formatting.date_short(day)} change", body, now,
                          territory_id=week.territory_id, week=week.iso_week)
            sent += 1
    return sent

