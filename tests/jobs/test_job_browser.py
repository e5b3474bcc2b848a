"""In Chromium: the coordination page follows a job run by a real worker, without a reload."""
from __future__ import annotations

import shutil
import threading

import pytest
from werkzeug.serving import make_server

from tests.web.people import NAMES, PASSWORD, build_people

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None

pytestmark = pytest.mark.skipif(sync_playwright is None or shutil.which(CHROMIUM) is None,
                                reason="browser tests need Chromium at /usr/bin/chromium and playwright")


def test_the_page_shows_progress_then_the_rounds_without_a_reload(lane):
    app = lane.app()
    build_people(app, state="closed")
    lane.start_worker()
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{httpd.server_port}"
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
            page = browser.new_context(locale="fr-FR").new_page()
            page.set_default_timeout(120_000)
            page.goto(base + "/connexion")
            page.get_by_label("Nom d'utilisateur").fill(NAMES["coordinator"])
            page.get_by_label("Mot de passe").fill(PASSWORD)
            page.get_by_role("button", name="Se connecter").click()
            page.goto(base + "/coordination?semaine=2026-W49")
            page.get_by_role("button", name="Calculer les tournées").click()
            panel = page.locator("#travail")
            expect(panel).to_be_visible()
            assert panel.get_attribute("data-fini") == "non"  # the job was not done when the page was drawn
            page.evaluate("() => { window.__sansRechargement = true; }")
            # the script fills in the result on this very page (the marker survives: no reload yet)
            page.wait_for_function("() => document.querySelector('#travail').dataset.fini === 'oui' "
                                   "&& window.__sansRechargement === true", polling=50)
            expect(page.locator(".travail-message")).to_contain_text("Tournées calculées")
            assert page.locator(".travail-barre").evaluate("el => el.value") == 100
            # then the page shows the new rounds
            expect(page.get_by_role("heading", name="Tournées (", exact=False)).to_be_visible()
            browser.close()
    finally:
        httpd.shutdown()
        thread.join()
