"""policy settings: versioned contact-policy settings per project with group defaults.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add policy_settings."""
    op.create_table(
        "policy_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("changed_by", sa.String(length=64), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_settings")),
        sa.UniqueConstraint("scope", "key", "version", name=op.f("uq_policy_settings_scope")),
    )
    op.create_index("ix_policy_settings_scope_key", "policy_settings", ["scope", "key"], unique=False)


def downgrade() -> None:
    """Drop what upgrade added."""
    op.drop_index("ix_policy_settings_scope_key", table_name="policy_settings")
    op.drop_table("policy_settings")
