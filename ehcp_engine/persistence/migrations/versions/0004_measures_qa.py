"""Measures projection (facts, per-case marks, watermark), SEN2 person items, QA rounds.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 16:30:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('measure_facts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('start_on', sa.Date(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('met_on', sa.Date(), nullable=True),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('exception', sa.Boolean(), nullable=False),
    sa.Column('attrs', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('case_id', 'key')
    )
    with op.batch_alter_table('measure_facts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_measure_facts_case_id'), ['case_id'], unique=False)
        batch_op.create_index('ix_measure_facts_kind_start', ['kind', 'start_on'], unique=False)
        batch_op.create_index('ix_measure_facts_kind_due', ['kind', 'due_on'], unique=False)
        batch_op.create_index('ix_measure_facts_kind_met', ['kind', 'met_on'], unique=False)

    op.create_table('measure_cases',
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('audit_id', sa.Integer(), nullable=False),
    sa.Column('last_hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.PrimaryKeyConstraint('case_id')
    )
    watermarks = op.create_table('measure_watermarks',
    sa.Column('name', sa.String(length=30), nullable=False),
    sa.Column('audit_id', sa.Integer(), nullable=False),
    sa.Column('refreshed_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('name')
    )
    # The row every refresh updates first: it is the watermark and the refreshes' lock.
    op.bulk_insert(watermarks, [{'name': 'facts', 'audit_id': 0, 'refreshed_at': None}])

    op.create_table('sen2_persons',
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('sex', sa.String(length=1), nullable=True),
    sa.Column('ethnicity', sa.String(length=4), nullable=True),
    sa.Column('postcode', sa.String(length=10), nullable=True),
    sa.Column('uln', sa.String(length=10), nullable=True),
    sa.Column('upn_unknown', sa.String(length=4), nullable=True),
    sa.Column('sen_types', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.PrimaryKeyConstraint('case_id')
    )
    op.create_table('qa_rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('period_from', sa.Date(), nullable=False),
    sa.Column('period_to', sa.Date(), nullable=False),
    sa.Column('seed', sa.Integer(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=True),
    sa.Column('percent', sa.Float(), nullable=True),
    sa.Column('origin', sa.String(length=20), nullable=False),
    sa.Column('rubric_version', sa.String(length=40), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=320), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('qa_sample_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('issued_seq', sa.Integer(), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('issue', sa.String(length=20), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=True),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('plan_version_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['round_id'], ['qa_rounds.id'], ),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('round_id', 'case_id', 'issued_seq')
    )
    with op.batch_alter_table('qa_sample_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_qa_sample_items_round_id'), ['round_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_qa_sample_items_case_id'), ['case_id'], unique=False)

    op.create_table('qa_scores',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('marker_id', sa.Integer(), nullable=False),
    sa.Column('ratings', sa.JSON(), nullable=False),
    sa.Column('overall', sa.String(length=30), nullable=False),
    sa.Column('comments', sa.Text(), nullable=False),
    sa.Column('scored_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['qa_sample_items.id'], ),
    sa.ForeignKeyConstraint(['marker_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('item_id', 'marker_id')
    )
    with op.batch_alter_table('qa_scores', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_qa_scores_item_id'), ['item_id'], unique=False)

    op.create_table('qa_moderations',
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('moderator_id', sa.Integer(), nullable=False),
    sa.Column('ratings', sa.JSON(), nullable=False),
    sa.Column('overall', sa.String(length=30), nullable=False),
    sa.Column('feedback', sa.Text(), nullable=False),
    sa.Column('moderated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['qa_sample_items.id'], ),
    sa.ForeignKeyConstraint(['moderator_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('item_id')
    )


def downgrade() -> None:
    op.drop_table('qa_moderations')
    with op.batch_alter_table('qa_scores', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_qa_scores_item_id'))
    op.drop_table('qa_scores')
    with op.batch_alter_table('qa_sample_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_qa_sample_items_case_id'))
        batch_op.drop_index(batch_op.f('ix_qa_sample_items_round_id'))
    op.drop_table('qa_sample_items')
    op.drop_table('qa_rounds')
    op.drop_table('sen2_persons')
    op.drop_table('measure_watermarks')
    op.drop_table('measure_cases')
    with op.batch_alter_table('measure_facts', schema=None) as batch_op:
        batch_op.drop_index('ix_measure_facts_kind_met')
        batch_op.drop_index('ix_measure_facts_kind_due')
        batch_op.drop_index('ix_measure_facts_kind_start')
        batch_op.drop_index(batch_op.f('ix_measure_facts_case_id'))
    op.drop_table('measure_facts')
