"""Cause accuracy: top-1 (primary) and top-3 (primary, secondaries, then retrieval candidates)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from evals.scorers import CaseRun


def ranked_causes(state: dict[str, Any]) -> list[str]:
    """The run's cause ranking: diagnosis primary, its secondaries, then the retrieval candidates."""
    diag = state.get("diagnosis") or {}
    ranking = [
        diag.get("primary_cause_id"),
        *diag.get("secondary_cause_ids", []),
        *(c["cause_id"] for c in state.get("candidates", [])),
    ]
    return list(dict.fromkeys(c for c in ranking if c))


@dataclass
class CauseScorer:
    """Top-1 against the expected primary or an acceptable alternative; top-3 over the ranking."""

    name: str = "cause"
    k: int = 3

    def __call__(self, run: CaseRun) -> dict[str, Any]:
        """Score the diagnosis of one case."""
        expected = run.case.expected
        accepted = {expected.primary, *expected.acceptable}
        ranking = ranked_causes(run.state)
        predicted = ranking[0] if ranking else None
        return {
            "predicted": predicted,
            "expected": expected.primary,
            "top1": predicted in accepted,
            "top1_strict": predicted == expected.primary,
            "top3": bool(accepted & set(ranking[: self.k])),
            "ranking": ranking[: self.k],
        }
