"""Each page with Flask's test client: status, French text, forms calling the use cases, errors."""
from __future__ import annotations

import html
import io
from datetime import date

import pytest
from pypdf import PdfReader
from sqlmodel import select

from app.db import get_session
from app.models import MealOrder, Offer
from tests.web.people import WEEK, build_people, csrf_of, sign_in


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def signed_in(app, who: str):
    client = app.test_client()
    assert sign_in(client, who).status_code == 303
    return client


def post_form(client, page_url: str, action: str, data: dict):
    token = csrf_of(client.get(page_url).get_data(as_text=True))
    return client.post(action, data={"csrf_token": token, "semaine": WEEK, **data})


def test_pages_are_french_with_a_self_only_csp(app):
    build_people(app)
    pages = {"producer": ("/producteur/ferme-terril", "Mes offres"),
             "canteen": ("/cantine/mat-loos", "Commande de repas"),
             "relay": ("/relais/rp-lens", "Paniers"),
             "driver": ("/chauffeur", "Mes tournées"),
             "coordinator": ("/coordination", "Coordination de la semaine")}
    for who, (url, title) in pages.items():
        response = signed_in(app, who).get(url)
        assert response.status_code == 200, who
        body = text(response)
        assert '<html lang="fr">' in body and title in body and "Se déconnecter" in body
        csp = response.headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
    login = app.test_client().get("/connexion")
    assert "Connexion" in text(login) and login.headers["Content-Security-Policy"]


def test_producer_cannot_open_another_producers_page(app):
    build_people(app)
    client = signed_in(app, "producer")
    assert client.get("/producteur/jardin-galibots").status_code == 404
    assert client.get("/producteur/jardin-galibots/bon-de-preparation.pdf?semaine=" + WEEK).status_code == 404
    assert client.post("/producteur/jardin-galibots", data={"csrf_token": "x"}).status_code == 400
    assert client.get("/coordination").status_code == 403
    assert client.get("/cantine/mat-loos").status_code == 403
    assert "Accès refusé" in text(client.get("/chauffeur"))


def test_producer_grid_creates_updates_and_deletes_offers_through_the_use_cases(app):
    build_people(app)
    client = signed_in(app, "producer")
    page = text(client.get("/producteur/ferme-terril"))
    assert "Offre de la semaine" in page and "Carotte" in page and "Recopier la semaine précédente" in page
    response = post_form(client, "/producteur/ferme-terril", "/producteur/ferme-terril", {
        "quantite-carotte": "450", "prix-carotte": "1,55", "lot-carotte": "10",
        "quantite-chou": "30", "prix-chou": "2", "lot-chou": "",
        "quantite-pomme-de-terre": "700", "prix-pomme-de-terre": "1,1", "lot-pomme-de-terre": "10"})
    assert response.status_code == 303
    with app.app_context():
        offers = {o.product_id: (o.quantity, o.unit_price_eur, o.lot)
                  for o in get_session().exec(select(Offer).where(Offer.producer_id == "ferme-terril"))}
    assert offers["carotte"] == (450, 1.55, 10)
    assert offers["chou"] == (30, 2, 1.0)
    assert "pomme-de-terre" in offers
    assert len(offers) == 3  # the demo's other rows were left empty: deleted
    after = text(client.get(response.headers["Location"]))
    assert "Offres enregistrées" in after and 'name="prix-carotte" type="text" inputmode="decimal" size="7"' in after
    assert 'value="1,55"' in after  # prices keep their cents when the grid is saved again


def test_producer_grid_shows_errors_next_to_the_rows_and_stores_nothing(app):
    build_people(app)
    client = signed_in(app, "producer")
    bad = post_form(client, "/producteur/ferme-terril", "/producteur/ferme-terril", {
        "quantite-carotte": "beaucoup", "quantite-chou": "10", "prix-chou": ""})
    assert bad.status_code == 422
    assert "Nombre invalide." in text(bad) and 'aria-invalid="true"' in text(bad)
    missing_price = post_form(client, "/producteur/ferme-terril", "/producteur/ferme-terril", {
        "quantite-chou": "10", "prix-chou": ""})
    assert missing_price.status_code == 422 and "Indiquez le prix unitaire." in text(missing_price)
    with app.app_context():
        assert get_session().exec(select(Offer).where(Offer.product_id == "chou",
                                                      Offer.producer_id == "ferme-terril")).first() is None


def test_closed_offer_window_is_explained_in_french_not_a_500(app):
    build_people(app, state="orders_open")
    client = signed_in(app, "producer")
    assert "La saisie des offres n'est pas ouverte" in text(client.get("/producteur/ferme-terril"))
    token = csrf_of(client.get("/producteur/ferme-terril").get_data(as_text=True))
    late = client.post("/producteur/ferme-terril", data={"csrf_token": token, "semaine": WEEK,
                                                          "quantite-carotte": "1", "prix-carotte": "1"})
    assert late.status_code == 409
    assert "offres" in text(late) and 'role="alert"' in text(late)


def test_copy_last_week_prefills_from_the_previous_week(app):
    build_people(app)
    client = signed_in(app, "producer")
    page = text(client.get("/producteur/ferme-terril?copier=1"))
    assert "Aucune offre la semaine précédente" in page


def test_canteen_order_computes_kilos_from_grammages_server_side(app):
    build_people(app, state="orders_open")
    client = signed_in(app, "canteen")
    page = text(client.get("/cantine/mat-loos"))
    assert "Repas commandés par jour de livraison" in page and 'data-grammes="100.0"' in page
    response = post_form(client, "/cantine/mat-loos", "/cantine/mat-loos/jours/2026-12-01", {
        "repas-carotte-maternelle": "80", "repas-pomme-maternelle": "80", "permanente": "1"})
    assert response.status_code == 303, text(response)[:500]
    with app.app_context():
        order = get_session().exec(select(MealOrder).where(MealOrder.canteen_id == "mat-loos",
                                                           MealOrder.day == date(2026, 12, 1))).one()
        assert order.standing and {line["product"] for line in order.lines} == {"carotte", "pomme"}
    after = text(client.get(response.headers["Location"]))
    assert "Commande mise à jour." in after
    assert '<output class="kilos" data-produit="carotte" aria-live="polite">10</output>' in after


def test_canteen_errors_are_shown_next_to_the_form(app):
    build_people(app, state="orders_open")
    client = signed_in(app, "canteen")
    bad = post_form(client, "/cantine/mat-loos", "/cantine/mat-loos/jours/2026-12-01",
                    {"repas-carotte-maternelle": "-3"})
    assert bad.status_code == 422 and "nombre entier de repas" in text(bad)
    outside = post_form(client, "/cantine/mat-loos", "/cantine/mat-loos/jours/2027-01-05",
                        {"repas-carotte-maternelle": "3"})
    assert outside.status_code == 422 and "en dehors de la semaine" in text(outside)


def test_relay_baskets_are_saved_per_type_and_day(app):
    build_people(app, state="orders_open")
    client = signed_in(app, "relay")
    page = text(client.get("/relais/rp-lens"))
    assert "Paniers commandés" in page and "Petit panier" in page
    response = post_form(client, "/relais/rp-lens", "/relais/rp-lens", {"paniers-2026-12-01-petit": "9",
                                                                        "paniers-2026-12-01-moyen": "x"})
    assert response.status_code == 422 and "nombre entier de paniers" in text(response)
    ok = post_form(client, "/relais/rp-lens", "/relais/rp-lens", {"paniers-2026-12-01-petit": "9"})
    assert ok.status_code == 303
    assert "Commande de paniers enregistrée." in text(client.get(ok.headers["Location"]))


def test_coordinator_moves_the_week_and_sees_refusals_in_french(app):
    build_people(app, state="offers_open")
    client = signed_in(app, "coordinator")
    page = text(client.get("/coordination"))
    assert "Échéances" in page and "Clôture des commandes" in page
    assert "Passer la semaine à « commandes ouvertes »" in page
    moved = post_form(client, "/coordination", "/coordination/etat", {"vers": "orders_open"})
    assert moved.status_code == 303
    assert "est maintenant « commandes ouvertes »" in text(client.get(moved.headers["Location"]))
    refused = post_form(client, "/coordination", "/coordination/publier", {})
    assert "n'a pas encore de plan" in text(client.get(refused.headers["Location"]))


@pytest.mark.parametrize("state", ["closed"])
def test_planned_week_shows_allocation_baskets_rounds_and_documents(app, state):
    build_people(app, state=state)
    coordinator = signed_in(app, "coordinator")
    planned = post_form(coordinator, "/coordination", "/coordination/tournees", {})
    assert planned.status_code == 303
    page = text(coordinator.get(planned.headers["Location"]))
    assert "Tournées calculées" in page and "Objectifs d'approvisionnement local" in page
    assert 'class="route-map"' in page and "Manques (" in page and "Répartition (" in page
    summary = coordinator.get(f"/coordination/synthese.pdf?semaine={WEEK}")
    assert summary.mimetype == "application/pdf"

    canteen = text(signed_in(app, "canteen").get("/cantine/mat-loos"))
    assert "Livraisons prévues" in canteen and "Ce qui manque" in canteen
    relay = signed_in(app, "relay")
    assert "Composition des paniers" in text(relay.get("/relais/rp-lens"))
    note = relay.get(f"/sites/rp-lens/bon-de-livraison.pdf?semaine={WEEK}")
    assert note.mimetype == "application/pdf"
    assert relay.get(f"/sites/rp-lievin/bon-de-livraison.pdf?semaine={WEEK}").status_code == 404

    driver = signed_in(app, "driver")
    rounds = text(driver.get("/chauffeur"))
    assert "Ouvrir la feuille de route (PDF)" in rounds
    link = rounds.split('href="/tournees/')[1].split('"')[0]
    sheet = driver.get("/tournees/" + link)
    assert sheet.mimetype == "application/pdf"
    assert "Feuille de route" in PdfReader(io.BytesIO(sheet.data)).pages[0].extract_text()
    producer = signed_in(app, "producer")
    assert producer.get(f"/producteur/ferme-terril/bon-de-preparation.pdf?semaine={WEEK}").mimetype \
        == "application/pdf"


def test_service_refusals_on_pages_are_french_html_never_a_500(app):
    build_people(app)
    client = signed_in(app, "producer")
    unknown = client.get("/producteur/ferme-terril?semaine=2030-W01")
    assert unknown.status_code == 404 and unknown.mimetype == "text/html"
    assert "La semaine 2030-W01 n'existe pas encore." in text(unknown)
    early = client.get(f"/producteur/ferme-terril/bon-de-preparation.pdf?semaine={WEEK}")
    assert early.status_code == 404 and "n'a pas encore de plan" in text(early)
