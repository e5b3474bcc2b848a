"""Use cases of the weekly market: offers, basket orders and meal orders.

Each function checks, in this order: the caller may act on the site (403/404), the references
exist (422 naming the field), the dates fall inside the week (422), the window is open (409), the
version matches when the client sent one (412); then it writes the row and its audit entry in
the caller's transaction. Nothing is stored when any check fails.
"""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import object_session
from sqlmodel import Session, SQLModel, select

from app.models import BasketOrder, BasketType, Grammage, MealOrder, Offer, Product, Site, User, Week
from app.services import audit, weeks
from orders.errors import Conflict, Forbidden, InvalidInput, NotFound, PreconditionFailed


def _site(session: Session, site_id: str, kind: str, field: str, user: User) -> Site:
    site = session.get(Site, site_id)
    if user.role != "coordinator" and user.site_id != site_id:
        # acting for another site: say "forbidden" only if the site exists, never leak otherwise
        if site is None:
            raise NotFound(f"Unknown site {site_id!r}.", f"Site inconnu : {site_id}.", field)
        raise Forbidden("You may only act for your own site.",
                        "Vous ne pouvez agir que pour votre propre site.", field)
    if site is None or site.kind != kind:
        raise InvalidInput(f"{site_id!r} is not a known {kind} site.",
                           f"« {site_id} » n'est pas un site de type {kind} connu.", field)
    return site


def _in_week(day: date, week: Week, field: str = "day") -> None:
    monday, sunday = weeks.week_dates(week.iso_week)
    if not monday <= day <= sunday:
        raise InvalidInput(f"{day.isoformat()} is outside week {week.iso_week} ({monday} to {sunday}).",
                           f"Le {day.strftime('%d/%m/%Y')} est en dehors de la semaine {week.iso_week} "
                           f"(du {monday.strftime('%d/%m/%Y')} au {sunday.strftime('%d/%m/%Y')}).", field)


def _check_version(row: SQLModel, expected: int | None) -> None:
    """412 unless the row is still at `expected`, checked atomically.

    Comparing the version read earlier is not enough: two requests holding the same ETag would
    both pass and both write. The guarded `UPDATE … WHERE id = ? AND version = ?` takes the row's
    write lock (PostgreSQL: waits for a concurrent writer, then re-reads the row; SQLite: waits
    for the database write lock, then sees the committed data), so exactly one of them matches.
    """
    if expected is None:
        return
    stale = expected != row.version
    if not stale:
        model = type(row)
        claimed = object_session(row).execute(
            update(model).where(model.id == row.id, model.version == expected).values(version=expected)
            .execution_options(synchronize_session=False))
        stale = claimed.rowcount != 1
    if stale:
        raise PreconditionFailed(
            f"Stale write: the resource is no longer at version {expected}; reload it.",
            "Quelqu'un a modifié cette ressource entre-temps : rechargez-la avant de la modifier.",
            "If-Match")


def _create(session: Session, user: User, row: SQLModel, entity: str, field: str) -> None:
    """The create use case's write shared by offers and orders: insert `row` and its audit entry.

    The table's unique constraint refuses a second one with 409 naming `field`; no SELECT
    beforehand: the constraint decides, also between two requests racing each other. The insert
    runs in a savepoint: a refused row undoes only itself, the caller's transaction stays usable
    (an import or a grid reports every bad row, then its unit of work rolls back)."""
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError as exc:
        raise Conflict("This already exists for this week; update it instead.",
                       "Cette ligne existe déjà pour cette semaine : modifiez-la plutôt.", field) from exc
    audit.record(session, user, entity, row.id, "create", None, audit.snapshot(row), row.week_id)


def _update(session: Session, user: User, row: SQLModel, entity: str, window: str, changes: dict,
            expected: int | None) -> SQLModel:
    """The update use case shared by offers and orders: window, version, change, audit entry."""
    week = session.get(Week, row.week_id)
    weeks.check_window(session, week, window)
    _check_version(row, expected)
    before = audit.snapshot(row)
    _apply(row, changes)
    session.add(row)
    audit.record(session, user, entity, row.id, "update", before, audit.snapshot(row), week.id)
    return row


def _delete(session: Session, user: User, row: SQLModel, entity: str, window: str, expected: int | None) -> None:
    """The delete use case shared by offers and orders: window, version, audit entry, delete."""
    week = session.get(Week, row.week_id)
    weeks.check_window(session, week, window)
    _check_version(row, expected)
    audit.record(session, user, entity, row.id, "delete", audit.snapshot(row), None, week.id)
    session.delete(row)


def _owned(user: User, site_id: str) -> bool:
    return user.role == "coordinator" or user.site_id == site_id


def _apply(row: SQLModel, changes: dict) -> None:
    for key, value in changes.items():
        setattr(row, key, value)
    row.version += 1


def listing_query(model: type[SQLModel], site_column: str, owner_roles: tuple[str, ...], user: User,
                  territory_id: str, week: str | None = None, site: str | None = None):
    """Rows of `model` with their week's ISO name, by id, in the territory; filtered by week and site.

    An owner (a producer for offers, a relay point or canteen for its orders) sees only its own site's."""
    query = select(model, Week.iso_week).join(Week, Week.id == model.week_id).where(Week.territory_id == territory_id)
    if week:
        query = query.where(Week.iso_week == week)
    if site:
        query = query.where(getattr(model, site_column) == site)
    if user.role in owner_roles:
        query = query.where(getattr(model, site_column) == user.site_id)
    return query.order_by(model.id)


# --- offers ---------------------------------------------------------------------------------

def create_offer(session: Session, user: User, data: dict, territory_id: str) -> Offer:
    week = weeks.find_week(session, data["week"], territory_id)
    _site(session, data["producer_id"], "producer", "producer_id", user)
    if session.get(Product, data["product_id"]) is None:
        raise InvalidInput(f"Unknown product {data['product_id']!r}.",
                           f"Produit inconnu : {data['product_id']}.", "product_id")
    if data.get("harvest_date"):
        _check_harvest(data["harvest_date"], week)
    weeks.check_window(session, week, "offers")
    offer = Offer(week_id=week.id, producer_id=data["producer_id"], product_id=data["product_id"],
                  quantity=data["quantity"], unit_price_eur=data["unit_price_eur"], lot=data.get("lot", 1.0),
                  harvest_date=data.get("harvest_date"))
    _create(session, user, offer, "offer", "product_id")
    return offer


def _check_harvest(day: date, week: Week) -> None:
    monday, sunday = weeks.week_dates(week.iso_week)
    if not monday - timedelta(days=7) <= day <= sunday:
        raise InvalidInput(f"Harvest date {day} is neither in week {week.iso_week} nor the week before.",
                           f"La date de récolte {day.strftime('%d/%m/%Y')} doit tomber dans la semaine "
                           f"{week.iso_week} ou la précédente.", "harvest_date")


def get_offer(session: Session, user: User, offer_id: int) -> Offer:
    offer = session.get(Offer, offer_id)
    if offer is None or (user.role == "producer" and offer.producer_id != user.site_id):
        raise NotFound(f"Offer {offer_id} not found.", "Offre introuvable.", "offer_id")
    if user.role not in ("coordinator", "producer"):
        raise Forbidden("Only producers and the coordinator manage offers.",
                        "Seuls les producteurs et la coordination gèrent les offres.")
    return offer


def update_offer(session: Session, user: User, offer_id: int, changes: dict, expected: int | None) -> Offer:
    offer = get_offer(session, user, offer_id)
    if changes.get("harvest_date"):
        _check_harvest(changes["harvest_date"], session.get(Week, offer.week_id))
    return _update(session, user, offer, "offer", "offers", changes, expected)


def delete_offer(session: Session, user: User, offer_id: int, expected: int | None) -> None:
    _delete(session, user, get_offer(session, user, offer_id), "offer", "offers", expected)


# --- basket orders --------------------------------------------------------------------------

def create_basket_order(session: Session, user: User, data: dict, territory_id: str) -> BasketOrder:
    week = weeks.find_week(session, data["week"], territory_id)
    _site(session, data["relay_point_id"], "relay", "relay_point_id", user)
    if session.get(BasketType, data["basket_type_id"]) is None:
        raise InvalidInput(f"Unknown basket type {data['basket_type_id']!r}.",
                           f"Type de panier inconnu : {data['basket_type_id']}.", "basket_type_id")
    _in_week(data["day"], week)
    weeks.check_window(session, week, "orders")
    order = BasketOrder(week_id=week.id, relay_point_id=data["relay_point_id"],
                        basket_type_id=data["basket_type_id"], day=data["day"], count=data["count"],
                        standing=data.get("standing", False))
    _create(session, user, order, "basket_order", "basket_type_id")
    return order


def get_basket_order(session: Session, user: User, order_id: int) -> BasketOrder:
    order = session.get(BasketOrder, order_id)
    if order is None or not _owned(user, order.relay_point_id) or user.role not in ("coordinator", "relay"):
        raise NotFound(f"Basket order {order_id} not found.", "Commande de paniers introuvable.", "order_id")
    return order


def update_basket_order(session: Session, user: User, order_id: int, changes: dict,
                        expected: int | None) -> BasketOrder:
    order = get_basket_order(session, user, order_id)
    return _update(session, user, order, "basket_order", "orders", changes, expected)


def delete_basket_order(session: Session, user: User, order_id: int, expected: int | None) -> None:
    _delete(session, user, get_basket_order(session, user, order_id), "basket_order", "orders", expected)


# --- meal orders ----------------------------------------------------------------------------

def _check_lines(session: Session, lines: list[dict]) -> list[dict]:
    """Products must exist and have a grammage for every age group ordered (422 names both)."""
    seen = set()
    clean = []
    for i, line in enumerate(lines):
        product = session.get(Product, line["product"])
        if product is None:
            raise InvalidInput(f"Unknown product {line['product']!r}.", f"Produit inconnu : {line['product']}.",
                               f"lines.{i}.product")
        if line["product"] in seen:
            raise InvalidInput(f"Product {line['product']!r} appears twice.",
                               f"Le produit {product.name} apparaît deux fois.", f"lines.{i}.product")
        seen.add(line["product"])
        for age_group in sorted(line["meals"]):
            found = session.exec(select(Grammage).where(Grammage.product_id == line["product"],
                                                        Grammage.age_group == age_group)).first()
            if found is None:
                raise InvalidInput(
                    f"No grammage for product {line['product']!r} and age group {age_group!r}.",
                    f"Aucun grammage pour le produit « {product.name} » et la tranche d'âge « {age_group} ».",
                    f"lines.{i}.meals.{age_group}")
        clean.append({"product": line["product"], "meals": {k: int(v) for k, v in sorted(line["meals"].items())}})
    return clean


def create_meal_order(session: Session, user: User, data: dict, territory_id: str) -> MealOrder:
    week = weeks.find_week(session, data["week"], territory_id)
    _site(session, data["canteen_id"], "canteen", "canteen_id", user)
    _in_week(data["day"], week)
    lines = _check_lines(session, data["lines"])
    weeks.check_window(session, week, "orders")
    order = MealOrder(week_id=week.id, canteen_id=data["canteen_id"], day=data["day"], lines=lines,
                      standing=data.get("standing", False))
    _create(session, user, order, "meal_order", "day")
    return order


def get_meal_order(session: Session, user: User, order_id: int) -> MealOrder:
    order = session.get(MealOrder, order_id)
    if order is None or not _owned(user, order.canteen_id) or user.role not in ("coordinator", "canteen"):
        raise NotFound(f"Meal order {order_id} not found.", "Commande de repas introuvable.", "order_id")
    return order


def update_meal_order(session: Session, user: User, order_id: int, changes: dict,
                      expected: int | None) -> MealOrder:
    order = get_meal_order(session, user, order_id)
    if "lines" in changes:
        changes = {**changes, "lines": _check_lines(session, changes["lines"])}
    return _update(session, user, order, "meal_order", "orders", changes, expected)


def delete_meal_order(session: Session, user: User, order_id: int, expected: int | None) -> None:
    _delete(session, user, get_meal_order(session, user, order_id), "meal_order", "orders", expected)
