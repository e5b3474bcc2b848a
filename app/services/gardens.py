"""Use cases of gardens lent to the collective: lend one, record a contribution (it earns MANNE by
the coordinator's rule, posted in the MANNE book and valued in euros), list them.

Who: the coordinator records; a member reads its own gardens. Never commits.
"""
from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import Session, select

from app.models import Garden, GardenContribution, Member, User
from app.services import ledger
from app.services.member_accounts import label_of
from app.services.members import get_member, member_of_user
from orders.billing import manne as MN
from orders.billing import postings
from orders.errors import Forbidden, NotFound


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
    label = f"Jardin n° {garden.id} : {row.quantity:g} {MN.KINDS_FR[row.kind]}"
    ledger.post_all(session, garden.territory_id, postings.garden_credit(
        day, member.id, label_of(member.id), earned, label, row.id, ledger.eur_per_manne(cfg)), user.name)
    return row
