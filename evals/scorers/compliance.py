"""Compliance by the product's guardrail (the state's validation) and by the independent rule checker."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from evals.rules_independent import RuleContext, check_plan
from evals.scorers import CaseRun


def rule_context(run: CaseRun) -> RuleContext:
    """The independent checker's view of the household, from the database facts."""
    t = run.truth
    return RuleContext(
        arrears=t.arrears,
        monthly_fee=t.monthly_fee,
        opted_out_all=t.opted_out_all,
        opted_out_channels=t.opted_out_channels,
        blacklisted=t.blacklisted,
    )


@dataclass
class ComplianceScorer:
    """Guardrail verdict, independent verdict, and whether the two agree."""

    name: str = "compliance"

    def __call__(self, run: CaseRun) -> dict[str, Any]:
        """Score the final plan's messages of one case."""
        validation = run.state.get("validation") or {}
        guard_passed = bool(validation.get("passed"))
        violations = check_plan(run.state.get("plan") or {}, rule_context(run))
        independent_passed = not violations
        return {
            "guardrail_passed": guard_passed,
            "guardrail_rules": sorted({f["rule"] for f in validation.get("failures", [])}),
            "independent_passed": independent_passed,
            "independent_rules": sorted({v.rule for v in violations}),
            "independent_violations": [{"rule": v.rule, "step": v.step, "excerpt": v.excerpt} for v in violations],
            "agree": guard_passed == independent_passed,
            "passed": guard_passed and independent_passed,
            "is_fallback": bool((run.state.get("plan") or {}).get("is_fallback")),
            "revisions": run.state.get("revisions", 0),
        }
