"""Matrix providers: haversine, OSRM against a local fake server, caching, the factory."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from routing import (
    CachedProvider,
    HaversineProvider,
    Matrix,
    MatrixUnavailable,
    OsrmProvider,
    provider_from_config,
)
from routing.matrix import UNREACHABLE

LENS = (50.4320, 2.8310)
LIEVIN = (50.4230, 2.7790)
HUB = (50.4574, 2.7937)


def test_haversine_distance_is_crow_flies_times_road_factor():
    m = HaversineProvider(road_factor=1.0).matrix([(50.0, 2.0), (51.0, 2.0)])
    assert m.distance_m[0][1] == pytest.approx(111_195, rel=1e-3)
    assert m.distance_m[0][0] == 0 and m.distance_m[1][0] == m.distance_m[0][1]
    assert HaversineProvider(road_factor=1.3).matrix([(50.0, 2.0), (51.0, 2.0)]).distance_m[0][1] == pytest.approx(
        1.3 * 111_195, rel=1e-3)


def test_haversine_time_is_slower_on_the_first_urban_kilometres():
    p = HaversineProvider(speed_kmh=40, urban_speed_kmh=25, urban_km=2)
    assert p.travel_s(10_000) == pytest.approx(3600 * (2 / 25 + 8 / 40))
    assert p.travel_s(1_000) == pytest.approx(3600 * (1 / 25))
    constant = HaversineProvider(speed_kmh=40, urban_km=0)
    assert constant.travel_s(10_000) == pytest.approx(900)


def test_haversine_matrix_of_the_basin_is_square_and_plausible():
    m = HaversineProvider().matrix([HUB, LENS, LIEVIN])
    assert len(m.distance_m) == 3 and all(len(r) == 3 for r in m.duration_s)
    assert 3_000 < m.distance_m[1][2] < 6_000  # Lens - Liévin ~3.8 km crow flies × 1.3
    assert all(m.duration_s[i][j] > 0 for i in range(3) for j in range(3) if i != j)


class _FakeOsrm(BaseHTTPRequestHandler):
    answer: dict | None = None
    status = 200
    seen: list[str] = []

    def do_GET(self):  # noqa: N802 (http.server's naming)
        type(self).seen.append(self.path)
        coords = self.path.split("/table/v1/driving/")[1].split("?")[0].split(";")
        n = len(coords)
        body = self.answer or {
            "code": "Ok",
            "distances": [[0.0 if i == j else 1000.0 * abs(i - j) + 0.4 for j in range(n)] for i in range(n)],
            "durations": [[0.0 if i == j else 60.0 * abs(i - j) for j in range(n)] for i in range(n)],
        }
        data = json.dumps(body).encode()
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture()
def osrm():
    handler = type("Handler", (_FakeOsrm,), {"answer": None, "status": 200, "seen": []})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield handler, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_osrm_table_is_read_with_lon_lat_order_and_rounded(osrm):
    handler, url = osrm
    m = OsrmProvider(url, timeout=5).matrix([HUB, LENS, LIEVIN])
    assert m.distance_m[0][2] == 2000 and m.duration_s[2][1] == 60
    path = handler.seen[0]
    assert path.startswith("/table/v1/driving/2.793700,50.457400;2.831000,50.432000;")
    assert path.endswith("?annotations=distance,duration")


def test_osrm_refusal_raises_matrix_unavailable(osrm):
    handler, url = osrm
    handler.answer = {"code": "InvalidQuery", "message": "Query string malformed"}
    with pytest.raises(MatrixUnavailable, match="InvalidQuery"):
        OsrmProvider(url).matrix([HUB, LENS])


def test_osrm_http_error_raises_matrix_unavailable(osrm):
    handler, url = osrm
    handler.status, handler.answer = 400, {"code": "TooBig", "message": "Too many table coordinates"}
    with pytest.raises(MatrixUnavailable, match="TooBig"):
        OsrmProvider(url).matrix([HUB, LENS])


def test_osrm_unreachable_pairs_become_unreachable(osrm):
    handler, url = osrm
    handler.answer = {"code": "Ok", "distances": [[0, None], [5, 0]], "durations": [[0, None], [7, 0]]}
    m = OsrmProvider(url).matrix([HUB, LENS])
    assert m.distance_m[0][1] == UNREACHABLE and m.duration_s[1][0] == 7


def test_osrm_server_down_raises_matrix_unavailable():
    with pytest.raises(MatrixUnavailable, match="unreachable"):
        OsrmProvider("http://127.0.0.1:9", timeout=1).matrix([HUB, LENS])


class _Counting:
    cache_key = "counting"

    def __init__(self):
        self.calls = 0

    def matrix(self, points):
        self.calls += 1
        return HaversineProvider().matrix(points)


def test_cached_provider_keeps_matrices_in_memory_and_on_disk(tmp_path):
    inner = _Counting()
    cached = CachedProvider(inner, tmp_path, namespace="2026-W49")
    first = cached.matrix([HUB, LENS])
    assert cached.matrix([HUB, LENS]) == first and inner.calls == 1
    again = CachedProvider(inner, tmp_path, namespace="2026-W49")  # a new process, same week
    assert again.matrix([HUB, LENS]) == first and inner.calls == 1
    assert len(list(tmp_path.glob("*.json"))) == 1
    other_week = CachedProvider(inner, tmp_path, namespace="2026-W50")
    other_week.matrix([HUB, LENS])
    assert inner.calls == 2
    cached.matrix([LENS, HUB])  # another point order is another matrix
    assert inner.calls == 3


def test_provider_from_config_builds_providers():
    assert isinstance(provider_from_config("haversine", road_factor=1.4), HaversineProvider)
    assert isinstance(provider_from_config("osrm", base_url="http://osrm:5000"), OsrmProvider)
    assert isinstance(provider_from_config("haversine", cache_dir="/tmp/x"), CachedProvider)
    with pytest.raises(ValueError):
        provider_from_config("osrm")
    with pytest.raises(ValueError):
        provider_from_config("google")


def test_matrix_must_be_square():
    with pytest.raises(ValueError):
        Matrix(((0, 1),), ((0, 1),))
