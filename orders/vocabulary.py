"""The words of the week, shared by the scenario, the solvers, the API and the tables."""
from __future__ import annotations

SITE_KINDS = ("hub", "producer", "relay", "canteen")
CANTEEN_KINDS = ("maternelle", "elementaire", "foyer")
AGE_GROUPS = ("maternelle", "elementaire", "adulte", "foyer")
PRODUCT_UNITS = ("kg", "piece", "bunch", "dozen")
