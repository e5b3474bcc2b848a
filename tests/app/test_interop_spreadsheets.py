"""CSV/XLSX imports and exports of offers and orders: all or nothing, rules of the API, safe exports."""
from __future__ import annotations

import csv
import io
from datetime import date

from openpyxl import Workbook, load_workbook
from sqlmodel import select

from app.db import unit_of_work
from app.interop.spreadsheets import neutralise, write_csv, write_xlsx
from app.models import BasketOrder, MealOrder, Offer
from tests.app.world import WEEK, build_world


def _csv(rows: list[list], delimiter: str = ",") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(rows)
    return out.getvalue().encode("utf-8")


def _upload(world, url, data: bytes, filename: str, who: str):
    return world.call("POST", url, who=who, data={"file": (io.BytesIO(data), filename)},
                      content_type="multipart/form-data")


def _offers(app):
    with app.app_context(), unit_of_work() as session:
        return sorted((o.producer_id, o.product_id, o.quantity, o.unit_price_eur)
                      for o in session.exec(select(Offer)).all())


OFFER_HEADER = ["semaine", "producteur", "produit", "quantite", "prix_unitaire_eur", "lot", "date_recolte"]


def test_offers_import_creates_and_updates_through_the_use_cases(app):
    world = build_world(app, state="offers_open")
    producer = world.scenario["producers"][0]["id"]
    body = _csv([OFFER_HEADER, [WEEK, producer, "carotte", "321", "1,75", "5", ""],
                 [WEEK, producer, "fraise", "12.5", "6", "", "30/11/2026"]], delimiter=";")
    res = _upload(world, "/api/v1/offers/import", body, "offres.csv", "producer")
    assert res.status_code == 200, res.json
    assert res.json["rows"] == 2 and res.json["created"] + res.json["updated"] == 2
    offers = {(p, q): (qty, price) for p, q, qty, price in _offers(app)}
    assert offers[(producer, "carotte")] == (321.0, 1.75)
    assert offers[(producer, "fraise")] == (12.5, 6.0)


def test_one_bad_row_refuses_the_whole_file_with_row_and_column(app):
    world = build_world(app, state="offers_open")
    producer = world.scenario["producers"][0]["id"]
    before = _offers(app)
    body = _csv([OFFER_HEADER, [WEEK, producer, "carotte", "999", "1.5", "", ""],
                 [WEEK, producer, "poireau", "beaucoup", "2", "", ""]])
    res = _upload(world, "/api/v1/offers/import", body, "offres.csv", "producer")
    assert res.status_code == 422 and res.mimetype == "application/problem+json"
    assert res.json["errors"][0]["row"] == 3 and res.json["errors"][0]["column"] == "quantite"
    # a row the use case refuses (unknown product) after a good one: nothing stored either
    body = _csv([OFFER_HEADER, [WEEK, producer, "carotte", "999", "1.5", "", ""],
                 [WEEK, producer, "ananas", "10", "2", "", ""]])
    res = _upload(world, "/api/v1/offers/import", body, "offres.csv", "producer")
    assert res.status_code == 422
    assert (res.json["errors"][0]["row"], res.json["errors"][0]["column"]) == (3, "produit")
    assert "Ligne 3" in res.json["detail_fr"]
    assert _offers(app) == before


def test_missing_columns_are_named(app):
    world = build_world(app, state="offers_open")
    res = _upload(world, "/api/v1/offers/import", _csv([["semaine", "produit"]]), "x.csv", "producer")
    assert res.status_code == 422
    assert {e["column"] for e in res.json["errors"]} == {"producteur", "quantite", "prix_unitaire_eur"}


def test_a_producer_cannot_import_offers_for_another_farm(app):
    world = build_world(app, state="offers_open")
    other = world.scenario["producers"][1]["id"]
    before = _offers(app)
    body = _csv([OFFER_HEADER, [WEEK, other, "carotte", "10", "1.5", "", ""]])
    res = _upload(world, "/api/v1/offers/import", body, "offres.csv", "producer")
    assert res.status_code == 403 and res.json["errors"][0]["row"] == 2
    assert _offers(app) == before
    assert _upload(world, "/api/v1/offers/import", body, "offres.csv", "canteen").status_code == 403


def test_imports_respect_the_windows(app):
    world = build_world(app, state="orders_open")
    producer = world.scenario["producers"][0]["id"]
    body = _csv([OFFER_HEADER, [WEEK, producer, "carotte", "10", "1.5", "", ""]])
    res = _upload(world, "/api/v1/offers/import", body, "offres.csv", "producer")
    assert res.status_code == 409 and res.json["errors"][0]["row"] == 2


def test_meal_orders_import_groups_rows_by_day_and_replaces_the_lines(app):
    world = build_world(app, state="orders_open")
    canteen = world.scenario["canteens"][0]["id"]
    rows = [["semaine", "cantine", "jour", "produit", "tranche_age", "repas"],
            [WEEK, canteen, "2026-12-01", "carotte", "maternelle", "70"],
            [WEEK, canteen, "2026-12-01", "pomme", "maternelle", "71"]]
    res = _upload(world, "/api/v1/meal-orders/import", _csv(rows), "repas.csv", "canteen")
    assert res.status_code == 200, res.json
    with app.app_context(), unit_of_work() as session:
        order = session.exec(select(MealOrder).where(MealOrder.canteen_id == canteen,
                                                     MealOrder.day == date(2026, 12, 1))).one()
        assert order.lines == [{"product": "carotte", "meals": {"maternelle": 70}},
                               {"product": "pomme", "meals": {"maternelle": 71}}]
    # an unknown product is refused on its own row and column, the good rows are not kept
    rows[1][5] = "10"
    rows.append([WEEK, canteen, "2026-12-03", "ananas", "maternelle", "5"])
    res = _upload(world, "/api/v1/meal-orders/import", _csv(rows), "repas.csv", "canteen")
    assert res.status_code == 422
    assert (res.json["errors"][0]["row"], res.json["errors"][0]["column"]) == (4, "produit")
    with app.app_context(), unit_of_work() as session:
        order = session.exec(select(MealOrder).where(MealOrder.canteen_id == canteen,
                                                     MealOrder.day == date(2026, 12, 1))).one()
        assert order.lines[0]["meals"] == {"maternelle": 70}


def test_basket_orders_round_trip_through_xlsx(app):
    world = build_world(app, state="orders_open")
    relay = world.scenario["relay_points"][0]["id"]
    res = world.get(f"/api/v1/basket-orders/export.xlsx?week={WEEK}", who="relay")
    assert res.status_code == 200 and res.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(res.data)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["semaine", "point_relais", "jour", "type_panier", "nombre"]
    assert rows[1:] and {r[1] for r in rows[1:]} == {relay}
    book = Workbook()
    for row in rows:
        book.active.append(row if row is rows[0] else row[:4] + [row[4] + 1])
    buffer = io.BytesIO()
    book.save(buffer)
    res = _upload(world, "/api/v1/basket-orders/import", buffer.getvalue(), "paniers.xlsx", "relay")
    assert res.status_code == 200 and res.json["updated"] == len(rows) - 1
    with app.app_context(), unit_of_work() as session:
        stored = sorted((o.day.isoformat(), o.basket_type_id, o.count) for o in session.exec(
            select(BasketOrder).where(BasketOrder.relay_point_id == relay)).all())
    assert stored == sorted((str(r[2])[:10], r[3], r[4] + 1) for r in rows[1:])


def test_templates_have_the_french_headers(app):
    world = build_world(app)
    res = world.get("/api/v1/meal-orders/template.csv", who="canteen")
    assert res.status_code == 200
    assert res.data.decode("utf-8-sig").strip() == "semaine,cantine,jour,produit,tranche_age,repas"
    book = load_workbook(io.BytesIO(world.get("/api/v1/offers/template.xlsx", who="producer").data))
    assert book.sheetnames == ["offres", "aide"]
    assert world.get("/api/v1/offers/template.xlsx", who="relay").status_code == 403


def test_exports_neutralise_formulas():
    for hostile in ("=HYPERLINK(\"http://x\")", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise(hostile) == "'" + hostile
    assert neutralise("carotte") == "carotte" and neutralise(-1.5) == -1.5
    text = write_csv(["a", "b"], [["=1+2", "ok"], ["@cmd", 3.0]]).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text))) == [["a", "b"], ["'=1+2", "ok"], ["'@cmd", "3"]]
    sheet = load_workbook(io.BytesIO(write_xlsx(["a"], [["=1+2"]], "t"))).active
    assert sheet["A2"].value == "=1+2" and sheet["A2"].data_type == "s"


def test_exported_offers_only_show_the_producers_own(app):
    world = build_world(app, state="offers_open")
    producer = world.scenario["producers"][0]["id"]
    res = world.get(f"/api/v1/offers/export.csv?week={WEEK}", who="producer")
    rows = list(csv.reader(io.StringIO(res.data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["semaine", "producteur", "produit"] and {r[1] for r in rows[1:]} == {producer}
    # the export imports back unchanged (nothing created, every row updated)
    res = _upload(world, "/api/v1/offers/import", res.data, "offres.csv", "producer")
    assert res.status_code == 200 and res.json["created"] == 0 and res.json["updated"] == len(rows) - 1
