"""Scorers: small dataclasses that turn one case's run into named scores."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from evals.cases import Case
from evals.facts import HouseholdTruth


@dataclass
class CaseRun:
    """Everything the scorers may look at for one case."""

    case: Case
    state: dict[str, Any]
    """The graph's final state values (diagnosis, candidates, evidence, plan, validation, usage)."""
    truth: HouseholdTruth
    prompts: list[str] = field(default_factory=list)
    """Text of every prompt the model received during this case."""
    seconds: float = 0.0
    """Wall time of the graph run."""
    causes: dict[str, Any] = field(default_factory=dict)
    """The knowledge base's causes by id (for names, dimensions, signals)."""
    error: str | None = None


class Scorer(Protocol):
    """A scorer returns a flat mapping of score name → value."""

    name: str

    def __call__(self, run: CaseRun) -> dict[str, Any]:
        """Score one case."""
        ...


def default_scorers(judge: Any = None) -> list[Scorer]:
    """The deterministic scorers, plus the tone judge when one is given."""
    from evals.scorers.cause import CauseScorer
    from evals.scorers.citations import CitationScorer
    from evals.scorers.compliance import ComplianceScorer
    from evals.scorers.pii import PiiLeakScorer
    from evals.scorers.policy import PolicyScorer, RequirementScorer
    from evals.scorers.usage import UsageScorer

    scorers: list[Scorer] = [
        CauseScorer(),
        CitationScorer(),
        ComplianceScorer(),
        PiiLeakScorer(),
        PolicyScorer(),
        RequirementScorer(),
        UsageScorer(),
    ]
    if judge is not None:
        from evals.scorers.tone import ToneScorer

        scorers.append(ToneScorer(judge))
    return scorers
