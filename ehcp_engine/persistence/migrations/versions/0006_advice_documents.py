"""Advice documents: the PDF and DOCX files contributors upload with their advice.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 18:30:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('advice_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('advice_request_id', sa.Integer(), nullable=False),
    sa.Column('audit_seq', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('uploaded_by', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.ForeignKeyConstraint(['uploaded_by'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('advice_documents', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_advice_documents_case_id'), ['case_id'], unique=False
        )
        batch_op.create_index(
            batch_op.f('ix_advice_documents_advice_request_id'), ['advice_request_id'], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table('advice_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_advice_documents_advice_request_id'))
        batch_op.drop_index(batch_op.f('ix_advice_documents_case_id'))
    op.drop_table('advice_documents')
