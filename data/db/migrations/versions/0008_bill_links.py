"""bill links: revocable, rotating owner bill links; one open task per identical owner request.

Revision ID: 0008
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create bill_links; add steward_tasks.open_fingerprint with its unique constraint."""
    op.create_table(
        "bill_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("link_id", sa.String(length=32), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("issued_by", sa.String(length=64), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_by", sa.String(length=64), nullable=True),
        sa.Column("revoke_reason", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_bill_links_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bill_links")),
        sa.UniqueConstraint("link_id", name=op.f("uq_bill_links_link_id")),
    )
    op.create_index(op.f("ix_bill_links_unit_id"), "bill_links", ["unit_id"], unique=False)
    with op.batch_alter_table("steward_tasks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("open_fingerprint", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint("uq_steward_tasks_open_request", ["unit_id", "open_fingerprint"])


def downgrade() -> None:
    """Drop what upgrade added."""
    with op.batch_alter_table("steward_tasks", schema=None) as batch_op:
        batch_op.drop_constraint("uq_steward_tasks_open_request", type_="unique")
        batch_op.drop_column("open_fingerprint")
    op.drop_index(op.f("ix_bill_links_unit_id"), table_name="bill_links")
    op.drop_table("bill_links")
