"""live plans and evidence at rest: one live plan per household, evidence text encrypted.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

LIVE_WHERE = "status IN ('awaiting_approval', 'approved')"
EVIDENCE_TABLES = ("chat_messages", "tickets", "ticket_events", "claims", "claim_records")


def _retire_duplicate_live_plans() -> None:
    """Before the constraint: keep the newest pending and the newest approved version per unit, supersede the rest."""
    bind = op.get_bind()
    for status in ("awaiting_approval", "approved"):
        bind.execute(sa.text(
            "UPDATE dunning_plans SET status = 'superseded' WHERE status = :s AND id NOT IN "
            "(SELECT MAX(id) FROM dunning_plans WHERE status = :s GROUP BY unit_id)"), {"s": status})


def _encrypt_evidence() -> None:
    bind = op.get_bind()
    if not any(bind.execute(sa.text(f"SELECT 1 FROM {t} LIMIT 1")).first() for t in EVIDENCE_TABLES):
        return
    from core.crypto.cipher import cipher
    from data.db.rotation import reencrypt_all

    reencrypt_all(bind, cipher(), tables=EVIDENCE_TABLES)


def upgrade() -> None:
    """Partial unique index on live plans; evidence columns widened for ciphertext and encrypted."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        op.execute("PRAGMA foreign_keys=OFF")
    _retire_duplicate_live_plans()
    op.create_index("uq_dunning_plans_live", "dunning_plans", ["unit_id", "status"], unique=True,
                    sqlite_where=sa.text(LIVE_WHERE), postgresql_where=sa.text(LIVE_WHERE))
    with op.batch_alter_table("chat_messages", schema=None) as batch_op:
        batch_op.alter_column("speaker_name", type_=sa.String(length=512), existing_type=sa.String(length=64),
                              existing_nullable=False)
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.alter_column("items", type_=sa.Text(), existing_type=sa.JSON(), existing_nullable=False,
                              postgresql_using="items::text")
    _encrypt_evidence()
    if sqlite:
        op.execute("PRAGMA foreign_keys=ON")


def downgrade() -> None:
    """Drop the live-plan index (evidence ciphertexts stay; decrypt first with the application)."""
    op.drop_index("uq_dunning_plans_live", table_name="dunning_plans")
