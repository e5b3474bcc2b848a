"""Use cases of the money settings of a territory and of the canteens' paying bodies.

Never commits (the caller's unit of work does).
"""
from __future__ import annotations

from decimal import Decimal

from sqlmodel import Session, select

from app.models import BillingSettings, CanteenPayer, PayingBody, Site
from app.services import ledger
from orders.billing.manne import GardenRule
from orders.billing.money import positive
from orders.errors import InvalidInput


def update(session: Session, territory: str, data: dict) -> BillingSettings:
    """Change some settings (what `data` names); the rest stays."""
    row = ledger.settings(session, territory)
    if "garden_rule" in data:
        row.garden_rule = GardenRule.from_dict({**row.garden_rule, **data["garden_rule"]}).to_dict()
    if "eur_per_manne" in data:
        row.eur_per_manne = str(positive(data["eur_per_manne"], "eur_per_manne"))
    if "member_floor_eur" in data:
        floor = Decimal(str(data["member_floor_eur"]))
        if not (Decimal(-10000) <= floor <= 0):
            raise InvalidInput("member_floor_eur: between −10000 and 0.", "Le plancher est entre −10 000 € et 0 €.",
                               "member_floor_eur")
        row.member_floor_cents = ledger.to_cents(floor)
    if "commission_rate" in data:
        rate = Decimal(str(data["commission_rate"]))
        if not (0 <= rate < Decimal("0.9")):
            raise InvalidInput("commission_rate: a share from 0 to 0.9.",
                               "La commission est une part entre 0 et 0,9 (0,1 = 10 %).", "commission_rate")
        row.commission_rate = str(rate)
    if "charge_rules" in data:
        row.charge_rules = {**row.charge_rules, **data["charge_rules"]}
    if "seller" in data:
        row.seller = {**row.seller, **data["seller"]}
    row.version += 1
    session.add(row)
    session.flush()
    return row


def paying_bodies(session: Session, territory: str) -> list[dict]:
    links: dict[str, list[str]] = {}
    for link in session.exec(select(CanteenPayer)):
        links.setdefault(link.paying_body_id, []).append(link.canteen_id)
    rows = session.exec(select(PayingBody).where(PayingBody.territory_id == territory).order_by(PayingBody.id))
    return [{**r.model_dump(), "canteens": sorted(links.get(r.id, []))} for r in rows]


def save_paying_body(session: Session, territory: str, data: dict, demo: bool = False) -> dict:
    """Create or replace a paying body and link the canteens it pays for."""
    data = dict(data)
    canteens = data.pop("canteens", [])
    for i, site_id in enumerate(canteens):
        site = session.get(Site, site_id)
        if site is None or site.kind != "canteen":
            raise InvalidInput(f"Unknown canteen {site_id!r}.", f"Cantine inconnue : {site_id}.", f"canteens[{i}]")
    row = session.get(PayingBody, data["id"]) or PayingBody(id=data["id"], territory_id=territory, name=data["name"],
                                                            siret=data["siret"])
    for key, value in data.items():
        setattr(row, key, value)
    row.demo = demo
    session.add(row)
    session.flush()
    for site_id in canteens:
        link = session.get(CanteenPayer, site_id) or CanteenPayer(canteen_id=site_id, paying_body_id=row.id)
        link.paying_body_id = row.id
        session.add(link)
    session.flush()
    return {**row.model_dump(), "canteens": canteens}


# fictional demo data (SIRETs of the 999 99x range, Luhn-valid, assigned to nobody)
DEMO_SELLER = {"name": "Collectif Terril — circuit court Lens-Liévin (démo)", "siren": "999997000",
               "vat_id": "FR38999997000", "address": "1 rue de la Fosse 11/19", "postcode": "62750",
               "city": "Loos-en-Gohelle", "iban": "FR7630006000011234567890189"}
DEMO_PAYING_BODIES = (
    ("commune-loos", "Commune de Loos-en-Gohelle (démo)", "commune", "99999800100005", "RESTO-SCOLAIRE",
     "ENG-2026-0101", "Place de la République", "62750", "Loos-en-Gohelle", ("mat-loos", "elem-loos")),
    ("commune-grenay", "Commune de Grenay (démo)", "commune", "99999800200003", "CANTINE", "ENG-2026-0202",
     "Rue Jean-Jaurès", "62160", "Grenay", ("mat-grenay",)),
    ("commune-lievin", "Ville de Liévin (démo)", "commune", "99999800300001", "RESTAURATION", "ENG-2026-0303",
     "Place Gambetta", "62800", "Liévin", ("mat-lievin",)),
    ("commune-bully", "Commune de Bully-les-Mines (démo)", "commune", "99999800400009", "ECOLES", None,
     "Place Victor-Hugo", "62160", "Bully-les-Mines", ("elem-bully",)),
    ("ccas-lievin", "CCAS de Liévin — foyer-résidence (démo)", "organisation", "99999800500006", None, None,
     "Rue de la Paix", "62800", "Liévin", ("foyer-lievin",)),
)


def load_demo(session: Session, territory: str) -> int:
    """The demo's seller and paying bodies (fictional, marked `demo`), linked to the canteens that
    exist; the number of paying bodies stored."""
    row = ledger.settings(session, territory)
    if not row.seller:
        row.seller = dict(DEMO_SELLER)
        row.commission_rate = "0.08"
        session.add(row)
    canteens = {s.id for s in session.exec(select(Site).where(Site.kind == "canteen"))}
    stored = 0
    for pid, name, kind, siret, service, commitment, address, postcode, city, sites in DEMO_PAYING_BODIES:
        save_paying_body(session, territory, {
            "id": pid, "name": name, "kind": kind, "siret": siret, "service_code": service,
            "commitment_number": commitment, "address": address, "postcode": postcode, "city": city,
            "canteens": [s for s in sites if s in canteens]}, demo=True)
        stored += 1
    session.flush()
    _demo_garden(session, territory)
    return stored


def _demo_garden(session: Session, territory: str) -> None:
    """The first demo household lends a garden: a month's credit in MANNE, of which it spends 5 on a basket."""
    from datetime import date

    from app.models import Garden, Member, User
    from app.services import gardens, member_accounts

    coordinator = session.exec(select(User).where(User.role == "coordinator")).first()
    member = session.exec(select(Member).where(Member.status == "active").order_by(Member.id)).first()
    if coordinator is None or member is None or session.exec(select(Garden)).first() is not None:
        return
    day = ledger.today()
    garden = gardens.create_garden(session, coordinator, territory, {
        "member_id": member.id, "place": "Jardin partagé de la cité des Provinces (démo)", "area_m2": 120,
        "start": date(day.year, 1, 1)})
    gardens.add_contribution(session, coordinator, garden.id, {"kind": "months", "quantity": 1, "day": day})
    member_accounts.record_payment(session, coordinator, member.id, {"method": "manne", "amount": "5", "day": day,
                                                                     "note": "démonstration"})
