"""Reviewer scores of drafts: add, list, export CSV, and agreement of reviewer vs judge vs rules."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.evals import EvalReview
from evals.stats import agreement, cohens_kappa

CSV_COLUMNS = ("id", "created_at", "reviewer", "plan_id", "case_id", "run_id", "passed", "tone", "rule_results",
               "comment")


class ReviewError(ValueError):
    """A review is incomplete or out of range (message in Chinese)."""


def add_review(session: Session, *, reviewer: str, at: datetime, case_id: str | None = None,
               plan_id: int | None = None, run_id: str | None = None, rule_results: dict[str, bool] | None = None,
               passed: bool | None = None, tone: int | None = None, comment: str = "") -> EvalReview:
    """Store one reviewer's score; ``passed`` defaults to all rules passing when rules are given."""
    if not reviewer.strip():
        raise ReviewError("评审人不能为空")
    if case_id is None and plan_id is None:
        raise ReviewError("须指定方案编号或评测用例编号")
    if tone is not None and not 1 <= tone <= 5:
        raise ReviewError("语气评分须为 1-5 的整数")
    rules = {str(k): bool(v) for k, v in (rule_results or {}).items()}
    if passed is None and rules:
        passed = all(rules.values())
    row = EvalReview(reviewer=reviewer.strip(), case_id=case_id, plan_id=plan_id, run_id=run_id, rule_results=rules,
                     passed=passed, tone=tone, comment=comment, created_at=at)
    session.add(row)
    session.flush()
    return row


def list_reviews(session: Session, *, case_id: str | None = None, plan_id: int | None = None,
                 reviewer: str | None = None, limit: int = 500) -> list[EvalReview]:
    """Reviews, newest first, optionally filtered."""
    query = select(EvalReview).order_by(EvalReview.created_at.desc(), EvalReview.id.desc()).limit(limit)
    if case_id is not None:
        query = query.where(EvalReview.case_id == case_id)
    if plan_id is not None:
        query = query.where(EvalReview.plan_id == plan_id)
    if reviewer is not None:
        query = query.where(EvalReview.reviewer == reviewer)
    return list(session.execute(query).scalars())


def to_dict(row: EvalReview) -> dict[str, Any]:
    """Plain JSON-ready form of a review."""
    return {"id": row.id, "created_at": row.created_at.isoformat(timespec="seconds"), "reviewer": row.reviewer,
            "plan_id": row.plan_id, "case_id": row.case_id, "run_id": row.run_id, "passed": row.passed,
            "tone": row.tone, "rule_results": dict(row.rule_results or {}), "comment": row.comment}


def export_csv(rows: list[EvalReview]) -> str:
    """CSV text (UTF-8 with BOM so spreadsheet tools show the Chinese correctly)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    for row in rows:
        data = to_dict(row)
        data["rule_results"] = json.dumps(data["rule_results"], ensure_ascii=False, sort_keys=True)
        writer.writerow(data)
    return "\ufeff" + buffer.getvalue()


def latest_by_case(reviews: list[EvalReview]) -> dict[str, EvalReview]:
    """Each case id's most recent review."""
    latest: dict[str, EvalReview] = {}
    for row in sorted(reviews, key=lambda r: (r.created_at, r.id)):
        if row.case_id:
            latest[row.case_id] = row
    return latest


def _binary(pairs: list[tuple[bool, bool]]) -> dict[str, Any]:
    if not pairs:
        return {"n": 0, "agreement": None, "kappa": None}
    a, b = [x for x, _ in pairs], [y for _, y in pairs]
    kappa = cohens_kappa(a, b)
    return {"n": len(pairs), "agreement": round(sum(x == y for x, y in pairs) / len(pairs), 4),
            "kappa": None if kappa is None else round(kappa, 4)}


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
    return {"reviewed_cases": sum(1 for c in cases if c["id"] in latest),
            "tone_reviewer_vs_judge": agreement(tone_h, tone_j),
            "pass_reviewer_vs_guardrail": _binary(vs_guard), "pass_reviewer_vs_independent": _binary(vs_rules),
            "pass_guardrail_vs_independent": _binary(guard_rules)}


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
