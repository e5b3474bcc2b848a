"""From a `PortioningInput` to the solver's integer world: demand lines, basket groups, offer classes.

* Meal lines become canteen lines (canteen, day, product) with a need in kilograms
  (`GrammageTable.kg_needed`, Σ grams × meals / yield / 1000) and in product milli-units.
* Basket orders become basket groups (relay point, day, basket type, ordered count).
* Offers are grouped in **offer classes**: same product, same lot, same available days. The first
  solver stage decides how many lots of each class go to each demand (fewer variables: a class
  holds every producer of that product with that lot); the second stage splits each class's lots
  between its offers (producers). The split is always feasible because every offer of a class is
  available on the same days.

Integers: quantities in milli-units of the product (`*_mu`), weights in grams (`*_g`), money in
cents. Everything is sorted so the same input builds the same model.
"""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from orders.errors import InvalidInput
from orders.grammage import GrammageTable
from orders.portioning.model import BasketType, Offer, PortioningInput, Product

MU = 1000  # milli-units per product unit


@dataclass(frozen=True, slots=True)
class CanteenLine:
    canteen: str
    kind: str
    day: str
    product: str
    need_kg: float
    need_mu: int


@dataclass(frozen=True, slots=True)
class BasketGroup:
    relay_point: str
    day: str
    basket_type: BasketType
    count: int


@dataclass(frozen=True, slots=True)
class OfferClass:
    product: str
    lot_mu: int
    days: tuple[str, ...] | None
    offers: tuple[int, ...]  # indices into Prepared.offers
    lots: int  # whole lots on offer, all members together
    grams_per_lot: int
    cents_per_lot: int  # at the product's reference price

    def available_on(self, day: str) -> bool:
        return self.days is None or day in self.days


@dataclass(frozen=True, slots=True)
class Prepared:
    products: dict[str, Product]
    offers: tuple[Offer, ...]
    classes: tuple[OfferClass, ...]
    classes_by_product: dict[str, tuple[int, ...]]
    canteen_lines: tuple[CanteenLine, ...]
    basket_groups: tuple[BasketGroup, ...]
    targets: tuple[tuple[str, float], ...]  # sorted by target share descending, then kind
    ref_price: dict[str, float]  # quantity-weighted mean unit price per product
    days: tuple[str, ...] = ()  # every delivery day with an order

    def classes_open(self, product: str, day: str) -> list[int]:
        """Offer classes of a product open on a day."""
        return [ci for ci in self.classes_by_product.get(product, ()) if self.classes[ci].available_on(day)]

    # The CP-SAT models count a product in grains: one gram of a product sold by the kg, one whole
    # unit (piece, bunch, dozen) of the others.

    def grain_mu(self, product: str) -> int:
        """Milli-units in one grain."""
        return 1 if self.products[product].unit == "kg" else MU

    def g_per_grain(self, product: str) -> int:
        """Grams in one grain."""
        p = self.products[product]
        return max(1, round(p.unit_kg)) if p.unit == "kg" else max(1, round(p.unit_kg * 1000))

    def mc_per_grain(self, product: str) -> int:
        """Reference price of one grain, in thousandths of a cent."""
        return round(self.ref_price.get(product, 0.0) * 1e5 * self.grain_mu(product) / MU)

    def lot_grains(self, ci: int) -> int:
        """Grains in one lot of a class (0 when a lot is not a whole number of grains)."""
        c = self.classes[ci]
        g = self.grain_mu(c.product)
        return c.lot_mu // g if c.lot_mu % g == 0 else 0


def prepare(inp: PortioningInput) -> Prepared:
    products = {p.id: p for p in sorted(inp.products, key=lambda p: p.id)}
    for p in products.values():
        if p.unit_kg <= 0 or p.crate_kg <= 0:
            raise InvalidInput(f"product {p.id}: unit_kg and crate_kg must be positive")
    offers = tuple(sorted(inp.offers, key=lambda o: (o.product, o.producer, o.id, o.lot, o.unit_price)))
    for o in offers:
        if o.product not in products:
            raise InvalidInput(f"offer of unknown product {o.product!r}",
                               f"offre d'un produit inconnu {o.product!r}", field="offers")
        if o.lot <= 0 or o.quantity < 0:
            raise InvalidInput(f"offer {o.id}: lot must be positive and quantity non-negative")

    ref_price: dict[str, float] = {}
    qty_price: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for o in offers:
        qty_price[o.product][0] += o.quantity
        qty_price[o.product][1] += o.quantity * o.unit_price
    for pid, (q, v) in qty_price.items():
        ref_price[pid] = v / q if q > 0 else 0.0

    members: dict[tuple, list[int]] = defaultdict(list)
    for i, o in enumerate(offers):
        if o.lots > 0:
            members[(o.product, round(o.lot * MU), o.days)].append(i)
    classes = []
    for (pid, lot_mu, days), idx in sorted(members.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2] or ())):
        prod = products[pid]
        classes.append(OfferClass(
            product=pid, lot_mu=lot_mu, days=days, offers=tuple(idx),
            lots=sum(offers[i].lots for i in idx),
            grams_per_lot=max(1, round(lot_mu * prod.unit_kg)),
            cents_per_lot=round(lot_mu / MU * ref_price[pid] * 100),
        ))
    by_product: dict[str, list[int]] = defaultdict(list)
    for ci, c in enumerate(classes):
        by_product[c.product].append(ci)

    canteens = {c.id: c for c in inp.canteens}
    table = GrammageTable(inp.grammages)
    need: dict[tuple[str, str, str], float] = defaultdict(float)
    for m in inp.meal_orders:
        if m.canteen not in canteens:
            raise InvalidInput(f"meal order of unknown canteen {m.canteen!r}",
                               f"commande de repas d'une cantine inconnue {m.canteen!r}", field="meal_orders")
        for line in m.lines:
            if line.product not in products:
                raise InvalidInput(f"meal line of unknown product {line.product!r}",
                                   f"ligne de repas d'un produit inconnu {line.product!r}", field="meal_orders")
            need[(m.canteen, m.day, line.product)] += table.kg_needed(line.product, dict(line.meals), line.use)
    lines = []
    for (cid, day, pid), kg in sorted(need.items()):
        if kg <= 0:
            continue
        units = kg / products[pid].unit_kg
        need_mu = math.floor(units * MU + 1e-6)
        if products[pid].unit != "kg":  # pieces are delivered whole: the need rounded up to a piece
            need_mu = -(-need_mu // MU) * MU
        lines.append(CanteenLine(cid, canteens[cid].kind, day, pid, kg, need_mu))

    types = {b.id: b for b in inp.basket_types}
    relay_ids = {r.id for r in inp.relay_points}
    counts: dict[tuple[str, str, str], int] = defaultdict(int)
    for bo in inp.basket_orders:
        if bo.basket_type not in types:
            raise InvalidInput(f"unknown basket type {bo.basket_type!r}",
                               f"type de panier inconnu {bo.basket_type!r}", field="basket_orders")
        if relay_ids and bo.relay_point not in relay_ids:
            raise InvalidInput(f"basket order of unknown relay point {bo.relay_point!r}",
                               f"commande de paniers d'un point relais inconnu {bo.relay_point!r}",
                               field="basket_orders")
        counts[(bo.relay_point, bo.day, bo.basket_type)] += bo.count
    groups = tuple(BasketGroup(r, d, types[b], n) for (r, d, b), n in sorted(counts.items()) if n > 0)

    targets = tuple(sorted(((k, t) for k, t in inp.targets if t > 0), key=lambda kt: (-kt[1], kt[0])))
    days = tuple(sorted({ln.day for ln in lines} | {g.day for g in groups}))
    return Prepared(products, offers, tuple(classes), {k: tuple(v) for k, v in by_product.items()},
                    tuple(lines), groups, targets, ref_price, days)
