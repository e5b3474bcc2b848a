import re
from decimal import Decimal

from reports.delivery_note import (
    BasketComposition,
    BasketItem,
    DeliveryNote,
    NoteLine,
    render_delivery_note_pdf,
    render_delivery_notes_pdf,
)
from reports.pick_list import PickDestination, PickLine, PickList, render_pick_list_html, render_pick_list_pdf
from reports.summary import (
    ProducerKilos,
    RoundTotal,
    ShortfallRow,
    TargetResult,
    WeeklySummary,
    render_summary_pdf,
)
from tests.reports.helpers import pages_text


def sample_pick_list() -> PickList:
    return PickList(
        producer="Élevage Lefebvre",
        day="2026-12-03",
        drop_off="Base 11/19, avant 06:30",
        lines=(
            PickLine("Bœuf haché", 25, "kg", 4, lot=5, cold=True, destinations=(
                PickDestination("École maternelle Curie — Avion", 15, 2),
                PickDestination("Foyer logement Résidence du Parc", 10, 2),
            )),
            PickLine("Œufs plein air", 12, "dozen", 1, lot=6, destinations=(
                PickDestination("Point relais Médiathèque — Hulluch", 12, 1),
            )),
        ),
    )


def test_pick_list_counts_lots_and_crates():
    pick = sample_pick_list()
    assert [line.lots for line in pick.lines] == [5, 2]
    assert pick.crates == 5
    text = "\n".join(pages_text(render_pick_list_pdf(pick)))
    assert "jeudi 3 décembre 2026" in text
    assert "5 × 5 kg" in text and "12 douzaines" in text
    assert "Base 11/19, avant 06:30" in text


def test_crate_labels_one_per_crate_numbered_per_destination_and_product():
    pick = sample_pick_list()
    labels = pick.labels
    assert len(labels) == pick.crates
    assert [(lab.destination.split(" — ")[0], lab.index, lab.total) for lab in labels[:4]] == [
        ("École maternelle Curie", 1, 2), ("École maternelle Curie", 2, 2),
        ("Foyer logement Résidence du Parc", 1, 2), ("Foyer logement Résidence du Parc", 2, 2),
    ]
    assert labels[0].quantity == 7.5
    html = render_pick_list_html(pick)
    assert html.count('class="crate-label"') == 5
    text = "\n".join(pages_text(render_pick_list_pdf(pick)))
    assert "caisse 1/2" in text and "caisse 1/1" in text


def test_delivery_note_line_totals_and_total_in_euros():
    note = DeliveryNote(
        recipient="École maternelle Les Tilleuls — Lens",
        day="2026-12-01",
        lines=(NoteLine("Carotte", 12.5, "kg", 1.8), NoteLine("Bœuf haché", 3, "kg", 14.333),
               NoteLine("Poireau", 7, "bunch", 1.05)),
    )
    assert [line.total_eur for line in note.lines] == [Decimal("22.50"), Decimal("43.00"), Decimal("7.35")]
    assert note.total_eur == Decimal("72.85")
    text = "\n".join(pages_text(render_delivery_note_pdf(note)))
    assert "22,50 €" in text and "14,33 €" in text and "72,85 €" in text
    assert "7 bottes" in text
    assert "mardi 1er décembre 2026" in text


def test_relay_point_note_shows_basket_composition_and_count():
    note = DeliveryNote(
        recipient="Point relais Médiathèque — Hulluch", day="2026-12-03", kind="relay",
        lines=(NoteLine("Carotte", 20, "kg", 1.8),),
        baskets=(BasketComposition("petit", 12, (BasketItem("Carotte", 1.5), BasketItem("Œufs plein air", 0.5, "dozen")),
                                   price_eur=12.0),),
    )
    text = "\n".join(pages_text(render_delivery_note_pdf(note)))
    assert "Paniers (12)" in text
    assert "12 paniers « petit »" in text and "12,00 € le panier" in text
    assert "18 kg" in text  # 1,5 kg × 12 baskets
    assert "Œufs plein air" in text


def test_several_notes_one_per_page():
    notes = [DeliveryNote(f"Cantine {n}", "2026-12-01", (NoteLine("Carotte", 1, "kg", 2),)) for n in range(3)]
    pages = pages_text(render_delivery_notes_pdf(notes))
    assert len(pages) == 3
    assert all(f"Cantine {n}" in pages[n] for n in range(3))


def test_weekly_summary_targets_chart_and_shortfalls():
    summary = WeeklySummary(
        week="2026-W49",
        territory="Lens-Liévin",
        targets=(TargetResult("maternelle", 1.0, 1.0), TargetResult("foyer", 0.15, 0.12, 6.5)),
        shortfalls=(ShortfallRow("Foyer Résidence du Parc", "Bœuf haché", "2026-12-03", 6.5, "kg", "offre insuffisante"),),
        rounds=(RoundTotal("van-1", "2026-12-01", 23.6, 3, 117), RoundTotal("van-2", "2026-12-03", 35.4, 3, 144)),
        producers=(ProducerKilos("Ferme du Marais", 750, 3267.6), ProducerKilos("Élevage Lefebvre", 109.5, 1150.1)),
        cost_eur=26.87,
    )
    assert summary.km == 59.0
    svg = str(summary.chart_svg())
    assert len(re.findall(r'<g class="bar"', svg)) == 2
    assert 'fill="url(#hatch)"' in svg  # the missed target is hatched
    text = "\n".join(pages_text(render_summary_pdf(summary)))
    assert "NON ATTEINT" in text and "atteint" in text
    assert "6,5 kg" in text and "offre insuffisante" in text
    assert "59 km" in text
    assert "859,5 kg" in text and "4 417,70 €" in text
