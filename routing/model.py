"""The routing model: plain frozen dataclasses, no framework.

Units: times are minutes since midnight (local time, the caller converts at the edge), loads in kg and
in whole crates, distances in metres, durations of travel in seconds (see `routing.matrix`).

A `RoutingProblem` is one day of one territory: a depot (the hub), stops to deliver, vehicles. A stop
may name a `Pickup`: the goods it receives are collected at that site (a farm) by the same round,
before the delivery. `routing.solve` returns a `RoutingResult`: rounds of ordered visits with their
times and loads, and the stops it could not serve, each with a reason code and a French sentence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class TimeWindow:
    """A closed interval [start_min, end_min] in minutes since midnight."""

    start_min: int
    end_min: int

    def __post_init__(self) -> None:
        if self.end_min < self.start_min:
            raise ValueError(f"time window ends before it starts: {self.start_min}..{self.end_min}")

    def contains(self, minute: float) -> bool:
        return self.start_min <= minute <= self.end_min


@dataclass(frozen=True, slots=True)
class Site:
    """A place: the hub, a farm, a canteen, a relay point. `lat`/`lon` None = not geocoded."""

    id: str
    name: str = ""
    lat: float | None = None
    lon: float | None = None

    @property
    def has_coordinates(self) -> bool:
        return self.lat is not None and self.lon is not None


@dataclass(frozen=True, slots=True)
class Drop:
    """One product line left at a stop; `quantity` is in the product's unit."""

    product: str
    quantity: float
    crates: int
    cold: bool = False


@dataclass(frozen=True, slots=True)
class Pickup:
    """Collection of a stop's goods at another site (a farm), by the same round, before the delivery.

    `service_min` is the loading time at the farm; `window` the farm's opening hours (None = any time
    within the shift). `load_kg`/`crates`/`drops` say what is loaded there when it is only part of
    the stop's goods (the rest leaves from the hub); None = all of the stop's goods.
    """

    site: Site
    service_min: int = 10
    window: TimeWindow | None = None
    load_kg: float | None = None
    crates: int | None = None
    drops: tuple[Drop, ...] = ()


@dataclass(frozen=True, slots=True)
class Stop:
    """A delivery to a site on the problem's day.

    `load_kg` and `crates` are what is dropped there; `cold` means at least one product needs the cold
    chain (only cold vehicles may carry it). `window` None = any time within a shift. With `pickup`
    set, the goods are collected at `pickup.site` first; otherwise they leave from the vehicle's start.
    """

    id: str
    site_id: str
    name: str
    lat: float | None
    lon: float | None
    load_kg: float = 0.0
    crates: int = 0
    cold: bool = False
    service_min: int = 0
    window: TimeWindow | None = None
    drops: tuple[Drop, ...] = ()
    pickup: Pickup | None = None

    @property
    def site(self) -> Site:
        return Site(self.site_id, self.name, self.lat, self.lon)


@dataclass(frozen=True, slots=True)
class Vehicle:
    """A van for the day. Costs are in euros; `shift` bounds the whole round (leave and come back).

    `start`/`end` None = the problem's depot.
    """

    id: str
    capacity_kg: float
    capacity_crates: int
    shift: TimeWindow
    cold: bool = False
    start: Site | None = None
    end: Site | None = None
    cost_per_km: float = 0.0
    cost_per_hour: float = 0.0
    fixed_cost: float = 0.0
    driver: str | None = None


@dataclass(frozen=True, slots=True)
class Matrix:
    """Travel distances (metres) and durations (seconds) between points, row = from, column = to.

    `site_ids` names the rows/columns when the matrix is given with the problem; a provider returns
    a matrix over the points it was asked for, in order, with `site_ids` empty.
    """

    distance_m: tuple[tuple[int, ...], ...]
    duration_s: tuple[tuple[int, ...], ...]
    site_ids: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        n = len(self.distance_m)
        if len(self.duration_s) != n or any(len(r) != n for r in self.distance_m + self.duration_s):
            raise ValueError("matrix rows must form two square matrices of the same size")
        if self.site_ids and len(self.site_ids) != n:
            raise ValueError("site_ids must name every row of the matrix")


@dataclass(frozen=True, slots=True)
class LockedRound:
    """A round whose order the coordinator locked: its stops stay on `vehicle_id`, in this order.

    New stops may still be inserted between them (the solver chooses where); a locked stop that can
    no longer be served is reported unserved like any other.
    """

    vehicle_id: str
    stop_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RoutingProblem:
    """One day to route. `matrix` None = computed by the matrix provider passed to `solve`."""

    day: str
    depot: Site
    stops: tuple[Stop, ...]
    vehicles: tuple[Vehicle, ...]
    matrix: Matrix | None = None
    locked: tuple[LockedRound, ...] = ()


class Reason(StrEnum):
    """Why a stop is unserved. The French text is `REASON_FR[reason]`."""

    NO_COORDINATES = "no_coordinates"
    NO_VEHICLE = "no_vehicle"
    CAPACITY = "capacity"
    COLD = "no_cold_vehicle"
    WINDOW_INFEASIBLE = "window_infeasible"
    SHIFT = "shift"
    UNREACHABLE = "unreachable"
    FLEET = "fleet"
    # found by `routing.explain` for a stop the search left over (instead of `fleet`)
    COLD_CAPACITY = "cold_capacity"
    CRATES = "crates"
    KG = "kg"
    WINDOW = "window"


REASON_FR: dict[Reason, str] = {
    Reason.NO_COORDINATES: "adresse sans coordonnées : le point ne peut pas être placé sur une tournée",
    Reason.NO_VEHICLE: "aucun véhicule disponible ce jour-là",
    Reason.CAPACITY: "chargement impossible : aucun véhicule n'a la capacité (kg ou caisses) pour "
    "une seule caisse de cette livraison",
    Reason.COLD: "produits frais : aucun véhicule frigorifique disponible",
    Reason.WINDOW_INFEASIBLE: "fenêtre horaire impossible à tenir : même en partant seul du dépôt, "
    "aucun véhicule n'arrive dans le créneau pendant son service",
    Reason.SHIFT: "hors service : le point est atteignable dans son créneau mais le véhicule ne peut "
    "pas revenir avant la fin de son service",
    Reason.UNREACHABLE: "aucun itinéraire routier connu vers ce point",
    Reason.FLEET: "flotte insuffisante : pas assez de véhicules ou d'heures de service pour ce point",
    Reason.COLD_CAPACITY: "froid complet : les véhicules frigorifiques de ce jour sont pleins ou déjà "
    "occupés, il ne reste pas de place au froid pour les produits frais de ce point",
    Reason.CRATES: "caisses : les véhicules de ce jour n'ont plus assez de place en caisses pour ce point",
    Reason.KG: "poids : les véhicules de ce jour n'ont plus assez de charge utile (kg) pour ce point",
    Reason.WINDOW: "créneau trop serré : les tournées ne peuvent pas passer dans le créneau de ce point "
    "en servant aussi les autres",
}
SHIFT_EXPLAINED_FR = ("heures de service : les tournées de ce jour n'ont plus assez de temps dans leur "
                      "service pour passer aussi à ce point")


@dataclass(frozen=True, slots=True)
class Visit:
    """A stop in a round. `arrival_min` is the start of service (after any wait), floored to the minute.

    `part`/`parts` > 1 when a load too big for one van was split across several visits.
    `on_board_kg` is the load in the van when it arrives.
    """

    stop_id: str
    site_id: str
    name: str
    arrival_min: int
    departure_min: int
    load_kg: float
    crates: int
    drops: tuple[Drop, ...] = ()
    kind: str = "delivery"  # "delivery" | "pickup"
    on_board_kg: float = 0.0
    part: int = 1
    parts: int = 1
    temperature: str = ""  # "cold" | "ambient" when the stop's goods came in two vans; "" = all of them


@dataclass(frozen=True, slots=True)
class Round:
    """One vehicle's day: leaves its start at `start_min`, back at its end at `end_min`."""

    vehicle_id: str
    driver: str | None
    day: str
    start_min: int
    end_min: int
    distance_m: int
    duration_min: int
    cost: float
    stops: tuple[Visit, ...]
    trip: int = 1  # 2 = the van's second trip of the day (back at the hub, reloaded, out again)

    @property
    def load_kg(self) -> float:
        return sum(v.load_kg for v in self.stops if v.kind == "delivery")

    @property
    def crates(self) -> int:
        return sum(v.crates for v in self.stops if v.kind == "delivery")


@dataclass(frozen=True, slots=True)
class WayOut:
    """The smallest change found that serves an unserved stop, checked by re-solving the day with it.

    `kind`: "extra_van" (one more van like `vehicle_like` that day, refrigerated when `cold`),
    "wider_window" (the stop's window `minutes` wider on each side), "move_crates" (`crates` crates,
    `kg` kg, of the stop's goods delivered another day; `cold` = its cold goods first).
    `way_out_fr` says it in French for the coordinator.
    """

    kind: str
    way_out_fr: str
    minutes: int = 0
    crates: int = 0
    kg: float = 0.0
    cold: bool = False
    vehicle_like: str | None = None

    def to_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "way_out_fr": self.way_out_fr, "minutes": self.minutes,
                "crates": self.crates, "kg": self.kg, "cold": self.cold, "vehicle_like": self.vehicle_like}


@dataclass(frozen=True, slots=True)
class Unserved:
    """A stop (or part of a split stop) no round serves. `reason` is the binding constraint;
    `way_out` the smallest change found that would serve it (None when none was found or sought),
    `alternatives` the other changes found that serve it too."""

    stop_id: str
    site_id: str
    reason: Reason
    reason_fr: str
    part: int = 1
    parts: int = 1
    way_out: WayOut | None = None
    alternatives: tuple[WayOut, ...] = ()
    temperature: str = ""  # "cold" | "ambient": only these goods of the stop are left over

    @property
    def way_out_fr(self) -> str:
        return self.way_out.way_out_fr if self.way_out else ""


@dataclass(frozen=True, slots=True)
class RoutingResult:
    """`status`: "solved" (all served), "partial" (some unserved), "empty" (nothing to route).

    `objective` in euros: fixed costs of used vehicles + cost_per_km × km + cost_per_hour × hours.
    """

    status: str
    objective: float
    seconds: float
    rounds: tuple[Round, ...]
    unserved: tuple[Unserved, ...]
    stats: dict[str, object] = field(default_factory=dict, compare=False, hash=False)

    @property
    def distance_m(self) -> int:
        return sum(r.distance_m for r in self.rounds)

    @property
    def duration_min(self) -> int:
        return sum(r.duration_min for r in self.rounds)

    @property
    def vehicles_used(self) -> int:
        return len(self.rounds)
