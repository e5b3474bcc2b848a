"""In-memory limit of sign-in attempts per (IP address, name): at most N failures per window.

One process only (a sliding window of failure times in a dict, under a lock); with several
workers each keeps its own count, which still caps guessing at N × workers per window. The clock is
injectable so tests never wait.
"""
from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable


class AttemptLimiter:
    def __init__(self, max_attempts: int = 5, window_s: float = 60.0,
                 clock: Callable[[], float] = time.monotonic):
        self.max_attempts = max_attempts
        self.window_s = window_s
        self.clock = clock
        self._failures: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str]) -> deque[float]:
        now = self.clock()
        failures = self._failures.setdefault(key, deque())
        while failures and failures[0] <= now - self.window_s:
            failures.popleft()
        return failures

    def retry_after_s(self, ip: str, name: str) -> int:
        """Seconds to wait before the next attempt is allowed (0: allowed now)."""
        key = (ip, name.strip().lower())
        with self._lock:
            failures = self._recent(key)
            if len(failures) < self.max_attempts:
                return 0
            return max(1, math.ceil(failures[0] + self.window_s - self.clock()))

    def failed(self, ip: str, name: str) -> None:
        key = (ip, name.strip().lower())
        with self._lock:
            self._recent(key).append(self.clock())

    def succeeded(self, ip: str, name: str) -> None:
        with self._lock:
            self._failures.pop((ip, name.strip().lower()), None)
