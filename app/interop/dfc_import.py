"""DFC JSON-LD import: orders (meal and basket orders) and a producer's catalogue (its offers).

A document is expanded with pyld (the shipped contexts only, see `dfc_context.py`), then every IRI
of the pre-1.8 ontology is mapped onto the current one, so documents written with the 1.16 context,
the old static.datafoodconsortium.org context or full IRIs of either read the same. A link may be
written as a link or, as some clients do with the 1.16 context, as a plain string.

The records produced carry the spreadsheet columns of `app/interop/spreadsheets.py`, so the imports
run the very same use cases; their `row` is the object's position in the document (1-based).
"""
from __future__ import annotations

import unicodedata
from collections import Counter
from datetime import date

from pyld import jsonld

from app.interop.dfc_context import DFC_B, OPTIONS, TRL, canonical, local_documents, remote_contexts
from app.interop.spreadsheets import Record
from orders.errors import InvalidInput

RDF_TYPE = "@type"


def _canonical_node(node: dict) -> dict:
    out: dict = {}
    for key, values in node.items():
        if key == "@id":
            out[key] = values
        elif key == "@type":
            out[key] = [canonical(t) for t in values]
        else:
            out[canonical(key)] = [{**v, "@id": canonical(v["@id"])} if "@id" in v else v for v in values]
    return out


def read(document: dict | list) -> list[dict]:
    """The document's nodes, flattened and expanded, in current DFC IRIs; 422 naming what failed."""
    try:
        nodes = jsonld.flatten(document, None, OPTIONS)
    except jsonld.JsonLdError as exc:
        unknown = [url for url in remote_contexts(document) if url not in local_documents()]
        known = sorted({u for u in local_documents() if u.startswith("https://")})
        if unknown:
            raise InvalidInput(
                f"Unknown JSON-LD context {', '.join(unknown)}: this server reads only the DFC contexts "
                f"{', '.join(known)} (nothing is fetched over the network).",
                f"Contexte JSON-LD inconnu : {', '.join(unknown)}. Seuls les contextes DFC sont lus "
                f"(ontologie 1.16.0 et l'ancien contexte static.datafoodconsortium.org).", "@context") from exc
        raise InvalidInput(f"Not a JSON-LD document this server can read: {str(exc)[:200]}",
                           "Document JSON-LD illisible.", "@context") from exc
    return [_canonical_node(n) for n in nodes]


def _types_found(nodes: list[dict]) -> str:
    counts = Counter(t.replace(DFC_B, "dfc-b:") for n in nodes for t in n.get("@type", []))
    return ", ".join(f"{t} ×{c}" for t, c in sorted(counts.items())) or "none"


def _missing(nodes: list[dict], wanted: str, document: dict | list) -> InvalidInput:
    contexts = ", ".join(remote_contexts(document)) or "no remote context"
    return InvalidInput(
        f"No {wanted} in the document (read with the context {contexts}; types found: {_types_found(nodes)}).",
        f"Aucun objet {wanted} dans le document (contexte lu : {contexts} ; types trouvés : "
        f"{_types_found(nodes)}).", "@graph")


def value(node: dict, prop: str):
    values = node.get(DFC_B + prop) or node.get(prop) or []
    return values[0].get("@value") if values else None


def ref(node: dict, prop: str) -> str | None:
    """A link's target: an `@id`, or a string value where a client wrote the link as text."""
    values = node.get(DFC_B + prop) or []
    if not values:
        return None
    first = values[0]
    return first.get("@id") or (first.get("@value") if isinstance(first.get("@value"), str) else None)


def refs(node: dict, prop: str) -> list[str]:
    return [v.get("@id") or v.get("@value") for v in node.get(DFC_B + prop, []) if v.get("@id") or v.get("@value")]


def _tail(iri: str | None, marker: str) -> list[str]:
    if not iri or marker not in iri:
        return []
    return iri.split(marker, 1)[1].strip("/").split("/")


def _of_type(nodes: list[dict], kind: str) -> list[dict]:
    return sorted((n for n in nodes if DFC_B + kind in n.get("@type", [])), key=lambda n: n["@id"])


# --- orders ----------------------------------------------------------------------------------

def parse_orders(document: dict | list) -> tuple[list[Record], list[Record]]:
    """A DFC orders document as meal and basket records (the spreadsheet import's columns)."""
    nodes = read(document)
    by_id = {n["@id"]: n for n in nodes if "@id" in n}
    meals: list[Record] = []
    baskets: list[Record] = []
    order_nodes = _of_type(nodes, "Order")
    if not order_nodes:
        raise _missing(nodes, "dfc-b:Order", document)
    for number, order in enumerate(order_nodes, start=1):
        where = order["@id"]
        site = _tail(ref(order, "orderedBy"), "/enterprises/")
        day_text = (order.get(TRL + "deliveryDay") or [{}])[0].get("@value")
        if not site or not day_text:
            raise InvalidInput(f"Order {where} needs dfc-b:orderedBy (a site) and trl:deliveryDay.",
                               f"La commande {where} doit indiquer le client (dfc-b:orderedBy) et le jour "
                               "(trl:deliveryDay).", where)
        try:
            day = date.fromisoformat(str(day_text))
        except ValueError as exc:
            raise InvalidInput(f"Bad delivery day {day_text!r}.", f"Jour de livraison invalide : {day_text}.",
                               where) from exc
        for part in refs(order, "hasPart"):
            line = by_id.get(part, {})
            offer = _tail(ref(line, "concerns"), "/weeks/")
            count = value(line, "quantity")
            kind = offer[2] if len(offer) > 2 and offer[1] == "offers" else None
            age_group = offer[4] if kind == "meals" and len(offer) == 5 else value(line, TRL + "ageGroup")
            if kind not in ("meals", "baskets") or len(offer) not in (4, 5) or count is None:
                raise InvalidInput(f"Order line {part} must concern a basket or meal offer of the catalogue and "
                                   "give dfc-b:quantity.",
                                   f"La ligne {part} doit viser une offre panier ou repas du catalogue et donner "
                                   "une quantité.", part)
            try:
                n = int(float(count))
            except (TypeError, ValueError) as exc:
                raise InvalidInput(f"Bad quantity {count!r}.", f"Quantité invalide : {count}.", part) from exc
            if kind == "meals":
                meals.append(Record(number, {"semaine": offer[0], "cantine": site[0], "jour": day,
                                             "produit": offer[3], "tranche_age": age_group or "", "repas": n}))
            else:
                baskets.append(Record(number, {"semaine": offer[0], "point_relais": site[0], "jour": day,
                                               "type_panier": offer[3], "nombre": n}))
    return meals, baskets


# --- a producer's catalogue --------------------------------------------------------------------

def _key(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "".join(ch for ch in plain if ch.isalnum())


def parse_catalog(document: dict | list, iso_week: str, products: dict[str, str], farm: str,
                  terril_sites: set[str]) -> tuple[list[Record], int]:
    """A farm's DFC catalogue as its offer records of `iso_week` (the spreadsheet's columns), and the
    number of offers skipped because another Terril enterprise supplies them.

    `products` maps product id → name; `terril_sites` are the territory's site ids and the
    territory's own (the collective). Each Offer gives its price (€ before tax) and stock; its
    CatalogItem's product is found by the SuppliedProduct's Terril URL, its sku (`farm/product` or
    `product`), or its name. An offer whose product is supplied by a Terril enterprise other than
    `farm` (another farm, the collective's baskets and meals) is skipped; any other is `farm`'s.
    """
    nodes = read(document)
    by_id = {n["@id"]: n for n in nodes if "@id" in n}
    offers = _of_type(nodes, "Offer")
    if not offers:
        raise _missing(nodes, "dfc-b:Offer", document)
    supplier: dict[str, str] = {}
    for enterprise in _of_type(nodes, "Enterprise"):
        for sp in refs(enterprise, "supplies"):
            supplier[sp] = enterprise["@id"]
    by_name = {_key(name): pid for pid, name in products.items()} | {_key(pid): pid for pid in products}
    records: list[Record] = []
    skipped = 0
    for number, offer in enumerate(offers, start=1):
        where = offer["@id"]
        item = by_id.get(ref(offer, "offeredItem") or "", {})
        sp_iri = ref(item, "references") or ""
        sp = by_id.get(sp_iri, {})
        owner = (_tail(supplier.get(sp_iri) or "", "/enterprises/") or _tail(sp_iri, "/enterprises/") or [None])[0]
        if owner in terril_sites and owner != farm:
            skipped += 1
            continue
        tail = _tail(sp_iri, "/supplied-products/")
        sku = str(value(item, "sku") or "")
        name = str(value(sp, "name") or "")
        product = next((p for p in (tail[0] if tail else None, sku.split("/")[-1], by_name.get(_key(sku)),
                                    by_name.get(_key(name))) if p in products), None)
        price_node = by_id.get(ref(offer, "hasPrice") or "", {})
        unit_price = value(price_node, "value")
        stock = value(offer, "stockLimitation")
        if stock is None:
            stock = value(item, "stockLimitation")
        problems = []
        if product is None:
            problems.append(f"product {name or sku or sp_iri or '?'} is not in Terril's catalogue")
        if unit_price is None:
            problems.append("no dfc-b:hasPrice/dfc-b:value")
        if stock is None:
            problems.append("no dfc-b:stockLimitation")
        if problems:
            raise InvalidInput(f"Offer {where}: " + "; ".join(problems) + ".",
                               f"Offre {where} illisible : produit, prix (dfc-b:hasPrice) et quantité "
                               "(dfc-b:stockLimitation) sont attendus et le produit doit exister dans Terril "
                               f"({name or sku or sp_iri or '?'}).", where)
        try:
            records.append(Record(number, {"semaine": iso_week, "producteur": farm, "produit": product,
                                           "quantite": float(stock), "prix_unitaire_eur": float(unit_price)}))
        except (TypeError, ValueError) as exc:
            raise InvalidInput(f"Offer {where}: price and stock must be numbers.",
                               f"Offre {where} : prix et quantité doivent être des nombres.", where) from exc
    return records, skipped
