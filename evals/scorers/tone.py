"""Tone 1–5 by the LLM judge over the plan's outgoing messages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from evals.judge import ToneJudge
from evals.scorers import CaseRun


@dataclass
class ToneScorer:
    """Asks the judge once per case; ``score`` is None when there was nothing to judge."""

    judge: ToneJudge
    name: str = "tone"

    def __call__(self, run: CaseRun) -> dict[str, Any]:
        """Judge the outgoing messages of one case."""
        plan = run.state.get("plan") or {}
        messages = [s.get("message") or "" for s in plan.get("steps", []) if s.get("outgoing")]
        verdict = self.judge.score(messages, plan.get("stage") or "")
        return {
            "score": verdict["score"] if verdict else None,
            "reason": verdict["reason"] if verdict else "",
            "judge": self.judge.label,
        }
