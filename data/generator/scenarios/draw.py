"""Cheap uniform draws from an injected `random.random` (faster than choice/randint)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
Rand = Callable[[], float]


def span(rand: Rand, lo: int, hi: int) -> int:
    """Return a uniform integer in [lo, hi]."""
    return lo + int(rand() * (hi - lo + 1))


def pick(rand: Rand, seq: Sequence[T]) -> T:
    """Return a uniform element of `seq`."""
    return seq[int(rand() * len(seq))]
