"""Rate limits on the `limits` library: failed logins (per user and per client address) and owner bill links.

Counters live in the storage named by STEWARD_RATELIMIT_STORAGE_URL: ``memory://`` (one process) or a
``redis://`` URL, which every API and workbench process then shares. Fixed windows keep one counter per key with
an expiry, so the storage drops stale keys itself (memory: its expiry timer; Redis: key TTLs).
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse
from limits.storage import Storage, storage_from_string
from limits.strategies import FixedWindowRateLimiter

from core.settings import Settings

_STORAGES: dict[str, Storage] = {}
_STORAGES_LOCK = threading.Lock()


def shared_storage(url: str) -> Storage:
    """The storage for ``url``: a fresh one for ``memory://`` (one per app), one client per server URL otherwise."""
    if url.startswith("memory://"):
        return storage_from_string(url)
    with _STORAGES_LOCK:
        if url not in _STORAGES:
            _STORAGES[url] = storage_from_string(url)
        return _STORAGES[url]


def _key(value: str) -> str:
    # Hostile input (any username) becomes a bounded key; case and surrounding blanks do not make a new one.
    return hashlib.sha256(value.strip().casefold().encode("utf-8")).hexdigest()[:32]


class Throttled(Exception):
    """Too many attempts: ``retry_after`` seconds until the next one is allowed."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"retry after {retry_after}s")
        self.retry_after = retry_after


@dataclass
class _Limit:
    item: RateLimitItem
    scope: str


class RateLimits:
    """Failed-login and bill-link windows on one storage; ``namespace`` separates deployments sharing a Redis."""

    def __init__(
        self,
        storage: Storage | str = "memory://",
        *,
        login_user: str = "5/minute",
        login_ip: str = "20/minute",
        bill_link: str = "30/minute",
        bill_post: str = "10/hour",
        namespace: str = "steward",
    ) -> None:
        self.storage = shared_storage(storage) if isinstance(storage, str) else storage
        self.limiter = FixedWindowRateLimiter(self.storage)
        self.namespace = namespace
        self.login_user = _Limit(parse(login_user), "login-user")
        self.login_ip = _Limit(parse(login_ip), "login-ip")
        self.bill_link = _Limit(parse(bill_link), "bill-link")
        self.bill_post = _Limit(parse(bill_post), "bill-post")

    @classmethod
    def from_settings(cls, settings: Settings) -> RateLimits:
        """Limits and storage as configured by STEWARD_* settings."""
        return cls(
            settings.ratelimit_storage_url,
            login_user=settings.login_limit_user,
            login_ip=settings.login_limit_ip,
            bill_link=settings.bill_link_limit,
            bill_post=settings.bill_post_limit,
            namespace=settings.ratelimit_namespace,
        )

    def _wait(self, limit: _Limit, value: str) -> int:
        ids = (self.namespace, limit.scope, _key(value))
        if self.limiter.test(limit.item, *ids):
            return 0
        reset = self.limiter.get_window_stats(limit.item, *ids).reset_time
        return max(1, math.ceil(reset - time.time()))

    # ---------------------------------------------------------------- logins
    def login_retry_after(self, username: str, address: str) -> int:
        """Seconds until a login for this user from this address may be tried (0: now)."""
        return max(self._wait(self.login_user, username), self._wait(self.login_ip, address))

    def login_failed(self, username: str, address: str) -> None:
        """Count a failed login against the user and against the address."""
        self.limiter.hit(self.login_user.item, self.namespace, self.login_user.scope, _key(username))
        self.limiter.hit(self.login_ip.item, self.namespace, self.login_ip.scope, _key(address))

    def login_succeeded(self, username: str) -> None:
        """Forget the user's failures (the address keeps its count: a spray stays visible)."""
        self.limiter.clear(self.login_user.item, self.namespace, self.login_user.scope, _key(username))

    # ---------------------------------------------------------------- bill links
    def bill_hit(self, link_id: str, *, post: bool = False) -> None:
        """Count one request on a bill link; Throttled when the link's window is used up."""
        limits = [self.bill_link, self.bill_post] if post else [self.bill_link]
        for limit in limits:
            if not self.limiter.hit(limit.item, self.namespace, limit.scope, _key(link_id)):
                raise Throttled(self._wait(limit, link_id))


def get_rate_limits(settings: Settings) -> RateLimits:
    """Limits as configured (with memory:// each caller gets its own counters; share the object to share them)."""
    return RateLimits.from_settings(settings)
