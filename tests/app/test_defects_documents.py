"""Every document and page of the demo week speaks French: no internal code (issue 12).

The demo week is planned once (tests/app/planned_world.py); EVERY PDF of its set is rendered and its
text extracted with pypdf; every role's page is fetched with Flask's test client. Neither may show a
reason code, a vehicle, product, basket-type or site id, nor an English word of the plan (fleet,
basket_rules…). File names keep their letters. Documents are matched to sites by id, not by name."""
from __future__ import annotations

import io
import re
from html.parser import HTMLParser

import pytest
from pypdf import PdfReader
from sqlmodel import select

from app.db import unit_of_work
from app.models import Site
from app.services import documents, planning, weeks
from routing.model import Reason
from tests.app.planned_world import planned_app
from tests.app.world import WEEK

PORTIONING_REASONS = ("no_offer", "exhausted_by_priority", "lot_size", "supply_short", "basket_rules")
SNAKE = re.compile(r"(?<![\w-])[a-z]+(?:_[a-z0-9]+)+(?![\w-])")
FRENCH = {"kg"}  # a routing reason code that is also the French unit (« 12 kg »)
ENGLISH = ("fleet", "basket", "shortfall", "unserved", "pickup", "None", "null", "True", "False", "piece",
           "bunch", "dozen")


@pytest.fixture(scope="module")
def planned(template_db, tmp_path_factory):
    app, world = planned_app(template_db, tmp_path_factory)
    yield app, world
    app.extensions["terril_engine"].dispose()


def _codes(scenario: dict) -> set[str]:
    codes = set(PORTIONING_REASONS) | ({r.value for r in Reason} - FRENCH) | set(ENGLISH)
    for key in ("vehicles", "products", "basket_types", "producers", "canteens", "relay_points"):
        codes |= {item["id"] for item in scenario[key]}
    return codes


def _names(scenario: dict) -> list[str]:
    """Every display name the documents may print (longest first: « Pomme de terre » before « Pomme »)."""
    names = {scenario["hub"]["name"], scenario["territory"]}
    for key in ("vehicles", "products", "basket_types", "producers", "canteens", "relay_points"):
        names |= {item.get("name") or "" for item in scenario[key]}
    names |= {v.get("driver") or "" for v in scenario["vehicles"]}
    return sorted((n for n in names if n), key=len, reverse=True)


def leaked(text: str, scenario: dict) -> set[str]:
    """The internal codes found in `text` once the display names are taken out of it (a name may
    hold a code as a word: « Panier famille », « Yaourt nature »)."""
    text = re.sub(r"\s+", " ", text)
    for name in _names(scenario):
        text = text.replace(name, " ¤ ")
    found = {code for code in _codes(scenario) if re.search(rf"(?<![\w-]){re.escape(code)}(?![\w-])", text)}
    return found | set(SNAKE.findall(text))  # any identifier_like word: a code nobody listed yet


def pdf_text(data: bytes) -> str:
    return " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


class _Text(HTMLParser):
    """The text a person sees on a page (no tags, attributes, scripts or styles)."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def page_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(parser.parts)


def test_the_checker_finds_codes_but_not_names(planned):
    _, world = planned
    scenario = world.scenario
    assert leaked("Panier famille · Renault Master frigorifique · Pomme de terre", scenario) == set()
    assert leaked("Tournée master-am : 12 paniers petit (basket_rules), pomme-de-terre", scenario) == {
        "master-am", "petit", "basket_rules", "pomme-de-terre"}
    assert leaked("Raison : some_new_code", scenario) == {"some_new_code"}


def test_no_internal_code_in_any_pdf_of_the_demo_week(planned):
    app, world = planned
    with app.app_context(), unit_of_work() as session:
        week = weeks.find_week(session, WEEK, app.config["TERRIL_TERRITORY"])
        plan = planning.current_plan(session, week)
        plan_shortfalls = plan.plan["shortfalls"]
        files = documents.week_document_files(session, week, plan)
        texts = {doc.filename: pdf_text(doc.render_pdf()) for doc in files}
    kinds = {doc.kind for doc in files}
    assert kinds >= {"route_sheet", "day_sheets", "pick_list", "delivery_note", "summary"}
    assert len(texts) == len(files) >= 20
    assert {name: leaked(text, world.scenario) for name, text in texts.items() if leaked(text, world.scenario)} == {}
    summary = re.sub(r"\s+", " ", texts[f"synthese-{WEEK}.pdf"])
    assert re.search(r"\d+\s+paniers", summary), "basket shortfalls count baskets"
    assert "Renault Master frigorifique" in summary
    for shortfall in plan_shortfalls:
        if shortfall.get("basket_type"):
            name = next(b["name"] for b in world.scenario["basket_types"] if b["id"] == shortfall["basket_type"])
            assert name in summary, name


def test_file_names_keep_their_letters(planned):
    app, _ = planned
    with app.app_context(), unit_of_work() as session:
        week = weeks.find_week(session, WEEK, app.config["TERRIL_TERRITORY"])
        names = {doc.filename for doc in documents.week_document_files(session, week,
                                                                       planning.current_plan(session, week))}
    assert f"bon-de-livraison-ecole-maternelle-les-galibots-{WEEK}.pdf" in names
    assert f"bon-de-livraison-epicerie-solidaire-du-grand-lens-{WEEK}.pdf" in names
    assert f"bon-de-preparation-ferme-du-terril-{WEEK}.pdf" in names
    assert all(re.fullmatch(r"[a-z0-9-]+-(2026-W49|2026-12-0\d)(-[a-z0-9-]+)?\.pdf", n) for n in names), names
    assert not [n for n in names if "--" in n]


def test_slugs():
    assert documents.slug("École maternelle Les Galibots") == "ecole-maternelle-les-galibots"
    assert documents.slug("Point relais Liévin") == "point-relais-lievin"
    assert documents.slug("Bœuf & Cœur d'Æther") == "boeuf-coeur-d-aether"
    assert documents.site_slugs({"a": "La Halle", "b": "La halle", "c": "Autre"}) == {
        "a": "la-halle-a", "b": "la-halle-b", "c": "autre"}


PAGES = {
    "coordinator": "/coordination",
    "producer": "/producteur/ferme-terril",
    "canteen": "/cantine/mat-loos",
    "relay": "/relais/rp-lens",
    "driver": "/chauffeur",
}


def test_no_internal_code_in_any_page(planned):
    _, world = planned
    seen = {}
    for who, url in PAGES.items():
        response = world.get(f"{url}?semaine={WEEK}", who=who)
        assert response.status_code == 200, (url, response.status_code)
        seen[url] = leaked(page_text(response.get_data(as_text=True)), world.scenario)
    for kind, prefix in (("producers", "/producteur/"), ("canteens", "/cantine/"), ("relay_points", "/relais/")):
        for site in world.scenario[kind]:
            response = world.get(f"{prefix}{site['id']}?semaine={WEEK}")
            assert response.status_code == 200
            seen[prefix + site["id"]] = leaked(page_text(response.get_data(as_text=True)), world.scenario)
    assert {url: codes for url, codes in seen.items() if codes} == {}


def test_documents_are_matched_to_sites_by_id_when_two_share_a_name(template_db, tmp_path_factory):
    app, world = planned_app(template_db, tmp_path_factory)
    try:
        with app.app_context(), unit_of_work() as session:
            twin = session.get(Site, "mat-grenay")
            twin.name = session.get(Site, "mat-loos").name  # « École maternelle Les Galibots », twice
            session.add(twin)
        with app.app_context(), unit_of_work() as session:
            week = weeks.find_week(session, WEEK, app.config["TERRIL_TERRITORY"])
            plan = planning.current_plan(session, week)
            notes = {sid: documents.delivery_note_doc(session, week, plan, session.get(Site, sid))
                     for sid in ("mat-loos", "mat-grenay")}
            files = [d for d in documents.week_document_files(session, week, plan) if d.kind == "delivery_note"]
            consumers = {a["consumer"] for a in plan.plan["allocations"]} | {b["relay_point"] for b in plan.plan["baskets"]}
            canteens = session.exec(select(Site.id).where(Site.kind == "canteen")).all()
        loos, grenay = (pdf_text(notes[sid].render_pdf()) for sid in ("mat-loos", "mat-grenay"))
        assert "-mat-loos-" in loos and "-mat-grenay-" not in loos
        assert "-mat-grenay-" in grenay and "-mat-loos-" not in grenay
        assert notes["mat-loos"].filename != notes["mat-grenay"].filename
        assert notes["mat-loos"].filename == f"bon-de-livraison-ecole-maternelle-les-galibots-mat-loos-{WEEK}.pdf"
        assert len(files) == len(consumers) and len({d.filename for d in files}) == len(files)
        assert {d.key for d in files} >= {("mat-loos",), ("mat-grenay",)} and set(canteens) <= consumers
        response = world.get(f"/api/v1/sites/mat-grenay/weeks/{WEEK}/delivery-note.pdf")
        assert response.status_code == 200
        served = pdf_text(response.data)
        assert "-mat-grenay-" in served and "-mat-loos-" not in served
    finally:
        app.extensions["terril_engine"].dispose()
