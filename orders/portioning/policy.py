"""The allocation policy as data: ordered tiers with a target share, then max–min fill rate.

The input is `orders.scenario.Policy`, a tuple of `PolicyTier`s in priority order; a solve works with
its `Ranking` (`resolve`). A tier is a set of consumers, named by canteen
kind (`maternelle`, `elementaire`, `foyer`, or `relay_point` for every relay point) and/or by site id,
with a `target` share of what each of them ordered (1.0 = all of it). A consumer belongs to the first
tier that names it (a site id wins over a kind); consumers named by no tier are in the final tier
`FAIR_TIER` (target 0). After the tiers' targets, everything left is shared by **max–min fill rate**
across every consumer still short, whatever its tier (see solver.py).

The default (`default_policy`) is derived from the scenario's `targets` (`{"maternelle": 1.0,
"foyer": 0.15}` → two tiers, by target descending); `DEFAULT_TARGETS` when the scenario has none.
`policy_record` gives the plan's `policy` entry with a version hash of the tiers, so two plans made
under the same policy say so.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from orders.scenario import DEFAULT_TARGETS, Policy, PolicyTier

RELAY_KIND = "relay_point"
FAIR_TIER = "fair"
KIND_FR = {"maternelle": "maternelles", "elementaire": "élémentaires", "foyer": "foyers",
           RELAY_KIND: "points relais"}


@dataclass(frozen=True, slots=True)
class Ranking:
    """The policy a solve uses: its tiers in order, and where they came from."""

    tiers: tuple[PolicyTier, ...]
    source: str = "input"  # input | targets | default

    def to_dict(self) -> dict[str, Any]:
        return {"tiers": [{"name": t.name, "target": t.target, "kinds": list(t.kinds), "sites": list(t.sites)}
                          for t in self.tiers]}

    @property
    def version(self) -> str:
        blob = json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(blob.encode()).hexdigest()[:12]

    def rank_of(self, consumer: str, kind: str) -> int:
        """Index of the consumer's tier; len(tiers) for the final fair tier."""
        for i, t in enumerate(self.tiers):
            if consumer in t.sites:
                return i
        for i, t in enumerate(self.tiers):
            if kind in t.kinds:
                return i
        return len(self.tiers)

    def tier_name(self, rank: int) -> str:
        return self.tiers[rank].name if rank < len(self.tiers) else FAIR_TIER

    def tier_fr(self, rank: int) -> str:
        """French label of a tier, for explanations."""
        if rank >= len(self.tiers):
            return "partage équitable du reste"
        t = self.tiers[rank]
        who = ", ".join([KIND_FR.get(k, k) for k in t.kinds] + list(t.sites)) or t.name
        return f"palier {rank + 1} ({who}, objectif {round(t.target * 100)} %)"


def default_policy(targets: Iterable[tuple[str, float]] = ()) -> Ranking:
    """Tiers from the scenario's `targets` (kind → share), by share descending then kind."""
    pairs = [(k, float(v)) for k, v in targets if float(v) > 0]
    source = "targets" if pairs else "default"
    if not pairs:
        pairs = list(DEFAULT_TARGETS)
    pairs.sort(key=lambda kv: (-kv[1], kv[0]))
    return Ranking(tuple(PolicyTier(k, v, (k,)) for k, v in pairs), source)


def resolve(scenario: Any, policy: Policy | Ranking | None = None) -> Ranking:
    """The policy of a solve: the one given, else the scenario's, else from its targets."""
    if isinstance(policy, Ranking):
        return policy
    chosen = policy if policy is not None else getattr(scenario, "policy", None)
    if chosen is not None and chosen.tiers:
        return Ranking(tuple(chosen.tiers), "input")
    return default_policy(getattr(scenario, "targets", ()))


def policy_record(policy: Ranking) -> dict[str, Any]:
    """The plan's `policy` entry: tiers, then the rule for the rest, and a version hash."""
    return {**policy.to_dict(), "then": "max_min_fill_rate", "version": policy.version,
            "source": policy.source}
