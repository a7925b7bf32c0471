"""batch tasks: the overnight run on workers (claims, heartbeats, outcomes) and the engine of each run.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add batch_tasks and batch_runs.engine."""
    op.create_table(
        "batch_tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("households", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claim", sa.String(length=64), nullable=False),
        sa.Column("worker", sa.String(length=128), nullable=False),
        sa.Column("queued_at", sa.DateTime(), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["batch_runs.id"], name=op.f("fk_batch_tasks_run_id_batch_runs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_batch_tasks")),
        sa.UniqueConstraint("run_id", "stage", "key", name=op.f("uq_batch_tasks_run_id")),
    )
    op.create_index("ix_batch_tasks_run_stage_status", "batch_tasks", ["run_id", "stage", "status"], unique=False)
    with op.batch_alter_table("batch_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("engine", sa.String(length=16), server_default="process", nullable=False))


def downgrade() -> None:
    """Drop what upgrade added."""
    with op.batch_alter_table("batch_runs", schema=None) as batch_op:
        batch_op.drop_column("engine")
    op.drop_index("ix_batch_tasks_run_stage_status", table_name="batch_tasks")
    op.drop_table("batch_tasks")
