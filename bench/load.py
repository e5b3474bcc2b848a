"""Load: throughput and latency of the API under gunicorn, against a bare Flask endpoint.

`python -m bench.load [--duration 10] [--clients 20] [--workers 2] [--database-url URL] [--quick]
[--only healthz,place_order]`

Sets up a server the way production runs it: `flask db upgrade`, `flask demo`, a coordinator
token, then `gunicorn -w N wsgi:app` on a fresh file SQLite (WAL) unless `--database-url` names
another database (a PostgreSQL scratch database: it is wiped at the start). Weeks 2027-W01… are opened
for orders so every placement is a new basket order. Each scenario runs `--clients` threads
(stdlib `http.client`, one connection per request: gunicorn's sync workers close them) for
`--duration` seconds:

* `healthz`: `GET /healthz`, the bare Flask endpoint (no database, no auth): the ceiling;
* `read_week`: `GET /api/v1/weeks/2026-W49` (auth, one row and its deadlines);
* `read_orders`: `GET /api/v1/basket-orders?week=2026-W49` (auth, a page of 24 orders);
* `place_order`: `POST /api/v1/basket-orders` (auth, checks, insert, audit entry, commit);
* `place_order_idempotent`: the same with an `Idempotency-Key` (one more row in the transaction).

Prints JSON: per scenario requests, errors, requests/s and p50/p95/p99 latency in ms (measured
by the client, connection included), and each scenario's throughput as a share of `healthz`.
The client threads share one Python process: at high rates the client itself is part of the
ceiling, so `healthz` is a lower bound of the server's real ceiling. Machines are shared and
noisy: compare ratios within one run.
"""
from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WEEK = "2026-W49"
# enough distinct (week, relay point, basket type, day) orders for both placing scenarios at ~1000 req/s
ORDER_WEEKS = [f"2027-W{n:02d}" for n in range(1, 53)] + [f"2028-W{n:02d}" for n in range(1, 53)]


def _wipe(url: str) -> None:
    """Start from an empty scratch database (every table of the previous run dropped)."""
    from sqlalchemy import text

    from app.db import make_engine

    engine = make_engine(url)
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _flask(env: dict, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise RuntimeError(done.stdout + done.stderr)
    return done.stdout


def _request(port: int, method: str, path: str, body: dict | None = None, headers: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=json.dumps(body) if body is not None else None,
                     headers={"Content-Type": "application/json", **(headers or {})})
        res = conn.getresponse()
        return res.status, res.read()
    finally:
        conn.close()


def _percentile(sorted_ms: list[float], q: float) -> float:
    if not sorted_ms:
        return float("nan")
    index = min(len(sorted_ms) - 1, max(0, round(q * (len(sorted_ms) - 1))))
    return round(sorted_ms[index], 2)


def run_scenario(port: int, clients: int, duration_s: float, make_request, expect: int) -> dict:
    """`clients` threads call `make_request()` -> (method, path, body, headers) until time is up."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop_at = time.perf_counter() + duration_s
    start = threading.Barrier(clients + 1)

    def client():
        nonlocal errors
        mine, bad = [], 0
        start.wait()
        while time.perf_counter() < stop_at:
            req = make_request()
            if req is None:
                break
            t0 = time.perf_counter()
            try:
                status, _ = _request(port, *req)
            except OSError:
                status = -1
            mine.append((time.perf_counter() - t0) * 1000)
            bad += status != expect
        with lock:
            latencies.extend(mine)
            errors += bad

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    start.wait()
    began = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    latencies.sort()
    return {"requests": len(latencies), "errors": errors, "seconds": round(elapsed, 2),
            "rps": round(len(latencies) / elapsed, 1), "p50_ms": _percentile(latencies, 0.50),
            "p95_ms": _percentile(latencies, 0.95), "p99_ms": _percentile(latencies, 0.99)}


def _order_source(token: str, relays: list[str], baskets: list[str], idempotent: bool, offset: int):
    """Thread-safe supplier of new basket orders (week × relay × basket × day, never twice)."""
    from datetime import date, timedelta

    def days(week: str):
        monday = date.fromisocalendar(int(week[:4]), int(week[6:]), 1)
        return [(monday + timedelta(days=d)).isoformat() for d in range(7)]

    combos = ((w, r, b, d) for w in ORDER_WEEKS for r in relays for b in baskets for d in days(w))
    combos = itertools.islice(combos, offset, None)
    lock = threading.Lock()
    counter = itertools.count()

    def make():
        with lock:
            combo = next(combos, None)
            n = next(counter)
        if combo is None:
            return None
        w, r, b, d = combo
        headers = {"Authorization": f"Bearer {token}"}
        if idempotent:
            headers["Idempotency-Key"] = f"load-{offset}-{n}"
        return ("POST", "/api/v1/basket-orders",
                {"week": w, "relay_point_id": r, "basket_type_id": b, "day": d, "count": 5}, headers)

    return make


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per scenario")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--database-url", default=None, help="scratch database (default: a temp SQLite file)")
    parser.add_argument("--quick", action="store_true", help="2 s per scenario (smoke run)")
    parser.add_argument("--only", default="", help="comma-separated scenarios to run (healthz always runs)")
    args = parser.parse_args(argv)
    duration = 2.0 if args.quick else args.duration

    from orders.demo import build_demo_scenario

    scenario = build_demo_scenario(WEEK)
    relays = [r["id"] for r in scenario["relay_points"]]
    baskets = [b["id"] for b in scenario["basket_types"]]

    with tempfile.TemporaryDirectory(prefix="terril-load-") as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'load.db'}"
        env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": os.environ.get("SECRET_KEY", "load-bench"),
               "TERRIL_DOCUMENTS_DIR": str(Path(tmp) / "documents"), "TERRIL_LOG_LEVEL": "ERROR"}
        env.pop("TERRIL_SCHEDULER_IN_PROCESS", None)
        if args.database_url:
            _wipe(url)
        _flask(env, "db", "upgrade")
        _flask(env, "demo")
        token = _flask(env, "users", "create", f"Load bench {os.getpid()}",
                       "--role", "coordinator").strip().splitlines()[-1]
        port = _free_port()
        log = open(Path(tmp) / "gunicorn.log", "wb")
        server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", str(args.workers), "-b",
                                   f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"],
                                  cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            for _ in range(600):
                try:
                    if _request(port, "GET", "/healthz")[0] == 200:
                        break
                except OSError:
                    time.sleep(0.05)
            auth = {"Authorization": f"Bearer {token}"}
            for week in ORDER_WEEKS:
                _request(port, "POST", "/api/v1/weeks/", {"iso_week": week}, auth)
                for state in ("offers_open", "orders_open"):
                    status, body = _request(port, "POST", f"/api/v1/weeks/{week}/transitions", {"to": state}, auth)
                    if status != 200:
                        raise RuntimeError(f"cannot open {week}: {status} {body[:300]!r}")
            capacity = len(ORDER_WEEKS) * len(relays) * len(baskets) * 7
            half = capacity // 2
            scenarios = {
                "healthz": (lambda: ("GET", "/healthz", None, {}), 200),
                "read_week": (lambda: ("GET", f"/api/v1/weeks/{WEEK}", None, auth), 200),
                "read_orders": (lambda: ("GET", f"/api/v1/basket-orders?week={WEEK}", None, auth), 200),
                "place_order": (_order_source(token, relays, baskets, False, 0), 201),
                "place_order_idempotent": (_order_source(token, relays, baskets, True, half), 201),
            }
            wanted = {"healthz", *filter(None, args.only.split(","))} if args.only else set(scenarios)
            results = {name: run_scenario(port, args.clients, duration, make, expect)
                       for name, (make, expect) in scenarios.items() if name in wanted}
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
            log.close()

    ceiling = results["healthz"]["rps"] or 1.0
    for res in results.values():
        res["share_of_healthz"] = round(res["rps"] / ceiling, 3)
    place = results.get("place_order", {"p95_ms": float("nan"), "share_of_healthz": 0.0})
    out = {
        "config": {"database": "sqlite (WAL, file)" if not args.database_url else url.split("://")[0],
                   "gunicorn_workers": args.workers, "clients": args.clients, "seconds_per_scenario": duration,
                   "cpus": os.cpu_count(), "order_capacity": capacity,
                   "pg_synchronous_commit": env.get("TERRIL_PG_SYNCHRONOUS_COMMIT", "off") if args.database_url else None,
                   "load_average_at_end": os.getloadavg()[0]},
        "scenarios": results,
        "targets": {"place_order_p95_below_50ms": place["p95_ms"] < 50,
                    "place_order_at_least_25pct_of_healthz": place["share_of_healthz"] >= 0.25},
    }
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
