"""Jobs on the task queue, measured: `python -m bench.jobs` prints JSON (run it under
`flock /tmp/terril-bench.lock`: it uses both cores).

Each phase runs the production process model on a fresh SQLite database in a temporary folder:
gunicorn with `gunicorn.conf.py` (2 processes × 4 threads) and `flask --app wsgi worker --workers N`
(the README's commands), the queue in a SQLite file. The weeks are planned in this process first
(not measured); then, through the API as a client would:

* `demo_publication_s`: `POST /weeks/2026-W49/publish` until the job succeeded, with 1 and with 2
  job workers (the demo week's documents);
* `x8_publication_s`: the same for a generated ×8 week (bench/scaling.py's size), 2 workers;
* `read_week_while_publishing`: p50/p95/max of `GET /api/v1/weeks/{week}` issued by one client
  every 50 ms during the publications (after 40 warm-up reads), and how many took over 1 s;
* `two_territories`: the rounds job (portioning + routing) of the demo territory alone, then
  together with a second territory's week (a generated week of the demo's size, "Lille"),
  2 workers: the wall time of both against one.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WEEK = "2026-W49"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _request(port: int, method: str, path: str, token: str, body: dict | None = None) -> tuple[int, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(method, path, body=json.dumps(body) if body is not None else None,
                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        res = conn.getresponse()
        data = res.read()
        return res.status, (json.loads(data) if data else {})
    finally:
        conn.close()


def _lille(seed: int = 3) -> dict:
    """A second territory's week: a generated demo-size week with its own hub and vans."""
    from app.planning.generate import generate_week

    data = generate_week(seed=seed, producers=5, products=14, canteens=6, relay_points=10, days=2,
                         scarcity=0.9).to_dict()
    data["territory"], data["territory_id"] = "Lille", "lille"
    data["hub"]["id"] = "hub-lille"
    for site in data["producers"] + data["canteens"] + data["relay_points"]:
        site["id"] = "lille-" + site["id"]
    text = json.dumps(data)
    for old in sorted({s["id"].removeprefix("lille-") for s in data["producers"] + data["canteens"]
                       + data["relay_points"]}, key=len, reverse=True):
        text = text.replace(f'"{old}"', f'"lille-{old}"')
    data = json.loads(text)
    for van in data["vehicles"]:
        van["id"] = "lille-" + van["id"]
    return data


class Phase:
    """One fresh database + queue + documents folder, its web server and its workers."""

    def __init__(self, root: Path, name: str) -> None:
        self.dir = root / name
        self.dir.mkdir(parents=True)
        self.url = f"sqlite:///{self.dir / 'terril.db'}"
        self.env = {**os.environ, "DATABASE_URL": self.url, "TERRIL_QUEUE_FILE": str(self.dir / "queue.db"),
                    "TERRIL_DOCUMENTS_DIR": str(self.dir / "documents"), "SECRET_KEY": "bench-jobs",
                    "TERRIL_LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT), "WEB_CONCURRENCY": "2",
                    "TERRIL_ACCESS_LOG": str(self.dir / "access.log")}
        for key in ("TERRIL_SCHEDULER_IN_PROCESS", "TERRIL_QUEUE_IMMEDIATE", "TERRIL_REDIS_URL", "TERRIL_QUEUE_URL"):
            self.env.pop(key, None)
        self.procs: list[subprocess.Popen] = []
        self.port = _free_port()

    def app(self, **config):
        from app import create_app

        return create_app({"SQLALCHEMY_DATABASE_URI": self.url, "TERRIL_QUEUE_FILE": self.env["TERRIL_QUEUE_FILE"],
                           "TERRIL_DOCUMENTS_DIR": self.env["TERRIL_DOCUMENTS_DIR"], **config})

    def load(self, scenarios: list, plan: bool, portioning_limit_s: float = 2.0) -> str:
        """Import the weeks (closed), plan them here when asked; the coordinator's token."""
        from app import migrate
        from app.auth import create_user
        from app.db import unit_of_work
        from app.services import planning
        from app.services.scenario import import_scenario

        migrate.upgrade(self.url)
        app = self.app(TERRIL_PORTIONING_TIME_LIMIT=portioning_limit_s, TERRIL_QUEUE_IMMEDIATE=True)
        with app.app_context():
            with unit_of_work() as session:
                _, token = create_user(session, "Bench", "coordinator", None)
            for scenario in scenarios:
                with unit_of_work() as session:
                    week = import_scenario(session, scenario, state="closed")
                if plan:
                    with unit_of_work() as session:
                        planning.plan_week(session, session.merge(week), "bench")
        app.extensions["terril_engine"].dispose()
        return token

    def start(self, workers: int) -> None:
        for args, log in (([sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "-b",
                            f"127.0.0.1:{self.port}", "wsgi:app"], "gunicorn.log"),
                          ([sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--workers", str(workers)],
                           "worker.log")):
            self.procs.append(subprocess.Popen(args, cwd=ROOT, env=self.env, stdout=open(self.dir / log, "wb"),
                                               stderr=subprocess.STDOUT, start_new_session=True))
        deadline = time.monotonic() + 180
        ready = False
        while time.monotonic() < deadline and not ready:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/readyz")
                ready = conn.getresponse().status == 200
            except OSError:
                time.sleep(0.1)
        # the worker's start-up (imports) is not part of a job's time: wait for its banner (printed
        # once the app is built, just before the consumer forks its processes)
        while time.monotonic() < deadline and b"Worker Terril" not in (self.dir / "worker.log").read_bytes():
            time.sleep(0.1)
        time.sleep(2.0)

    def warm(self, token: str, week: str) -> None:
        """A few reads first, so that every web process has its connections and imports ready."""
        for _ in range(40):
            _request(self.port, "GET", f"/api/v1/weeks/{week}", token)

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


def run_jobs(phase: Phase, token: str, posts: list[str]) -> tuple[float, list[dict]]:
    """POST the jobs at once, poll them until all are finished: wall time and the finished jobs."""
    t0 = time.perf_counter()
    ids = []
    for path in posts:
        status, job = _request(phase.port, "POST", path, token, {})
        if status != 202:
            raise RuntimeError(f"{path}: {status} {job}")
        ids.append(job["id"])
    done: dict[int, dict] = {}
    while len(done) < len(ids):
        for job_id in ids:
            if job_id not in done:
                _, job = _request(phase.port, "GET", f"/api/v1/jobs/{job_id}?territory={job_territory(posts, ids, job_id)}",
                                  token)
                if job.get("state") in ("succeeded", "failed", "cancelled"):
                    done[job_id] = job
        time.sleep(0.1)
    elapsed = time.perf_counter() - t0
    for job in done.values():
        if job["state"] != "succeeded":
            raise RuntimeError(f"job failed: {json.dumps(job, ensure_ascii=False)[:800]}")
    return elapsed, list(done.values())


def job_territory(posts: list[str], ids: list[int], job_id: int) -> str:
    path = posts[ids.index(job_id)]
    return path.split("territory=")[1] if "territory=" in path else "lens-lievin"


class Prober:
    """One client reading the week back to back while the jobs run."""

    def __init__(self, port: int, token: str, week: str) -> None:
        self.port, self.token, self.week = port, token, week
        self.latencies: list[float] = []
        self.errors = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self.stop.is_set():
            t0 = time.perf_counter()
            try:
                status, _ = _request(self.port, "GET", f"/api/v1/weeks/{self.week}", self.token)
                if status != 200:
                    self.errors += 1
            except OSError:
                self.errors += 1
            self.latencies.append(time.perf_counter() - t0)
            time.sleep(0.05)

    def __enter__(self) -> Prober:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join()


def latency_summary(samples: list[float]) -> dict:
    if not samples:
        return {}
    ordered = sorted(samples)
    return {"requests": len(ordered), "p50_ms": round(1000 * statistics.median(ordered), 1),
            "p95_ms": round(1000 * ordered[max(0, int(0.95 * len(ordered)) - 1)], 1),
            "max_ms": round(1000 * ordered[-1], 1), "over_1s": sum(1 for s in ordered if s > 1.0)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-x8", action="store_true", help="leave out the ×8 week (planning it takes a minute)")
    args = parser.parse_args(argv)

    from app.planning.generate import generate_week
    from orders.demo import build_demo_scenario

    out: dict = {"config": {"cpus": os.cpu_count(), "queue": "sqlite (file)", "database": "sqlite (WAL, file)",
                            "web": "gunicorn 2 × 4 threads (gunicorn.conf.py)", "publish_batch": 4}}
    samples: list[float] = []
    root = Path(tempfile.mkdtemp(prefix="terril-bench-jobs-"))
    try:
        publication = {}
        for workers in (1, 2):
            print(f"bench.jobs: demo publication, {workers} worker(s)…", file=sys.stderr)
            phase = Phase(root, f"demo-{workers}")
            token = phase.load([build_demo_scenario(WEEK)], plan=True)
            phase.start(workers)
            phase.warm(token, WEEK)
            try:
                with Prober(phase.port, token, WEEK) as probe:
                    seconds, jobs = run_jobs(phase, token, [f"/api/v1/weeks/{WEEK}/publish"])
                samples += probe.latencies
            finally:
                phase.stop()
            publication[f"{workers}_workers"] = round(seconds, 2)
            out["demo_documents"] = len(jobs[0]["result"]["documents"])
        out["demo_publication_s"] = publication

        if not args.skip_x8:
            print("bench.jobs: ×8 week (planning it first, not measured)…", file=sys.stderr)
            phase = Phase(root, "x8")
            x8 = generate_week(seed=1, producers=40, products=50, canteens=50, relay_points=80, days=4, scarcity=0.9)
            token = phase.load([x8], plan=True, portioning_limit_s=20.0)
            phase.start(2)
            phase.warm(token, WEEK)
            try:
                with Prober(phase.port, token, WEEK) as probe:
                    seconds, jobs = run_jobs(phase, token, [f"/api/v1/weeks/{WEEK}/publish"])
                samples += probe.latencies
                out["x8_read_week"] = latency_summary(probe.latencies)
            finally:
                phase.stop()
            out["x8_publication_s"] = round(seconds, 2)
            out["x8_documents"] = len(jobs[0]["result"]["documents"])
        out["read_week_while_publishing"] = latency_summary(samples)

        print("bench.jobs: two territories…", file=sys.stderr)
        demo, lille = build_demo_scenario(WEEK), _lille()
        timings = {}
        for label, posts in (("one", [f"/api/v1/weeks/{WEEK}/rounds"]),
                             ("two_at_once", [f"/api/v1/weeks/{WEEK}/rounds",
                                              f"/api/v1/weeks/{WEEK}/rounds?territory=lille"])):
            phase = Phase(root, f"territories-{label}")
            token = phase.load([demo, lille], plan=False)
            phase.start(2)
            try:
                seconds, _ = run_jobs(phase, token, posts)
            finally:
                phase.stop()
            timings[label] = round(seconds, 2)
        timings["ratio"] = round(timings["two_at_once"] / timings["one"], 2)
        out["two_territories_rounds_s"] = timings
    finally:
        shutil.rmtree(root, ignore_errors=True)

    read = out["read_week_while_publishing"]
    out["targets"] = {
        "demo_publication_2_workers_at_most_8s": out["demo_publication_s"]["2_workers"] <= 8.0,
        "x8_publication_below_90s": out.get("x8_publication_s", 0) < 90.0 if "x8_publication_s" in out else None,
        "no_read_over_1s_while_publishing": read.get("over_1s", 1) == 0,
        "two_territories_below_twice_one": out["two_territories_rounds_s"]["ratio"] < 2.0,
    }
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
