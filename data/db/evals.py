"""Eval tables: compliance reviewers' scores of drafts (per rule pass/fail, tone 1–5, comment)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from data.db.base import Base


class EvalReview(Base):
    """One reviewer's score of one draft: a saved plan or an eval case of a run."""

    __tablename__ = "eval_reviews"
    __table_args__ = (Index("ix_eval_reviews_case", "case_id", "run_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("dunning_plans.id"), index=True)
    case_id: Mapped[str | None] = mapped_column(String(96))
    run_id: Mapped[str | None] = mapped_column(String(64))
    reviewer: Mapped[str] = mapped_column(String(64))
    rule_results: Mapped[dict] = mapped_column(JSON, default=dict)  # rule id -> passed
    passed: Mapped[bool | None] = mapped_column(Boolean)
    tone: Mapped[int | None] = mapped_column(Integer)  # 1..5
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, index=True)
