"""Pure scoring helpers: per-cause aggregation of passage scores and dense/lexical fusion."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from knowledge_base.passages import Passage


@dataclass(frozen=True)
class FusionConfig:
    """How passage scores become one score per cause (tuned on the dev split)."""

    method: Literal["weighted", "rrf"] = "weighted"
    dense_weight: float = 0.7
    """Weight of the normalised dense score in the weighted sum (lexical gets the rest)."""
    rrf_k: int = 10
    """Rank offset of reciprocal rank fusion."""
    second_weight: float = 0.4
    """Share of a cause's second-best passage score added to its best one."""


@dataclass(frozen=True)
class CauseScore:
    """Aggregated score of one cause and the index of its best passage."""

    score: float
    best: int


def aggregate(scores: Mapping[int, float], passages: Sequence[Passage], second_weight: float) -> dict[str, CauseScore]:
    """Best passage score per cause plus a share of the second best."""
    ranked: dict[str, list[tuple[float, int]]] = {}
    for index, score in scores.items():
        ranked.setdefault(passages[index].cause_id, []).append((score, index))
    result = {}
    for cause_id, items in ranked.items():
        items.sort(reverse=True)
        second = items[1][0] if len(items) > 1 else 0.0
        result[cause_id] = CauseScore(items[0][0] + second_weight * second, items[0][1])
    return result


def min_max(scores: Mapping[str, float], keys: Sequence[str]) -> dict[str, float]:
    """Scale scores to [0, 1] over keys; missing keys get 0."""
    values = [scores.get(key, 0.0) for key in keys]
    low, high = min(values), max(values)
    span = high - low
    if span <= 0:
        return {key: (1.0 if high > 0 else 0.0) for key in keys}
    return {key: (scores.get(key, low) - low) / span for key in keys}


def _rrf(scores: Mapping[str, float], keys: Sequence[str], k: int) -> dict[str, float]:
    order = sorted(keys, key=lambda key: scores.get(key, float("-inf")), reverse=True)
    return {key: 1.0 / (k + rank + 1) for rank, key in enumerate(order)}


def fuse(
    dense: Mapping[str, float],
    lexical: Mapping[str, float],
    keys: Sequence[str],
    config: FusionConfig,
) -> dict[str, float]:
    """One fused score per cause key, higher is better."""
    if config.method == "rrf":
        dense_rrf, lexical_rrf = _rrf(dense, keys, config.rrf_k), _rrf(lexical, keys, config.rrf_k)
        top = 2.0 / (config.rrf_k + 1)
        return {key: (dense_rrf[key] + lexical_rrf[key]) / top for key in keys}
    dense_n, lexical_n = min_max(dense, keys), min_max(lexical, keys)
    weight = config.dense_weight
    return {key: weight * dense_n[key] + (1 - weight) * lexical_n[key] for key in keys}
