"""Temperature split, second trips, the plan checker and unserved stops explained with a way out."""

from __future__ import annotations

from dataclasses import replace

from routing import Drop, Reason, solve
from routing.check import violations
from routing.explain import apply_way_out
from routing.prepare import prepare
from routing.search import Plan
from tests.routing.worlds import FAST, problem, stop, van

NO_RESCUE = replace(FAST, rescue=False, explain=False)


def _served(result) -> set[str]:
    return {v.stop_id for r in result.rounds for v in r.stops if v.kind == "delivery"}


def _mixed(i, cold_crates: int, ambient_crates: int, **kw):
    drops = (Drop("yaourt", cold_crates * 8, cold_crates, True), Drop("carotte", ambient_crates * 10, ambient_crates, False))
    return stop(i, load_kg=cold_crates * 8 + ambient_crates * 10, crates=cold_crates + ambient_crates, cold=True,
                drops=drops, **kw)


def _split_day():
    # one cold van (60 crates) and one ambient van; two neighbouring stops far from the hub in the same
    # 08:00-08:20 slot, so the cold van cannot come back for a second trip in time: only sending s1's
    # vegetables in the ambient van serves both stops
    slot = (480, 500)
    s1 = _mixed(1, 20, 30, dlat=0.05, dlon=-0.003, window=slot)
    s2 = stop(2, dlat=0.05, dlon=0.003, load_kg=160, crates=20, cold=True,
              drops=(Drop("fromage", 160, 20, True),), window=slot)
    return problem([s1, s2], [van("froid", crates=60, cold=True), van("sec", crates=60, cold=False)])


def test_only_a_temperature_split_serves_every_stop():
    day = _split_day()
    assert len(solve(day, NO_RESCUE).unserved) == 1  # without the split, one stop is left over
    result = solve(day, FAST)
    assert not result.unserved and _served(result) == {"s1", "s2"}
    visits = {(r.vehicle_id, v.stop_id, v.temperature) for r in result.rounds for v in r.stops}
    assert ("froid", "s1", "cold") in visits and ("sec", "s1", "ambient") in visits
    s1 = [v for r in result.rounds for v in r.stops if v.stop_id == "s1"]
    assert sum(v.crates for v in s1) == 50 and all(480 <= v.arrival_min <= 500 for v in s1)
    cold_drops = {d.product for r in result.rounds if r.vehicle_id == "sec" for v in r.stops for d in v.drops}
    assert cold_drops == {"carotte"}  # no cold product in the ambient van
    assert result.stats["rescue"] == {"dropped_before": 1, "dropped": 0}


def test_only_a_second_trip_serves_every_stop():
    # one van of 60 crates, 40 crates at 07:00-07:40 and 40 crates at 10:00-11:00: two loads
    s1 = stop(1, dlat=0.03, load_kg=400, crates=40, window=(420, 460))
    s2 = stop(2, dlat=-0.03, load_kg=400, crates=40, window=(600, 660))
    day = problem([s1, s2], [van(1, crates=60)])
    assert len(solve(day, NO_RESCUE).unserved) == 1
    result = solve(day, FAST)
    assert not result.unserved
    first, second = sorted(result.rounds, key=lambda r: r.trip)
    assert (first.vehicle_id, first.trip, second.vehicle_id, second.trip) == ("van-1", 1, "van-1", 2)
    assert second.start_min >= first.end_min + FAST.reload_min
    assert first.crates <= 60 and second.crates <= 60
    assert first.cost > second.cost  # the van's fixed cost is paid once, on its first trip
    assert abs(result.objective - first.cost - second.cost) < 0.02


def test_the_checker_rejects_what_breaks_the_rules():
    day = _split_day()
    prepared = prepare(day)
    whole = [t for t, task in enumerate(prepared.tasks) if task.group is None]
    froid, sec = (i for i, v in enumerate(prepared.vehicles) if v.id in ("froid", "sec"))

    def plan(routes):
        seen = {t for r in routes for t in r}
        return Plan(tuple(routes), prepared.dropped(seen), 0)

    routes = [(), ()]
    routes[sec] = tuple(whole)  # cold goods in the ambient van
    assert any("not refrigerated" in v for v in violations(prepared, plan(routes)))
    routes = [(), ()]
    routes[froid] = tuple(whole)  # 70 crates in a 60-crate van
    assert any("on board" in v for v in violations(prepared, plan(routes)))
    routes[froid] = (whole[0], whole[0])
    assert any("twice" in v for v in violations(prepared, plan(routes)))
    routes[froid] = (whole[0],)
    assert violations(prepared, Plan(tuple(routes), (), 0))  # a stop neither served nor dropped
    assert violations(prepared, plan(routes)) == []


def test_every_engine_plan_is_checked_and_the_portfolio_is_deterministic():
    stops = [stop(i, dlat=0.01 * (i % 5) - 0.02, dlon=0.013 * (i % 7) - 0.04, load_kg=60, crates=6,
                  cold=i % 3 == 0, window=(420, 560)) for i in range(12)]
    day = problem(stops, [van(1, cold=True), van(2, cold=False), van(3, cold=True)])
    params = replace(FAST, hgs_iterations=200)
    result = solve(day, params)
    assert not result.unserved
    engines = {c["engine"]: c for c in result.stats["candidates"]}
    assert set(engines) == {"PARALLEL_CHEAPEST_INSERTION", "pyvrp"}
    assert all(c["valid"] for c in engines.values())
    assert result.objective == min(c["cost"] for c in engines.values())
    assert solve(day, params).rounds == result.rounds


def _cold_full_day():
    # the day: one cold van, every relay point needs cold goods, an ambient van stays idle;
    # the relay points are far from the hub in one short slot, so no second trip helps either
    slot = (960, 990)
    stops = [stop(i, dlat=0.09, dlon=0.01 * e, load_kg=240, crates=30, cold=True, window=slot,
                  drops=(Drop("yaourt", 240, 30, True),))
             for i, e in enumerate([-1, 0, 1], start=1)]
    vans = [van("froid", crates=60, cold=True, shift=(840, 1200)),
            van("sec", crates=60, cold=False, shift=(840, 1200))]
    return problem(stops, vans)


def test_an_unserved_stop_gets_its_binding_constraint_and_a_way_out_that_serves_it():
    day = _cold_full_day()
    result = solve(day, FAST)
    assert len(result.unserved) == 1
    miss = result.unserved[0]
    assert miss.reason is Reason.COLD_CAPACITY and miss.reason_fr.startswith("froid complet")
    assert miss.way_out is not None and miss.way_out.kind == "extra_van" and miss.way_out.cold
    assert "véhicule frigorifique de plus" in miss.way_out_fr and "froid" not in miss.way_out_fr.split()
    fixed = solve(apply_way_out(day, miss.stop_id, miss.way_out), FAST)
    assert not fixed.unserved
    assert solve(day, FAST).unserved == result.unserved  # the same day, the same explanation


def test_a_window_too_tight_is_widened_just_enough():
    a = stop(1, dlat=0.1, window=(480, 490))
    b = stop(2, dlat=-0.1, window=(480, 490))
    day = problem([a, b], [van(1)])
    (miss,) = solve(day, FAST).unserved
    assert miss.reason is Reason.WINDOW
    assert miss.way_out is not None and miss.way_out.kind == "wider_window"
    assert "élargir le créneau de" in miss.way_out_fr
    assert not solve(apply_way_out(day, miss.stop_id, miss.way_out), FAST).unserved
    narrower = replace(miss.way_out, minutes=max(0, miss.way_out.minutes // 2 - 1))
    assert solve(apply_way_out(day, miss.stop_id, narrower), NO_RESCUE).unserved  # it is the smallest step


def test_moving_crates_to_another_day_is_proposed_when_it_is_enough():
    # a 60-crate van, two stops in the same short slot: 40 + 30 crates; moving 10 crates serves both
    slot = (480, 495)
    s1 = stop(1, dlat=0.02, dlon=-0.002, load_kg=400, crates=40, window=slot, drops=(Drop("pomme", 400, 40),))
    s2 = stop(2, dlat=0.02, dlon=0.002, load_kg=300, crates=30, window=slot, drops=(Drop("poire", 300, 30),))
    day = problem([s1, s2], [van(1, crates=60, shift=(420, 560))])
    (miss,) = solve(day, FAST).unserved
    assert miss.reason is Reason.CRATES
    assert miss.way_out is not None and miss.way_out.kind == "move_crates"
    assert miss.way_out.crates == 10 and "livrer 10 caisses" in miss.way_out_fr
    assert not solve(apply_way_out(day, miss.stop_id, miss.way_out), FAST).unserved
