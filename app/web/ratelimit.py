"""The one limiter of refused credentials, shared by the API's bearer tokens and the sign-in page.

`FailureLimiter` keeps a sliding window of failure times per key, in memory, under a lock; the
policy decides which keys a refusal counts against and which key may refuse a request:

* a refused **bearer token** counts against (source, credential prefix) and against the source;
  a token whose (source, prefix) is over the limit is refused with 429 before any lookup (a
  script hammering a revoked token costs no query); when only the source is over the limit the
  token is still checked, a valid one is served, a bad one gets 429 instead of 401
  (`app/auth.py`). A valid token is never refused because another token failed.
* a refused **password** counts against (source, name): that name from that source waits, the same
  name from another source and other names from this source do not (`AttemptLimiter`, used by
  `app/web/signin.py`).

The source is `request.remote_addr`, the client's address once `app/security.py` has applied the
`X-Forwarded-For` of a configured proxy (`TERRIL_TRUSTED_PROXIES`); a request from anywhere else
has its `X-Forwarded-*` headers ignored. One process only: with several workers each keeps its
own counts, which caps guessing at N × workers per window. The clock is injectable so tests never
wait.
"""
from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable, Hashable

SWEEP_AT = 10_000  # keys kept before expired windows are swept


class FailureLimiter:
    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self._failures: dict[Hashable, deque[float]] = {}
        self._longest_window_s = 60.0
        self._lock = threading.Lock()

    def _recent(self, key: Hashable, window_s: float) -> deque[float]:
        failures = self._failures.get(key)
        if failures is None:
            return deque()
        now = self.clock()
        while failures and failures[0] <= now - window_s:
            failures.popleft()
        if not failures:
            del self._failures[key]
        return failures

    def retry_after_s(self, key: Hashable, limit: int, window_s: float = 60.0) -> int:
        """Seconds until `key` is under `limit` failures in `window_s` (0: allowed now)."""
        with self._lock:
            self._longest_window_s = max(self._longest_window_s, window_s)
            failures = self._recent(key, window_s)
            if len(failures) < limit:
                return 0
            return max(1, math.ceil(failures[-limit] + window_s - self.clock()))

    def failed(self, *keys: Hashable) -> None:
        with self._lock:
            now = self.clock()
            for key in keys:
                self._failures.setdefault(key, deque()).append(now)
            if len(self._failures) > SWEEP_AT:
                for stale in [k for k, v in self._failures.items() if v[-1] <= now - self._longest_window_s]:
                    del self._failures[stale]

    def forget(self, key: Hashable) -> None:
        with self._lock:
            self._failures.pop(key, None)


def shared(app) -> FailureLimiter:
    """The application's one limiter (created on first use)."""
    return app.extensions.setdefault("terril_limiter", FailureLimiter())


class AttemptLimiter:
    """Sign-in attempts per (source address, name), case and spaces ignored, on a shared store."""

    def __init__(self, max_attempts: int = 5, window_s: float = 60.0,
                 clock: Callable[[], float] = time.monotonic, store: FailureLimiter | None = None):
        self.max_attempts, self.window_s = max_attempts, window_s
        self.store = store if store is not None else FailureLimiter(clock)

    @staticmethod
    def _key(ip: str, name: str) -> tuple[str, str, str]:
        return ("password", ip, name.strip().lower())

    def retry_after_s(self, ip: str, name: str) -> int:
        """Seconds to wait before the next attempt is allowed (0: allowed now)."""
        return self.store.retry_after_s(self._key(ip, name), self.max_attempts, self.window_s)

    def failed(self, ip: str, name: str) -> None:
        self.store.failed(self._key(ip, name))

    def succeeded(self, ip: str, name: str) -> None:
        self.store.forget(self._key(ip, name))
