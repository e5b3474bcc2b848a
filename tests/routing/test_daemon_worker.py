"""The routing runs inside a job worker, a daemonic process that may not start children: its
engines then take turns instead of running in parallel processes (the demo's rounds job failed
with "daemonic processes are not allowed to have children")."""
from __future__ import annotations

import multiprocessing


def _solve_in_daemon(queue):
    from app.planning.generate import generate_week
    from app.planning.pipeline import PlanSettings, plan

    scenario = generate_week(seed=2, producers=4, products=8, canteens=16, relay_points=20)  # > 12 stops a day
    body = plan(scenario, PlanSettings(portioning_time_limit_s=2.0, routing_time_limit_s=1.0))
    queue.put((len(body.rounds), len(body.unserved), multiprocessing.current_process().daemon))


def test_a_daemonic_worker_routes_a_week():
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    worker = ctx.Process(target=_solve_in_daemon, args=(queue,), daemon=True)
    worker.start()
    rounds, unserved, daemon = queue.get(timeout=300)
    worker.join(timeout=60)
    assert daemon and rounds > 0 and worker.exitcode == 0
