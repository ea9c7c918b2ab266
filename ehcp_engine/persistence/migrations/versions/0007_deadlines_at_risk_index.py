"""An index for the sweep's 20-weeks-at-risk alert: open final-plan deadlines by start date.

The alert asks for open `final_plan` deadlines started 14 weeks ago or more. The only index it
could use was (status, due_on), so it read every open deadline of the authority (about one per
plan: 1 s a sweep at 640k plans, bench/sweep.py); with (rule, status, starts_on) it reads only
the requests past week 14, and the sweep's cost follows what is due, not the caseload.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 18:40:00.000000
"""
from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('deadlines', schema=None) as batch_op:
        batch_op.create_index(
            'ix_deadlines_rule_open_start', ['rule', 'status', 'starts_on'], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table('deadlines', schema=None) as batch_op:
        batch_op.drop_index('ix_deadlines_rule_open_start')
