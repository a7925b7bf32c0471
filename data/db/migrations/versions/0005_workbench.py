"""workbench tasks.

Revision ID: 0005
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the steward_tasks table."""
    op.create_table(
        "steward_tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.Column("done_by", sa.String(length=64), nullable=True),
        sa.Column("months", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_steward_tasks_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_steward_tasks")),
    )
    op.create_index("ix_steward_tasks_status_created", "steward_tasks", ["status", "created_at"], unique=False)
    op.create_index(op.f("ix_steward_tasks_unit_id"), "steward_tasks", ["unit_id"], unique=False)


def downgrade() -> None:
    """Drop the steward_tasks table."""
    op.drop_index(op.f("ix_steward_tasks_unit_id"), table_name="steward_tasks")
    op.drop_index("ix_steward_tasks_status_created", table_name="steward_tasks")
    op.drop_table("steward_tasks")
