"""End to end in headless Chromium: a producer offers, a canteen orders, the coordinator plans, a driver
prints the route sheet; plus the refusals a browser sees. Screenshots go to a temporary folder, or
to docs/screenshots/ with TERRIL_SCREENSHOTS=1 (to refresh the ones the docs show).

Needs Debian's `chromium` (/usr/bin/chromium) and the `playwright` Python package (never
`playwright install`: the system browser is used). Skipped with the install command otherwise.
"""
from __future__ import annotations

import io
import os
import shutil
import tempfile
import threading
from pathlib import Path

import pytest
from pypdf import PdfReader
from werkzeug.serving import make_server

from tests.web.people import NAMES, PASSWORD, build_people

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
DOCS_SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SHOTS = DOCS_SHOTS if os.environ.get("TERRIL_SCREENSHOTS") == "1" else Path(tempfile.gettempdir()) / "terril-shots"
INSTALL = "apt-get install -y chromium && .venv/bin/pip install playwright"

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None

pytestmark = pytest.mark.skipif(
    sync_playwright is None or shutil.which(CHROMIUM) is None,
    reason=f"browser tests need Chromium at {CHROMIUM} and the playwright package: {INSTALL}")


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def server(app):
    """The app on a free loopback port, in a thread, against the test database."""
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join()


def open_as(browser, base: str, who: str, *, phone: bool = False):
    size = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 900}
    context = browser.new_context(viewport=size, locale="fr-FR", device_scale_factor=1)
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.goto(base + "/connexion")
    page.get_by_label("Nom d'utilisateur").fill(NAMES[who])
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()
    return page


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=True)


def test_a_week_from_offers_to_the_route_sheet(app, server, browser):
    build_people(app, state="offers_open")

    producer = open_as(browser, server, "producer")
    producer.get_by_label("Quantité — Carotte").fill("420")
    producer.get_by_label("Prix unitaire en euros — Carotte").fill("1,55")
    producer.get_by_role("button", name="Enregistrer mes offres").click()
    expect(producer.get_by_role("status").first).to_contain_text("Offres enregistrées")
    expect(producer.get_by_label("Quantité — Carotte")).to_have_value("420")
    expect(producer.get_by_label("Prix unitaire en euros — Carotte")).to_have_value("1,55")
    shot(producer, "producteur.png")

    coordinator = open_as(browser, server, "coordinator")
    coordinator.get_by_role("button", name="Passer la semaine à « commandes ouvertes »").click()
    expect(coordinator.get_by_role("status").first).to_contain_text("commandes ouvertes")

    canteen = open_as(browser, server, "canteen")
    carrots = canteen.get_by_label("Repas Maternelle — Carotte").first
    carrots.fill("80")
    # the kilos follow the typing (grams × meals / yield): 100 g × 80 / 0.8 = 10 kg
    expect(canteen.locator("form.commande-repas").first.locator('output.kilos[data-produit="carotte"]')) \
        .to_have_text("10")
    canteen.get_by_role("button", name="Enregistrer le").first.click()
    expect(canteen.get_by_role("status").first).to_contain_text("Commande mise à jour.")
    shot(canteen, "cantine.png")

    coordinator.get_by_role("button", name="Passer la semaine à « commandes closes »").click()
    expect(coordinator.get_by_role("status").first).to_contain_text("commandes closes")
    coordinator.get_by_role("button", name="Calculer les tournées").click()
    expect(coordinator.get_by_role("status").first).to_contain_text("Tournées calculées", timeout=60_000)
    expect(coordinator.locator("svg.route-map").first).to_be_visible()
    coordinator.get_by_text("Voir les manques").click()
    shot(coordinator, "coordination.png")

    relay = open_as(browser, server, "relay")
    expect(relay.get_by_role("heading", name="Composition des paniers")).to_be_visible()
    shot(relay, "relais.png")

    driver = open_as(browser, server, "driver", phone=True)
    button = driver.get_by_role("link", name="Ouvrir la feuille de route (PDF)").first
    expect(button).to_be_visible()
    shot(driver, "chauffeur.png")
    response = driver.context.request.get(server + button.get_attribute("href"))
    assert response.ok and response.headers["content-type"] == "application/pdf"
    sheet = PdfReader(io.BytesIO(response.body()))
    assert "Feuille de route" in sheet.pages[0].extract_text()


def test_refusals_seen_from_the_browser(app, server, browser):
    build_people(app)
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    page.goto(server + "/connexion")
    shot(page, "connexion.png")
    page.get_by_label("Nom d'utilisateur").fill(NAMES["producer"])
    page.get_by_label("Mot de passe").fill("pas-le-bon")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("alert")).to_have_text("Nom d'utilisateur ou mot de passe incorrect.")

    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.locator('input[name="csrf_token"]').evaluate("el => el.remove()")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name="Formulaire refusé")).to_be_visible()

    producer = open_as(browser, server, "producer")
    other = producer.goto(server + "/producteur/jardin-galibots")
    assert other.status == 404
    expect(producer.get_by_role("heading", name="Page introuvable")).to_be_visible()
    context.close()
