"""Distance/time matrix providers.

A provider turns a list of points `(lat, lon)` into a `Matrix` (metres, seconds), row = from.

- `HaversineProvider` (default, no network): great-circle distance × `road_factor`; the time uses a
  two-speed profile: the first `urban_km` road kilometres of every hop at `urban_speed_kmh` (towns,
  roundabouts, parking), the rest at `speed_kmh`. With `urban_km=0` the speed is constant.
- `OsrmProvider`: OSRM's table service (`/table/v1/{profile}/{lon,lat;...}?annotations=distance,
  duration`) over HTTP with the standard library. Unreachable pairs get `UNREACHABLE`.
- `CachedProvider`: wraps another provider; a matrix is kept in memory and, with a directory, in a
  JSON file named by a hash of (namespace, provider key, points). Use the ISO week as namespace:
  matrices are then cached per week.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

from routing.model import Matrix

log = logging.getLogger(__name__)

Point = tuple[float, float]
EARTH_RADIUS_M = 6_371_000.0
UNREACHABLE = 10**8
"""Distance (m) and duration (s) given to a pair the road network cannot connect (> 3 years)."""


class MatrixUnavailable(RuntimeError):
    """The matrix provider could not produce a matrix (service down, bad answer)."""


@runtime_checkable
class MatrixProvider(Protocol):
    @property
    def cache_key(self) -> str:
        """A string identifying the provider and its settings (for caches)."""
        ...

    def matrix(self, points: Sequence[Point]) -> Matrix: ...


def haversine_m(a: Point, b: Point) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


class HaversineProvider:
    """Crow-flies distance × road_factor; time with a slower urban first stretch (see module doc)."""

    def __init__(
        self,
        road_factor: float = 1.3,
        speed_kmh: float = 40.0,
        urban_speed_kmh: float = 25.0,
        urban_km: float = 2.0,
    ) -> None:
        if road_factor < 1 or speed_kmh <= 0 or urban_speed_kmh <= 0 or urban_km < 0:
            raise ValueError("road_factor >= 1, speeds > 0, urban_km >= 0")
        self.road_factor = road_factor
        self.speed_kmh = speed_kmh
        self.urban_speed_kmh = urban_speed_kmh
        self.urban_km = urban_km

    @property
    def cache_key(self) -> str:
        return f"haversine:{self.road_factor}:{self.speed_kmh}:{self.urban_speed_kmh}:{self.urban_km}"

    def travel_s(self, road_m: float) -> float:
        km = road_m / 1000.0
        urban = min(km, self.urban_km)
        return 3600.0 * (urban / self.urban_speed_kmh + (km - urban) / self.speed_kmh)

    def matrix(self, points: Sequence[Point]) -> Matrix:
        dist: list[tuple[int, ...]] = []
        dur: list[tuple[int, ...]] = []
        for a in points:
            road = [0.0 if a == b else haversine_m(a, b) * self.road_factor for b in points]
            dist.append(tuple(round(d) for d in road))
            dur.append(tuple(round(self.travel_s(d)) for d in road))
        return Matrix(tuple(dist), tuple(dur))


class OsrmProvider:
    """OSRM table service client (stdlib urllib). Raises `MatrixUnavailable` on any failure.

    OSRM's default `--max-table-size` is 100 points; bigger requests are refused by the server.
    """

    def __init__(self, base_url: str, profile: str = "driving", timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.profile = profile
        self.timeout = timeout

    @property
    def cache_key(self) -> str:
        return f"osrm:{self.base_url}:{self.profile}"

    def url(self, points: Sequence[Point]) -> str:
        coords = ";".join(f"{lon:.6f},{lat:.6f}" for lat, lon in points)
        return f"{self.base_url}/table/v1/{self.profile}/{coords}?annotations=distance,duration"

    def matrix(self, points: Sequence[Point]) -> Matrix:
        if len(points) < 2:
            return Matrix(tuple((0,) for _ in points), tuple((0,) for _ in points))
        url = self.url(points)
        try:
            with urllib.request.urlopen(url, timeout=self.timeout) as response:
                body = json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            detail = _osrm_message(exc)
            raise MatrixUnavailable(f"OSRM answered HTTP {exc.code}: {detail}") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise MatrixUnavailable(f"OSRM unreachable at {self.base_url}: {exc}") from exc
        except (ValueError, UnicodeDecodeError) as exc:
            raise MatrixUnavailable(f"OSRM answered something that is not JSON: {exc}") from exc
        if not isinstance(body, dict) or body.get("code") != "Ok":
            code = body.get("code") if isinstance(body, dict) else None
            message = body.get("message") if isinstance(body, dict) else None
            raise MatrixUnavailable(f"OSRM refused the table request: {code}: {message}")
        try:
            distances = _square(body["distances"], len(points))
            durations = _square(body["durations"], len(points))
        except (KeyError, TypeError, ValueError) as exc:
            raise MatrixUnavailable(f"OSRM table answer is malformed: {exc}") from exc
        return Matrix(distances, durations)


def _osrm_message(exc: urllib.error.HTTPError) -> str:
    try:
        body = json.loads(exc.read().decode("utf-8"))
        return f"{body.get('code')}: {body.get('message')}"
    except (ValueError, UnicodeDecodeError, AttributeError):
        return exc.reason if isinstance(exc.reason, str) else "no detail"


def _square(rows: list[list[float | None]], n: int) -> tuple[tuple[int, ...], ...]:
    if len(rows) != n or any(len(r) != n for r in rows):
        raise ValueError(f"expected a {n}×{n} table")
    return tuple(tuple(UNREACHABLE if v is None else round(float(v)) for v in row) for row in rows)


class CachedProvider:
    """Caches an inner provider's matrices in memory and, if `directory` is given, as JSON files."""

    def __init__(self, inner: MatrixProvider, directory: str | os.PathLike[str] | None = None,
                 namespace: str = "") -> None:
        self.inner = inner
        self.directory = Path(directory) if directory is not None else None
        self.namespace = namespace
        self._memory: dict[str, Matrix] = {}
        self.hits = 0
        self.misses = 0

    @property
    def cache_key(self) -> str:
        return self.inner.cache_key

    def key(self, points: Sequence[Point]) -> str:
        text = json.dumps([self.namespace, self.inner.cache_key, [[round(a, 6), round(b, 6)] for a, b in points]])
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def matrix(self, points: Sequence[Point]) -> Matrix:
        key = self.key(points)
        if key in self._memory:
            self.hits += 1
            return self._memory[key]
        path = self.directory / f"{key}.json" if self.directory is not None else None
        if path is not None and path.exists():
            try:
                data = json.loads(path.read_text("utf-8"))
                found = Matrix(tuple(map(tuple, data["distance_m"])), tuple(map(tuple, data["duration_s"])))
            except (ValueError, KeyError, TypeError) as exc:
                log.warning("matrix cache file unreadable, recomputing", extra={"path": str(path), "error": str(exc)})
            else:
                self.hits += 1
                self._memory[key] = found
                return found
        self.misses += 1
        found = self.inner.matrix(points)
        self._memory[key] = found
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps({"distance_m": found.distance_m, "duration_s": found.duration_s}), "utf-8")
            tmp.replace(path)
        return found


def provider_from_config(name: str = "haversine", *, cache_dir: str | os.PathLike[str] | None = None,
                         namespace: str = "", **options: object) -> MatrixProvider:
    """Build a provider by name: "haversine" (options: road_factor, speed_kmh, urban_speed_kmh,
    urban_km) or "osrm" (options: base_url, profile, timeout). With `cache_dir`, wrapped in a
    `CachedProvider` storing JSON files there under `namespace` (e.g. the ISO week)."""
    provider: MatrixProvider
    if name == "haversine":
        provider = HaversineProvider(**options)  # type: ignore[arg-type]
    elif name == "osrm":
        if "base_url" not in options:
            raise ValueError("the osrm matrix provider needs base_url")
        provider = OsrmProvider(**options)  # type: ignore[arg-type]
    else:
        raise ValueError(f"unknown matrix provider {name!r} (haversine | osrm)")
    if cache_dir is not None:
        provider = CachedProvider(provider, cache_dir, namespace)
    return provider


def purge_cache(directory: str | os.PathLike[str], before: float) -> list[Path]:
    """Delete the cached matrix files (and leftover temporary files) of `directory` last written
    before `before` (a POSIX timestamp); returns the deleted paths.

    Files are named by the hash of (namespace = ISO week, provider, points): an old file belongs
    to a past week or to a set of sites that no longer exists, and is recomputed if ever needed.
    """
    root = Path(directory)
    if not root.is_dir():
        return []
    removed = []
    for path in sorted(root.iterdir()):
        if path.suffix not in (".json", ".tmp") or not path.is_file():
            continue
        try:
            if path.stat().st_mtime < before:
                path.unlink()
                removed.append(path)
        except FileNotFoundError:  # another process purged it first
            continue
    return removed
