"""Where an API request's time goes: statements (database round trips) and milliseconds per request.

`python -m bench.roundtrips [--database-url URL] [--requests 150]`

One client, in process (Flask's test client, no HTTP, no contention): places `--requests` basket
orders and reads the week as many times, on a migrated scratch database (a temporary SQLite file,
or the PostgreSQL database named: it is wiped), and prints JSON: per operation the statements sent
(each one a round trip on PostgreSQL, plus BEGIN and COMMIT), the time spent inside
`cursor.execute`, and the median and p95 of the whole request. Compare the two databases on the
same machine; `bench.load` measures the same paths under concurrency.
"""
from __future__ import annotations

import argparse
import itertools
import json
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path


def _wipe(url: str) -> None:
    from sqlalchemy import text

    from app.db import make_engine

    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--requests", type=int, default=150)
    args = parser.parse_args(argv)
    from sqlalchemy import event

    from app import create_app, migrate
    from tests.app.world import WEEK, build_world

    with tempfile.TemporaryDirectory(prefix="terril-rt-") as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'rt.db'}"
        if args.database_url:
            _wipe(url)
        migrate.upgrade(url)
        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                          "TERRIL_DOCUMENTS_DIR": str(Path(tmp) / "documents")})
        world = build_world(app, state="orders_open")
        engine = app.extensions["terril_engine"]
        spent = {"execute_s": 0.0}
        statements: Counter = Counter()

        @event.listens_for(engine, "before_cursor_execute")
        def _before(conn, cursor, statement, params, context, many):
            context._terril_t0 = time.perf_counter()

        @event.listens_for(engine, "after_cursor_execute")
        def _after(conn, cursor, statement, params, context, many):
            spent["execute_s"] += time.perf_counter() - context._terril_t0
            statements[statement.split(None, 1)[0].upper()] += 1

        auth = {"Authorization": f"Bearer {world.tokens['coordinator']}"}
        days = ["2026-11-30"] + [f"2026-12-0{d}" for d in range(1, 7)]
        combos = itertools.cycle(itertools.product([r["id"] for r in world.scenario["relay_points"]],
                                                   [b["id"] for b in world.scenario["basket_types"]], days))
        client = app.test_client()
        out = {}
        for name, call in (
            ("place_order", lambda r, b, d: client.post("/api/v1/basket-orders", headers=auth, json={
                "week": WEEK, "relay_point_id": r, "basket_type_id": b, "day": d, "count": 2})),
            ("read_week", lambda r, b, d: client.get(f"/api/v1/weeks/{WEEK}", headers=auth)),
        ):
            statements.clear()
            spent["execute_s"] = 0.0
            latencies, statuses = [], Counter()
            for _ in range(args.requests):
                r, b, d = next(combos)
                t0 = time.perf_counter()
                statuses[call(r, b, d).status_code] += 1
                latencies.append((time.perf_counter() - t0) * 1000)
            latencies.sort()
            out[name] = {"statuses": dict(statuses),
                         "statements_per_request": round(sum(statements.values()) / args.requests, 2),
                         "by_kind": {k: round(v / args.requests, 2) for k, v in statements.most_common()},
                         "execute_ms_per_request": round(spent["execute_s"] * 1000 / args.requests, 3),
                         "median_ms": round(statistics.median(latencies), 3),
                         "p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))], 3)}
        engine.dispose()
    print(json.dumps({"database": url.split(":")[0],
                      "pg_synchronous_commit": app.config["TERRIL_PG_SYNCHRONOUS_COMMIT"] if args.database_url else None,
                      "requests": args.requests, "operations": out}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
