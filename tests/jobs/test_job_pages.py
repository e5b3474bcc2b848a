"""The coordination page runs planning as jobs: the panel shows stage and progress, then the result
or the French explanation of a failure; the page's JSON for its script."""
from __future__ import annotations

import html

from tests.app.world import WEEK
from tests.web.people import build_people, sign_in


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _post(client, action: str, fields: dict | None = None):
    from tests.web.people import csrf_of

    token = csrf_of(_text(client.get(f"/coordination?semaine={WEEK}")))
    return client.post(f"/coordination/{action}", data={"csrf_token": token, "semaine": WEEK, **(fields or {})})


def test_the_page_shows_the_job_then_its_result(app):
    build_people(app, state="closed")
    client = app.test_client()
    sign_in(client, "coordinator")
    res = _post(client, "tournees")
    assert res.status_code == 303 and "travail=" in res.headers["Location"]
    page = _text(client.get(res.headers["Location"]))
    assert 'id="travail"' in page and "Calcul des tournées" in page and "Tournées calculées (version" in page
    assert 'data-fini="oui"' in page and "travail.js" in page
    job_id = int(res.headers["Location"].split("travail=")[1].split("&")[0])
    data = client.get(f"/coordination/travaux/{job_id}").json
    assert data["state"] == "succeeded" and data["progress"] == 1.0 and data["finished"] is True
    assert data["message_fr"].startswith("Tournées calculées")
    assert client.get("/coordination/travaux/999999").status_code == 404


def test_a_failed_job_shows_its_french_explanation(app):
    world = build_people(app, state="closed")
    grammage = world.get("/api/v1/grammages/?product=yaourt&age_group=maternelle").json["items"][0]
    assert world.delete(f"/api/v1/grammages/{grammage['id']}").status_code == 204
    client = app.test_client()
    sign_in(client, "coordinator")
    res = _post(client, "repartition")
    page = _text(client.get(res.headers["Location"]))
    assert "en échec" in page and "yaourt" in page and 'class="travail-message message erreur"' in page
