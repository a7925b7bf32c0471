"""case events and payments: case_events, payment orders/notifications/allocations, decisions on records.

Revision ID: 0009
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the case-event and payment tables and the decision columns."""
    op.create_table(
        "case_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("from_state", sa.String(length=16), nullable=False),
        sa.Column("to_state", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("ref", sa.String(length=96), nullable=True),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ref"),
    )
    op.create_index("ix_case_events_unit_at", "case_events", ["unit_id", "at"], unique=False)
    op.create_table(
        "payment_orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_no", sa.String(length=40), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=16), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("paid_at", sa.DateTime(), nullable=True),
        sa.Column("provider_txn_id", sa.String(length=64), nullable=True),
        sa.Column("payment_id", sa.Integer(), nullable=True),
        sa.Column("refunded_cents", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["payment_id"], ["payments.id"]),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("order_no"),
        sa.UniqueConstraint("provider_txn_id"),
    )
    op.create_index("ix_payment_orders_unit_id", "payment_orders", ["unit_id"], unique=False)
    op.create_table(
        "payment_notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=16), nullable=False),
        sa.Column("order_no", sa.String(length=40), nullable=False),
        sa.Column("provider_txn_id", sa.String(length=64), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=True),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=128), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_payment_notifications_order_no", "payment_notifications", ["order_no"], unique=False)
    op.create_index("ix_payment_notifications_provider_txn_id", "payment_notifications", ["provider_txn_id"],
                    unique=False)
    op.create_table(
        "payment_allocations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("payment_id", sa.Integer(), nullable=False),
        sa.Column("receivable_id", sa.Integer(), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["payment_id"], ["payments.id"]),
        sa.ForeignKeyConstraint(["receivable_id"], ["receivables.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_payment_allocations_payment_id", "payment_allocations", ["payment_id"], unique=False)
    op.create_index("ix_payment_allocations_receivable_id", "payment_allocations", ["receivable_id"], unique=False)
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("settled_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("unallocated_cents", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("promises", schema=None) as batch_op:
        batch_op.add_column(sa.Column("resolved_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("instalment_plans", schema=None) as batch_op:
        batch_op.add_column(sa.Column("total_cents", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("decided_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("decided_by", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("decision_reason", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("disputes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("resolved_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("resolved_by", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("resolution", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("proof", sa.String(length=64), nullable=True))
    with op.batch_alter_table("dunning_plans", schema=None) as batch_op:
        batch_op.add_column(sa.Column("arrears_cents", sa.Integer(), nullable=True))
    # Payments already imported were counted in receivables.paid_cents by the billing system.
    op.execute("UPDATE payments SET settled_at = paid_at")


def downgrade() -> None:
    """Drop what upgrade added."""
    with op.batch_alter_table("dunning_plans", schema=None) as batch_op:
        batch_op.drop_column("arrears_cents")
    with op.batch_alter_table("disputes", schema=None) as batch_op:
        batch_op.drop_column("proof")
        batch_op.drop_column("resolution")
        batch_op.drop_column("resolved_by")
        batch_op.drop_column("resolved_at")
    with op.batch_alter_table("instalment_plans", schema=None) as batch_op:
        batch_op.drop_column("decision_reason")
        batch_op.drop_column("decided_by")
        batch_op.drop_column("decided_at")
        batch_op.drop_column("total_cents")
    with op.batch_alter_table("promises", schema=None) as batch_op:
        batch_op.drop_column("resolved_at")
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_column("unallocated_cents")
        batch_op.drop_column("settled_at")
    op.drop_index("ix_payment_allocations_receivable_id", table_name="payment_allocations")
    op.drop_index("ix_payment_allocations_payment_id", table_name="payment_allocations")
    op.drop_table("payment_allocations")
    op.drop_index("ix_payment_notifications_provider_txn_id", table_name="payment_notifications")
    op.drop_index("ix_payment_notifications_order_no", table_name="payment_notifications")
    op.drop_table("payment_notifications")
    op.drop_index("ix_payment_orders_unit_id", table_name="payment_orders")
    op.drop_table("payment_orders")
    op.drop_index("ix_case_events_unit_at", table_name="case_events")
    op.drop_table("case_events")
