"""Pages, PDFs and e-mails format French through reports/formatting.py only (issue 12)."""
from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from app.services import notify
from app.web import common
from reports import formatting, render

ROOT = Path(__file__).resolve().parents[2]
NN, NB = "\u202f", "\u00a0"


def test_the_three_channels_say_the_same():
    # pages
    assert common.number(1234.56) == f"1{NN}234,6" == formatting.number(1234.56, 1)
    assert common.day_fr("2026-12-01") == "mardi 1er décembre"
    assert common.UNIT_FR["piece"] == "pièce(s)"
    # PDFs
    assert render.FILTERS["number"] is formatting.number and render.FILTERS["french_date"]("2026-12-01") == \
        "mardi 1er décembre 2026"
    # e-mails
    subject, body = notify.reminder_text("orders", "2026-W49",
                                         datetime(2026, 12, 1, 12, 0, tzinfo=ZoneInfo("Europe/Paris")), "Paul")
    assert subject == "Rappel : passez votre commande avant mardi 1er décembre 2026 à 12:00"
    assert "semaine 2026-W49 (du 30 novembre au 6 décembre 2026)" in body


def test_no_hand_written_copy_is_left():
    """No month-name table, thousands-separator replace or ad-hoc '%d/%m' outside the module in the
    code that prints pages, PDFs and e-mails."""
    copies = re.compile(r'"janvier", "février"|replace\(",", "\\u202f"\)|replace\(",", "\\u00a0"\)|_group_thousands')
    places = [*(ROOT / "reports").glob("*.py"), *(ROOT / "app" / "web").glob("*.py"), ROOT / "app/services/notify.py"]
    found = [str(p.relative_to(ROOT)) for p in places
             if p.name != "formatting.py" and copies.search(p.read_text(encoding="utf-8"))]
    assert found == []
