"""Ma Cantine: a canteen's purchases from the collective as Ma Cantine's purchase import CSV, and
its EGAlim shares (organic "BIO" and local, by value) per week and year to date.

Format: Ma Cantine's current import by SIRET (`import-achats-siret`), whose columns, order, patterns
and enumerations Terril states in `data/macantine_achats_siret.schema.json` (with its source) and
whose model rules it follows: a valid SIRET (14 digits, Luhn), no purchase dated after the day of
the export (deliveries still to come are withheld and counted), `definition_local` = `KM` with
`definition_local_km` a whole number of kilometres, eggs with the dairy family (`PRODUITS_LAITIERS`,
Ma Cantine's "BOF": produits laitiers, beurre et œufs).

A purchase is one allocation line of the current plan to the canteen (producer × product × day),
priced `quantity × unit_price_eur` of the producer's offer (prix HT, euros). What Terril does not
store comes from a small mapping file (JSON, `data/macantine.json` by default, another one with
the `TERRIL_MACANTINE_MAPPING` setting): the canteens' SIRET, the EGAlim labels of producers or
producer/product pairs, the product families and the radius (km) that makes a producer local.
Distances are great-circle (haversine) between the farm and the canteen.
"""
from __future__ import annotations

import json
import math
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlmodel import Session, select

from app.interop.spreadsheets import write_csv
from app.models import Offer, Plan, Product, Site, Week
from orders.errors import InvalidInput

SCHEMA_FILE = Path(__file__).parent / "data" / "macantine_achats_siret.schema.json"
SCHEMA = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
COLUMNS = tuple(f["name"] for f in SCHEMA["fields"])
DEFAULT_MAPPING = Path(__file__).parent / "data" / "macantine.json"
SIRET = re.compile(r"^\d{14}$")


@dataclass(frozen=True, slots=True)
class Mapping:
    sirets: dict[str, str]
    labels: dict[str, list[str]]   # "producer" or "producer/product" -> EGAlim categories
    families: dict[str, str]       # product category -> famille_produits
    local_km: float
    origin: str = "FRANCE"

    @classmethod
    def load(cls, path: str | Path | None = None) -> Mapping:
        data = json.loads(Path(path or DEFAULT_MAPPING).read_text(encoding="utf-8"))
        return cls(sirets=data.get("sirets", {}), labels=data.get("labels", {}),
                   families=data.get("families", {}), local_km=float(data.get("local_km", 80)),
                   origin=data.get("origine", "FRANCE"))

    def labels_of(self, producer: str, product: str) -> list[str]:
        return sorted(set(self.labels.get(producer, [])) | set(self.labels.get(f"{producer}/{product}", [])))


@dataclass(frozen=True, slots=True)
class Purchase:
    day: str
    producer: str
    producer_name: str
    product: str
    product_name: str
    quantity: float
    unit: str
    price_eur: float
    family: str
    labels: tuple[str, ...]
    distance_km: float | None
    local: bool


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    rlat1, rlat2 = math.radians(lat1), math.radians(lat2)
    dlat, dlon = rlat2 - rlat1, math.radians(lon2 - lon1)
    a = math.sin(dlat / 2) ** 2 + math.cos(rlat1) * math.cos(rlat2) * math.sin(dlon / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(a))


def purchases(session: Session, week: Week, plan: Plan, canteen: Site, mapping: Mapping) -> list[Purchase]:
    """The canteen's allocation lines of the plan, summed per day × producer × product, priced."""
    prices = {(o.producer_id, o.product_id): o.unit_price_eur
              for o in session.exec(select(Offer).where(Offer.week_id == week.id)).all()}
    totals: dict[tuple[str, str, str], float] = defaultdict(float)
    for line in plan.plan.get("allocations", []):
        if line.get("consumer") == canteen.id:
            totals[(line["day"], line["producer"], line["product"])] += float(line["quantity"])
    out = []
    for (day, producer_id, product_id), quantity in sorted(totals.items()):
        producer = session.get(Site, producer_id)
        product = session.get(Product, product_id)
        distance = None
        if producer and producer.lat is not None and canteen.lat is not None:
            distance = round(haversine_km(producer.lat, producer.lon, canteen.lat, canteen.lon), 1)
        out.append(Purchase(
            day=day, producer=producer_id, producer_name=producer.name if producer else producer_id,
            product=product_id, product_name=product.name if product else product_id, quantity=quantity,
            unit=product.unit if product else "kg",
            price_eur=round(quantity * prices.get((producer_id, product_id), 0.0), 2),
            family=mapping.families.get((product.category or "") if product else "", "AUTRES"),
            labels=tuple(mapping.labels_of(producer_id, product_id)), distance_km=distance,
            local=distance is not None and distance <= mapping.local_km))
    return out


def luhn_valid(digits: str) -> bool:
    """The Luhn check digit of a SIREN or SIRET (every second digit from the right doubled)."""
    total = 0
    for n, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if n % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def siret_for(canteen: Site, mapping: Mapping, given: str | None) -> str:
    """The canteen's SIRET: `?siret=`, else the site's, else the mapping file's; none is a 422."""
    siret = (given or canteen.siret or mapping.sirets.get(canteen.id) or "").replace(" ", "")
    if not siret:
        raise InvalidInput(
            f"Canteen {canteen.name} ({canteen.id}) has no SIRET: Ma Cantine files purchases by SIRET. "
            "Give ?siret= or set it in the Ma Cantine mapping.",
            f"La cantine « {canteen.name} » n'a pas de SIRET : Ma Cantine enregistre les achats par SIRET. "
            "Indiquez-le (paramètre siret ou fichier de correspondance Ma Cantine).", "siret")
    if not SIRET.match(siret) or not luhn_valid(siret):
        raise InvalidInput(f"SIRET {siret!r} of canteen {canteen.id}: 14 digits with a valid check digit expected.",
                           f"SIRET {siret} de la cantine « {canteen.name} » invalide : 14 chiffres attendus, "
                           "avec une clé de contrôle valide.", "siret")
    return siret


def delivered_by(rows: list[Purchase], as_of: date) -> tuple[list[Purchase], list[Purchase]]:
    """The purchases delivered on or before `as_of` (Ma Cantine refuses a date in the future), and the rest."""
    past = [p for p in rows if p.day <= as_of.isoformat()]
    return past, [p for p in rows if p.day > as_of.isoformat()]


def purchases_csv(rows: list[Purchase], siret: str, mapping: Mapping) -> bytes:
    """Ma Cantine's purchase import columns, in order; one line per purchase; decimal point."""
    km = f"{max(0, round(mapping.local_km))}"
    return write_csv(COLUMNS, [[
        siret, f"{p.product_name} ({p.quantity:g} {p.unit})", p.producer_name, p.day, f"{p.price_eur:.2f}",
        p.family, ",".join(p.labels), mapping.origin, "OUI", "OUI" if p.local else "NON",
        "KM" if p.local else "", km if p.local else "",
    ] for p in rows])


def shares(rows: list[Purchase]) -> dict:
    total = round(sum(p.price_eur for p in rows), 2)
    bio = round(sum(p.price_eur for p in rows if "BIO" in p.labels), 2)
    local = round(sum(p.price_eur for p in rows if p.local), 2)
    egalim = round(sum(p.price_eur for p in rows if p.labels), 2)

    def share(value: float) -> float:
        return round(value / total, 4) if total else 0.0

    return {"total_eur": total, "bio_eur": bio, "bio_share": share(bio), "egalim_eur": egalim,
            "egalim_share": share(egalim), "local_eur": local, "local_share": share(local)}


def egalim_report(session: Session, week: Week, canteen: Site, mapping: Mapping, plans) -> dict:
    """Shares of this week and of the year to date (every planned week of the same ISO year up to it).

    `plans(week) -> Plan | None` gives a week's current plan (injected to keep this module testable).
    """
    year = week.iso_week[:4]
    weekly = []
    season = session.exec(select(Week).where(Week.territory_id == week.territory_id,
                                             Week.iso_week.startswith(year + "-"),
                                             Week.iso_week <= week.iso_week).order_by(Week.iso_week)).all()
    all_rows: list[Purchase] = []
    this_week: list[Purchase] = []
    for row in season:
        plan = plans(row)
        if plan is None:
            continue
        rows = purchases(session, row, plan, canteen, mapping)
        all_rows += rows
        if row.id == week.id:
            this_week = rows
        weekly.append({"week": row.iso_week, **shares(rows)})
    return {"site": canteen.id, "name": canteen.name, "week": week.iso_week, "local_km": mapping.local_km,
            "this_week": shares(this_week), "year_to_date": {"year": int(year), **shares(all_rows),
                                                              "weeks": weekly}}
