"""Use cases of gardens lent to the collective: lend one, record a contribution (it earns MANNE by
the coordinator's rule, posted in the MANNE book and valued in euros), list them, and offer a
garden's harvest in the week as an offer of the collective (its own producer site at the hub).

Who: the coordinator records; a member reads its own gardens. Never commits.
"""
from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import Session, select

from app.models import Garden, GardenContribution, Member, Offer, Site, User
from app.services import ledger, market
from app.services.member_accounts import label_of
from app.services.members import get_member, member_of_user
from app.services.weeks import find_week
from orders.billing import manne as MN
from orders.billing import postings
from orders.errors import Forbidden, NotFound
from reports import formatting


def _pure(row: Garden) -> MN.Garden:
    return MN.Garden(row.place, row.area_m2, row.start, row.end)


def _coordinator(user: User) -> None:
    if user.role != "coordinator":
        raise Forbidden("Only the coordinator records gardens.", "Seule la coordination enregistre les jardins.",
                        "garden")


def list_gardens(session: Session, user: User, territory_id: str) -> list[Garden]:
    query = select(Garden).where(Garden.territory_id == territory_id).order_by(Garden.id)
    if user.role != "coordinator":
        member = member_of_user(session, user)
        if member is None:
            raise Forbidden("Gardens are the coordinator's and their lenders'.",
                            "Les jardins sont visibles de la coordination et de leurs prêteurs.", "garden")
        query = query.where(Garden.member_id == member.id)
    return list(session.exec(query))


def create_garden(session: Session, user: User, territory_id: str, data: dict) -> Garden:
    _coordinator(user)
    member = get_member(session, user, data["member_id"])
    garden = MN.Garden(data.get("place", ""), float(data.get("area_m2", 0)), data["start"], data.get("end"))
    MN.check_garden(garden)
    row = Garden(territory_id=territory_id, member_id=member.id, place=garden.place.strip(), area_m2=garden.area_m2,
                 start=garden.start, end=garden.end, created_at=datetime.now(UTC))
    session.add(row)
    session.flush()
    return row


def get_garden(session: Session, user: User, garden_id: int) -> Garden:
    row = session.get(Garden, garden_id)
    visible = row is not None and (user.role == "coordinator" or (
        (m := member_of_user(session, user)) is not None and m.id == row.member_id))
    if not visible:
        raise NotFound(f"Garden {garden_id} not found.", "Jardin introuvable.", "garden_id")
    return row


def contributions(session: Session, user: User, garden_id: int) -> list[GardenContribution]:
    row = get_garden(session, user, garden_id)
    return list(session.exec(select(GardenContribution).where(GardenContribution.garden_id == row.id)
                             .order_by(GardenContribution.day, GardenContribution.id)))


def add_contribution(session: Session, user: User, garden_id: int, data: dict, today: date | None = None
                     ) -> GardenContribution:
    """Hours, kilograms or months of a garden: MANNE to its lender, by the territory's rule."""
    _coordinator(user)
    garden = get_garden(session, user, garden_id)
    cfg = ledger.settings(session, garden.territory_id)
    day = data.get("day") or today or ledger.today()
    earned = MN.credit(MN.GardenRule.from_dict(cfg.garden_rule), _pure(garden), data.get("kind", ""),
                       data.get("quantity", 0), day)
    row = GardenContribution(garden_id=garden.id, kind=data["kind"], quantity=float(data["quantity"]), day=day,
                             manne_cents=ledger.to_cents(earned), recorded_at=datetime.now(UTC), recorded_by=user.name)
    session.add(row)
    session.flush()
    member = session.get(Member, garden.member_id)
    label = f"Jardin n° {garden.id} : {formatting.number(row.quantity, 2)} {MN.KINDS_FR[row.kind]}"
    ledger.post_all(session, garden.territory_id, postings.garden_credit(
        day, member.id, label_of(member.id), earned, label, row.id, ledger.eur_per_manne(cfg)), user.name)
    return row


def collective_site(session: Session, territory_id: str) -> Site:
    """The collective's own producer site, where the gardens' produce is offered (at the hub)."""
    site_id = f"jardins-{territory_id}"[:64]
    site = session.get(Site, site_id)
    if site is None:
        hub = session.exec(select(Site).where(Site.territory_id == territory_id, Site.kind == "hub")).first()
        site = Site(id=site_id, territory_id=territory_id, kind="producer", name="Jardins du collectif",
                    lat=hub.lat if hub else None, lon=hub.lon if hub else None,
                    address=hub.address if hub else None, commune=hub.commune if hub else None,
                    notes="Récoltes des jardins prêtés par les adhérents")
        session.add(site)
        session.flush()
    return site


def offer_produce(session: Session, user: User, garden_id: int, data: dict) -> Offer:
    """A garden's harvest enters the week as an offer of the collective (added to the collective's
    offer of that product, if it has one)."""
    _coordinator(user)
    garden = get_garden(session, user, garden_id)
    site = collective_site(session, garden.territory_id)
    week = find_week(session, data["week"], garden.territory_id)
    existing = session.exec(select(Offer).where(Offer.week_id == week.id, Offer.producer_id == site.id,
                                                Offer.product_id == data["product_id"])).first()
    if existing is not None:
        return market.update_offer(session, user, existing.id,
                                   {"quantity": existing.quantity + float(data["quantity"])}, None)
    return market.create_offer(session, user, {
        "week": week.iso_week, "producer_id": site.id, "product_id": data["product_id"],
        "quantity": float(data["quantity"]), "unit_price_eur": float(data["unit_price_eur"]),
        "lot": float(data.get("lot") or 1.0), "harvest_date": data.get("harvest_date")}, garden.territory_id)
