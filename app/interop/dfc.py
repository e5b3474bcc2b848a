"""Data Food Consortium (DFC) JSON-LD export: the week's catalogue and its orders, and every node alone.

Vocabulary: the DFC ontology 1.16.0 through its versioned context (`dfc_context.CONTEXT_URL`,
shipped offline, see `app/interop/dfc_context.py`). What DFC has no term for is in Terril's
extension vocabulary `trl:` (https://terril.invalid/ns#, not resolvable on purpose): the delivery
day of an order. Every link is written as a link (`{"@id": …}`), whatever the context coerces, and
every `@id` written here answers `GET` with its own JSON-LD (`node()`, route `/api/v1/dfc/<path>`).

Graph of the catalogue (identifiers are URLs under /api/v1/dfc/):
  Enterprise (each farm) --supplies--> SuppliedProduct --referencedBy--> CatalogItem
  CatalogItem --offeredThrough--> Offer (offeredItem = the CatalogItem, hasPrice = Price before tax
  with VATrate in %, stockLimitation = quantity offered)
  the collective (Enterprise of the territory) supplies the basket types and the meal portions:
  one SuppliedProduct per product × age group, whose quantity is the raw kilograms of one meal and
  whose Offer is priced per meal, so an order line's quantity (meals) times the offer price is the
  line's price, and quantity × kilograms per meal its weight.
  SaleSession (the week's ordering window) --lists--> every Offer
An Order (one per customer site × delivery day; date = its last change) --hasPart--> OrderLine
(quantity = baskets or meals, hasPrice = the offer's unit price) --concerns--> the collective's Offer.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from sqlmodel import Session, col, select

from app.interop.dfc_context import CONTEXT
from app.models import AuditEntry, BasketOrder, BasketType, Grammage, MealOrder, Offer, Product, Site, Week
from app.services import weeks

UNITS = {"kg": "dfc-m:Kilogram", "piece": "dfc-m:Piece", "bunch": "dfc-m:Bunch", "dozen": "dfc-m:Dozen"}
BASKET_VAT = 5.5
AGE_GROUP_FR = {"maternelle": "maternelle", "elementaire": "élémentaire", "adulte": "adulte", "foyer": "foyer"}


def link(iri: str) -> dict:
    return {"@id": iri}


def price(value: float, vat_rate: float) -> dict:
    """A DFC Price: value in euros before tax, VAT rate in percent."""
    return {"@type": "dfc-b:Price", "dfc-b:value": round(value, 4), "dfc-b:VATrate": vat_rate,
            "dfc-b:hasUnit": link("dfc-m:Euro")}


def quantity(unit: str, value: float = 1) -> dict:
    return {"@type": "dfc-b:QuantitativeValue", "dfc-b:hasUnit": link(UNITS.get(unit, "dfc-m:Kilogram")),
            "dfc-b:value": value}


def document(graph: list[dict]) -> dict:
    return {"@context": CONTEXT, "@graph": graph}


# --- catalogue -------------------------------------------------------------------------------

class _Catalog:
    def __init__(self, session: Session, week: Week, base: str):
        self.session, self.week, self.base = session, week, base
        self.prefix = f"{base}weeks/{week.iso_week}/"
        self.graph: list[dict] = []
        self.listed: list[dict] = []
        self.products = {p.id: p for p in session.exec(select(Product)).all()}

    def offer(self, key: str, product_iri: str, unit_price: float, vat: float, stock: float | None) -> None:
        item, offer = f"{self.prefix}catalog-items/{key}", f"{self.prefix}offers/{key}"
        item_node = {"@id": item, "@type": "dfc-b:CatalogItem", "dfc-b:references": link(product_iri),
                     "dfc-b:sku": key, "dfc-b:offeredThrough": link(offer)}
        offer_node = {"@id": offer, "@type": "dfc-b:Offer", "dfc-b:offeredItem": link(item),
                      "dfc-b:hasPrice": price(unit_price, vat)}
        if stock is not None:
            item_node["dfc-b:stockLimitation"] = stock
            offer_node["dfc-b:stockLimitation"] = stock
        self.graph += [item_node, offer_node]
        self.listed.append(link(offer))

    def supplied(self, iri: str, name: str, description: str, qty: dict, key: str) -> None:
        self.graph.append({"@id": iri, "@type": "dfc-b:SuppliedProduct", "dfc-b:name": name,
                           "dfc-b:description": description, "dfc-b:hasQuantity": qty,
                           "dfc-b:referencedBy": link(f"{self.prefix}catalog-items/{key}")})


def meal_offers(offers: list[Offer], products: dict[str, Product], grammages: list[Grammage]) -> list[dict]:
    """The meal portions on offer: per product × age group, raw kg of one meal and its price (€ HT).

    Price of a meal = raw kg per meal (served grams / yield) × the week's quantity-weighted mean
    price of the product per kg; for a product sold by another unit, its unit_kg converts.
    """
    by_product: dict[str, list[Offer]] = defaultdict(list)
    for o in offers:
        by_product[o.product_id].append(o)
    out = []
    for g in sorted(grammages, key=lambda g: (g.product_id, g.age_group)):
        rows = by_product.get(g.product_id)
        if not rows or g.grams <= 0:
            continue
        weight = sum(o.quantity for o in rows)
        mean = sum(o.quantity * o.unit_price_eur for o in rows) / weight if weight else rows[0].unit_price_eur
        product = products[g.product_id]
        kg = g.grams / 1000 / (g.yield_ratio or 1.0)
        out.append({"product": g.product_id, "age_group": g.age_group, "grams": g.grams, "kg": round(kg, 4),
                    "price": mean * kg / (product.unit_kg or 1.0), "vat": product.vat_rate,
                    "stock_meals": int(weight * (product.unit_kg or 1.0) / kg) if kg else None})
    return out


def catalog(session: Session, week: Week, base: str) -> dict:
    """The week's catalogue as one JSON-LD document (compact form, the DFC 1.16 context by URL)."""
    cat = _Catalog(session, week, base)
    offers = session.exec(select(Offer).where(Offer.week_id == week.id)
                          .order_by(Offer.producer_id, Offer.product_id)).all()
    supplies: dict[str, list[dict]] = defaultdict(list)
    for o in offers:
        product = cat.products[o.product_id]
        sp = f"{base}enterprises/{o.producer_id}/supplied-products/{o.product_id}"
        supplies[o.producer_id].append(link(sp))
        key = f"{o.producer_id}/{o.product_id}"
        cat.supplied(sp, product.name, f"{product.name} — {o.producer_id}", quantity(product.unit), key)
        cat.offer(key, sp, o.unit_price_eur, product.vat_rate, o.quantity)
    for producer_id, items in supplies.items():
        site = session.get(Site, producer_id)
        cat.graph.append({"@id": f"{base}enterprises/{producer_id}", "@type": "dfc-b:Enterprise",
                          "dfc-b:name": site.name if site else producer_id, "dfc-b:supplies": items})
    collective = f"{base}enterprises/{week.territory_id}"
    own: list[dict] = []
    for basket in session.exec(select(BasketType).order_by(BasketType.id)).all():
        sp = f"{collective}/supplied-products/panier-{basket.id}"
        own.append(link(sp))
        cat.supplied(sp, basket.name, f"Panier de saison, environ {basket.target_kg:g} kg", quantity("piece"),
                     f"baskets/{basket.id}")
        cat.offer(f"baskets/{basket.id}", sp, basket.price_eur, BASKET_VAT, None)
    for m in meal_offers(offers, cat.products, session.exec(select(Grammage)).all()):
        key = f"meals/{m['product']}/{m['age_group']}"
        sp = f"{collective}/supplied-products/repas-{m['product']}-{m['age_group']}"
        own.append(link(sp))
        name = cat.products[m["product"]].name
        cat.supplied(sp, f"{name} — repas {AGE_GROUP_FR.get(m['age_group'], m['age_group'])}",
                     f"Une portion : {m['grams']:g} g servis, {m['kg'] * 1000:g} g bruts ; prix au repas",
                     quantity("kg", m["kg"]), key)
        cat.offer(key, sp, m["price"], m["vat"], m["stock_meals"])
    cat.graph.append({"@id": collective, "@type": "dfc-b:Enterprise", "dfc-b:name": week.territory_id,
                      "dfc-b:supplies": own})
    cat.graph.append(sale_session(session, week, base, cat.listed))
    return document(cat.graph)


def sale_session(session: Session, week: Week, base: str, listed: list[dict]) -> dict:
    node = {"@id": f"{base}weeks/{week.iso_week}/sale-session", "@type": "dfc-b:SaleSession",
            "dfc-b:lists": listed}
    deadlines = weeks.deadlines(session, week)
    if deadlines.get("offers_close") and deadlines.get("orders_close"):
        node["dfc-b:beginDate"] = deadlines["offers_close"].isoformat()
        node["dfc-b:endDate"] = deadlines["orders_close"].isoformat()
    return node


# --- orders ----------------------------------------------------------------------------------

def _prices(session: Session, week: Week) -> dict[str, tuple[float, float]]:
    """Offer key (as in the catalogue) → (unit price € HT, VAT %) of the collective's offers."""
    offers = session.exec(select(Offer).where(Offer.week_id == week.id)).all()
    products = {p.id: p for p in session.exec(select(Product)).all()}
    out = {f"baskets/{b.id}": (b.price_eur, BASKET_VAT) for b in session.exec(select(BasketType)).all()}
    for m in meal_offers(offers, products, session.exec(select(Grammage)).all()):
        out[f"meals/{m['product']}/{m['age_group']}"] = (m["price"], m["vat"])
    return out


def _changed_at(session: Session, entity: str, ids: list[int]) -> datetime | None:
    if not ids:
        return None
    return session.exec(select(AuditEntry.at).where(AuditEntry.entity == entity,
                                                    col(AuditEntry.entity_id).in_([str(i) for i in ids]))
                        .order_by(col(AuditEntry.at).desc())).first()


def orders(session: Session, week: Week, base: str, site_id: str | None = None) -> dict:
    """The week's meal and basket orders as DFC Orders (one per site × day) with their lines."""
    grouped: dict[tuple[str, date], list[tuple[str, int]]] = defaultdict(list)
    ids: dict[tuple[str, date], dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    meal_q = select(MealOrder).where(MealOrder.week_id == week.id)
    basket_q = select(BasketOrder).where(BasketOrder.week_id == week.id)
    if site_id:
        meal_q = meal_q.where(MealOrder.canteen_id == site_id)
        basket_q = basket_q.where(BasketOrder.relay_point_id == site_id)
    for order in session.exec(meal_q).all():
        ids[(order.canteen_id, order.day)]["meal_order"].append(order.id)
        for line in order.lines:
            for age_group, meals in sorted(line["meals"].items()):
                grouped[(order.canteen_id, order.day)].append((f"meals/{line['product']}/{age_group}", meals))
    for order in session.exec(basket_q).all():
        ids[(order.relay_point_id, order.day)]["basket_order"].append(order.id)
        grouped[(order.relay_point_id, order.day)].append((f"baskets/{order.basket_type_id}", order.count))
    prices = _prices(session, week)
    closing = weeks.deadlines(session, week).get("orders_close")
    prefix = f"{base}weeks/{week.iso_week}/"
    graph = []
    for (site, day), lines in sorted(grouped.items()):
        oid = f"{prefix}orders/{site}/{day.isoformat()}"
        parts = []
        for n, (key, count) in enumerate(lines, start=1):
            lid = f"{oid}/lines/{n}"
            parts.append(link(lid))
            node = {"@id": lid, "@type": "dfc-b:OrderLine", "dfc-b:quantity": count,
                    "dfc-b:concerns": link(f"{prefix}offers/{key}"), "dfc-b:partOf": link(oid)}
            if key in prices:
                node["dfc-b:hasPrice"] = price(*prices[key])
            graph.append(node)
        stamps = [t for entity, rows in ids[(site, day)].items() if (t := _changed_at(session, entity, rows))]
        when = max(stamps) if stamps else (closing or datetime.combine(day, datetime.min.time()))
        graph.append({"@id": oid, "@type": "dfc-b:Order", "dfc-b:orderNumber": f"{site}-{day.isoformat()}",
                      "dfc-b:date": when.isoformat(), "dfc-b:orderedBy": link(f"{base}enterprises/{site}"),
                      "dfc-b:soldBy": link(f"{base}enterprises/{week.territory_id}"),
                      "dfc-b:belongsTo": link(f"{prefix}sale-session"),
                      "trl:deliveryDay": day.isoformat(), "dfc-b:hasPart": parts})
    return document(graph)


# --- one node --------------------------------------------------------------------------------

def _find(graph: list[dict], iri: str) -> dict | None:
    return next((n for n in graph if n.get("@id") == iri), None)


def node(session: Session, territory_id: str, base: str, path: str) -> dict | None:
    """The JSON-LD of one `@id` Terril writes (`path` relative to `base`), or None if it names nothing.

    enterprises/<site>[/supplied-products/<key>] come from the newest week that lists them (a
    customer site that supplies nothing: its name); weeks/<week>/… from that week's catalogue or orders.
    """
    iri = base + path
    parts = path.strip("/").split("/")
    if parts[0] == "weeks" and len(parts) >= 3:
        week = session.exec(select(Week).where(Week.territory_id == territory_id,
                                               Week.iso_week == parts[1])).first()
        if week is None:
            return None
        graph = (orders(session, week, base, parts[3] if len(parts) > 3 else None)
                 if parts[2] == "orders" else catalog(session, week, base))["@graph"]
        found = _find(graph, iri)
        return {"@context": CONTEXT, **found} if found else None
    if parts[0] != "enterprises" or len(parts) not in (2, 4):
        return None
    recent = session.exec(select(Week).where(Week.territory_id == territory_id)
                          .order_by(col(Week.iso_week).desc()).limit(8)).all()
    for week in recent:
        found = _find(catalog(session, week, base)["@graph"], iri)
        if found:
            return {"@context": CONTEXT, **found}
    site = session.get(Site, parts[1])
    if len(parts) == 2 and site is not None and site.territory_id == territory_id:
        return {"@context": CONTEXT, "@id": iri, "@type": "dfc-b:Enterprise", "dfc-b:name": site.name}
    return None
