"""Data Food Consortium (DFC) JSON-LD: the week's catalogue and offers, orders out and in.

Vocabulary: the DFC business ontology (`dfc-b:`, static.datafoodconsortium.org) through its
published JSON-LD context, of which a trimmed copy ships in `data/dfc_context.jsonld`; the
document loader below serves that copy and refuses every other remote document, so nothing is
fetched over the network, ever. What DFC has no term for is in Terril's extension vocabulary
`trl:` (https://terril.invalid/ns#, not resolvable on purpose): the delivery day of an order and
the age group of a meal order line.

Graph of the catalogue (identifiers are URLs under /api/v1/dfc/):
  Enterprise (each farm)  --supplies-->  SuppliedProduct  --referencedBy-->  CatalogItem
  CatalogItem --offeredThrough--> Offer (hasPrice Price in €, stockLimitation = quantity offered)
  the collective (Enterprise of the territory) supplies the basket types and, for canteens, each
  product sold by the meal (price: the week's quantity-weighted mean unit price)
  SaleSession (the week's ordering window) --lists--> every Offer
An Order (one per customer site × delivery day) --hasPart--> OrderLine (quantity = baskets or
meals) --concerns--> the collective's basket or meal Offer.
"""
from __future__ import annotations

import json
from collections import defaultdict
from datetime import date
from pathlib import Path

from pyld import jsonld
from sqlmodel import Session, select

from app.interop.spreadsheets import Record
from app.models import BasketOrder, BasketType, Grammage, MealOrder, Offer, Product, Site, Week
from app.services import weeks
from orders.errors import InvalidInput

CONTEXT_URL = "https://www.datafoodconsortium.org/wp-content/plugins/wordpress-context-jsonld/context.jsonld"
CONTEXT_FILE = Path(__file__).parent / "data" / "dfc_context.jsonld"
DFC_B = "http://static.datafoodconsortium.org/ontologies/DFC_BusinessOntology.owl#"
TRL = "https://terril.invalid/ns#"
CONTEXT = [CONTEXT_URL, {"trl": TRL, "trl:deliveryDay": {"@type": "xsd:date"}}]
UNITS = {"kg": "dfc-m:Kilogram", "piece": "dfc-m:Piece", "bunch": "dfc-m:Bunch", "dozen": "dfc-m:Dozen"}
_LOCAL: dict[str, dict] = {}


def _local_documents() -> dict[str, dict]:
    if not _LOCAL:
        document = json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))
        for url in (CONTEXT_URL, CONTEXT_URL.replace("https://", "http://")):
            _LOCAL[url] = document
    return _LOCAL


def document_loader(url: str, options: dict | None = None) -> dict:
    """pyld document loader: the shipped DFC context, nothing else (no network at run time)."""
    document = _local_documents().get(url)
    if document is None:
        raise jsonld.JsonLdError(f"Remote document {url!r} is not loaded (only the DFC context is known).",
                                 "jsonld.LoadDocumentError", {"url": url}, code="loading document failed")
    return {"contextUrl": None, "documentUrl": url, "document": document}


OPTIONS = {"documentLoader": document_loader}


# --- catalogue -------------------------------------------------------------------------------

def _price(value: float) -> dict:
    return {"@type": "dfc-b:Price", "dfc-b:value": round(value, 4), "dfc-b:hasUnit": "dfc-m:Euro"}


def _quantity(unit: str, value: float = 1) -> dict:
    return {"@type": "dfc-b:QuantitativeValue", "dfc-b:hasUnit": UNITS.get(unit, "dfc-m:Kilogram"),
            "dfc-b:value": value}


def _offer_nodes(base: str, week: str, key: str, product_id: str, item_of: str, price: float,
                 stock: float | None) -> list[dict]:
    item = f"{base}weeks/{week}/catalog-items/{key}"
    offer = f"{base}weeks/{week}/offers/{key}"
    item_node = {"@id": item, "@type": "dfc-b:CatalogItem", "dfc-b:references": item_of,
                 "dfc-b:sku": key, "dfc-b:offeredThrough": offer}
    offer_node = {"@id": offer, "@type": "dfc-b:Offer", "dfc-b:offeredItem": item, "dfc-b:hasPrice": _price(price)}
    if stock is not None:
        item_node["dfc-b:stockLimitation"] = stock
        offer_node["dfc-b:stockLimitation"] = stock
    return [item_node, offer_node]


def catalog(session: Session, week: Week, base: str) -> dict:
    """The week's catalogue as one JSON-LD document (compact form, the DFC context by URL)."""
    offers = session.exec(select(Offer).where(Offer.week_id == week.id)
                          .order_by(Offer.producer_id, Offer.product_id)).all()
    products = {p.id: p for p in session.exec(select(Product)).all()}
    graph: list[dict] = []
    collective = f"{base}enterprises/{week.territory_id}"
    supplies: dict[str, list[str]] = defaultdict(list)
    listed: list[str] = []
    for o in offers:
        product = products[o.product_id]
        sp = f"{base}enterprises/{o.producer_id}/supplied-products/{o.product_id}"
        supplies[o.producer_id].append(sp)
        key = f"{o.producer_id}/{o.product_id}"
        graph.append({"@id": sp, "@type": "dfc-b:SuppliedProduct", "dfc-b:name": product.name,
                      "dfc-b:description": f"{product.name} — {o.producer_id}",
                      "dfc-b:hasQuantity": _quantity(product.unit),
                      "dfc-b:referencedBy": f"{base}weeks/{week.iso_week}/catalog-items/{key}"})
        graph += _offer_nodes(base, week.iso_week, key, o.product_id, sp, o.unit_price_eur, o.quantity)
        listed.append(f"{base}weeks/{week.iso_week}/offers/{key}")
    for producer_id, items in supplies.items():
        site = session.get(Site, producer_id)
        graph.append({"@id": f"{base}enterprises/{producer_id}", "@type": "dfc-b:Enterprise",
                      "dfc-b:name": site.name if site else producer_id, "dfc-b:supplies": items})
    own: list[str] = []
    for basket in session.exec(select(BasketType).order_by(BasketType.id)).all():
        sp = f"{collective}/supplied-products/panier-{basket.id}"
        own.append(sp)
        graph.append({"@id": sp, "@type": "dfc-b:SuppliedProduct", "dfc-b:name": basket.name,
                      "dfc-b:description": f"Panier de saison, environ {basket.target_kg:g} kg",
                      "dfc-b:hasQuantity": _quantity("piece"),
                      "dfc-b:referencedBy": f"{base}weeks/{week.iso_week}/catalog-items/baskets/{basket.id}"})
        graph += _offer_nodes(base, week.iso_week, f"baskets/{basket.id}", basket.id, sp, basket.price_eur, None)
        listed.append(f"{base}weeks/{week.iso_week}/offers/baskets/{basket.id}")
    with_grammage = {g.product_id for g in session.exec(select(Grammage)).all()}
    by_product: dict[str, list[Offer]] = defaultdict(list)
    for o in offers:
        by_product[o.product_id].append(o)
    for product_id in sorted(set(by_product) & with_grammage):
        rows = by_product[product_id]
        weight = sum(o.quantity for o in rows)
        mean = sum(o.quantity * o.unit_price_eur for o in rows) / weight if weight else rows[0].unit_price_eur
        sp = f"{collective}/supplied-products/repas-{product_id}"
        own.append(sp)
        graph.append({"@id": sp, "@type": "dfc-b:SuppliedProduct", "dfc-b:name": products[product_id].name,
                      "dfc-b:description": "Commande au repas (grammage par tranche d'âge)",
                      "dfc-b:hasQuantity": _quantity(products[product_id].unit),
                      "dfc-b:referencedBy": f"{base}weeks/{week.iso_week}/catalog-items/meals/{product_id}"})
        graph += _offer_nodes(base, week.iso_week, f"meals/{product_id}", product_id, sp, mean,
                              round(weight, 3))
        listed.append(f"{base}weeks/{week.iso_week}/offers/meals/{product_id}")
    graph.append({"@id": collective, "@type": "dfc-b:Enterprise", "dfc-b:name": week.territory_id,
                  "dfc-b:supplies": own})
    deadlines = weeks.deadlines(session, week)
    session_node = {"@id": f"{base}weeks/{week.iso_week}/sale-session", "@type": "dfc-b:SaleSession",
                    "dfc-b:lists": listed}
    if deadlines.get("offers_close") and deadlines.get("orders_close"):
        session_node["dfc-b:beginDate"] = deadlines["offers_close"].isoformat()
        session_node["dfc-b:endDate"] = deadlines["orders_close"].isoformat()
    graph.append(session_node)
    return {"@context": CONTEXT, "@graph": graph}


# --- orders ----------------------------------------------------------------------------------

def orders(session: Session, week: Week, base: str, site_id: str | None = None) -> dict:
    """The week's meal and basket orders as DFC Orders (one per site × day) with their lines."""
    grouped: dict[tuple[str, date], list[tuple[str, str, int, str | None]]] = defaultdict(list)
    meal_q = select(MealOrder).where(MealOrder.week_id == week.id)
    basket_q = select(BasketOrder).where(BasketOrder.week_id == week.id)
    if site_id:
        meal_q = meal_q.where(MealOrder.canteen_id == site_id)
        basket_q = basket_q.where(BasketOrder.relay_point_id == site_id)
    for order in session.exec(meal_q).all():
        for line in order.lines:
            for age_group, meals in sorted(line["meals"].items()):
                grouped[(order.canteen_id, order.day)].append(("meals", line["product"], meals, age_group))
    for order in session.exec(basket_q).all():
        grouped[(order.relay_point_id, order.day)].append(("baskets", order.basket_type_id, order.count, None))
    graph = []
    for (site, day), lines in sorted(grouped.items()):
        oid = f"{base}weeks/{week.iso_week}/orders/{site}/{day.isoformat()}"
        parts = []
        for n, (kind, key, quantity, age_group) in enumerate(lines, start=1):
            lid = f"{oid}/lines/{n}"
            parts.append(lid)
            node = {"@id": lid, "@type": "dfc-b:OrderLine", "dfc-b:quantity": quantity,
                    "dfc-b:concerns": f"{base}weeks/{week.iso_week}/offers/{kind}/{key}", "dfc-b:partOf": oid}
            if age_group:
                node["trl:ageGroup"] = age_group
            graph.append(node)
        graph.append({"@id": oid, "@type": "dfc-b:Order", "dfc-b:orderNumber": f"{site}-{day.isoformat()}",
                      "dfc-b:orderedBy": f"{base}enterprises/{site}",
                      "dfc-b:belongsTo": f"{base}weeks/{week.iso_week}/sale-session",
                      "trl:deliveryDay": day.isoformat(), "dfc-b:hasPart": parts})
    return {"@context": CONTEXT, "@graph": graph}


def _one(node: dict, term: str, kind: str = "@value"):
    values = node.get(term) or []
    return values[0].get(kind) if values else None


def _tail(iri: str | None, marker: str) -> list[str]:
    if not iri or marker not in iri:
        return []
    return iri.split(marker, 1)[1].strip("/").split("/")


def parse_orders(document: dict | list) -> tuple[list[Record], list[Record]]:
    """Expand a DFC orders document (shipped context only) into meal and basket records.

    Records carry the spreadsheet columns of `app/interop/spreadsheets.py`, so the imports run
    the very same code; their `row` is the order's position in the document (1-based).
    """
    try:
        nodes = jsonld.flatten(document, None, OPTIONS)
    except jsonld.JsonLdError as exc:
        raise InvalidInput(f"Not a JSON-LD document this server can read: {str(exc)[:200]}",
                           "Document JSON-LD illisible (seul le contexte DFC est accepté).", "@context") from exc
    by_id = {n["@id"]: n for n in nodes if "@id" in n}
    meals: list[Record] = []
    baskets: list[Record] = []
    order_nodes = [n for n in nodes if DFC_B + "Order" in n.get("@type", [])]
    for number, order in enumerate(sorted(order_nodes, key=lambda n: n["@id"]), start=1):
        where = order["@id"]
        site = _tail(_one(order, DFC_B + "orderedBy", "@id"), "/enterprises/")
        day_text = _one(order, TRL + "deliveryDay")
        if not site or not day_text:
            raise InvalidInput(f"Order {where} needs dfc-b:orderedBy (a site) and trl:deliveryDay.",
                               f"La commande {where} doit indiquer le client (dfc-b:orderedBy) et le jour "
                               "(trl:deliveryDay).", where)
        try:
            day = date.fromisoformat(str(day_text))
        except ValueError as exc:
            raise InvalidInput(f"Bad delivery day {day_text!r}.", f"Jour de livraison invalide : {day_text}.",
                               where) from exc
        for part in order.get(DFC_B + "hasPart", []):
            line = by_id.get(part.get("@id"), {})
            offer = _tail(_one(line, DFC_B + "concerns", "@id"), "/weeks/")
            quantity = _one(line, DFC_B + "quantity")
            if len(offer) != 4 or offer[1] != "offers" or offer[2] not in ("meals", "baskets") or quantity is None:
                raise InvalidInput(f"Order line {part.get('@id')} must concern a basket or meal offer of the "
                                   "catalogue and give dfc-b:quantity.",
                                   f"La ligne {part.get('@id')} doit viser une offre panier ou repas du catalogue "
                                   "et donner une quantité.", part.get("@id"))
            try:
                count = int(float(quantity))
            except (TypeError, ValueError) as exc:
                raise InvalidInput(f"Bad quantity {quantity!r}.", f"Quantité invalide : {quantity}.",
                                   part.get("@id")) from exc
            iso_week, kind, key = offer[0], offer[2], offer[3]
            if kind == "meals":
                meals.append(Record(number, {"semaine": iso_week, "cantine": site[0], "jour": day, "produit": key,
                                             "tranche_age": _one(line, TRL + "ageGroup") or "", "repas": count}))
            else:
                baskets.append(Record(number, {"semaine": iso_week, "point_relais": site[0], "jour": day,
                                               "type_panier": key, "nombre": count}))
    if not order_nodes:
        raise InvalidInput("No dfc-b:Order in the document.", "Aucune commande (dfc-b:Order) dans le document.",
                           "@graph")
    return meals, baskets
