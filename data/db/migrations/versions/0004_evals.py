"""eval reviews

Revision ID: 0004
Revises: 0001
Create Date: 2026-11-22 10:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('eval_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=True),
    sa.Column('case_id', sa.String(length=96), nullable=True),
    sa.Column('run_id', sa.String(length=64), nullable=True),
    sa.Column('reviewer', sa.String(length=64), nullable=False),
    sa.Column('rule_results', sa.JSON(), nullable=False),
    sa.Column('passed', sa.Boolean(), nullable=True),
    sa.Column('tone', sa.Integer(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['dunning_plans.id'], name=op.f('fk_eval_reviews_plan_id_dunning_plans')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_eval_reviews'))
    )
    with op.batch_alter_table('eval_reviews', schema=None) as batch_op:
        batch_op.create_index('ix_eval_reviews_case', ['case_id', 'run_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_eval_reviews_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_eval_reviews_plan_id'), ['plan_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('eval_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_eval_reviews_plan_id'))
        batch_op.drop_index(batch_op.f('ix_eval_reviews_created_at'))
        batch_op.drop_index('ix_eval_reviews_case')
    op.drop_table('eval_reviews')
