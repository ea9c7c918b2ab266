"""Sign-in and password reset attempts per client address: a sliding window in memory.

The window is per process: with N `ehcp serve` processes behind a proxy a client may make N
times the limit (the account lock-out, kept in the database, still holds across processes).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable


class TooManyAttempts(Exception):
    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after


class SlidingWindow:
    def __init__(
        self, limit: int, window_seconds: float = 60.0, now: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window = window_seconds
        self.now = now
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> None:
        """Count an attempt; raise TooManyAttempts (with seconds to wait) over the limit."""
        now = self.now()
        with self._lock:
            if len(self._hits) > 10_000:
                self._forget_idle(now)
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                raise TooManyAttempts(max(1, int(hits[0] + self.window - now) + 1))
            hits.append(now)

    def _forget_idle(self, now: float) -> None:
        for key in [k for k, v in self._hits.items() if not v or v[-1] <= now - self.window]:
            del self._hits[key]
