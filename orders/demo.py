"""The demo territory (Lens-Liévin) and its demo week, as a scenario dict.

Pure: standard library only, reads the files of ``orders/data/`` (see its README.md), never
/work/shared. ``build_demo_scenario(week)`` returns one week scenario in the format of
SCENARIO.md (the contract); ``python -m orders.demo [WEEK] > demo.json`` prints it.

Days come from the ISO week: the demo delivers on Tuesday and Thursday (ISO weekdays 2 and 4),
so ``build_demo_scenario("2026-W50")`` gives the same offers and orders one week later.

Conventions of the demo
- Every product is counted in ``kg`` so that grammages apply directly
  (kg = grams × meals / yield / 1000): yoghurts are 125 g pots, eggs ~60 g each.
- ``products`` lists the whole catalogue of ``crates.csv`` (13 products); the December week only
  offers the winter ones (no courgette, tomate, fraise).
- ``grammages``: one row per (product, age group) for maternelle, elementaire, adulte, foyer, from
  ``portions.csv``. ``carotte`` has two rows there (crudité, légume cuit); the demo emits the
  légume cuit (garniture) row, the one its menus use.
- A vehicle entry is one *shift* of a van: the canteens are delivered in the morning
  (07:00–09:30), the relay points in the afternoon (16:00–19:00), so a van working both appears
  twice (``master-am`` and ``master-pm``, same ``van``), reloading at the hub in between.
- ``poire`` and ``oeuf`` are scarce on purpose: enough for 100 % of the maternelles, not for the
  élémentaires, so the portioning has shortfalls to explain.

Extra optional fields (beyond SCENARIO.md; consumers may ignore them)
- hub, producers, canteens, relay points: ``address``, ``phone``, ``notes`` (access notes, French),
  ``commune``. Names, addresses and phones are fictional (phones in the ARCEP range reserved for
  fiction, 03 53 73 xx xx).
- producers: ``collect`` (bool: the van collects the goods at the farm, else the farm delivers the
  hub itself), ``window`` and ``service_min`` (collection hours at the farm).
- products: ``category`` (legume, feculent, fruit, laitage, oeuf).
- grammages: ``use`` (the dish component of portions.csv).
- basket_types: ``name``, ``max_share`` (largest share of one product in a basket's weight),
  ``tolerance`` (allowed relative deviation from ``target_kg``).
- vehicles: ``name``, ``van`` (the physical van; several shifts share it), ``driver``,
  ``cost_per_km``, ``cost_per_hour`` (€).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import sys
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"

DEFAULT_WEEK = "2026-W49"
AGE_GROUPS = ("maternelle", "elementaire", "adulte", "foyer")

# Display names (French) of the catalogue of crates.csv.
PRODUCT_NAMES = {
    "carotte": "Carotte",
    "pomme-de-terre": "Pomme de terre",
    "poireau": "Poireau",
    "chou": "Chou",
    "courgette": "Courgette",
    "courge": "Courge",
    "salade": "Salade",
    "tomate": "Tomate",
    "pomme": "Pomme",
    "poire": "Poire",
    "fraise": "Fraise",
    "yaourt": "Yaourt nature",
    "oeuf": "Œuf",
}

# Which row of portions.csv is the default when a product has several (see module docstring).
DEFAULT_USE = {"carotte": "legume cuit (garniture)"}

_WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$")


def _read_csv(name: str) -> list[dict[str, str]]:
    with open(DATA_DIR / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _yes(value: str) -> bool:
    return value.strip().lower() in ("yes", "true", "1", "oui")


def load_places() -> dict[str, dict]:
    """places.csv keyed by name: {name, kind, lat, lon, precision, source}, lat/lon as floats."""
    places = {}
    for row in _read_csv("places.csv"):
        places[row["name"]] = {**row, "lat": float(row["lat"]), "lon": float(row["lon"])}
    return places


def load_crates() -> dict[str, dict]:
    """crates.csv keyed by product: {product, crate, crate_kg (float), cold (bool), source}."""
    crates = {}
    for row in _read_csv("crates.csv"):
        crates[row["product"]] = {**row, "crate_kg": float(row["crate_kg"]), "cold": _yes(row["cold"])}
    return crates


def load_portions() -> list[dict]:
    """portions.csv rows in file order, grams and yield as numbers (carotte has two rows)."""
    rows = []
    for row in _read_csv("portions.csv"):
        typed = dict(row)
        for group in AGE_GROUPS:
            typed[f"{group}_g"] = float(row[f"{group}_g"])
        typed["yield_raw_to_net"] = float(row["yield_raw_to_net"])
        rows.append(typed)
    return rows


def load_demo_sites() -> list[dict]:
    """demo_sites.csv rows in file order: lat/lon floats, service_min int, collect bool,
    canteen_kind None when empty, window as [start, end]."""
    sites = []
    for row in _read_csv("demo_sites.csv"):
        site = dict(row)
        site["lat"] = float(row["lat"])
        site["lon"] = float(row["lon"])
        site["service_min"] = int(row["service_min"])
        site["collect"] = _yes(row["collect"])
        site["canteen_kind"] = row["canteen_kind"] or None
        site["window"] = [row["window_start"], row["window_end"]]
        sites.append(site)
    return sites


def load_demo_week() -> dict:
    """demo_week.json: offers and orders of the demo week, days as ISO weekdays."""
    with open(DATA_DIR / "demo_week.json", encoding="utf-8") as f:
        return json.load(f)


def week_days(week: str) -> dict[int, str]:
    """ISO weekday (1 = Monday … 7 = Sunday) → ISO date of that day in ``week`` ("YYYY-Www")."""
    m = _WEEK_RE.match(week)
    if not m:
        raise ValueError(f"week must look like 2026-W49, got {week!r}")
    year, number = int(m.group(1)), int(m.group(2))
    try:
        return {d: dt.date.fromisocalendar(year, number, d).isoformat() for d in range(1, 8)}
    except ValueError as exc:
        raise ValueError(f"no ISO week {week!r}: {exc}") from None


def _site_extras(site: dict) -> dict:
    return {
        "address": site["address"],
        "phone": site["phone"],
        "notes": site["notes"],
        "commune": site["commune"],
    }


def _products(crates: dict[str, dict], portions: list[dict]) -> list[dict]:
    category = {}
    for row in portions:
        category.setdefault(row["product"], row["category"])
    return [
        {
            "id": pid,
            "name": PRODUCT_NAMES.get(pid, pid.replace("-", " ").capitalize()),
            "unit": "kg",
            "crate_kg": crate["crate_kg"],
            "cold": crate["cold"],
            "category": category.get(pid, ""),
        }
        for pid, crate in crates.items()
    ]


def _grammages(portions: list[dict]) -> list[dict]:
    chosen: dict[str, dict] = {}
    for row in portions:
        pid = row["product"]
        wanted = DEFAULT_USE.get(pid)
        if pid not in chosen or (wanted is not None and row["use"] == wanted):
            chosen[pid] = row
    out = []
    for pid, row in chosen.items():
        for group in AGE_GROUPS:
            grams = row[f"{group}_g"]
            out.append(
                {
                    "product": pid,
                    "age_group": group,
                    "grams": int(grams) if grams == int(grams) else grams,
                    "yield": row["yield_raw_to_net"],
                    "use": row["use"],
                }
            )
    return out


def build_demo_scenario(week: str = DEFAULT_WEEK) -> dict:
    """The demo week of Lens-Liévin as a scenario dict (SCENARIO.md format, plus the extra
    optional fields of the module docstring). Deterministic; only the dates depend on ``week``."""
    days = week_days(week)
    demo = load_demo_week()
    crates = load_crates()
    portions = load_portions()
    sites = load_demo_sites()

    hubs = [s for s in sites if s["kind"] == "hub"]
    if len(hubs) != 1:
        raise ValueError(f"demo_sites.csv must have exactly one hub, found {len(hubs)}")
    hub_site = hubs[0]
    hub = {
        "id": hub_site["id"],
        "name": hub_site["name"],
        "lat": hub_site["lat"],
        "lon": hub_site["lon"],
        **_site_extras(hub_site),
    }

    producers = [
        {
            "id": s["id"],
            "name": s["name"],
            "lat": s["lat"],
            "lon": s["lon"],
            **_site_extras(s),
            "collect": s["collect"],
            "window": list(s["window"]),
            "service_min": s["service_min"],
        }
        for s in sites
        if s["kind"] == "producer"
    ]
    canteens = [
        {
            "id": s["id"],
            "name": s["name"],
            "kind": s["canteen_kind"],
            "lat": s["lat"],
            "lon": s["lon"],
            "window": list(s["window"]),
            "service_min": s["service_min"],
            **_site_extras(s),
            **({"siret": s["siret"]} if s.get("siret") else {}),  # fictional, for Ma Cantine
        }
        for s in sites
        if s["kind"] == "canteen"
    ]
    relay_points = [
        {
            "id": s["id"],
            "name": s["name"],
            "lat": s["lat"],
            "lon": s["lon"],
            "window": list(s["window"]),
            "service_min": s["service_min"],
            **_site_extras(s),
        }
        for s in sites
        if s["kind"] == "relay"
    ]

    offers = [
        {
            "producer": o["producer"],
            "product": o["product"],
            "quantity": o["quantity"],
            "unit_price": o["unit_price"],
            "lot": o["lot"],
        }
        for o in demo["offers"]
    ]
    meal_orders = [
        {
            "canteen": mo["canteen"],
            "day": days[mo["weekday"]],
            "lines": [{"product": p, "meals": dict(mo["meals"])} for p in mo["products"]],
        }
        for mo in demo["meal_orders"]
    ]
    basket_types = [dict(bt) for bt in demo["basket_types"]]
    basket_orders = [
        {
            "relay_point": bo["relay_point"],
            "day": days[bo["weekday"]],
            "basket_type": bo["basket_type"],
            "count": bo["count"],
        }
        for bo in demo["basket_orders"]
    ]
    vehicles = [
        {
            "id": v["id"],
            "capacity_kg": v["capacity_kg"],
            "capacity_crates": v["capacity_crates"],
            "cold": v["cold"],
            "shift": list(v["shift"]),
            "days": [days[d] for d in v["weekdays"]],
            "name": v["name"],
            "van": v["van"],
            "driver": v["driver"],
            "cost_per_km": v["cost_per_km"],
            "cost_per_hour": v["cost_per_hour"],
        }
        for v in demo["vehicles"]
    ]

    return {
        "territory": demo["territory"],
        "week": week,
        "hub": hub,
        "road_factor": demo["road_factor"],
        "speed_kmh": demo["speed_kmh"],
        "products": _products(crates, portions),
        "producers": producers,
        "offers": offers,
        "grammages": _grammages(portions),
        "canteens": canteens,
        "meal_orders": meal_orders,
        "relay_points": relay_points,
        "basket_types": basket_types,
        "basket_orders": basket_orders,
        "vehicles": vehicles,
        "targets": dict(demo["targets"]),
    }


def scenario_json(week: str = DEFAULT_WEEK) -> str:
    """The demo scenario as UTF-8-ready JSON text (accents kept, 2-space indent, final newline)."""
    return json.dumps(build_demo_scenario(week), ensure_ascii=False, indent=2) + "\n"


def write_scenario(path: str | Path, week: str = DEFAULT_WEEK) -> Path:
    """Write the demo scenario of ``week`` to ``path`` (UTF-8 JSON); returns the path."""
    path = Path(path)
    path.write_text(scenario_json(week), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) > 1 or (args and args[0] in ("-h", "--help")):
        print("usage: python -m orders.demo [YYYY-Www] > scenario.json", file=sys.stderr)
        return 0 if args and args[0] in ("-h", "--help") else 2
    try:
        text = scenario_json(args[0] if args else DEFAULT_WEEK)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    sys.stdout.buffer.write(text.encode("utf-8"))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
