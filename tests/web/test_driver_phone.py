"""A driver walks through a round on a phone viewport (390×844) in Chromium, with an offline
stretch: confirmations made without network wait in the page and are sent when it comes back;
the week closes from the confirmations (issue 18)."""
from __future__ import annotations

from sqlmodel import select

from app.db import get_session, unit_of_work
from app.models import Confirmation, Round, Week
from app.services import delivery, weeks
from tests.app.test_planning_api import run_job
from tests.web.people import WEEK, build_people
from tests.web.test_browser import browser, open_as, pytestmark, server, shot  # noqa: F401  (fixtures)

__all__ = ["pytestmark"]


def published_week(app):
    world = build_people(app, state="closed")
    run_job(world, f"/api/v1/weeks/{WEEK}/rounds")
    with app.app_context():
        with unit_of_work() as session:
            week = session.exec(select(Week).where(Week.iso_week == WEEK)).one()
            weeks.transition(session, week, "published", None, actor="test")
            rounds = session.exec(select(Round).where(Round.driver == "Karim Benali")
                                  .order_by(Round.day, Round.start)).all()
            return world, [r.id for r in rounds]


def confirmations(app) -> list[Confirmation]:
    with app.app_context():
        return list(get_session().exec(select(Confirmation).order_by(Confirmation.recorded_at)))


def test_a_driver_confirms_a_round_on_a_phone_with_an_offline_stretch(app, server, browser):  # noqa: F811
    _, round_ids = published_week(app)
    page = open_as(browser, server, "driver", phone=True)
    page.goto(f"{server}/chauffeur/tournees/{round_ids[0]}")
    stops = page.locator("li.arret:has(form.confirmation)")
    count = stops.count()
    assert count >= 2
    assert page.locator("a[href^='geo:']").count() >= count
    first = stops.nth(0)
    first.get_by_label("Remis à (nom)").fill("Mme Dupré")
    first.get_by_role("button", name="Confirmer l'arrêt").click()
    page.wait_for_function("() => document.querySelectorAll('li.arret.confirme').length >= 1")
    assert len(confirmations(app)) == 1

    page.context.set_offline(True)  # a tunnel: two stops confirmed without network
    second = page.locator("li.arret:has(form.confirmation)").nth(0)
    second.get_by_label("Livré en partie").check()
    partial = second.locator("fieldset.partiel input[type=number]").nth(0)
    partial.fill("1")
    second.get_by_label("Caisses reprises").fill("2")
    second.get_by_role("button", name="Confirmer l'arrêt").click()
    page.wait_for_function("() => document.querySelector('.reseau') && !document.querySelector('.reseau').hidden")
    assert "en attente de réseau" in page.locator(".reseau").inner_text()
    shot(page, "chauffeur-hors-ligne.png")
    assert len(confirmations(app)) == 1  # nothing reached the server yet

    page.context.set_offline(False)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    page.wait_for_function("() => document.querySelector('.reseau').hidden")
    stored = confirmations(app)
    assert len(stored) == 2 and stored[1].outcome == "partial" and stored[1].crates_back == {"caisse": 2}
    assert stored[0].recipient == "Mme Dupré"

    # the rest of the driver's rounds, stop after stop: every one of them ends confirmed
    for round_id in round_ids:
        page.goto(f"{server}/chauffeur/tournees/{round_id}")
        while page.locator("form.confirmation").count():
            left = page.locator("form.confirmation").count()
            page.locator("form.confirmation").nth(0).get_by_role("button", name="Confirmer l'arrêt").click()
            page.wait_for_function("n => document.querySelectorAll('form.confirmation').length < n", arg=left)
    shot(page, "chauffeur-tournee.png")
    with app.app_context():
        session = get_session()
        rounds = session.exec(select(Round).where(Round.id.in_(round_ids))).all()
        progress = delivery.round_progress(session, list(rounds))
        assert all(done == total and total > 0 for done, total in progress.values()), progress
