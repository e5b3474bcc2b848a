"""Locked rounds keep their order (new stops may be inserted); a farm pickup may carry only part of
a stop's goods, the rest leaving from the hub."""
from __future__ import annotations

from routing import Drop, LockedRound, Pickup, RoutingProblem, Site, solve
from tests.routing.worlds import DAY, FAST, HUB, stop, van


def _order(result, vehicle_id):
    rnd = next(r for r in result.rounds if r.vehicle_id == vehicle_id)
    return [v.stop_id for v in rnd.stops if v.kind == "delivery"]


def test_a_locked_round_keeps_its_order_even_when_another_is_shorter():
    stops = [stop(1, 0.00, 0.02), stop(2, 0.00, 0.04), stop(3, 0.00, 0.06)]
    free = solve(RoutingProblem(DAY, HUB, tuple(stops), (van(1),)), FAST)
    assert _order(free, "van-1") in (["s1", "s2", "s3"], ["s3", "s2", "s1"])  # along the line
    locked = (LockedRound("van-1", ("s2", "s1", "s3")),)  # last week's sequence, zig-zag
    result = solve(RoutingProblem(DAY, HUB, tuple(stops), (van(1),), locked=locked), FAST)
    assert _order(result, "van-1") == ["s2", "s1", "s3"]
    assert result.objective >= free.objective


def test_a_new_stop_is_inserted_into_a_locked_round_without_breaking_its_order():
    stops = [stop(1, 0.00, 0.02), stop(2, 0.00, 0.06), stop("new", 0.00, 0.04)]
    locked = (LockedRound("van-1", ("s1", "s2")),)
    result = solve(RoutingProblem(DAY, HUB, tuple(stops), (van(1),), locked=locked), FAST)
    order = _order(result, "van-1")
    assert set(order) == {"s1", "s2", "new"} and order.index("s1") < order.index("s2")


def test_locked_stops_stay_on_their_vehicle():
    stops = [stop(1, 0.00, 0.02), stop(2, 0.00, 0.03)]
    locked = (LockedRound("van-2", ("s1", "s2")),)
    result = solve(RoutingProblem(DAY, HUB, tuple(stops), (van(1), van(2)), locked=locked), FAST)
    assert _order(result, "van-2") == ["s1", "s2"]
    assert all(r.vehicle_id == "van-2" for r in result.rounds)


def test_a_pickup_loads_only_the_farm_share_the_rest_leaves_from_the_hub():
    farm = Site("farm", "Ferme du Marais", HUB.lat + 0.02, HUB.lon - 0.05)
    farm_drops = (Drop("oeuf", 20, 5, True),)
    pickup = Pickup(farm, service_min=5, load_kg=20, crates=5, drops=farm_drops)
    delivery = stop(1, 0.01, 0.03, load_kg=100, crates=12, cold=True,
                    drops=(Drop("carotte", 80, 7), *farm_drops), pickup=pickup)
    result = solve(RoutingProblem(DAY, HUB, (delivery,), (van(1, kg=100, crates=12),)), FAST)
    assert not result.unserved
    (rnd,) = result.rounds
    kinds = [(v.kind, v.site_id) for v in rnd.stops]
    assert kinds == [("pickup", "farm"), ("delivery", "site-s1")]
    at_farm = rnd.stops[0]
    assert at_farm.load_kg == 20 and at_farm.crates == 5
    assert [d.product for d in at_farm.drops] == ["oeuf"]
    assert at_farm.on_board_kg == 80  # arrives at the farm with the hub goods only
