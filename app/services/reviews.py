"""Compliance reviewers' scores of plans and eval cases: store, list, export (storage only; agreement is in evals)."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.csvsafe import safe_dict
from data.db.evals import EvalReview

CSV_COLUMNS = (
    "id",
    "created_at",
    "reviewer",
    "plan_id",
    "case_id",
    "run_id",
    "passed",
    "tone",
    "rule_results",
    "comment",
)


class ReviewError(ValueError):
    """A review is incomplete or out of range (message in Chinese)."""


def add_review(
    session: Session,
    *,
    reviewer: str,
    at: datetime,
    case_id: str | None = None,
    plan_id: int | None = None,
    run_id: str | None = None,
    rule_results: dict[str, bool] | None = None,
    passed: bool | None = None,
    tone: int | None = None,
    comment: str = "",
) -> EvalReview:
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
    row = EvalReview(
        reviewer=reviewer.strip(),
        case_id=case_id,
        plan_id=plan_id,
        run_id=run_id,
        rule_results=rules,
        passed=passed,
        tone=tone,
        comment=comment,
        created_at=at,
    )
    session.add(row)
    session.flush()
    return row


def list_reviews(
    session: Session,
    *,
    case_id: str | None = None,
    plan_id: int | None = None,
    reviewer: str | None = None,
    limit: int = 500,
) -> list[EvalReview]:
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
    return {
        "id": row.id,
        "created_at": row.created_at.isoformat(timespec="seconds"),
        "reviewer": row.reviewer,
        "plan_id": row.plan_id,
        "case_id": row.case_id,
        "run_id": row.run_id,
        "passed": row.passed,
        "tone": row.tone,
        "rule_results": dict(row.rule_results or {}),
        "comment": row.comment,
    }


def export_csv(rows: list[EvalReview]) -> str:
    """CSV text (UTF-8 with BOM so spreadsheet tools show the Chinese correctly)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    for row in rows:
        data = to_dict(row)
        data["rule_results"] = json.dumps(data["rule_results"], ensure_ascii=False, sort_keys=True)
        writer.writerow(safe_dict(data))
    return "\ufeff" + buffer.getvalue()


def latest_by_case(reviews: list[EvalReview]) -> dict[str, EvalReview]:
    """Each case id's most recent review."""
    latest: dict[str, EvalReview] = {}
    for row in sorted(reviews, key=lambda r: (r.created_at, r.id)):
        if row.case_id:
            latest[row.case_id] = row
    return latest
