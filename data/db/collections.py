"""Collections engine tables: household scores, case transitions, batch runs, channel outbox, experiments."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from data.db.base import Base

FK = ForeignKey


class HouseholdScore(Base):
    """The overnight batch's latest verdict on one household (upserted per unit)."""

    __tablename__ = "household_scores"
    __table_args__ = (
        Index("ix_scores_asof_project", "as_of", "project_id"),
        Index("ix_scores_asof_priority", "as_of", "priority"),
    )
    unit_id: Mapped[int] = mapped_column(FK("units.id"), primary_key=True)
    as_of: Mapped[date] = mapped_column(Date)
    project_id: Mapped[int] = mapped_column(Integer)
    owner_id: Mapped[int | None] = mapped_column(Integer, index=True)
    arrears_cents: Mapped[int] = mapped_column(Integer, default=0)
    months_in_arrears: Mapped[int] = mapped_column(Integer, default=0)
    days_overdue: Mapped[int] = mapped_column(Integer, default=0)
    stage: Mapped[str | None] = mapped_column(String(8))
    risk_score: Mapped[float] = mapped_column(Float, default=0.0)  # probability of paying within 30 days
    risk_band: Mapped[str] = mapped_column(String(8), default="low")  # high|medium|low
    segment: Mapped[str] = mapped_column(String(16), default="standard")
    special: Mapped[bool] = mapped_column(Boolean, default=False)
    high_value: Mapped[bool] = mapped_column(Boolean, default=False)
    problem: Mapped[bool] = mapped_column(Boolean, default=False)
    strategy: Mapped[str] = mapped_column(String(24), default="standard")
    manager_review: Mapped[bool] = mapped_column(Boolean, default=False)
    priority: Mapped[float] = mapped_column(Float, default=0.0)
    warning: Mapped[str] = mapped_column(String(8), default="green")  # red|yellow|green
    excluded: Mapped[str | None] = mapped_column(String(24))  # rule id of a queue exclusion
    reasons: Mapped[list] = mapped_column(JSON, default=list)
    computed_at: Mapped[datetime] = mapped_column(DateTime)


class CaseTransition(Base):
    """One audited change of a household's case state (units.case_state)."""

    __tablename__ = "case_transitions"
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(FK("units.id"), index=True)
    from_state: Mapped[str] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text, default="")


class BatchRun(Base):
    """One overnight batch for a business date; a crashed run is resumed, not restarted."""

    __tablename__ = "batch_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    as_of: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(16), default="running")  # running|done
    diagnose: Mapped[str] = mapped_column(String(8), default="changed")
    started_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    diagnosis_watermark: Mapped[int] = mapped_column(Integer, default=0)  # max diagnoses.id at start
    scored_through: Mapped[int] = mapped_column(Integer, default=0)  # highest unit id already scored
    stats: Mapped[dict] = mapped_column(JSON, default=dict)
    engine: Mapped[str] = mapped_column(String(16), default="process", server_default="process")  # process|celery


class BatchItem(Base):
    """A per-household done marker of one batch step (diagnose, dispatch)."""

    __tablename__ = "batch_items"
    run_id: Mapped[int] = mapped_column(FK("batch_runs.id"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    step: Mapped[str] = mapped_column(String(16), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))  # done|failed|skipped
    at: Mapped[datetime] = mapped_column(DateTime)
    detail: Mapped[str] = mapped_column(Text, default="")


class BatchTask(Base):
    """One task of an overnight run on workers: its claim, heartbeat and outcome (the run's progress).

    ``(run_id, stage, key)`` is unique: a scoring shard (``lo-hi``), a household and its evidence fingerprint
    (``unit:fingerprint``) or a step (``plan-step:<id>``) is claimed once per run, so a task delivered twice
    does its work once. A claim whose heartbeat stops (a lost worker) can be taken over after the lease.
    """

    __tablename__ = "batch_tasks"
    __table_args__ = (
        UniqueConstraint("run_id", "stage", "key"),
        Index("ix_batch_tasks_run_stage_status", "run_id", "stage", "status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(FK("batch_runs.id"))
    stage: Mapped[str] = mapped_column(String(16))  # score|draft|rescore|dispatch|reminders
    key: Mapped[str] = mapped_column(String(128))
    unit_id: Mapped[int | None] = mapped_column(Integer)
    params: Mapped[dict] = mapped_column(JSON, default=dict)  # what the task message carries, to send it again
    status: Mapped[str] = mapped_column(String(16), default="queued")  # queued|running|done|failed|skipped
    outcome: Mapped[str] = mapped_column(String(32), default="")  # plan status, send result
    households: Mapped[int] = mapped_column(Integer, default=0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claim: Mapped[str] = mapped_column(String(64), default="")  # token of the worker holding it
    worker: Mapped[str] = mapped_column(String(128), default="")
    queued_at: Mapped[datetime] = mapped_column(DateTime)
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    detail: Mapped[str] = mapped_column(Text, default="")


class OutboxMessage(Base):
    """A message handed to the default (outbox) channel adapter, with its simulated receipt."""

    __tablename__ = "channel_outbox"
    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    channel: Mapped[str] = mapped_column(String(16))
    owner_id: Mapped[int] = mapped_column(Integer, index=True)
    unit_id: Mapped[int | None] = mapped_column(Integer)
    recipient: Mapped[str] = mapped_column(String(128), default="")
    text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(16))  # delivered|failed|unsubscribed|no_answer
    receipt: Mapped[dict] = mapped_column(JSON, default=dict)


class Experiment(Base):
    """An A/B experiment on cadence, channel or template."""

    __tablename__ = "experiments"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    factor: Mapped[str] = mapped_column(String(16))  # cadence|channel|template
    variants: Mapped[list] = mapped_column(JSON)
    started_at: Mapped[datetime] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(16), default="running")
    description: Mapped[str] = mapped_column(Text, default="")


class ExperimentAssignment(Base):
    """The variant an owner got in an experiment (deterministic, stored for reporting)."""

    __tablename__ = "experiment_assignments"
    __table_args__ = (UniqueConstraint("experiment_id", "owner_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    experiment_id: Mapped[int] = mapped_column(FK("experiments.id"), index=True)
    owner_id: Mapped[int] = mapped_column(Integer)
    variant: Mapped[str] = mapped_column(String(32))
    assigned_at: Mapped[datetime] = mapped_column(DateTime)


class CaseEvent(Base):
    """One recorded event of a household's case (payment, promise, dispute, instalment, consent, contact, plan).

    Each event is audited and may move units.case_state (``from_state`` → ``to_state``); ``ref`` makes an
    event from an outside source (a payment, a provider transaction) idempotent.
    """

    __tablename__ = "case_events"
    __table_args__ = (Index("ix_case_events_unit_at", "unit_id", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(FK("units.id"))
    kind: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(64))
    from_state: Mapped[str] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    ref: Mapped[str | None] = mapped_column(String(96), unique=True)


class PolicySetting(Base):
    """One version of one contact-policy setting, for the group (``scope`` "*") or one project (its code).

    Every change adds a version; the newest version of a (scope, key) is in force, a project's value over the
    group's, the group's over the built-in default. ``value`` is JSON (a time "21:00", a list of dates, a number).
    """

    __tablename__ = "policy_settings"
    __table_args__ = (
        UniqueConstraint("scope", "key", "version"),
        Index("ix_policy_settings_scope_key", "scope", "key"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(Integer)
    value: Mapped[object] = mapped_column(JSON)
    changed_by: Mapped[str] = mapped_column(String(64))
    changed_at: Mapped[datetime] = mapped_column(DateTime)
    reason: Mapped[str] = mapped_column(Text, default="")
