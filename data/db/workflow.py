"""Dunning workflow tables: contact attempts, promises, instalments, disputes, consent, plans, users, audit."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from data.db.base import Base

FK = ForeignKey


class ContactAttempt(Base):
    """One outgoing contact (SMS, WeChat, call, visit...) with its receipt."""

    __tablename__ = "contact_attempts"
    __table_args__ = (Index("ix_attempt_owner_time", "owner_id", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(FK("owners.id"))
    unit_id: Mapped[int | None] = mapped_column(FK("units.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(DateTime)
    template_id: Mapped[str | None] = mapped_column(String(64))
    text: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(
        String(16), default="pending"
    )  # delivered|failed|unsubscribed|no_answer|answered
    receipt: Mapped[dict | None] = mapped_column(JSON)
    idempotency_key: Mapped[str | None] = mapped_column(String(96), unique=True)
    plan_step_id: Mapped[int | None] = mapped_column(FK("plan_steps.id"))


class Promise(Base):
    """A promise to pay (承诺还款)."""

    __tablename__ = "promises"
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(FK("units.id"), index=True)
    promised_date: Mapped[date] = mapped_column(Date)
    amount_cents: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open|kept|broken
    created_at: Mapped[datetime] = mapped_column(DateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)


class InstalmentPlan(Base):
    """An instalment arrangement (分期) for a unit's arrears."""

    __tablename__ = "instalment_plans"
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(FK("units.id"), index=True)
    months: Mapped[int] = mapped_column(Integer)
    amount_per_month_cents: Mapped[int] = mapped_column(Integer)
    start_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="requested")  # requested|active|declined|lapsed|done
    created_at: Mapped[datetime] = mapped_column(DateTime)
    total_cents: Mapped[int | None] = mapped_column(Integer)  # the arrears the schedule covers
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decision_reason: Mapped[str] = mapped_column(Text, default="")


class Dispute(Base):
    """An owner's dispute of a bill (异议)."""

    __tablename__ = "disputes"
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(FK("units.id"), index=True)
    opened_at: Mapped[datetime] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open|resolved|rejected
    note: Mapped[str] = mapped_column(Text, default="")
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)
    resolved_by: Mapped[str | None] = mapped_column(String(64))
    resolution: Mapped[str] = mapped_column(Text, default="")
    proof: Mapped[str | None] = mapped_column(String(64))  # stored name of the owner's uploaded proof


class OptOut(Base):
    """An owner's opt-out (退订) from one channel, or all channels when channel is null."""

    __tablename__ = "opt_outs"
    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(FK("owners.id"), index=True)
    channel: Mapped[str | None] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(DateTime)
    reason: Mapped[str] = mapped_column(String(128), default="")


class BlacklistEntry(Base):
    """An owner on the do-not-contact list (黑名单)."""

    __tablename__ = "blacklist"
    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(FK("owners.id"), unique=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    reason: Mapped[str] = mapped_column(String(128), default="")


class Diagnosis(Base):
    """The agent's diagnosis of why a household is not paying."""

    __tablename__ = "diagnoses"
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(FK("units.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    primary_cause_id: Mapped[str] = mapped_column(String(48))
    secondary_cause_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    confidence: Mapped[float] = mapped_column(default=0.0)
    explanation: Mapped[str] = mapped_column(Text, default="")
    citations: Mapped[dict] = mapped_column(JSON, default=dict)
    flags: Mapped[dict] = mapped_column(JSON, default=dict)
    evidence_fingerprint: Mapped[str | None] = mapped_column(String(64))
    model: Mapped[str] = mapped_column(String(96), default="")
    prompt_version: Mapped[str] = mapped_column(String(32), default="")


LIVE_PLAN_STATUSES = ("awaiting_approval", "approved")
LIVE_PLAN_WHERE = "status IN ('awaiting_approval', 'approved')"


class DunningPlan(Base):
    """A versioned dunning plan (催费方案) awaiting or holding a steward's approval."""

    __tablename__ = "dunning_plans"
    __table_args__ = (
        # One live plan per household: at most one version awaiting approval and at most one approved.
        Index(
            "uq_dunning_plans_live",
            "unit_id",
            "status",
            unique=True,
            sqlite_where=text(LIVE_PLAN_WHERE),
            postgresql_where=text(LIVE_PLAN_WHERE),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(FK("units.id"), index=True)
    diagnosis_id: Mapped[int | None] = mapped_column(FK("diagnoses.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(24), default="awaiting_approval")
    stage: Mapped[str] = mapped_column(String(8))
    strategy: Mapped[str] = mapped_column(String(32))
    summary: Mapped[str] = mapped_column(Text, default="")
    validation: Mapped[dict] = mapped_column(JSON, default=dict)
    is_fallback: Mapped[bool] = mapped_column(Boolean, default=False)
    arrears_cents: Mapped[int | None] = mapped_column(Integer)  # the ledger amount the messages quote
    thread_id: Mapped[str | None] = mapped_column(String(96))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    steps: Mapped[list[PlanStep]] = relationship(
        back_populates="plan", order_by="PlanStep.seq", cascade="all, delete-orphan"
    )


class PlanStep(Base):
    """One step of a plan: when, how, what is said and who does it."""

    __tablename__ = "plan_steps"
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(FK("dunning_plans.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    day: Mapped[date] = mapped_column(Date)
    window_start: Mapped[str] = mapped_column(String(5))
    window_end: Mapped[str] = mapped_column(String(5))
    channel: Mapped[str] = mapped_column(String(16))
    fallback_channel: Mapped[str | None] = mapped_column(String(16))
    template_id: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(128), default="")
    message: Mapped[str] = mapped_column(Text, default="")
    role: Mapped[str] = mapped_column(String(16), default="steward")
    plan: Mapped[DunningPlan] = relationship(back_populates="steps")


class Approval(Base):
    """A steward's decision on a plan version."""

    __tablename__ = "approvals"
    __table_args__ = (UniqueConstraint("plan_id", "plan_version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(FK("dunning_plans.id"), index=True)
    plan_version: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[int | None] = mapped_column(FK("users.id"))
    username: Mapped[str] = mapped_column(String(64))
    decision: Mapped[str] = mapped_column(String(16))  # accept|edit|reject
    comment: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(DateTime)


class User(Base):
    """A workbench or API user with a role."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64), default="")
    password_hash: Mapped[str] = mapped_column(String(128), default="")
    role: Mapped[str] = mapped_column(String(16))  # steward|manager|compliance|admin|readonly
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class UserProject(Base):
    """Which projects a user may see (project-level isolation)."""

    __tablename__ = "user_projects"
    user_id: Mapped[int] = mapped_column(FK("users.id"), primary_key=True)
    project_id: Mapped[int] = mapped_column(FK("projects.id"), primary_key=True)


class AuditEvent(Base):
    """An append-only audit record (who did what, when), hash-chained."""

    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(32), default="")
    entity_id: Mapped[str] = mapped_column(String(64), default="")
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64), default="")
    hash: Mapped[str] = mapped_column(String(64), default="")
