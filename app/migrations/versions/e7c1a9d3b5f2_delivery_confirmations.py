"""delivery: drivers' confirmations of their stops (outcome, delivered drops, crates left and back)

Revision ID: e7c1a9d3b5f2
Revises: d4b2f6a1c9e3
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = 'e7c1a9d3b5f2'
down_revision = 'd4b2f6a1c9e3'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'confirmation',
        sa.Column('id', sa.String(length=64), nullable=False),
        sa.Column('week_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('site_id', sa.String(length=64), nullable=False),
        sa.Column('vehicle_id', sa.String(length=64), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=True),
        sa.Column('stop_id', sa.Integer(), nullable=True),
        sa.Column('outcome', sa.String(length=16), nullable=False),
        sa.Column('drops', sa.JSON(), nullable=False),
        sa.Column('crates_left', sa.JSON(), nullable=False),
        sa.Column('crates_back', sa.JSON(), nullable=False),
        sa.Column('recipient', sa.String(length=200), nullable=True),
        sa.Column('note', sa.String(length=1000), nullable=True),
        sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('recorded_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('recorded_by', sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(['site_id'], ['site.id']),
        sa.ForeignKeyConstraint(['week_id'], ['week.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('week_id', 'day', 'site_id'),
    )
    op.create_index(op.f('ix_confirmation_day'), 'confirmation', ['day'], unique=False)
    op.create_index(op.f('ix_confirmation_site_id'), 'confirmation', ['site_id'], unique=False)
    op.create_index(op.f('ix_confirmation_week_id'), 'confirmation', ['week_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_confirmation_week_id'), table_name='confirmation')
    op.drop_index(op.f('ix_confirmation_site_id'), table_name='confirmation')
    op.drop_index(op.f('ix_confirmation_day'), table_name='confirmation')
    op.drop_table('confirmation')
