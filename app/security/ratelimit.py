"""Login throttling: after N failed logins for one user from one address within a window, answer HTTP 429."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

from fastapi import Request

MAX_FAILURES = 5
WINDOW_SECONDS = 60.0


class LoginLimiter:
    """Counts failed logins per (username, client address) in a sliding window; thread-safe, clock injected."""

    def __init__(self, max_failures: int = MAX_FAILURES, window: float = WINDOW_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.max_failures = max_failures
        self.window = window
        self.clock = clock
        self._failures: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        times = self._failures.setdefault(key, deque())
        while times and now - times[0] >= self.window:
            times.popleft()
        return times

    def retry_after(self, username: str, address: str) -> int:
        """Seconds until this user may try again from this address (0: allowed now)."""
        now = self.clock()
        with self._lock:
            times = self._recent((username, address), now)
            if len(times) < self.max_failures:
                return 0
            return max(1, int(times[0] + self.window - now + 0.999))

    def failed(self, username: str, address: str) -> None:
        """Record a failed login."""
        now = self.clock()
        with self._lock:
            self._recent((username, address), now).append(now)
            if len(self._failures) > 10_000:  # bound memory under a spray of usernames
                for key in [k for k, v in self._failures.items() if not v]:
                    del self._failures[key]

    def succeeded(self, username: str, address: str) -> None:
        """Forget the failures of a user who logged in."""
        with self._lock:
            self._failures.pop((username, address), None)


def get_login_limiter(request: Request) -> LoginLimiter:
    """The app's limiter, made on first use (tests override this dependency to inject a clock)."""
    limiter = getattr(request.app.state, "login_limiter", None)
    if limiter is None:
        limiter = request.app.state.login_limiter = LoginLimiter()
    return limiter
