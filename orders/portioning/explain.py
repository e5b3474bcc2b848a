"""Why a demand was not fully served (`shortfalls`), and why stock stayed at a farm (`unsold`).

Shortfall reasons, for a canteen line (canteen, day, product) missing m units, checked in order:

* `no_offer`        no offer of the product is open that day;
* `forbidden`       a forbid of the coordinator keeps the product from this consumer;
* `lot_size`        lots are still unsold but one more would leave over a lot above the orders
                    (or the solver stopped early: `time_limit`);
* `exhausted_by_priority`  the day's lots are all taken and part went to a higher tier;
* `supply_short`    the day's lots are all taken by consumers of the same or a lower tier, shared by
                    max–min fill rate.

A basket group (relay point, day, basket type) missing baskets gets `no_offer`,
`exhausted_by_priority`, `supply_short` (what is left that day weighs less than the missing baskets
at their floor weight) or `basket_rules` (enough left by weight, but not in a mix meeting even the
reduced basket's floor rules: distinct products, maximum share, price, whole pieces).

Unsold reasons (`UNSOLD_FR`), for whole lots left of an offer: `no_demand` (nobody ordered the
product, nor baskets, on its days), `demand_met` (every order that could take it is fully served),
`basket_rules` (relay points are short on its days but the product is already at its maximum share
of the baskets, or no basket — even reduced — can be made of what is left), `lot_size` (canteens are
short by less than the lots left would overshoot), `time_limit`; and `below_one_lot` for an offer's
remainder smaller than one lot, which is never sold. Every text ends with the consumer's tier.
"""
from __future__ import annotations

from collections import defaultdict

from orders.portioning.baskets import floor_rules
from orders.portioning.demand import MU, Prepared
from orders.portioning.model import BasketPlan, Shortfall, Unsold
from orders.portioning.policy import RELAY_KIND, Ranking
from orders.portioning.pooled import Pooled

TEXT_FR = {
    "no_offer": "Aucune offre de {name} disponible le {day} : il manque {missing} {unit}.",
    "forbidden": "{name} exclu pour ce site le {day} par la coordination : il manque {missing} {unit}.",
    "lot_size": "Il manque {missing} {unit} de {name} le {day} : un lot de plus ({lot} {unit}) dépasserait "
                "les commandes de plus d'un lot.",
    "time_limit": "Il manque {missing} {unit} de {name} le {day} : le calcul s'est arrêté avant la fin.",
    "exhausted_by_priority": "Offre de {name} épuisée le {day} par des commandes prioritaires "
                             "(objectifs de la collectivité) : il manque {missing} {unit}.",
    "supply_short": "Offre de {name} insuffisante le {day}, partagée équitablement entre les sites "
                    "encore servis en dessous de leur commande : il manque {missing} {unit}.",
}
BASKET_TEXT_FR = {
    "no_offer": "{missing} panier(s) {name} non composé(s) le {day} : aucune offre ce jour-là.",
    "exhausted_by_priority": "{missing} panier(s) {name} non composé(s) le {day} : l'offre est allée "
                             "aux commandes prioritaires.",
    "supply_short": "{missing} panier(s) {name} non composé(s) le {day} : offre insuffisante, partagée "
                    "équitablement entre les sites.",
    "basket_rules": "{missing} panier(s) {name} non composé(s) le {day} : le reste de l'offre ne permet "
                    "pas même un panier réduit (au moins {floor_products} produits, {floor_kg} kg).",
    "time_limit": "{missing} panier(s) {name} non composé(s) le {day} : le calcul s'est arrêté avant la fin.",
}
UNSOLD_FR = {
    "no_demand": "Personne n'a commandé de {name} (ni de paniers) les jours où l'offre est disponible.",
    "demand_met": "Toutes les commandes qui pouvaient en prendre sont servies en entier.",
    "basket_rules": "Des paniers manquent mais {name} y a déjà sa part maximale, ou le reste ne permet "
                    "pas même un panier réduit.",
    "lot_size": "Les cantines à court en manquent de moins qu'un lot de plus ne dépasserait.",
    "time_limit": "Le calcul s'est arrêté avant la fin.",
    "below_one_lot": "Reste de l'offre plus petit qu'un lot ({lot} {unit}) : on n'achète que des lots entiers.",
    "forbidden": "Les sites à court ont exclu ce produit ou ce producteur.",
}


def _fmt(x: float) -> str:
    return f"{x:.3f}".rstrip("0").rstrip(".").replace(".", ",")


def _left_on_day(prep: Prepared, class_day: dict[tuple[int, str], int]) -> dict[tuple[str, str], int]:
    """Milli-units still unsold and open on each (product, day) (weekly lots shared by the days)."""
    used: dict[int, int] = defaultdict(int)
    for (ci, _d), n in class_day.items():
        used[ci] += n
    out: dict[tuple[str, str], int] = defaultdict(int)
    for ci, c in enumerate(prep.classes):
        left = c.lots - used[ci]
        if left > 0:
            for d in prep.days:
                if c.available_on(d):
                    out[(c.product, d)] += left * c.lot_mu
    return out


def _takers(prep: Prepared, pooled: Pooled, line_s: list[int], baskets: list[BasketPlan]) -> dict:
    """(product, day) → tier ranks of the consumers that received it."""
    out: dict[tuple[str, str], set[int]] = defaultdict(set)
    for i, s in enumerate(line_s):
        ln = prep.canteen_lines[i]
        if s > 0:
            out[(ln.product, ln.day)].add(pooled.consumers[ln.canteen].rank)
    for b in baskets:
        if b.count and b.relay_point in pooled.consumers:
            for pid, _ in b.contents + b.reduced_contents:
                out[(pid, b.day)].add(pooled.consumers[b.relay_point].rank)
    return out


def shortfalls(prep: Prepared, pol: Ranking, pooled: Pooled, line_s: list[int], baskets: list[BasketPlan],
               class_day: dict[tuple[int, str], int], optimal: bool) -> list[Shortfall]:
    left = _left_on_day(prep, class_day)
    takers = _takers(prep, pooled, line_s, baskets)
    out: list[Shortfall] = []
    for i, ln in enumerate(prep.canteen_lines):
        missing_mu = ln.need_mu - line_s[i]
        if missing_mu <= 0:
            continue
        prod = prep.products[ln.product]
        rank = pol.rank_of(ln.canteen, ln.kind)
        open_ = prep.classes_open(ln.product, ln.day)
        min_lot = min((prep.classes[ci].lot_mu for ci in open_), default=0)
        if not open_:
            reason = "no_offer"
        elif i not in pooled.s:
            reason = "forbidden"
        elif left.get((ln.product, ln.day), 0) > 0:
            reason = "lot_size" if optimal else "time_limit"
        elif any(r < rank for r in takers.get((ln.product, ln.day), ())):
            reason = "exhausted_by_priority"
        else:
            reason = "supply_short"
        missing = round(missing_mu / MU, 3)
        text = TEXT_FR[reason].format(name=prod.name or prod.id, day=ln.day, missing=_fmt(missing),
                                      unit=prod.unit, lot=_fmt(min_lot / MU))
        text += f" Priorité : {pol.tier_fr(rank)}."
        target_kind = pol.tiers[rank].name if rank < len(pol.tiers) and pol.tiers[rank].target > 0 else None
        out.append(Shortfall(ln.canteen, ln.product, ln.day, missing, reason, text, prod.unit, None,
                             target_kind, pol.tier_name(rank)))

    for g, b in zip(prep.basket_groups, baskets, strict=True):
        missing = g.count - b.count
        if missing <= 0:
            continue
        bt = g.basket_type
        rank = pol.rank_of(g.relay_point, RELAY_KIND)
        fmp, fkg = floor_rules(bt)
        open_ = [ci for ci, c in enumerate(prep.classes) if c.available_on(g.day) and c.lots > 0]
        left_g = sum(mu * prep.products[pid].unit_kg for (pid, d), mu in left.items() if d == g.day)
        if not open_:
            reason = "no_offer"
        elif left_g >= missing * fkg * 1000:
            reason = "basket_rules" if optimal else "time_limit"
        elif any(r < rank for (pid, d), rs in takers.items() if d == g.day for r in rs):
            reason = "exhausted_by_priority" if b.count == 0 else "supply_short"
        else:
            reason = "supply_short"
        text = BASKET_TEXT_FR[reason].format(name=bt.name or bt.id, day=g.day, missing=missing,
                                             floor_products=fmp, floor_kg=_fmt(fkg))
        text += f" Priorité : {pol.tier_fr(rank)}."
        target_kind = pol.tiers[rank].name if rank < len(pol.tiers) and pol.tiers[rank].target > 0 else None
        out.append(Shortfall(g.relay_point, bt.id, g.day, float(missing), reason, text, "basket", bt.id,
                             target_kind, pol.tier_name(rank)))
    out.sort(key=lambda s: (s.day, s.consumer, s.product))
    return out


def unsold(prep: Prepared, pooled: Pooled, line_s: list[int], baskets: list[BasketPlan],
           used_lots: dict[int, int], optimal: bool) -> list[Unsold]:
    short_lines: dict[tuple[str, str], list[int]] = defaultdict(list)
    ordered_lines: set[tuple[str, str]] = set()
    for i, ln in enumerate(prep.canteen_lines):
        ordered_lines.add((ln.product, ln.day))
        if line_s[i] < ln.need_mu:
            short_lines[(ln.product, ln.day)].append(i)
    basket_days = {g.day for g in prep.basket_groups}
    short_basket_days = {b.day for b in baskets if b.count < b.ordered}
    out: list[Unsold] = []
    for oi, o in enumerate(prep.offers):
        prod = prep.products[o.product]
        days = [d for d in prep.days if o.available_on(d)]
        day = days[0] if len(days) == 1 else (o.days[0] if o.days and len(o.days) == 1 else None)
        left_lots = o.lots - used_lots.get(oi, 0)
        name = prod.name or prod.id
        if left_lots > 0:
            qty = left_lots * o.lot
            eligible = [d for d in days if (o.product, d) in ordered_lines or d in basket_days]
            lines_short = [i for d in days for i in short_lines.get((o.product, d), ())]
            canteen_short = [i for i in lines_short if i in pooled.s]
            if not eligible:
                reason = "no_demand"
            elif not optimal and (lines_short or any(d in short_basket_days for d in days)):
                reason = "time_limit"
            elif canteen_short:
                reason = "lot_size"
            elif any(d in short_basket_days for d in days):
                reason = "basket_rules"
            elif lines_short:
                reason = "forbidden"
            else:
                reason = "demand_met"
            out.append(Unsold(o.producer, o.product, day, round(qty, 3), reason,
                              UNSOLD_FR[reason].format(name=name, lot=_fmt(o.lot), unit=prod.unit), o.id,
                              round(qty * prod.unit_kg, 3)))
        rest = round(o.quantity - o.lots * o.lot, 6)
        if rest > 1e-6:
            out.append(Unsold(o.producer, o.product, day, rest, "below_one_lot",
                              UNSOLD_FR["below_one_lot"].format(name=name, lot=_fmt(o.lot), unit=prod.unit),
                              o.id, round(rest * prod.unit_kg, 3)))
    out.sort(key=lambda u: (u.producer, u.product, u.offer, u.reason))
    return out
