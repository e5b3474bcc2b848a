from pathlib import Path

import pytest

from orders.grammage import Grammage, GrammageTable, MissingGrammage, load_grammages

PORTIONS = Path("/work/shared/data/portions.csv")
LOCAL = Path(__file__).resolve().parents[2] / "orders" / "data" / "portions.csv"


def test_kg_needed_is_grams_times_meals_over_yield():
    table = GrammageTable([Grammage("carotte", "maternelle", 100, 0.8)])
    assert table.kg_needed("carotte", {"maternelle": 80}) == pytest.approx(100 * 80 / 0.8 / 1000)


def test_missing_grammage_names_product_and_age_group():
    table = GrammageTable([Grammage("carotte", "maternelle", 100, 0.8)])
    with pytest.raises(MissingGrammage) as err:
        table.kg_needed("carotte", {"foyer": 10})
    assert "carotte" in str(err.value) and "foyer" in str(err.value)
    assert err.value.status == 422


@pytest.mark.parametrize("path", [p for p in (PORTIONS, LOCAL) if p.exists()])
def test_loader_reads_csv_and_defaults_to_garniture_use(path):
    grammages = load_grammages(path)
    table = GrammageTable(grammages)
    assert table.get("carotte", "maternelle").grams == 100  # garniture row, not crudité
    assert table.get("carotte", "maternelle", use="crudite (entree)").grams == 50
    assert table.get("oeuf", "foyer").yield_ratio == pytest.approx(0.88)
    assert {g.age_group for g in grammages} == {"maternelle", "elementaire", "adulte", "foyer"}
