"""Is the diagnosis confidence calibrated? A reliability table from a run's cases, and what "unsure" catches.

For each confidence bin: how many cases, their mean stated confidence and the share whose cause was right
(top-1). A calibrated diagnosis has accuracy ≈ confidence in every bin; the expected calibration error (ECE)
is the case-weighted mean gap and the Brier score the mean squared error of confidence as a probability.
The unsure split shows whether the cases the workbench hands to the steward (``agent.output.is_unsure``)
are where the errors are.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

EDGES = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)


def _pairs(cases: Sequence[dict[str, Any]]) -> list[tuple[float, bool, dict]]:
    out = []
    for case in cases:
        diagnosis = case.get("diagnosis") or {}
        confidence = diagnosis.get("confidence")
        cause = (case.get("scores") or {}).get("cause") or {}
        if confidence is None or "top1" not in cause:
            continue
        out.append((float(confidence), bool(cause["top1"]), diagnosis))
    return out


def reliability(cases: Sequence[dict[str, Any]], edges: Sequence[float] = EDGES) -> dict[str, Any]:
    """Reliability bins, ECE, Brier score and the unsure split of ``cases`` (report or run-folder cases)."""
    from agent.output import UNSURE_BELOW, is_unsure

    pairs = _pairs(cases)
    bins = []
    for lo, hi in zip(edges, edges[1:], strict=False):
        inside = [(c, ok) for c, ok, _ in pairs if lo <= c < hi or (hi == edges[-1] and c == hi)]
        n = len(inside)
        mean_conf = sum(c for c, _ in inside) / n if n else None
        accuracy = sum(ok for _, ok in inside) / n if n else None
        bins.append(
            {
                "lo": lo,
                "hi": hi,
                "n": n,
                "mean_confidence": _r(mean_conf),
                "accuracy": _r(accuracy),
                "gap": _r(accuracy - mean_conf) if n else None,
            }
        )
    n = len(pairs)
    ece = sum(b["n"] * abs(b["gap"]) for b in bins if b["n"]) / n if n else None
    brier = sum((c - ok) ** 2 for c, ok, _ in pairs) / n if n else None
    unsure = [(c, ok) for c, ok, d in pairs if is_unsure({**d, "confidence": c})]
    sure = [(c, ok) for c, ok, d in pairs if not is_unsure({**d, "confidence": c})]
    return {
        "cases": n,
        "accuracy": _r(sum(ok for _, ok, _ in pairs) / n) if n else None,
        "mean_confidence": _r(sum(c for c, _, _ in pairs) / n) if n else None,
        "ece": _r(ece),
        "brier": _r(brier),
        "bins": bins,
        "unsure_below": UNSURE_BELOW,
        "unsure": _split(unsure),
        "sure": _split(sure),
    }


def _split(pairs: list[tuple[float, bool]]) -> dict[str, Any]:
    n = len(pairs)
    wrong = sum(not ok for _, ok in pairs)
    return {"n": n, "wrong": wrong, "accuracy": _r((n - wrong) / n) if n else None}


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 3)
