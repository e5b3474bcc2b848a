"""alerts: what the coordinator must hear about (held publications, unconfirmed rounds, crates), and
a crate threshold per site

Revision ID: a5e9c3f7b1d4
Revises: f3b8d2c6a4e1
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = 'a5e9c3f7b1d4'
down_revision = 'f3b8d2c6a4e1'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'alert',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('territory_id', sa.String(length=64), nullable=False),
        sa.Column('week', sa.String(length=8), nullable=True),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('message_fr', sa.String(length=2000), nullable=False),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('resolved_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('resolved_by', sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(['territory_id'], ['territory.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('key'),
    )
    op.create_index(op.f('ix_alert_territory_id'), 'alert', ['territory_id'], unique=False)
    op.create_index(op.f('ix_alert_week'), 'alert', ['week'], unique=False)
    with op.batch_alter_table('site') as batch:
        batch.add_column(sa.Column('crate_alert_threshold', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('site') as batch:
        batch.drop_column('crate_alert_threshold')
    op.drop_index(op.f('ix_alert_week'), table_name='alert')
    op.drop_index(op.f('ix_alert_territory_id'), table_name='alert')
    op.drop_table('alert')
