"""Long-running server memory: one cache rebuild per expiry under concurrency, allocator helpers work."""

from __future__ import annotations

import threading
import time
from datetime import date
from types import SimpleNamespace

import pytest

from app.services import queue_source
from app.services.queue_source import QueueSource
from core.memory import limit_malloc_arenas, release_free_memory


class CountingCache:
    """A summary cache whose rebuild is slow and counted."""

    def __init__(self) -> None:
        self.builds = 0
        self.lock = threading.Lock()

    def rows(self, session: object) -> list:
        with self.lock:
            self.builds += 1
        time.sleep(0.05)
        return [SimpleNamespace(household="P/1", to_dict=lambda: {"household": "P/1", "project": "P"})]

    def clear(self) -> None:
        pass


def test_concurrent_requests_after_expiry_rebuild_once(monkeypatch: pytest.MonkeyPatch) -> None:
    scored_calls = []

    def fake_scored(session: object, day: date, base: dict) -> list[dict]:
        scored_calls.append(day)
        return [{**base["P/1"], "priority": 1.0}]

    monkeypatch.setattr(queue_source, "_scored_queue", fake_scored)
    cache = CountingCache()
    source = QueueSource(cache=cache, ttl=300.0)  # type: ignore[arg-type]
    day = date(2024, 9, 2)
    results: list = []
    threads = [threading.Thread(target=lambda: results.append(source._by_project(object(), day))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert cache.builds == 1 and len(scored_calls) == 1
    assert all(r == {"P": [{"household": "P/1", "project": "P", "priority": 1.0}]} for r in results)
    source.clear()
    source._by_project(object(), day)
    assert cache.builds == 2  # a write that clears the cache still forces a rebuild


def test_allocator_helpers_apply_on_glibc() -> None:
    import platform

    if platform.libc_ver()[0] != "glibc":
        pytest.fail("this project's servers run on glibc; the allocator helpers must apply there")
    assert limit_malloc_arenas(2) is True
    big = [bytearray(1 << 16) for _ in range(2000)]
    del big
    assert isinstance(release_free_memory(), bool)
