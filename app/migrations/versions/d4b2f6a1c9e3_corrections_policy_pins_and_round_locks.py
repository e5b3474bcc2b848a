"""corrections: the territory's allocation policy (as data, versioned), allocation pins, round locks

Revision ID: d4b2f6a1c9e3
Revises: c3a1e5f0d2b8
Create Date: 2026-12-01

Round locks move from a flag on the (recreated) round rows to their own table, so they survive a
re-portioning: the rounds locked before this migration are copied into it.
"""
import json

from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = 'd4b2f6a1c9e3'
down_revision = 'c3a1e5f0d2b8'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('territory') as batch:
        batch.add_column(sa.Column('policy', sa.JSON(), nullable=True))
        batch.add_column(sa.Column('policy_version', sa.Integer(), nullable=False, server_default='0'))
    with op.batch_alter_table('territory') as batch:
        batch.alter_column('policy_version', server_default=None)
    op.create_table(
        'allocationpin',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('week_id', sa.Integer(), nullable=False),
        sa.Column('consumer_id', sa.String(length=64), nullable=False),
        sa.Column('product', sa.String(length=64), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('quantity', sa.Float(), nullable=False),
        sa.Column('producer_id', sa.String(length=64), nullable=True),
        sa.Column('forbid', sa.Boolean(), nullable=False),
        sa.Column('reason', sa.String(length=1000), nullable=True),
        sa.Column('created_by', sa.String(length=200), nullable=False),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['consumer_id'], ['site.id']),
        sa.ForeignKeyConstraint(['producer_id'], ['site.id']),
        sa.ForeignKeyConstraint(['week_id'], ['week.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('week_id', 'consumer_id', 'product', 'day', 'producer_id'),
    )
    op.create_index(op.f('ix_allocationpin_week_id'), 'allocationpin', ['week_id'], unique=False)
    op.create_table(
        'roundlock',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('week_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('vehicle_id', sa.String(length=64), nullable=False),
        sa.Column('stop_ids', sa.JSON(), nullable=False),
        sa.Column('locked_by', sa.String(length=200), nullable=False),
        sa.Column('locked_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['vehicle_id'], ['vehicle.id']),
        sa.ForeignKeyConstraint(['week_id'], ['week.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('week_id', 'day', 'vehicle_id'),
    )
    op.create_index(op.f('ix_roundlock_week_id'), 'roundlock', ['week_id'], unique=False)
    conn = op.get_bind()
    locked = conn.execute(sa.text("SELECT id, week_id, day, vehicle_id FROM round WHERE locked")).fetchall()
    for round_id, week_id, day, vehicle_id in locked:
        stops = [r[0] for r in conn.execute(sa.text(
            "SELECT site_id FROM roundstop WHERE round_id = :id ORDER BY seq"), {"id": round_id})]
        conn.execute(sa.text(
            "INSERT INTO roundlock (week_id, day, vehicle_id, stop_ids, locked_by, locked_at) "
            "VALUES (:w, :d, :v, :s, 'migration', CURRENT_TIMESTAMP)"),
            {"w": week_id, "d": day, "v": vehicle_id, "s": json.dumps(stops)})


def downgrade() -> None:
    op.drop_index(op.f('ix_roundlock_week_id'), table_name='roundlock')
    op.drop_table('roundlock')
    op.drop_index(op.f('ix_allocationpin_week_id'), table_name='allocationpin')
    op.drop_table('allocationpin')
    with op.batch_alter_table('territory') as batch:
        batch.drop_column('policy_version')
        batch.drop_column('policy')
