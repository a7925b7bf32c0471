"""A/B experiments: deterministic assignment and significance of per-variant results."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence

from scipy import stats

FACTORS = ("cadence", "channel", "template")


def bucket(experiment: str, owner_id: int) -> float:
    """A uniform number in [0, 1) fixed by the experiment key and the owner."""
    digest = hashlib.sha256(f"{experiment}:{owner_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def assign(experiment: str, owner_id: int, variants: Sequence[str], weights: Sequence[float] | None = None) -> str:
    """The owner's variant: the same answer every time, on every machine."""
    if not variants:
        raise ValueError("an experiment needs at least one variant")
    weights = list(weights) if weights else [1.0] * len(variants)
    total = float(sum(weights))
    u, acc = bucket(experiment, owner_id) * total, 0.0
    for variant, w in zip(variants, weights, strict=True):
        acc += w
        if u < acc:
            return variant
    return variants[-1]


def two_proportion_z(success_a: int, n_a: int, success_b: int, n_b: int) -> tuple[float, float]:
    """Two-sided two-proportion z-test: (z, p-value); (0, 1) when undefined."""
    if min(n_a, n_b) == 0:
        return 0.0, 1.0
    pooled = (success_a + success_b) / (n_a + n_b)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    if se == 0:
        return 0.0, 1.0
    z = (success_a / n_a - success_b / n_b) / se
    return z, float(2 * stats.norm.sf(abs(z)))


def chi_square(successes: Sequence[int], totals: Sequence[int]) -> tuple[float, float]:
    """Chi-square test of equal conversion across k variants: (statistic, p-value)."""
    table = [[s, n - s] for s, n in zip(successes, totals, strict=True) if n > 0]
    if len(table) < 2 or any(sum(col) == 0 for col in zip(*table, strict=True)):
        return 0.0, 1.0
    stat, p, _, _ = stats.chi2_contingency(table)
    return float(stat), float(p)
