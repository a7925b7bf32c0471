"""Latency and tokens from the state's usage records."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from evals.scorers import CaseRun


@dataclass
class UsageScorer:
    """Wall time, model time, calls and tokens of one case."""

    name: str = "usage"

    def __call__(self, run: CaseRun) -> dict[str, Any]:
        """Sum the usage records of one case."""
        usage = run.state.get("usage", [])
        return {
            "seconds": round(run.seconds, 3),
            "model_seconds": round(sum(u.get("seconds", 0) for u in usage), 3),
            "calls": len(usage),
            "input_tokens": sum(u.get("input_tokens", 0) for u in usage),
            "output_tokens": sum(u.get("output_tokens", 0) for u in usage),
        }
