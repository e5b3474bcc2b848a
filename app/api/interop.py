"""The ecosystem's formats over HTTP: spreadsheets, DFC JSON-LD, Ma Cantine, iCalendar feeds.

Every endpoint needs a bearer token; owners (producer, relay, canteen, driver) reach their own
data, the coordinator everything. Imports are one transaction through the market's use cases.
Formats and columns: docs/interop.md.
"""
from __future__ import annotations

from flask import Response, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from app.api.common import territory_id
from app.auth import current_user, require
from app.db import get_session, unit_of_work
from app.errors import problem
from app.interop import market_rows, spreadsheets
from app.interop.market_rows import RowRejected
from app.interop.spreadsheets import TableError
from app.schemas import WEEK
from app.services import weeks
from orders.errors import NotFound

blp = Blueprint("interop", "interop", url_prefix="/api/v1",
                description="Formats d'échange : tableurs, DFC (JSON-LD), Ma Cantine, calendriers")
SECURITY = [{"bearer": []}]
FILE = {"200": {"description": "the file", "content": {spreadsheets.CSV_TYPE: {}, spreadsheets.XLSX_TYPE: {}}}}
MIMETYPES = {"csv": spreadsheets.CSV_TYPE + "; charset=utf-8", "xlsx": spreadsheets.XLSX_TYPE}
OWNERS = {"offers": "producer", "meal-orders": "canteen", "basket-orders": "relay"}


class WeekArgs(Schema):
    week = fields.String(required=True, validate=WEEK, metadata={"description": "ISO week, e.g. 2026-W49"})


class MaCantineArgs(Schema):
    siret = fields.String(metadata={"description": "the canteen's SIRET (14 digits), overrides the mapping file"})


class ImportResultSchema(Schema):
    created = fields.Integer()
    updated = fields.Integer()
    rows = fields.Integer()


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
        return problem(422, exc.detail, code="import_rejected", detail_fr=exc.detail_fr, errors=exc.errors)
    return problem(exc.status, exc.detail, code=exc.code, detail_fr=exc.detail_fr, errors=exc.errors)


def _upload() -> tuple[bytes, str | None, str | None]:
    upload = request.files.get("file")
    if upload is not None:
        return upload.read(spreadsheets.MAX_BYTES + 1), upload.filename, upload.mimetype
    return request.get_data(cache=False)[:spreadsheets.MAX_BYTES + 1], None, request.mimetype


def _table_routes(kind: str) -> None:
    table = spreadsheets.TABLES[kind]
    roles = ("coordinator", OWNERS[kind])
    name = kind.replace("-", "_")

    class Template(MethodView):
        @require(*roles)
        @blp.doc(security=SECURITY, responses=FILE)
        def get(self, fmt):
            """Empty template to fill in (XLSX has a help sheet describing each column)."""
            fmt = _fmt(fmt)
            return _file(spreadsheets.template(table, fmt), fmt, f"modele_{table.name}.{fmt}")

    class Export(MethodView):
        @require(*roles)
        @blp.doc(security=SECURITY, responses=FILE)
        @blp.arguments(WeekArgs, location="query")
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
        def post(self):
            """Import a CSV or XLSX file: all rows or none; errors name the row and the column."""
            data, filename, content_type = _upload()
            try:
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
