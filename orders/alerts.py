"""What the coordinator must hear about: a publication to hold, a round left unconfirmed, a site
keeping too many crates. Pure rules on the typed week; `app/services/alerts.py` words, stores and
sends them."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from orders.plan import Plan
from orders.scenario import Scenario
from orders.targets import targets_against


@dataclass(frozen=True, slots=True)
class Hold:
    """A reason not to publish a week without the coordinator's say-so."""

    kind: str  # no_offers | target_missed
    target_kind: str | None = None  # the canteen kind whose target is missed
    served: float = 0.0
    target: float = 0.0


def publication_holds(scenario: Scenario, plan: Plan) -> list[Hold]:
    """A week with no offers, or whose plan misses a policy target, is held at `planned`."""
    holds = []
    if not any(o.quantity > 0 for o in scenario.offers):
        holds.append(Hold("no_offers"))
    for kind, outcome in targets_against(scenario, plan):
        if outcome.target > 0 and outcome.served + 1e-6 < outcome.target:
            holds.append(Hold("target_missed", kind, outcome.served, outcome.target))
    return holds


def crates_above(balance: Mapping[str, int], threshold: int | None) -> int | None:
    """The crates a site holds when above its threshold (None when fine or no threshold is set)."""
    held = sum(n for n in balance.values() if n > 0)
    return held if threshold is not None and held > threshold else None
