"""Why a demand was not fully served: one `Shortfall` per unmet canteen line or basket group.

Reasons (checked in this order for a canteen line (canteen, day, product) missing m units):

* `no_offer`        no offer of the product is available that day;
* `lot_size`        m is smaller than the smallest lot available that day, or lots are still unsold
                    but each is bigger than m (we never deliver more than ordered, invariant 1);
* `exhausted_by_priority`  the offers are exhausted and part of them went to a consumer of a higher
                    priority (a kind with a policy target ranked before, or canteens before baskets);
* `supply_short`    the offers are exhausted by consumers of the same priority (shared fairly).

A basket group (relay point, day, basket type) missing baskets gets `no_offer`,
`exhausted_by_priority`, `supply_short` (what is left that day weighs less than the missing
baskets) or `basket_rules` (enough left by weight, but not in a mix meeting the basket rules:
distinct products, maximum share, price, whole lots).
"""
from __future__ import annotations

from orders.portioning.demand import MU, Prepared
from orders.portioning.model import Shortfall

TEXT_FR = {
    "no_offer": "Aucune offre de {name} disponible le {day} : il manque {missing} {unit}.",
    "lot_size": "Il manque {missing} {unit} de {name} le {day}, moins qu'un lot ({lot} {unit}) : "
                "on ne livre jamais plus que la commande.",
    "exhausted_by_priority": "Offre de {name} épuisée le {day} par des commandes prioritaires "
                             "(objectifs de la collectivité) : il manque {missing} {unit}.",
    "supply_short": "Offre de {name} insuffisante le {day}, partagée équitablement entre commandes "
                    "de même priorité : il manque {missing} {unit}.",
    "basket_rules": "{missing} panier(s) {name} non composé(s) le {day} : le reste de l'offre ne permet "
                    "pas un panier conforme (produits distincts, part maximale, prix, lots entiers).",
}
BASKET_TEXT_FR = {
    "no_offer": "{missing} panier(s) {name} non composé(s) le {day} : aucune offre ce jour-là.",
    "exhausted_by_priority": "{missing} panier(s) {name} non composé(s) le {day} : l'offre est allée "
                             "aux cantines, prioritaires.",
    "supply_short": "{missing} panier(s) {name} non composé(s) le {day} : offre insuffisante, partagée "
                    "équitablement entre points relais.",
}


def _fmt(x: float) -> str:
    return f"{x:.3f}".rstrip("0").rstrip(".").replace(".", ",")


def explain(prep: Prepared, line_served_mu: list[int], basket_served: list[int],
            class_takers: dict[int, list[tuple[int, int]]], leftover: dict[int, int]) -> list[Shortfall]:
    """`class_takers[ci]` = [(priority rank, lots)] of who took lots of class ci; `leftover[ci]` =
    lots unsold. Ranks: index of the kind in `prep.targets`, then canteens, then baskets."""
    n_targets = len(prep.targets)
    rank_of_kind = {kind: i for i, (kind, _) in enumerate(prep.targets)}
    out: list[Shortfall] = []
    for line, served in zip(prep.canteen_lines, line_served_mu, strict=True):
        missing_mu = line.need_mu - served
        if missing_mu <= 0:
            continue
        prod = prep.products[line.product]
        rank = rank_of_kind.get(line.kind, n_targets)
        avail = [ci for ci in prep.classes_by_product.get(line.product, ())
                 if prep.classes[ci].available_on(line.day)]
        min_lot = min((prep.classes[ci].lot_mu for ci in avail), default=0)
        if not avail:
            reason = "no_offer"
        elif any(r < rank and lots > 0 for ci in avail for r, lots in class_takers.get(ci, ())):
            reason = "exhausted_by_priority"
        elif any(leftover.get(ci, 0) > 0 for ci in avail):
            reason = "lot_size"  # lots remain but one more would overshoot the need by a whole lot
        else:
            reason = "supply_short"
        missing = round(missing_mu / MU, 3)
        text = TEXT_FR[reason].format(name=prod.name or prod.id, day=line.day, missing=_fmt(missing),
                                      unit=prod.unit, lot=_fmt(min_lot / MU))
        out.append(Shortfall(line.canteen, line.product, line.day, missing, reason, text, prod.unit,
                             None, line.kind if line.kind in rank_of_kind else None))

    basket_rank = n_targets + 1
    for g, served in zip(prep.basket_groups, basket_served, strict=True):
        missing = g.count - served
        if missing <= 0:
            continue
        bt = g.basket_type
        avail = [ci for ci, c in enumerate(prep.classes) if c.available_on(g.day)]
        left_g = sum(leftover.get(ci, 0) * prep.classes[ci].grams_per_lot for ci in avail)
        if not avail:
            reason = "no_offer"
        elif left_g < missing * bt.target_kg * (1 - bt.tolerance) * 1000:
            higher = any(r < basket_rank and lots > 0 for ci in avail for r, lots in class_takers.get(ci, ()))
            reason = "exhausted_by_priority" if higher and served == 0 else "supply_short"
        else:
            reason = "basket_rules"
        template = BASKET_TEXT_FR.get(reason, TEXT_FR["basket_rules"])
        text = template.format(name=bt.name or bt.id, day=g.day, missing=missing)
        out.append(Shortfall(g.relay_point, bt.id, g.day, float(missing), reason, text, "basket", bt.id, None))
    out.sort(key=lambda s: (s.day, s.consumer, s.product))
    return out
