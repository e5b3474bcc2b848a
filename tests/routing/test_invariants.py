"""SCENARIO.md invariants 4-6 on generated days (hypothesis)."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from routing import HaversineProvider, Reason, RoutingProblem, solve
from routing.prepare import prepare
from tests.routing.worlds import FAST, problem, stop, van

WINDOWS = [None, (420, 540), (450, 600), (480, 720), (600, 660), (200, 260)]


@st.composite
def days(draw) -> RoutingProblem:
    n = draw(st.integers(1, 9))
    stops = [
        stop(i, dlat=draw(st.floats(-0.08, 0.08)), dlon=draw(st.floats(-0.1, 0.1)),
             load_kg=draw(st.sampled_from([5, 40, 150, 400, 950])), crates=draw(st.integers(1, 70)),
             cold=draw(st.booleans()), service_min=draw(st.sampled_from([0, 5, 15])),
             window=draw(st.sampled_from(WINDOWS)))
        for i in range(n)]
    vans = [van(k, kg=draw(st.sampled_from([300, 800])), crates=draw(st.sampled_from([20, 60])),
                cold=draw(st.booleans()), shift=draw(st.sampled_from([(390, 780), (360, 1080), (600, 720)])))
            for k in range(draw(st.integers(0, 3)))]
    return problem(stops, vans)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(days())
def test_generated_days_keep_the_plan_invariants(day: RoutingProblem):
    # explanations re-solve the day many times: tested on their own (test_split_trips_explain.py)
    params = replace(FAST, explain=False)
    result = solve(day, params)
    vehicles = {v.id: v for v in day.vehicles}
    stops = {s.id: s for s in day.stops}
    prepared = prepare(day)
    duration = {(a, b): prepared.duration_s[i][j]
                for i, a in enumerate(prepared.sites) for j, b in enumerate(prepared.sites)}

    # 4. every stop (every part of a split stop) is visited exactly once or unserved with a reason
    # (a stop whose cold and ambient goods travel apart counts each of the two once)
    served = Counter((v.stop_id, v.part, v.temperature) for r in result.rounds for v in r.stops if v.kind == "delivery")
    dropped = Counter((u.stop_id, u.part, u.temperature) for u in result.unserved)
    assert not set(served) & set(dropped)
    assert all(c == 1 for c in (served + dropped).values())
    for s in day.stops:
        parts = {v.parts for r in result.rounds for v in r.stops if v.stop_id == s.id} | {
            u.parts for u in result.unserved if u.stop_id == s.id}
        assert len(parts) == 1
        (n,) = parts
        assert {p for (sid, p, _) in served + dropped if sid == s.id} == set(range(1, n + 1))
        for p in range(1, n + 1):
            ways = {t for (sid, q, t) in served + dropped if (sid, q) == (s.id, p)}
            assert ways in ({""}, {"cold", "ambient"})
    for u in result.unserved:
        assert isinstance(u.reason, Reason) and u.reason_fr
    if not day.vehicles:
        assert all(u.reason is Reason.NO_VEHICLE for u in result.unserved)

    # 5. capacity, cold chain, windows, shift
    for r in result.rounds:
        v = vehicles[r.vehicle_id]
        assert r.load_kg <= v.capacity_kg + 1e-9 and r.crates <= v.capacity_crates
        assert v.shift.start_min <= r.start_min and r.end_min <= v.shift.end_min
        previous_site, previous_departure = day.depot.id, r.start_min
        for visit in r.stops:
            s = stops[visit.stop_id]
            assert v.cold or not s.cold or visit.temperature == "ambient"
            assert v.cold or not any(d.cold for d in visit.drops)
            if s.window is not None:
                assert s.window.start_min <= visit.arrival_min <= s.window.end_min
            assert visit.departure_min - visit.arrival_min == s.service_min
            # travel takes time (minutes floored on both sides: allow one minute of rounding)
            assert visit.arrival_min + 1 >= previous_departure + duration[previous_site, visit.site_id] // 60
            previous_site, previous_departure = visit.site_id, visit.departure_min
        assert r.end_min + 1 >= previous_departure + duration[previous_site, day.depot.id] // 60

    # 6. totals are the sum of their parts, and the same day gives the same plan
    assert result.distance_m == sum(r.distance_m for r in result.rounds)
    assert abs(result.objective - sum(r.cost for r in result.rounds)) < 0.05
    served_kg = sum(v.load_kg for r in result.rounds for v in r.stops if v.kind == "delivery")
    assert served_kg <= sum(s.load_kg for s in day.stops) + 1e-6
    again = solve(day, params)
    assert (again.rounds, again.unserved, again.objective) == (result.rounds, result.unserved, result.objective)


def test_input_order_does_not_change_the_plan():
    stops = [stop(i, dlat=0.013 * ((i * 7) % 5), dlon=0.011 * ((i * 3) % 7), window=WINDOWS[i % 4])
             for i in range(10)]
    vans = [van(k) for k in range(3)]
    a = solve(problem(stops, vans), FAST, HaversineProvider())
    b = solve(problem(list(reversed(stops)), list(reversed(vans))), FAST, HaversineProvider())
    assert (a.rounds, a.unserved) == (b.rounds, b.unserved)
