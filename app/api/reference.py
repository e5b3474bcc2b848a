"""Reference data the coordinator manages: products, sites, vehicles, basket types, grammages.

One generic resource per table (list, create, read, replace, delete); every signed-in user may
read, only the coordinator may write. Deleting a row still referenced by offers or orders is
refused with 409 (the database's foreign keys say so) and nothing is lost.
"""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields
from sqlmodel import SQLModel

from app import schemas
from app.api.common import paginate, territory_id
from app.auth import current_user, require
from app.db import get_session, unit_of_work
from app.models import BasketType, Grammage, Product, Site, Vehicle
from app.services import reference
from app.services.reference import Reference


def reference_blueprint(name: str, url: str, model: type[SQLModel], schema: type[schemas.Schema],
                        title: str, id_converter: str = "string", filters: dict | None = None,
                        territorial: bool = False, words: tuple[str, str, str] = ("Row", "Rows", "rows")
                        ) -> Blueprint:
    """The five operations of one table; `words` = (singular, plural, English plural) name them."""
    one, many, english = words
    blp = Blueprint(name, name, url_prefix=f"/api/v1/{url}", description=title)
    ref = Reference(name, model, title, filters or {}, territorial)
    list_args = schemas.Schema.from_dict(
        {**schemas.PageArgs().fields, **{k: fields.String() for k in ref.filters}}, name=f"{model.__name__}ListArgs")
    page = schemas.page_schema(schema, f"{model.__name__}Page")

    @blp.route("/")
    class Collection(MethodView):
        @require()
        @blp.doc(security=[{"bearer": []}], operationId=f"list{many}", summary=f"List the {english}")
        @blp.arguments(list_args, location="query")
        @blp.response(200, page)
        def get(self, args):
            return paginate(get_session(), reference.list_query(ref, args), args)

        @require("coordinator")
        @blp.doc(security=[{"bearer": []}], operationId=f"create{one}", summary=f"Create one of the {english}",
                 description="Coordinator only; an id already taken is 409.")
        @blp.arguments(schema)
        @blp.response(201, schema)
        def post(self, data):
            with unit_of_work() as session:
                return reference.create(session, current_user(), ref, data, territory_id())

    @blp.route(f"/<{id_converter}:key>")
    class Item(MethodView):
        @require()
        @blp.doc(security=[{"bearer": []}], operationId=f"get{one}", summary=f"Read one of the {english}")
        @blp.response(200, schema)
        def get(self, key):
            return reference.find(get_session(), ref, key)

        @require("coordinator")
        @blp.doc(security=[{"bearer": []}], operationId=f"update{one}", summary=f"Change one of the {english}")
        @blp.arguments(schema(partial=True))
        @blp.response(200, schema)
        def patch(self, data, key):
            with unit_of_work() as session:
                return reference.update(session, current_user(), ref, key, data)

        @require("coordinator")
        @blp.doc(security=[{"bearer": []}], operationId=f"delete{one}", summary=f"Delete one of the {english}",
                 description="Refused with 409 while offers, orders or plans still refer to it.")
        @blp.response(204)
        def delete(self, key):
            with unit_of_work() as session:
                reference.delete(session, current_user(), ref, key)

    return blp


BLUEPRINTS = [
    reference_blueprint("products", "products", Product, schemas.ProductSchema, "Produit",
                        filters={"category": "category"}, words=("Product", "Products", "products")),
    reference_blueprint("sites", "sites", Site, schemas.SiteSchema, "Site",
                        filters={"kind": "kind", "canteen_kind": "canteen_kind"}, territorial=True,
                        words=("Site", "Sites", "sites")),
    reference_blueprint("vehicles", "vehicles", Vehicle, schemas.VehicleSchema, "Véhicule", territorial=True,
                        words=("Vehicle", "Vehicles", "vehicles")),
    reference_blueprint("basket_types", "basket-types", BasketType, schemas.BasketTypeSchema, "Type de panier",
                        words=("BasketType", "BasketTypes", "basket types")),
    reference_blueprint("grammages", "grammages", Grammage, schemas.GrammageSchema, "Grammage",
                        id_converter="int", filters={"product": "product_id", "age_group": "age_group"},
                        words=("Grammage", "Grammages", "grammages")),
]
