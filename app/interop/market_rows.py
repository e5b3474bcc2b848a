"""Imports and exports of offers and orders as rows, through the market's use cases.

An import is one transaction (the caller's `unit_of_work`): every record goes through
`app/services/market.py` (create when new, update when the row exists: same ownership, windows
and validation as the API), and the first refusal aborts the whole file with the row and the
column to blame. Meal orders group the rows of one canteen × day into one order (its lines are
replaced by the file's); basket orders and offers are one row each.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlmodel import Session, select

from app.interop.spreadsheets import Record, cell_error
from app.models import BasketOrder, MealOrder, Offer, User, Week
from app.services import market, weeks
from orders.errors import DomainError


class RowRejected(Exception):
    """A use case refused one record: the whole import is rolled back; status as the use case's."""

    def __init__(self, exc: DomainError, row: int | None, column: str | None, where: str = "ligne"):
        label = f"{where} {row}" if row else where
        super().__init__(f"{label}: {exc.detail}")
        self.status, self.code = exc.status, exc.code
        self.detail = f"Row {row}, column {column}: {exc.detail}" if row else exc.detail
        self.detail_fr = (f"Ligne {row}, colonne {column} : {exc.detail_fr} Rien n'a été importé."
                          if row else exc.detail_fr)
        self.errors = [cell_error(row, column, exc.detail)]


@dataclass(frozen=True, slots=True)
class Summary:
    created: int
    updated: int

    def as_dict(self) -> dict:
        return {"created": self.created, "updated": self.updated}


def _column(field: str | None, columns: dict[str, str], default: str) -> str:
    if not field:
        return default
    for key, column in columns.items():
        if field == key or field.startswith(key + "."):
            return column
    return default


def _mine(user: User, site_id: str) -> bool:
    return user.role == "coordinator" or user.site_id == site_id


def _week(session: Session, iso_week: str, territory_id: str, cache: dict) -> Week:
    if iso_week not in cache:
        cache[iso_week] = weeks.find_week(session, iso_week, territory_id)
    return cache[iso_week]


OFFER_COLUMNS = {"week": "semaine", "producer_id": "producteur", "product_id": "produit",
                 "quantity": "quantite", "unit_price_eur": "prix_unitaire_eur", "lot": "lot",
                 "harvest_date": "date_recolte", "offer_id": "producteur", "If-Match": "semaine"}


def import_offers(session: Session, user: User, records: list[Record], territory_id: str) -> Summary:
    created = updated = 0
    cache: dict = {}
    for rec in records:
        v = rec.values
        try:
            week = _week(session, v["semaine"], territory_id, cache)
            data = {"quantity": v["quantite"], "unit_price_eur": v["prix_unitaire_eur"]}
            if v.get("lot") is not None:
                data["lot"] = v["lot"]
            if v.get("date_recolte") is not None:
                data["harvest_date"] = v["date_recolte"]
            existing = None
            if _mine(user, v["producteur"]):
                existing = session.exec(select(Offer).where(
                    Offer.week_id == week.id, Offer.producer_id == v["producteur"],
                    Offer.product_id == v["produit"])).first()
            if existing is None:
                market.create_offer(session, user, {**data, "week": v["semaine"], "producer_id": v["producteur"],
                                                    "product_id": v["produit"]}, territory_id)
                created += 1
            else:
                market.update_offer(session, user, existing.id, data, None)
                updated += 1
        except DomainError as exc:
            raise RowRejected(exc, rec.row, _column(exc.field, OFFER_COLUMNS, "producteur")) from exc
    return Summary(created, updated)


BASKET_COLUMNS = {"week": "semaine", "relay_point_id": "point_relais", "basket_type_id": "type_panier",
                  "day": "jour", "count": "nombre", "order_id": "point_relais"}


def import_basket_orders(session: Session, user: User, records: list[Record], territory_id: str,
                         where: str = "ligne") -> Summary:
    created = updated = 0
    cache: dict = {}
    for rec in records:
        v = rec.values
        try:
            week = _week(session, v["semaine"], territory_id, cache)
            existing = None
            if _mine(user, v["point_relais"]):
                existing = session.exec(select(BasketOrder).where(
                    BasketOrder.week_id == week.id, BasketOrder.relay_point_id == v["point_relais"],
                    BasketOrder.basket_type_id == v["type_panier"], BasketOrder.day == v["jour"])).first()
            if existing is None:
                market.create_basket_order(session, user, {
                    "week": v["semaine"], "relay_point_id": v["point_relais"], "basket_type_id": v["type_panier"],
                    "day": v["jour"], "count": v["nombre"]}, territory_id)
                created += 1
            else:
                market.update_basket_order(session, user, existing.id, {"count": v["nombre"]}, None)
                updated += 1
        except DomainError as exc:
            raise RowRejected(exc, rec.row, _column(exc.field, BASKET_COLUMNS, "point_relais"), where) from exc
    return Summary(created, updated)


MEAL_COLUMNS = {"week": "semaine", "canteen_id": "cantine", "day": "jour", "order_id": "cantine"}


def import_meal_orders(session: Session, user: User, records: list[Record], territory_id: str,
                       where: str = "ligne") -> Summary:
    """Rows of one canteen × day make one order; a product × age group twice is refused."""
    groups: dict[tuple, list[Record]] = defaultdict(list)
    for rec in records:
        v = rec.values
        groups[(v["semaine"], v["cantine"], v["jour"])].append(rec)
    created = updated = 0
    cache: dict = {}
    for (iso_week, canteen, day), recs in groups.items():
        lines: dict[str, dict] = {}
        line_rows: list[Record] = []
        for rec in recs:
            v = rec.values
            meals = lines.setdefault(v["produit"], {})
            if v["produit"] not in [r.values["produit"] for r in line_rows]:
                line_rows.append(rec)
            if v["tranche_age"] in meals:
                raise RowRejected(DomainError(
                    f"Product {v['produit']!r} and age group {v['tranche_age']!r} appear twice for {day}.",
                    f"Le produit « {v['produit']} » et la tranche « {v['tranche_age']} » apparaissent deux "
                    f"fois pour le {day.strftime('%d/%m/%Y')}."), rec.row, "tranche_age", where) from None
            meals[v["tranche_age"]] = v["repas"]
        payload = [{"product": p, "meals": m} for p, m in lines.items()]
        first = recs[0]
        try:
            week = _week(session, iso_week, territory_id, cache)
            existing = None
            if _mine(user, canteen):
                existing = session.exec(select(MealOrder).where(
                    MealOrder.week_id == week.id, MealOrder.canteen_id == canteen, MealOrder.day == day)).first()
            if existing is None:
                market.create_meal_order(session, user, {"week": iso_week, "canteen_id": canteen, "day": day,
                                                         "lines": payload}, territory_id)
                created += 1
            else:
                market.update_meal_order(session, user, existing.id, {"lines": payload}, None)
                updated += 1
        except DomainError as exc:
            row, column = first.row, _column(exc.field, MEAL_COLUMNS, "cantine")
            if exc.field and exc.field.startswith("lines."):
                parts = exc.field.split(".")
                line = line_rows[int(parts[1])]
                row, column = line.row, "produit"
                if len(parts) > 3:  # lines.i.meals.<age group>
                    match = [r for r in recs if r.values["produit"] == line.values["produit"]
                             and r.values["tranche_age"] == parts[3]]
                    row, column = (match[0].row if match else line.row), "tranche_age"
            raise RowRejected(exc, row, column, where) from exc
    return Summary(created, updated)


# --- exports ----------------------------------------------------------------------------------

def offer_rows(session: Session, week: Week, user: User) -> list[list]:
    query = select(Offer).where(Offer.week_id == week.id)
    if user.role == "producer":
        query = query.where(Offer.producer_id == user.site_id)
    return [[week.iso_week, o.producer_id, o.product_id, o.quantity, o.unit_price_eur, o.lot, o.harvest_date]
            for o in session.exec(query.order_by(Offer.producer_id, Offer.product_id)).all()]


def meal_order_rows(session: Session, week: Week, user: User) -> list[list]:
    query = select(MealOrder).where(MealOrder.week_id == week.id)
    if user.role == "canteen":
        query = query.where(MealOrder.canteen_id == user.site_id)
    rows = []
    for order in session.exec(query.order_by(MealOrder.canteen_id, MealOrder.day)).all():
        for line in order.lines:
            for age_group, meals in sorted(line["meals"].items()):
                rows.append([week.iso_week, order.canteen_id, order.day, line["product"], age_group, meals])
    return rows


def basket_order_rows(session: Session, week: Week, user: User) -> list[list]:
    query = select(BasketOrder).where(BasketOrder.week_id == week.id)
    if user.role == "relay":
        query = query.where(BasketOrder.relay_point_id == user.site_id)
    return [[week.iso_week, o.relay_point_id, o.day, o.basket_type_id, o.count]
            for o in session.exec(query.order_by(BasketOrder.relay_point_id, BasketOrder.day,
                                                 BasketOrder.basket_type_id)).all()]


EXPORTS = {"offers": offer_rows, "meal-orders": meal_order_rows, "basket-orders": basket_order_rows}
IMPORTS = {"offers": import_offers, "meal-orders": import_meal_orders, "basket-orders": import_basket_orders}
