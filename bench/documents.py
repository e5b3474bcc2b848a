"""Benchmark the documents: ``python -m bench.documents`` prints JSON.

* ``route_sheet_s`` — one 8-stop feuille de route, median of a few renders (target < 0.5 s);
* ``week_s`` — the demo week's whole set: 6 route sheets + 2 day bundles, 10 pick lists,
  16 delivery notes and the summary (target < 10 s).
"""

from __future__ import annotations

import argparse
import json
import logging
import platform
import statistics
import time

from reports.delivery_note import render_delivery_note_pdf
from reports.demo import demo_week
from reports.from_plan import documents_from_plan
from reports.pick_list import render_pick_list_pdf
from reports.render import check_fonts
from reports.route_sheet import (
    Depot,
    Drop,
    RouteSheet,
    RouteStop,
    render_day_sheets_pdf,
    render_route_sheet_pdf,
)
from reports.summary import render_summary_pdf


def eight_stop_sheet() -> RouteSheet:
    stops = tuple(
        RouteStop(
            sequence=i, name=f"École maternelle n° {i} — Liévin", eta=420 + 12 * i,
            address=f"{i} rue Jean Jaurès, 62800 Liévin", window=("07:30", "09:30"), phone="03 21 00 00 00",
            notes="Entrée de service côté cour", lat=50.42 + 0.01 * (i % 5), lon=2.75 + 0.013 * i,
            drops=(Drop("Bœuf haché", 12.5, "kg", 2, True), Drop("Carotte", 30, "kg", 3),
                   Drop("Pomme de terre", 24, "kg", 2)),
        )
        for i in range(1, 9)
    )
    return RouteSheet("2026-12-01", "van-1", "Jérôme Lefèvre", "06:30", stops,
                      hub=Depot("Base 11/19", lat=50.4574, lon=2.7937), return_time="09:40", km=43.3)


def timed(func, *args) -> tuple[float, int]:
    start = time.perf_counter()
    size = len(func(*args))
    return time.perf_counter() - start, size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="renders of the single sheet (median taken)")
    args = parser.parse_args(argv)
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    check_fonts()

    sheet = eight_stop_sheet()
    first_s, _ = timed(render_route_sheet_pdf, sheet)  # includes WeasyPrint's start-up
    sheet_runs = [timed(render_route_sheet_pdf, sheet)[0] for _ in range(args.repeat)]

    scenario, plan = demo_week()
    start = time.perf_counter()
    docs = documents_from_plan(plan, scenario)
    build_s = time.perf_counter() - start
    counts = {"route_sheets": 0, "day_bundles": 0, "pick_lists": 0, "delivery_notes": 0, "summary": 0}
    total_bytes = 0
    start = time.perf_counter()
    for one in docs.route_sheets:
        total_bytes += len(render_route_sheet_pdf(one))
        counts["route_sheets"] += 1
    for bundle in docs.route_sheets_by_day().values():
        total_bytes += len(render_day_sheets_pdf(bundle))
        counts["day_bundles"] += 1
    for pick in docs.pick_lists:
        total_bytes += len(render_pick_list_pdf(pick))
        counts["pick_lists"] += 1
    for note in docs.delivery_notes:
        total_bytes += len(render_delivery_note_pdf(note))
        counts["delivery_notes"] += 1
    total_bytes += len(render_summary_pdf(docs.summary))
    counts["summary"] = 1
    week_s = time.perf_counter() - start

    print(json.dumps({
        "route_sheet_s": round(statistics.median(sheet_runs), 3),
        "route_sheet_runs_s": [round(run, 3) for run in sheet_runs],
        "route_sheet_first_s": round(first_s, 3),
        "route_sheet_target_s": 0.5,
        "week_s": round(week_s, 3),
        "week_target_s": 10.0,
        "week_views_build_s": round(build_s, 4),
        "week_documents": counts,
        "week_pdf_bytes": total_bytes,
        "python": platform.python_version(),
    }, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
