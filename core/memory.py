"""Keep a long-running server's resident memory flat: fewer glibc malloc arenas, freed pages handed back.

A threaded server (uvicorn's worker threads) gives each thread its own glibc arena by default; large caches
rebuilt on different threads then leave fragmented, unreturned pages behind and RSS creeps up for hours.
Both helpers are no-ops where glibc is absent.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
from functools import cache

log = logging.getLogger(__name__)
M_ARENA_MAX = -8


@cache
def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    if not name:
        return None
    try:
        libc = ctypes.CDLL(name)
        libc.mallopt, libc.malloc_trim  # noqa: B018 - both must exist (glibc)
    except (OSError, AttributeError):
        return None
    return libc


def limit_malloc_arenas(arenas: int = 2) -> bool:
    """Cap glibc's malloc arenas for threads created from now on; True when applied."""
    libc = _libc()
    if libc is None:
        return False
    applied = bool(libc.mallopt(M_ARENA_MAX, arenas))
    log.info("malloc arena cap %d %s", arenas, "applied" if applied else "refused")
    return applied


def release_free_memory() -> bool:
    """Return free heap pages to the operating system (after a large cache was replaced)."""
    libc = _libc()
    return bool(libc.malloc_trim(0)) if libc is not None else False
