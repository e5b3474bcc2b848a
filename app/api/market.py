"""Offers (producers), basket orders (relay points) and meal orders (canteens).

Views parse, call a use case of `app/services/market.py`, and return; the use case holds the
rules. Updates accept `If-Match` with the ETag of the last read (412 on a stale write).
"""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from app import schemas
from app.api.common import etag, if_match, paginate, territory_id
from app.api.openapi import ETAG
from app.auth import current_user, require
from app.db import get_session, unit_of_work
from app.models import BasketOrder, MealOrder, Offer, Week
from app.services import market

blp = Blueprint("market", "market", url_prefix="/api/v1", description="Offres et commandes de la semaine")


def _with_week(row, iso_week: str | None = None) -> dict:
    out = row.model_dump()
    out["week"] = iso_week or get_session().get(Week, row.week_id).iso_week
    return out


def _listing(model, site_column, owner_roles, args):
    query = market.listing_query(model, site_column, owner_roles, current_user(), territory_id(),
                                 args.get("week"), args.get("site"))
    page = paginate(get_session(), query, args)
    page["items"] = [_with_week(row, iso_week) for row, iso_week in page["items"]]
    return page


def _resource(name, url, model, site_column, schema, update_schema, roles, service, words):
    """One resource: list, create, read, update, delete; `words` = (singular, plural, French plural)."""
    create, get, update, delete = service
    one, many, french = words
    page = schemas.page_schema(schema, f"{model.__name__}Page")

    class Collection(MethodView):
        @require("coordinator", *roles)
        @blp.doc(security=[{"bearer": []}], operationId=f"list{many}", summary=f"List the week's {french}",
                 description="A producer, relay point or canteen sees only its own site's.")
        @blp.arguments(schemas.WeekSiteArgs, location="query")
        @blp.response(200, page)
        def get(self, args):
            return _listing(model, site_column, roles, args)

        @require("coordinator", *roles)
        @blp.doc(security=[{"bearer": []}], operationId=f"create{one}", summary=f"Create one of the {french}",
                 description="While the week's window is open; a second one for the same key is 409.")
        @blp.arguments(schema)
        @blp.response(201, schema, headers={"ETag": ETAG})
        def post(self, data):
            with unit_of_work() as session:
                row = create(session, current_user(), data, territory_id())
            return _with_week(row, data["week"]), 201, {"ETag": etag(row.version)}

    class Item(MethodView):
        @require("coordinator", *roles)
        @blp.doc(security=[{"bearer": []}], operationId=f"get{one}", summary=f"Read one of the {french}")
        @blp.response(200, schema, headers={"ETag": ETAG})
        def get(self, key):
            row = get(get_session(), current_user(), key)
            return _with_week(row), 200, {"ETag": etag(row.version)}

        @require("coordinator", *roles)
        @blp.doc(security=[{"bearer": []}], operationId=f"update{one}", summary=f"Change one of the {french}",
                 parameters=["IfMatch"])
        @blp.arguments(update_schema)
        @blp.response(200, schema, headers={"ETag": ETAG})
        def patch(self, data, key):
            with unit_of_work() as session:
                row = update(session, current_user(), key, data, if_match())
            return _with_week(row), 200, {"ETag": etag(row.version)}

        @require("coordinator", *roles)
        @blp.doc(security=[{"bearer": []}], operationId=f"delete{one}", summary=f"Delete one of the {french}",
                 parameters=["IfMatch"])
        @blp.response(204)
        def delete(self, key):
            with unit_of_work() as session:
                delete(session, current_user(), key, if_match())

    Collection.__name__ = f"{model.__name__}Collection"
    Item.__name__ = f"{model.__name__}Item"
    blp.route(f"/{url}")(Collection)
    blp.route(f"/{url}/<int:key>")(Item)


_resource("offers", "offers", Offer, "producer_id", schemas.OfferSchema, schemas.OfferUpdateSchema,
          ("producer",), (market.create_offer, market.get_offer, market.update_offer, market.delete_offer),
          ("Offer", "Offers", "offers"))
_resource("basket_orders", "basket-orders", BasketOrder, "relay_point_id", schemas.BasketOrderSchema,
          schemas.BasketOrderUpdateSchema, ("relay",),
          (market.create_basket_order, market.get_basket_order, market.update_basket_order,
           market.delete_basket_order), ("BasketOrder", "BasketOrders", "basket orders"))
_resource("meal_orders", "meal-orders", MealOrder, "canteen_id", schemas.MealOrderSchema,
          schemas.MealOrderUpdateSchema, ("canteen",),
          (market.create_meal_order, market.get_meal_order, market.update_meal_order,
           market.delete_meal_order), ("MealOrder", "MealOrders", "meal orders"))
