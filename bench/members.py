"""Benchmark deriving a week's basket orders from members: ``python -m bench.members`` prints JSON.

Two territories: ``demo`` (10 relay points × 50 households) and ``regional`` (300 × 50 = 15 000
households); each household subscribes weekly or every other week, one in ten is paused, one in
twenty orders an extra basket. Timed, median of `--repeat` runs:

* ``pure_s``: `orders.members.derive_week` alone (the counts per relay point, day, basket type);
* ``service_first_s``: `app.services.member_orders.derive_orders` on a migrated SQLite database
  (reading the rows, deriving, writing the basket orders), on a week without orders;
* ``service_again_s``: the same once the orders exist (the cycle's close after an on-demand derive);
* ``cut_s``: handing out a plan one basket short at every relay point, day and type (`choose_cut`).

Target: regional ``service_first_s`` < 2 s. Run under ``flock /tmp/terril-bench.lock`` on the
shared machine; compare ratios within one run (the machine is noisy).
"""
from __future__ import annotations

import argparse
import json
import logging
import platform
import random
import statistics
import tempfile
import time
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from orders import members as M

WEEK = "2026-W49"
DAYS = (date(2026, 12, 1), date(2026, 12, 3))
TYPES = ("petit", "moyen", "famille")
SIZES = {"demo": (10, 50), "regional": (300, 50)}


def pure_inputs(relay_points: int, per_relay: int, seed: int = 19):
    rng = random.Random(seed)
    subs, pauses, extras = [], [], []
    n = 0
    for r in range(relay_points):
        for _ in range(per_relay):
            n += 1
            weekday = 1 if r % 2 == 0 else 3
            start = date(2026, 9, 7) + timedelta(weeks=rng.randint(0, 10))
            subs.append(M.SubscriptionLine(n, n, f"rp-{r:03d}", rng.choice(TYPES), weekday, start, None,
                                           "every_other_week" if rng.random() < 0.25 else "weekly",
                                           rng.random() < 0.2))
            if rng.random() < 0.1:
                pauses.append(M.PauseSpan(n, date(2026, 11, 30), date(2026, 12, 6)))
            if rng.random() < 0.05:
                extras.append(M.ExtraBasket(n, f"rp-{r:03d}", subs[-1].basket_type, DAYS[weekday == 3], 1))
    return subs, pauses, extras


def median_s(func, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        func()
        times.append(time.perf_counter() - t0)
    return round(statistics.median(times), 4)


def cut_all(result: M.Derivation) -> int:
    groups = defaultdict(list)
    for b in result.baskets:
        groups[(b.relay_point, b.day, b.basket_type)].append(b)
    history = M.cut_history([], {b.member: datetime(2026, 1, 1) + timedelta(minutes=b.member) for b in result.baskets})
    cut = 0
    for baskets in groups.values():
        due = sum(b.count for b in baskets)
        cut += sum(M.choose_cut(baskets, due - 1, "rotation", history).members_cut.values())
    return cut


def _database(relay_points: int, per_relay: int, folder: Path):
    """A migrated SQLite database with the territory's relay points and households; (app, week id)."""
    from app import create_app
    from app.db import unit_of_work
    from app.models import BasketType, Member, Pause, PickupSlot, Site, Subscription, Territory, Week

    url = f"sqlite:///{folder / 'members.db'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True,
                      "TERRIL_QUEUE_IMMEDIATE": True, "TERRIL_DOCUMENTS_DIR": str(folder / "docs")},
                     instance_path=str(folder / "instance"))
    from app import migrate

    migrate.upgrade(url)
    subs, pauses, _ = pure_inputs(relay_points, per_relay)
    now = datetime.now(UTC)
    with app.app_context(), unit_of_work() as session:
        session.add(Territory(id="bench", name="Bench"))
        session.flush()
        session.add_all([BasketType(id=t, name=t, price_eur=10, target_kg=4) for t in TYPES])
        session.add_all([Site(id=f"rp-{r:03d}", territory_id="bench", kind="relay", name=f"Relais {r}")
                         for r in range(relay_points)])
        session.flush()
        week = Week(territory_id="bench", iso_week=WEEK, state="orders_open",
                    delivery_days=[d.isoformat() for d in DAYS])
        slots = {f"rp-{r:03d}": PickupSlot(relay_point_id=f"rp-{r:03d}", weekday=1 if r % 2 == 0 else 3,
                                           start="17:00", end="19:00", capacity_baskets=per_relay)
                 for r in range(relay_points)}
        session.add(week)
        session.add_all(slots.values())
        session.flush()  # parents before children: the tables declare no relationships to order them
        people = {s.member: Member(id=s.member, relay_point_id=s.relay_point, name=f"Foyer {s.member}",
                                   created_at=now) for s in subs}
        session.add_all(people.values())
        session.flush()
        session.flush()
        session.add_all([Subscription(id=s.id, member_id=s.member, basket_type_id=s.basket_type,
                                      slot_id=slots[s.relay_point].id, frequency=s.frequency, start=s.start,
                                      skip_school_holidays=s.skip_school_holidays, created_at=now) for s in subs])
        session.flush()
        session.add_all([Pause(member_id=p.member, start=p.start, end=p.end, created_at=now) for p in pauses])
        week_id = week.id
    return app, week_id


def service_times(relay_points: int, per_relay: int, repeat: int) -> dict:
    from sqlmodel import delete, select

    from app.db import get_session
    from app.models import BasketOrder, Week
    from app.services import member_orders

    with tempfile.TemporaryDirectory(prefix="terril-bench-members-") as tmp:
        app, week_id = _database(relay_points, per_relay, Path(tmp))
        firsts, agains, rows = [], [], 0
        with app.app_context():
            session = get_session()
            week = session.get(Week, week_id)
            for _ in range(repeat):
                t0 = time.perf_counter()
                member_orders.derive_orders(session, week, actor="bench")
                session.commit()
                firsts.append(time.perf_counter() - t0)
                rows = len(session.exec(select(BasketOrder.id)).all())
                t0 = time.perf_counter()
                member_orders.derive_orders(session, week, actor="bench")
                session.commit()
                agains.append(time.perf_counter() - t0)
                session.exec(delete(BasketOrder))
                session.commit()
        app.extensions["terril_engine"].dispose()
    return {"service_first_s": round(statistics.median(firsts), 4),
            "service_again_s": round(statistics.median(agains), 4), "orders_written": rows}


def run(name: str, repeat: int, with_service: bool) -> dict:
    relay_points, per_relay = SIZES[name]
    subs, pauses, extras = pure_inputs(relay_points, per_relay)
    result = M.derive_week(WEEK, subs, pauses, extras, DAYS, lambda _d: False)
    out = {"relay_points": relay_points, "members": len(subs), "baskets": sum(o.count for o in result.orders),
           "orders": len(result.orders),
           "pure_s": median_s(lambda: M.derive_week(WEEK, subs, pauses, extras, DAYS, lambda _d: False), repeat),
           "cut_s": median_s(lambda: cut_all(result), repeat), "baskets_cut": cut_all(result)}
    if with_service:
        out.update(service_times(relay_points, per_relay, repeat))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.members", description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="demo only, one run")
    parser.add_argument("--pure", action="store_true", help="skip the database part")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)
    names = ("demo",) if args.quick else ("demo", "regional")
    repeat = 1 if args.quick else args.repeat
    report = {"benchmark": "members", "python": platform.python_version(), "week": WEEK,
              "target": {"regional.service_first_s": 2.0}}
    for name in names:
        report[name] = run(name, repeat, not args.pure)
    if "regional" in report and "service_first_s" in report["regional"]:
        report["regional_meets_target"] = report["regional"]["service_first_s"] < 2.0
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
