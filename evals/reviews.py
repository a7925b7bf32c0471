"""Agreement of reviewers with the tone judge, the guardrail and the independent rules (scores stored by app)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.services.reviews import latest_by_case
from data.db.evals import EvalReview
from evals.stats import agreement, cohens_kappa


def _binary(pairs: list[tuple[bool, bool]]) -> dict[str, Any]:
    if not pairs:
        return {"n": 0, "agreement": None, "kappa": None}
    a, b = [x for x, _ in pairs], [y for _, y in pairs]
    kappa = cohens_kappa(a, b)
    return {
        "n": len(pairs),
        "agreement": round(sum(x == y for x, y in pairs) / len(pairs), 4),
        "kappa": None if kappa is None else round(kappa, 4),
    }


def agreement_stats(reviews: list[EvalReview], cases: list[dict[str, Any]]) -> dict[str, Any]:
    """Agreement on the cases of a run report: tone reviewer vs judge; pass/fail reviewer vs guardrail vs rules.

    Args:
        reviews: Reviewer scores (the latest per case id is used).
        cases: The ``cases`` list of an eval report (scores.compliance, scores.tone).
    """
    latest = latest_by_case(reviews)
    tone_h, tone_j = [], []
    vs_guard, vs_rules, guard_rules = [], [], []
    for case in cases:
        scores = case.get("scores", {})
        comp = scores.get("compliance", {})
        if "guardrail_passed" in comp:
            guard_rules.append((comp["guardrail_passed"], comp["independent_passed"]))
        review = latest.get(case["id"])
        if review is None:
            continue
        judge = scores.get("tone", {}).get("score")
        if review.tone is not None and judge is not None:
            tone_h.append(review.tone)
            tone_j.append(judge)
        if review.passed is not None and comp:
            vs_guard.append((review.passed, comp["guardrail_passed"]))
            vs_rules.append((review.passed, comp["independent_passed"]))
    return {
        "reviewed_cases": sum(1 for c in cases if c["id"] in latest),
        "tone_reviewer_vs_judge": agreement(tone_h, tone_j),
        "pass_reviewer_vs_guardrail": _binary(vs_guard),
        "pass_reviewer_vs_independent": _binary(vs_rules),
        "pass_guardrail_vs_independent": _binary(guard_rules),
    }


def load_reviews_if_present(url: str) -> list[EvalReview] | None:
    """Reviews from the database at ``url`` without creating or migrating it (None when absent)."""
    from pathlib import Path

    from sqlalchemy import create_engine, inspect

    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if not path or not Path(path).exists():
            return None
    engine = create_engine(url)
    try:
        if not inspect(engine).has_table("eval_reviews"):
            return None
        with Session(engine) as session:
            rows = list(session.execute(select(EvalReview)).scalars())
            session.expunge_all()
            return rows
    except Exception:  # an unreachable review database must not fail the run
        return None
    finally:
        engine.dispose()
