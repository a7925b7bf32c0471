"""security: encrypted personal fields, keyed lookup hashes, audit chain anchors.

Revision ID: 0006
Revises: 0002, 0003, 0004, 0005
"""

from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = ("0002", "0003", "0004", "0005")
branch_labels = None
depends_on = None

WIDE = sa.String(length=512)


def _widen_owners() -> None:
    with op.batch_alter_table("owners", schema=None) as batch_op:
        batch_op.alter_column("name", type_=WIDE, existing_type=sa.String(length=64), existing_nullable=False)
        batch_op.alter_column("id_number", type_=WIDE, existing_type=sa.String(length=32), existing_nullable=True)
        batch_op.alter_column("merge_key", type_=WIDE, existing_type=sa.String(length=128), existing_nullable=True)
        batch_op.drop_constraint("uq_owners_merge_key", type_="unique")
        batch_op.add_column(sa.Column("merge_hash", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint("uq_owners_merge_hash", ["merge_hash"])


def _widen_contacts_and_tenants() -> None:
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.alter_column("value", type_=WIDE, existing_type=sa.String(length=128), existing_nullable=False)
        batch_op.add_column(sa.Column("value_hash", sa.String(length=64), nullable=True))
        batch_op.drop_constraint("uq_contacts_owner_id", type_="unique")
        batch_op.create_unique_constraint("uq_contacts_owner_kind_hash", ["owner_id", "kind", "value_hash"])
        batch_op.create_index("ix_contacts_value_hash", ["value_hash"], unique=False)
    with op.batch_alter_table("tenants", schema=None) as batch_op:
        batch_op.alter_column("name", type_=WIDE, existing_type=sa.String(length=64), existing_nullable=False)
        batch_op.alter_column("mobile", type_=WIDE, existing_type=sa.String(length=32), existing_nullable=True)


def _create_anchors() -> None:
    op.create_table(
        "audit_anchors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("through_id", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_anchors")),
    )
    with op.batch_alter_table("audit_anchors", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_anchors_kind"), ["kind"], unique=False)
    bind = op.get_bind()
    last = bind.execute(sa.text("SELECT id, hash FROM audit_events ORDER BY id DESC LIMIT 1")).first()
    count = bind.execute(sa.text("SELECT COUNT(*) FROM audit_events")).scalar() or 0
    insert = sa.text("INSERT INTO audit_anchors (kind, through_id, hash, events, at, note) "
                     "VALUES ('head', :i, :h, :n, :at, '')").bindparams(sa.bindparam("at", type_=sa.DateTime()))
    bind.execute(insert, {"i": last[0] if last else 0, "h": last[1] if last else "", "n": count, "at": datetime.now()})


def _encrypt_existing() -> None:
    bind = op.get_bind()
    if not any(bind.execute(sa.text(f"SELECT 1 FROM {t} LIMIT 1")).first() for t in ("owners", "tenants")):
        return
    from core.crypto.cipher import cipher
    from data.db.rotation import reencrypt_all

    reencrypt_all(bind, cipher(), tables=("owners", "contacts", "tenants"))


def upgrade() -> None:
    """Widen personal columns for ciphertext, add lookup hashes and the audit anchors, encrypt existing rows."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:  # table rebuilds must not cascade through foreign keys (no-op inside an open transaction)
        op.execute("PRAGMA foreign_keys=OFF")
    _widen_owners()
    _widen_contacts_and_tenants()
    _create_anchors()
    _encrypt_existing()
    if sqlite:
        op.execute("PRAGMA foreign_keys=ON")


def downgrade() -> None:
    """Drop the anchors and hash columns (ciphertexts stay; decrypt first with the application)."""
    op.drop_table("audit_anchors")
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_index("ix_contacts_value_hash")
        batch_op.drop_constraint("uq_contacts_owner_kind_hash", type_="unique")
        batch_op.drop_column("value_hash")
        batch_op.create_unique_constraint("uq_contacts_owner_id", ["owner_id", "kind", "value"])
    with op.batch_alter_table("owners", schema=None) as batch_op:
        batch_op.drop_constraint("uq_owners_merge_hash", type_="unique")
        batch_op.drop_column("merge_hash")
        batch_op.create_unique_constraint("uq_owners_merge_key", ["merge_key"])
