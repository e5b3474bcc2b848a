import re

from reports.route_sheet import (
    render_day_sheets_html,
    render_day_sheets_pdf,
    render_route_sheet_html,
    render_route_sheet_pdf,
)
from tests.reports.helpers import make_sheet, make_stop, pages_text, squash


def test_stops_print_in_visiting_order_with_their_quantities():
    pdf = render_route_sheet_pdf(make_sheet(4))
    text = "\n".join(pages_text(pdf))
    positions = [text.index(f"{i} rue Émile Zola") for i in range(1, 5)]
    assert positions == sorted(positions)
    assert "12,5 kg" in text and "30 kg" in text
    assert "mardi 1er décembre 2026" in text
    assert "Françoise Debœuf" in text and "Bœuf haché" in text
    assert "froid" in text
    assert "06:30" in text and "07:10" in text  # departure and first ETA
    assert "43,3 km" in text


def test_accents_survive_into_the_pdf_text():
    sheet = make_sheet(1, stops=(make_stop(1, name="Cantine Œuvre de l’Égalité — Liévin, façade"),))
    text = "\n".join(pages_text(render_route_sheet_pdf(sheet)))
    for word in ("Liévin", "façade", "Œuvre", "Égalité", "Bœuf", "Chauffeur", "Arrivée".upper(), "Créneau".upper()):
        assert word in text, word


def test_loading_order_is_the_reverse_of_the_visiting_order():
    sheet = make_sheet(5)
    assert [s.sequence for s in sheet.loading_order] == [5, 4, 3, 2, 1]
    html = render_route_sheet_html(sheet)
    loading = html[html.index('class="loading-list"'):html.index("</table>", html.index('class="loading-list"'))]
    names = re.findall(r"Arrêt (\d\d) — Liévin", loading)
    assert names == ["05", "04", "03", "02", "01"]


def test_long_round_spans_pages_without_splitting_a_stop_block():
    pdf = render_route_sheet_pdf(make_sheet(30))
    pages = pages_text(pdf)
    assert len(pages) >= 5
    for number, page in enumerate(pages, start=1):
        assert f"page {number} / {len(pages)}" in page
        assert "Feuille de route · van-1" in page  # running header on every page
    for seq in range(1, 31):
        top = re.compile(rf"(?<!\d){seq} rue Émile Zola")  # first line of the block
        bottom = f"Chicorée lot {seq:02d}"  # last drop of the block
        holding_top = [i for i, page in enumerate(pages) if top.search(page)]
        holding_bottom = [i for i, page in enumerate(pages) if bottom in page]
        assert len(holding_top) == 1 and holding_top == holding_bottom, seq


def test_the_map_has_one_numbered_marker_per_stop_and_a_hub():
    sheet = make_sheet(12)
    svg = str(sheet.map_svg())
    markers = re.findall(r'<g class="stop-marker" data-seq="(\d+)">', svg)
    assert markers == [str(i) for i in range(1, 13)]
    assert svg.count('class="hub-marker"') == 1
    assert "http" not in svg.replace("http://www.w3.org/2000/svg", "")


def test_map_leaves_out_stops_without_coordinates():
    sheet = make_sheet(3, stops=(make_stop(1), make_stop(2, lat=None, lon=None), make_stop(3)))
    markers = re.findall(r'data-seq="(\d+)"', str(sheet.map_svg()))
    assert markers == ["1", "3"]


def test_day_pdf_starts_each_round_on_its_own_page():
    sheets = [make_sheet(2, vehicle=f"van-{n}") for n in (1, 2, 3)]
    html = render_day_sheets_html(sheets)
    assert html.count('<section class="round"') == 3
    pages = pages_text(render_day_sheets_pdf(sheets))
    starts = [i for i, page in enumerate(pages) if squash(page).startswith(squash("Feuille de route — Tournée"))]
    assert len(starts) == 3
    for index, vehicle in zip(starts, ("van-1", "van-2", "van-3"), strict=True):
        assert squash(pages[index]).startswith(squash(f"Feuille de route — Tournée {vehicle}"))
        assert f"Feuille de route · {vehicle}" in pages[index]  # the header follows the round


def test_minutes_and_strings_give_the_same_sheet():
    as_minutes = render_route_sheet_html(make_sheet(2, departure=390))
    as_string = render_route_sheet_html(make_sheet(2, departure="06:30"))
    assert as_minutes == as_string


def test_farm_pickups_are_loaded_at_the_farm_not_at_the_hub():
    stops = (make_stop(1, name="Verger de la Noulette", kind="pickup"), make_stop(2), make_stop(3))
    sheet = make_sheet(3, stops=stops)
    assert [s.sequence for s in sheet.loading_order] == [3, 2]
    assert sheet.crates == stops[1].crates + stops[2].crates
    text = squash("\n".join(pages_text(render_route_sheet_pdf(sheet))))
    assert squash("Enlèvement — Verger de la Noulette") in text
    assert "Chargé" in text and squash("Remis par") in text
