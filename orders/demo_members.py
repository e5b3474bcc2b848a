"""Fictional households for the demo relay points, generated from a seed (same seed, same people).

For every basket order of the demo week (relay point, day, basket type, count) there are `count`
households subscribed weekly to that basket type, with a pickup slot on that weekday holding just
them; two more households per relay point wait for a place. So the members derive exactly the
demo's basket orders, and each relay point has a waiting list. Names are drawn from common French
first names and surnames combined at random: they are nobody in particular.
"""
from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

FIRST = ("Camille", "Léa", "Manon", "Chloé", "Inès", "Jade", "Louise", "Emma", "Sarah", "Nadia", "Yasmine",
         "Fatima", "Sophie", "Martine", "Sylvie", "Nathalie", "Lucas", "Hugo", "Louis", "Nathan", "Karim",
         "Mehdi", "Thomas", "Julien", "Kevin", "Jean-Pierre", "Michel", "Patrick", "Rachid", "Bruno",
         "Stéphane", "Franck", "Dominique", "Claude", "Agnès", "Zoé", "Maëlle", "Théo", "Enzo", "Noah")
LAST = ("Lefebvre", "Leroy", "Dubois", "Lemaire", "Dupont", "Duhamel", "Delattre", "Delcourt", "Caron",
        "Wattez", "Kowalski", "Nowak", "Wisniewski", "Lewandowski", "Benali", "Haddad", "Boulanger",
        "Vasseur", "Carpentier", "Dumont", "Lecomte", "Deprez", "Vandenbussche", "Hennebelle", "Fontaine",
        "Mercier", "Roussel", "Leclercq", "Petit", "Morel", "Dufour", "Baert", "Coquelle", "Szymanski")
SLOT_HOURS = ("16:30", "19:00")
WAITING_PER_RELAY_POINT = 2


@dataclass(frozen=True, slots=True)
class DemoSubscription:
    basket_type: str
    weekday: int
    start: date
    waiting: bool = False


@dataclass(frozen=True, slots=True)
class DemoMember:
    relay_point: str
    name: str
    email: str
    phone: str
    subscription: DemoSubscription


@dataclass(frozen=True, slots=True)
class DemoSlot:
    relay_point: str
    weekday: int
    start: str
    end: str
    capacity_baskets: int


def _email(name: str, n: int) -> str:
    plain = name.lower()
    for a, b in (("é", "e"), ("è", "e"), ("ë", "e"), ("ï", "i"), (" ", "."), ("'", "")):
        plain = plain.replace(a, b)
    return f"{plain}.{n}@exemple.test"


def demo_members(basket_orders: Iterable[dict], week_start: date, seed: int = 19) -> tuple[list[DemoSlot],
                                                                                           list[DemoMember]]:
    """Slots and households matching `basket_orders` (the scenario's dicts: relay_point, day,
    basket_type, count); subscriptions start in the weeks before `week_start`."""
    rng = random.Random(seed)
    per_slot: dict[tuple[str, int], list[str]] = defaultdict(list)
    for order in sorted(basket_orders, key=lambda o: (o["relay_point"], o["day"], o["basket_type"])):
        weekday = date.fromisoformat(order["day"]).weekday()
        per_slot[(order["relay_point"], weekday)] += [order["basket_type"]] * int(order["count"])
    used: set[str] = set()

    def name() -> str:
        while True:
            candidate = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            if candidate not in used:
                used.add(candidate)
                return candidate

    slots, members = [], []
    serial = 0
    first_slot: dict[str, tuple[int, str]] = {}
    for (relay_point, weekday), types in sorted(per_slot.items()):
        slots.append(DemoSlot(relay_point, weekday, SLOT_HOURS[0], SLOT_HOURS[1], len(types)))
        first_slot.setdefault(relay_point, (weekday, types[0]))
        for basket_type in types:
            serial += 1
            who = name()
            start = week_start - timedelta(weeks=rng.randint(2, 60))
            members.append(DemoMember(relay_point, who, _email(who, serial), f"06 {rng.randint(10, 99)} "
                                      f"{rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
                                      DemoSubscription(basket_type, weekday, start)))
    for relay_point, (weekday, basket_type) in sorted(first_slot.items()):
        for _ in range(WAITING_PER_RELAY_POINT):
            serial += 1
            who = name()
            members.append(DemoMember(relay_point, who, _email(who, serial), "", DemoSubscription(
                basket_type, weekday, week_start, waiting=True)))
    return slots, members
