"""Grammages: how many kilograms of a product a number of meals needs.

A grammage is the net portion served to one eater of an age group (grams) and the raw-to-net yield
of the product (peeling, trimming): the raw kilograms to order for `meals` eaters are

    kg = grams × meals / yield / 1000

A product can have several uses with different portions (carrots raw as a starter, or cooked as a
side dish). The table is keyed by (product, use, age_group). **Rule when a meal line names no use**:
the product's "garniture" row (the main-course use, whose `use` text contains "garniture") if it
has one, else its first row in file order. A meal line that names a use gets exactly that row.

A missing grammage is a domain error (`MissingGrammage`, HTTP 422 through `app/errors.py`): the
planner must not guess a portion size.
"""
from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from orders.errors import InvalidInput

AGE_COLUMNS = {
    "maternelle": "maternelle_g",
    "elementaire": "elementaire_g",
    "adulte": "adulte_g",
    "foyer": "foyer_g",
}
DEFAULT_USE_MARKER = "garniture"


class MissingGrammage(InvalidInput):
    """No portion size is known for a product and an age group."""

    code = "missing_grammage"

    def __init__(self, product: str, age_group: str, use: str = ""):
        what = f"{product!r} ({use})" if use else repr(product)
        super().__init__(
            f"no grammage for product {what} and age group {age_group!r}",
            f"aucun grammage pour le produit {what} et la tranche d'âge {age_group!r}",
            field="grammages",
        )
        self.product = product
        self.age_group = age_group
        self.use = use


@dataclass(frozen=True, slots=True)
class Grammage:
    """Net grams served per eater of `age_group`, and the raw-to-net yield (0 < yield ≤ 1)."""

    product: str
    age_group: str
    grams: float
    yield_ratio: float = 1.0
    use: str = ""

    def __post_init__(self) -> None:
        if self.grams < 0:
            raise InvalidInput(f"negative grammage for {self.product}/{self.age_group}")
        if not 0 < self.yield_ratio <= 1:
            raise InvalidInput(f"yield of {self.product} must be in (0, 1], got {self.yield_ratio}")


class GrammageTable:
    """Lookup of grammages by (product, age_group[, use]) following the default-use rule above."""

    def __init__(self, grammages: Iterable[Grammage]):
        self._by_use: dict[tuple[str, str, str], Grammage] = {}
        self._default_use: dict[str, str] = {}
        for g in grammages:
            self._by_use.setdefault((g.product, g.use, g.age_group), g)
            current = self._default_use.get(g.product)
            if current is None or (
                DEFAULT_USE_MARKER in g.use and DEFAULT_USE_MARKER not in current
            ):
                self._default_use[g.product] = g.use

    def get(self, product: str, age_group: str, use: str = "") -> Grammage:
        key_use = use if use else self._default_use.get(product, "")
        g = self._by_use.get((product, key_use, age_group))
        if g is None:
            raise MissingGrammage(product, age_group, use)
        return g

    def kg_needed(self, product: str, meals: Mapping[str, int], use: str = "") -> float:
        """Raw kilograms of `product` for `meals` (age group → number of eaters)."""
        total = 0.0
        for age_group in sorted(meals):
            count = meals[age_group]
            if count <= 0:
                continue
            g = self.get(product, age_group, use)
            total += g.grams * count / g.yield_ratio / 1000.0
        return total


def load_grammages(path: str | Path) -> list[Grammage]:
    """Read a portions CSV (columns product, category, use, maternelle_g, elementaire_g, adulte_g,
    foyer_g, yield_raw_to_net, source) into one `Grammage` per (product, use, age group).

    Empty cells are skipped (that age group then has no grammage for the product). Rows keep the
    file order, which the default-use rule relies on.
    """
    out: list[Grammage] = []
    with open(path, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            product = (row.get("product") or "").strip()
            if not product:
                continue
            use = (row.get("use") or "").strip()
            yield_ratio = float(row.get("yield_raw_to_net") or 1.0)
            for age_group, column in AGE_COLUMNS.items():
                cell = (row.get(column) or "").strip()
                if cell:
                    out.append(Grammage(product, age_group, float(cell), yield_ratio, use))
    return out
