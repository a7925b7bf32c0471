"""ingestion extras

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-22 10:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('ingest_extras',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_ingest_extras_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ingest_extras')),
    sa.UniqueConstraint('unit_id', 'source', name=op.f('uq_ingest_extras_unit_id'))
    )
    with op.batch_alter_table('ingest_extras', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ingest_extras_unit_id'), ['unit_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('ingest_extras', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ingest_extras_unit_id'))

    op.drop_table('ingest_extras')
