"""What a night leaves in the database, in a form two runs can be compared by."""

from __future__ import annotations

from sqlalchemy import Engine, func, select

from data.db.collections import BatchTask, HouseholdScore, OutboxMessage
from data.db.workflow import ContactAttempt, Diagnosis, DunningPlan

SUMMARY_FIELDS = (
    "households",
    "in_arrears",
    "queued",
    "diagnosed",
    "diagnosis_failed",
    "unchanged_skipped",
    "budget_skipped",
    "dispatched",
    "held",
    "blocked",
)


def snapshot(engine: Engine) -> dict:
    """Scores (without their timestamp), diagnoses, drafted plans, sends and outbox keys."""
    score_cols = [c for c in HouseholdScore.__table__.columns if c.name != "computed_at"]
    with engine.connect() as conn:
        return {
            "scores": [tuple(r) for r in conn.execute(select(*score_cols).order_by(HouseholdScore.unit_id))],
            "diagnoses": sorted(
                tuple(r)
                for r in conn.execute(
                    select(Diagnosis.unit_id, Diagnosis.primary_cause_id, Diagnosis.evidence_fingerprint)
                )
            ),
            "plans": sorted(
                tuple(r)
                for r in conn.execute(
                    select(DunningPlan.unit_id, DunningPlan.status, DunningPlan.stage, DunningPlan.strategy)
                )
            ),
            "sends": sorted(
                tuple(r)
                for r in conn.execute(
                    select(ContactAttempt.plan_step_id, ContactAttempt.channel, ContactAttempt.outcome).where(
                        ContactAttempt.plan_step_id.is_not(None)
                    )
                )
            ),
            "outbox": sorted(conn.execute(select(OutboxMessage.idempotency_key)).scalars()),
        }


def per_unit(engine: Engine, column, table) -> dict:  # noqa: ANN001
    """How many rows each value of ``column`` has."""
    with engine.connect() as conn:
        return dict(conn.execute(select(column, func.count()).select_from(table).group_by(column)).all())


def draft_rows(engine: Engine) -> list[tuple]:
    """(unit id, status, attempts, worker) of every drafting task."""
    with engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                select(BatchTask.unit_id, BatchTask.status, BatchTask.attempts, BatchTask.worker).where(
                    BatchTask.stage == "draft"
                )
            )
        ]
