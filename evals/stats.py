"""Small, dependency-free statistics: per-label F1, macro-F1, Cohen's kappa, exact and ±1 agreement."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence


def per_label_f1(truth: Sequence[Hashable], predicted: Sequence[Hashable]) -> dict[Hashable, float]:
    """F1 of every label that occurs in the truth or the predictions."""
    if len(truth) != len(predicted):
        raise ValueError("truth and predictions differ in length")
    labels = set(truth) | set(predicted)
    out = {}
    for label in labels:
        tp = sum(t == label and p == label for t, p in zip(truth, predicted, strict=True))
        fp = sum(t != label and p == label for t, p in zip(truth, predicted, strict=True))
        fn = sum(t == label and p != label for t, p in zip(truth, predicted, strict=True))
        out[label] = 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)
    return out


def macro_f1(truth: Sequence[Hashable], predicted: Sequence[Hashable]) -> float:
    """Unweighted mean of per-label F1 over the labels present in the truth."""
    if not truth:
        return 0.0
    scores = per_label_f1(truth, predicted)
    present = set(truth)
    return sum(scores[label] for label in present) / len(present)


def cohens_kappa(a: Sequence[Hashable], b: Sequence[Hashable]) -> float | None:
    """Cohen's kappa of two raters over the same items (None when undefined: no items)."""
    if len(a) != len(b):
        raise ValueError("raters scored different numbers of items")
    n = len(a)
    if n == 0:
        return None
    observed = sum(x == y for x, y in zip(a, b, strict=True)) / n
    ca, cb = Counter(a), Counter(b)
    expected = sum(ca[label] * cb[label] for label in set(ca) | set(cb)) / (n * n)
    if expected == 1.0:
        return 1.0 if observed == 1.0 else 0.0
    return (observed - expected) / (1 - expected)


def agreement(a: Sequence[int], b: Sequence[int]) -> dict[str, float | int | None]:
    """Exact and within-one agreement plus kappa of two ordinal scores (e.g. tone 1–5)."""
    n = len(a)
    if n != len(b):
        raise ValueError("raters scored different numbers of items")
    if n == 0:
        return {"n": 0, "exact": None, "within_one": None, "kappa": None}
    return {
        "n": n,
        "exact": round(sum(x == y for x, y in zip(a, b, strict=True)) / n, 4),
        "within_one": round(sum(abs(x - y) <= 1 for x, y in zip(a, b, strict=True)) / n, 4),
        "kappa": _round(cohens_kappa(list(a), list(b))),
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def mcnemar_exact(wins: int, losses: int) -> float:
    """Two-sided exact McNemar p-value for paired outcomes: ``wins`` (B right, A wrong) vs ``losses``.

    Under "no difference" the discordant cases split like fair coin flips, so this is the exact
    binomial test of ``min(wins, losses)`` out of ``wins + losses`` at p = 0.5 (1.0 with no discordant case).
    """
    n = wins + losses
    if n == 0:
        return 1.0
    from scipy.stats import binomtest

    return float(binomtest(min(wins, losses), n, 0.5, alternative="two-sided").pvalue)
