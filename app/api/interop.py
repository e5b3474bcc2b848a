"""The ecosystem's formats over HTTP: spreadsheets, DFC JSON-LD, Ma Cantine, iCalendar feeds.

Every endpoint needs a bearer token; owners (producer, relay, canteen, driver) reach their own
data, the coordinator everything. Imports are one transaction through the market's use cases.
Formats and columns: docs/interop.md. Calendar feeds: app/api/calendars.py.
"""
from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Response, current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields
from sqlmodel import select
from werkzeug.exceptions import UnsupportedMediaType

from app.api.common import territory_id
from app.auth import current_user, forbid_unless, require
from app.db import get_session, unit_of_work
from app.errors import problem
from app.interop import dfc, dfc_import, macantine, market_rows, spreadsheets
from app.interop.market_rows import RowRejected
from app.interop.spreadsheets import TableError
from app.models import Product, Site
from app.schemas import WEEK
from app.services import planning, weeks
from orders.errors import InvalidInput, NotFound

blp = Blueprint("interop", "interop", url_prefix="/api/v1",
                description="Formats d'échange : tableurs, DFC (JSON-LD), Ma Cantine, calendriers")
SECURITY = [{"bearer": []}]
FILE = {"200": {"description": "the file", "content": {spreadsheets.CSV_TYPE: {}, spreadsheets.XLSX_TYPE: {}}}}
MIMETYPES = {"csv": spreadsheets.CSV_TYPE, "xlsx": spreadsheets.XLSX_TYPE}  # Flask adds text/*'s charset (once)
OWNERS = {"offers": "producer", "meal-orders": "canteen", "basket-orders": "relay"}


class WeekArgs(Schema):
    week = fields.String(required=True, validate=WEEK, metadata={"description": "ISO week, e.g. 2026-W49"})


class MaCantineArgs(Schema):
    siret = fields.String(metadata={"description": "the canteen's SIRET (14 digits), overrides the site's and the "
                                                   "mapping file's"})
    as_of = fields.Date(metadata={"description": "deliveries up to this day (default: today); later ones are "
                                                 "withheld (Ma Cantine refuses future dates) and counted in the "
                                                 "Terril-Future-Deliveries-Withheld header"})


class SharesSchema(Schema):
    total_eur = fields.Float()
    bio_eur = fields.Float()
    bio_share = fields.Float(metadata={"description": "BIO value / total value, 0..1"})
    egalim_eur = fields.Float()
    egalim_share = fields.Float(metadata={"description": "value with any EGAlim category / total"})
    local_eur = fields.Float()
    local_share = fields.Float()


class YearSharesSchema(SharesSchema):
    year = fields.Integer()
    weeks = fields.List(fields.Dict())


class EgalimSchema(Schema):
    site = fields.String()
    name = fields.String()
    week = fields.String()
    local_km = fields.Float()
    this_week = fields.Nested(SharesSchema)
    year_to_date = fields.Nested(YearSharesSchema)


class ImportResultSchema(Schema):
    created = fields.Integer()
    updated = fields.Integer()
    rows = fields.Integer()


class DfcCatalogResultSchema(ImportResultSchema):
    skipped = fields.Integer(metadata={"description": "offers of other enterprises (the collective, other farms)"})


def _fmt(fmt: str) -> str:
    if fmt not in ("csv", "xlsx"):
        raise NotFound("Unknown format (csv or xlsx).", "Format inconnu (csv ou xlsx).", "format")
    return fmt


def _file(data: bytes, fmt: str, filename: str) -> Response:
    return Response(data, mimetype=MIMETYPES.get(fmt, fmt),
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "X-Content-Type-Options": "nosniff"})


def _rejected(exc: TableError | RowRejected):
    if isinstance(exc, TableError):
        return problem(exc.status, exc.detail, code=exc.code, detail_fr=exc.detail_fr, errors=exc.errors)
    return problem(exc.status, exc.detail, code=exc.code, detail_fr=exc.detail_fr, errors=exc.errors)


UPLOAD_TYPES = {spreadsheets.CSV_TYPE, spreadsheets.XLSX_TYPE, "text/plain", "application/csv",
                "application/vnd.ms-excel", "application/octet-stream", ""}  # what browsers send for CSV


def _refuse_type(mimetype: str | None, what: str) -> None:
    if (mimetype or "") not in UPLOAD_TYPES:
        raise spreadsheets.unreadable(
            415, "unsupported_media_type", f"{what} {mimetype!r} is not CSV or XLSX (text/csv, {spreadsheets.XLSX_TYPE}).",
            "Type de fichier non pris en charge : envoyez un fichier CSV ou XLSX.")


def _upload() -> tuple[bytes, str | None, str | None]:
    """The uploaded bytes: one multipart part named `file`, or the raw body typed CSV or XLSX."""
    if request.mimetype == "multipart/form-data":
        names = sorted({str(n) for n in (*request.files, *request.form)})  # a nameless part is 'None'
        if names != ["file"]:
            odd = [n for n in names if n != "file"]
            detail = (f"Unexpected form field(s): {', '.join(map(repr, odd))}; send the table as the 'file' part."
                      if odd else "No 'file' part in the form.")
            raise TableError(detail, "Envoyez le tableau dans le champ de formulaire « file » (et rien d'autre).",
                             [{"field": n, "message": "unexpected field"} for n in odd]
                             or [{"field": "file", "message": "missing"}], status=400, code="upload_fields")
        upload = request.files.get("file")
        if upload is None:  # a plain text field named file: its text is the table
            return request.form["file"].encode("utf-8"), None, None
        _refuse_type(upload.mimetype, "The part's type")
        return upload.read(spreadsheets.MAX_BYTES + 1), upload.filename, upload.mimetype
    _refuse_type(request.mimetype, "The body's type")
    return request.get_data(cache=False)[:spreadsheets.MAX_BYTES + 1], None, request.mimetype


def _table_routes(kind: str) -> None:
    table = spreadsheets.TABLES[kind]
    roles = ("coordinator", OWNERS[kind])
    name = kind.replace("-", "_")
    camel = "".join(word.title() for word in kind.split("-"))

    class Template(MethodView):
        @require(*roles)
        @blp.doc(security=SECURITY, responses=FILE)
        @blp.doc(operationId=f"get{camel}Template")
        def get(self, fmt):
            """Empty template to fill in (XLSX has a help sheet describing each column)."""
            fmt = _fmt(fmt)
            return _file(spreadsheets.template(table, fmt), fmt, f"modele_{table.name}.{fmt}")

    class Export(MethodView):
        @require(*roles)
        @blp.doc(security=SECURITY, responses=FILE)
        @blp.arguments(WeekArgs, location="query")
        @blp.doc(operationId=f"export{camel}")
        def get(self, args, fmt):
            """The week's rows (an owner: only their own site's), in the template's columns."""
            fmt = _fmt(fmt)
            week = weeks.find_week(get_session(), args["week"], territory_id())
            rows = market_rows.EXPORTS[kind](get_session(), week, current_user())
            return _file(spreadsheets.render(table, rows, fmt), fmt, f"{table.name}_{week.iso_week}.{fmt}")

    class Import(MethodView):
        @require(*roles)
        @blp.doc(security=SECURITY, requestBody={"content": {
            "multipart/form-data": {"schema": {"type": "object", "properties": {
                "file": {"type": "string", "format": "binary"}}}},
            spreadsheets.CSV_TYPE: {}, spreadsheets.XLSX_TYPE: {}}})
        @blp.response(200, ImportResultSchema)
        @blp.doc(operationId=f"import{camel}")
        def post(self):
            """Import a CSV or XLSX file: all rows or none; errors name the row and the column."""
            try:
                data, filename, content_type = _upload()
                records = spreadsheets.read_table(table, data, filename, content_type)
                with unit_of_work() as session:
                    summary = market_rows.IMPORTS[kind](session, current_user(), records, territory_id())
            except (TableError, RowRejected) as exc:
                return _rejected(exc)
            return {**summary.as_dict(), "rows": len(records)}

    for view, suffix in ((Template, "Template"), (Export, "Export"), (Import, "Import")):
        view.__name__ = f"{name.title().replace('_', '')}{suffix}"
    blp.route(f"/{kind}/template.<string:fmt>")(Template)
    blp.route(f"/{kind}/export.<string:fmt>")(Export)
    blp.route(f"/{kind}/import")(Import)


for _kind in spreadsheets.TABLES:
    _table_routes(_kind)


# --- Ma Cantine -------------------------------------------------------------------------------

def _own_site(site_id: str, kinds: tuple[str, ...]) -> Site:
    user = current_user()
    forbid_unless(user.role == "coordinator" or user.site_id == site_id, hide=True)
    site = get_session().get(Site, site_id)
    if site is None or site.kind not in kinds:
        raise NotFound(f"Unknown site {site_id!r}.", "Site introuvable.", "site_id")
    return site


def _mapping() -> macantine.Mapping:
    return macantine.Mapping.load(current_app.config.get("TERRIL_MACANTINE_MAPPING"))


@blp.route("/sites/<string:site_id>/weeks/<string:week>/ma-cantine.csv")
class MaCantinePurchases(MethodView):
    @require("coordinator", "canteen")
    @blp.doc(security=SECURITY, responses={"200": {"description": "Ma Cantine purchase import CSV",
                                                   "content": {spreadsheets.CSV_TYPE: {}}}})
    @blp.arguments(MaCantineArgs, location="query")
    @blp.doc(operationId="exportMaCantinePurchases")
    def get(self, args, site_id, week):
        """The canteen's purchases of the week (current plan), in Ma Cantine's import columns."""
        site = _own_site(site_id, ("canteen",))
        row = weeks.find_week(get_session(), week, territory_id())
        plan = planning.require_plan(get_session(), row)
        mapping = _mapping()
        siret = macantine.siret_for(site, mapping, args.get("siret"))
        as_of = args.get("as_of") or datetime.now(ZoneInfo(current_app.config["TERRIL_TIMEZONE"])).date()
        rows, future = macantine.delivered_by(macantine.purchases(get_session(), row, plan, site, mapping), as_of)
        response = _file(macantine.purchases_csv(rows, siret, mapping), "csv", f"ma-cantine_{site.id}_{row.iso_week}.csv")
        response.headers["Terril-Future-Deliveries-Withheld"] = str(len(future))
        return response


@blp.route("/sites/<string:site_id>/weeks/<string:week>/egalim")
class EgalimShares(MethodView):
    @require("coordinator", "canteen")
    @blp.doc(security=SECURITY)
    @blp.response(200, EgalimSchema)
    @blp.doc(operationId="getEgalimShares")
    def get(self, site_id, week):
        """Organic (BIO) and local shares by value: this week and the year to date."""
        site = _own_site(site_id, ("canteen",))
        row = weeks.find_week(get_session(), week, territory_id())
        return macantine.egalim_report(get_session(), row, site, _mapping(),
                                       lambda w: planning.current_plan(get_session(), w))


# --- Data Food Consortium ---------------------------------------------------------------------

JSONLD = "application/ld+json"


def _jsonld(document: dict) -> Response:
    return Response(json.dumps(document, ensure_ascii=False), mimetype=JSONLD)


def _dfc_base() -> str:
    return request.url_root + "api/v1/dfc/"


@blp.route("/dfc/catalog")
class DfcCatalog(MethodView):
    @require("coordinator")
    @blp.doc(security=SECURITY, responses={"200": {"description": "DFC JSON-LD", "content": {JSONLD: {}}}})
    @blp.arguments(WeekArgs, location="query")
    @blp.doc(operationId="getDfcCatalog")
    def get(self, args):
        """The week's catalogue: SuppliedProduct, CatalogItem, Offer, Price, SaleSession (DFC JSON-LD)."""
        week = weeks.find_week(get_session(), args["week"], territory_id())
        return _jsonld(dfc.catalog(get_session(), week, _dfc_base()))


@blp.route("/producers/<string:producer_id>/weeks/<string:week>/dfc-catalog")
class DfcCatalogImport(MethodView):
    @require("coordinator", "producer")
    @blp.doc(security=SECURITY, requestBody={"content": {JSONLD: {}, "application/json": {}}})
    @blp.response(200, DfcCatalogResultSchema)
    @blp.doc(operationId="importDfcCatalog")
    def post(self, producer_id, week):
        """Import a farm's DFC catalogue as its offers of the week: all or nothing, through the use cases."""
        site = _own_site(producer_id, ("producer",))
        session = get_session()
        row = weeks.find_week(session, week, territory_id())
        sites = {s.id for s in session.exec(select(Site).where(Site.territory_id == territory_id())).all()}
        products = {p.id: p.name for p in session.exec(select(Product)).all()}
        records, skipped = dfc_import.parse_catalog(_jsonld_body(), row.iso_week, products, site.id,
                                                    sites | {territory_id()})
        try:
            with unit_of_work() as session:
                summary = market_rows.import_offers(session, current_user(), records, territory_id())
        except RowRejected as exc:
            return _rejected(exc)
        return {**summary.as_dict(), "rows": len(records), "skipped": skipped}


def _jsonld_body() -> dict | list:
    mimetype = request.mimetype or ""
    if mimetype and mimetype != "application/json" and not mimetype.endswith("+json"):
        raise UnsupportedMediaType(f"The body's type {mimetype!r} is not JSON-LD ({JSONLD} or application/json).")
    document = request.get_json(force=True, silent=True)
    if not isinstance(document, dict | list):
        raise InvalidInput("The body must be a JSON-LD document.", "Le corps doit être un document JSON-LD.", "body")
    return document


def _dfc_node(path: str) -> Response:
    found = dfc.node(get_session(), territory_id(), _dfc_base(), path)
    if found is None:
        raise NotFound(f"No DFC object at {path!r}.", "Aucun objet DFC à cette adresse.", "path")
    return _jsonld(found)


DFC_NODE = {"200": {"description": "the object's DFC JSON-LD", "content": {JSONLD: {}}}}


@blp.route("/dfc/enterprises/<path:rest>")
class DfcEnterpriseNode(MethodView):
    @require("coordinator")
    @blp.doc(security=SECURITY, responses=DFC_NODE)
    @blp.doc(operationId="getDfcEnterprise")
    def get(self, rest):
        """An Enterprise (a farm, a customer site, the collective) or a SuppliedProduct, as DFC JSON-LD."""
        return _dfc_node(f"enterprises/{rest}")


@blp.route("/dfc/weeks/<string:week>/<path:rest>")
class DfcWeekNode(MethodView):
    @require("coordinator")
    @blp.doc(security=SECURITY, responses=DFC_NODE)
    @blp.doc(operationId="getDfcWeekNode")
    def get(self, week, rest):
        """A week's CatalogItem, Offer, SaleSession, Order or OrderLine, as DFC JSON-LD (its own @id)."""
        return _dfc_node(f"weeks/{week}/{rest}")


@blp.route("/dfc/orders")
class DfcOrders(MethodView):
    @require("coordinator")
    @blp.doc(security=SECURITY, responses={"200": {"description": "DFC JSON-LD", "content": {JSONLD: {}}}})
    @blp.arguments(WeekArgs, location="query")
    @blp.doc(operationId="exportDfcOrders")
    def get(self, args):
        """The week's meal and basket orders as DFC Order / OrderLine."""
        week = weeks.find_week(get_session(), args["week"], territory_id())
        return _jsonld(dfc.orders(get_session(), week, _dfc_base()))

    @require("coordinator")
    @blp.doc(security=SECURITY, requestBody={"content": {JSONLD: {}, "application/json": {}}})
    @blp.response(200, ImportResultSchema)
    @blp.doc(operationId="importDfcOrders")
    def post(self):
        """Import DFC orders (the shipped DFC contexts only): all or nothing, through the use cases."""
        meals, baskets = dfc_import.parse_orders(_jsonld_body())
        try:
            with unit_of_work() as session:
                user = current_user()
                a = market_rows.import_meal_orders(session, user, meals, territory_id(), "commande")
                b = market_rows.import_basket_orders(session, user, baskets, territory_id(), "commande")
        except RowRejected as exc:
            return _rejected(exc)
        return {"created": a.created + b.created, "updated": a.updated + b.updated, "rows": len(meals) + len(baskets)}


from app.api import calendars  # noqa: E402,F401  (the calendar routes, on this blueprint)
