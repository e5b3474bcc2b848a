"""Hostile uploads: every import endpoint refuses a file it cannot read with a named 4xx, stores nothing.

Real hostile files: a GIF and a JPEG drawn by Pillow, a PDF, bytes in no text encoding, a file
beyond the size limits, an XLSX zip bomb (a 40 MB sheet deflated to a few kB), an archive that is
no workbook, a multipart form with the wrong field names, a wrong Content-Type.
"""
from __future__ import annotations

import io
import zipfile

import pytest
from PIL import Image
from sqlmodel import func, select

from app.db import unit_of_work
from app.models import BasketOrder, MealOrder, Offer
from tests.app.world import WEEK, build_world

ENDPOINTS = [("/api/v1/offers/import", "producer"), ("/api/v1/basket-orders/import", "relay"),
             ("/api/v1/meal-orders/import", "canteen")]


def _image(fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), (200, 30, 30)).save(buffer, fmt)
    return buffer.getvalue()


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<" + b" " * (40 * 1024 * 1024) + b"/>")
    return buffer.getvalue()


def _not_a_workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    return buffer.getvalue()


def _counts(app) -> tuple[int, int, int]:
    with app.app_context(), unit_of_work() as session:
        return tuple(session.exec(select(func.count()).select_from(t)).one() for t in (Offer, BasketOrder, MealOrder))


HOSTILE_FILES = {  # name: (bytes, filename, part type, expected status, expected code)
    "gif": (lambda: _image("GIF"), "photo.csv", "text/csv", 415, "file_type"),
    "jpeg": (lambda: _image("JPEG"), "photo.csv", "application/octet-stream", 415, "file_type"),
    "pdf": (lambda: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n", "x.csv", "text/csv", 415, "file_type"),
    "jpeg typed as image": (lambda: _image("JPEG"), "photo.jpg", "image/jpeg", 415, "unsupported_media_type"),
    "nul bytes": (lambda: b"semaine,producteur\x00\x00\x01\x02", "x.csv", "text/csv", 415, "file_type"),
    "no encoding": (lambda: "semaine;é\n".encode("cp1252") + b"\x81\x8d\x8f\x90", "x.csv", "text/csv", 422,
                    "file_encoding"),
    "named xlsx, is text": (lambda: b"semaine,produit\n", "x.xlsx", "application/octet-stream", 415, "file_type"),
    "zip bomb": (_zip_bomb, "x.xlsx", "application/octet-stream", 413, "file_too_large"),
    "zip, no workbook": (_not_a_workbook, "x.xlsx", "application/octet-stream", 415, "file_type"),
    "broken zip": (lambda: b"PK\x03\x04" + b"\x00" * 200, "x.xlsx", "application/octet-stream", 422, "file_unreadable"),
    "over 2 MB": (lambda: b"semaine\n" + b"2026-W49\n" * 300_000, "x.csv", "text/csv", 413, "file_too_large"),
    "empty": (lambda: b"", "x.csv", "text/csv", 422, "import_rejected"),
}


@pytest.mark.parametrize("name", HOSTILE_FILES)
def test_a_hostile_file_is_refused_by_name_and_nothing_is_stored(app, name):
    world = build_world(app, state="orders_open")
    make, filename, mimetype, status, code = HOSTILE_FILES[name]
    data = make()
    before = _counts(app)
    for url, who in ENDPOINTS:
        res = world.call("POST", url, who=who, data={"file": (io.BytesIO(data), filename, mimetype)},
                         content_type="multipart/form-data")
        assert res.status_code == status, (url, res.json)
        assert res.mimetype == "application/problem+json" and res.json["code"] == code, res.json
        assert res.json["detail"] and res.json["detail_fr"] and res.json["errors"]
    assert _counts(app) == before


def test_a_raw_body_of_the_wrong_type_is_415(app):
    world = build_world(app, state="orders_open")
    for url, who in ENDPOINTS:
        res = world.call("POST", url, who=who, data=_image("GIF"), content_type="image/gif")
        assert res.status_code == 415 and res.json["code"] == "unsupported_media_type"
        assert "image/gif" in res.json["detail"]
        res = world.call("POST", url, who=who, data=_image("GIF"), content_type="text/csv")
        assert res.status_code == 415 and "GIF" in res.json["detail"]


def test_odd_form_fields_are_named(app):
    world = build_world(app, state="orders_open")
    for url, who in ENDPOINTS:
        res = world.call("POST", url, who=who, content_type="multipart/form-data",
                         data={"fichier": (io.BytesIO(b"semaine\n"), "x.csv"), "extra": "1"})
        assert res.status_code == 400 and res.json["code"] == "upload_fields"
        assert {e["field"] for e in res.json["errors"]} == {"fichier", "extra"}
        res = world.call("POST", url, who=who, content_type="multipart/form-data", data={})
        assert res.status_code == 400 and res.json["errors"] == [{"field": "file", "message": "missing"}]


def test_a_body_beyond_max_content_length_is_413_before_it_is_read(app):
    world = build_world(app, state="orders_open")
    assert app.config["MAX_CONTENT_LENGTH"] == 4 * 1024 * 1024
    big = b"semaine\n" + b"2026-W49\n" * 600_000  # 5.4 MB
    before = _counts(app)
    for url, who in ENDPOINTS:
        res = world.call("POST", url, who=who, data=big, content_type="text/csv")
        assert res.status_code == 413 and res.mimetype == "application/problem+json"
    res = world.call("POST", f"/api/v1/producers/{world.scenario['producers'][0]['id']}/weeks/{WEEK}/dfc-catalog",
                     who="producer", data=b"[" + b"{}," * 2_000_000 + b"{}]", content_type="application/ld+json")
    assert res.status_code == 413
    assert _counts(app) == before


def test_the_dfc_catalogue_import_refuses_images_and_wrong_types(app):
    world = build_world(app, state="offers_open")
    url = f"/api/v1/producers/{world.scenario['producers'][0]['id']}/weeks/{WEEK}/dfc-catalog"
    before = _counts(app)
    res = world.call("POST", url, who="producer", data=_image("GIF"), content_type="image/gif")
    assert res.status_code == 415 and res.mimetype == "application/problem+json"
    for body in (_image("JPEG"), b"\xff\xfe{}", b"{\"@graph\": ["):
        res = world.call("POST", url, who="producer", data=body, content_type="application/ld+json")
        assert res.status_code in (400, 422) and res.json["errors"][0]["field"] == "body"  # 400: NUL bytes
    assert _counts(app) == before


def test_utf16_and_cp1252_csv_are_still_read(app):
    world = build_world(app, state="offers_open")
    producer = world.scenario["producers"][0]["id"]
    text = f"semaine;producteur;produit;quantite;prix_unitaire_eur\r\n{WEEK};{producer};carotte;10;1,5\r\n"
    for data in (b"\xff\xfe" + text.encode("utf-16-le"), text.encode("cp1252")):
        res = world.call("POST", "/api/v1/offers/import", who="producer", data=data, content_type="text/csv")
        assert res.status_code == 200, res.json
