"""members: households at relay points (members, subscriptions, pauses, extras, pickup slots, the relay
point's membership settings, collections) and basket orders derived from the members

Revision ID: f3b8d2c6a4e1
Revises: e7c1a9d3b5f2
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = 'f3b8d2c6a4e1'
down_revision = 'e7c1a9d3b5f2'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('basketorder') as batch:
        batch.add_column(sa.Column('derived_from_members', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column('derived_count', sa.Integer(), nullable=True))
    with op.batch_alter_table('basketorder') as batch:
        batch.alter_column('derived_from_members', server_default=None)
    op.create_table(
        'relaymembership',
        sa.Column('relay_point_id', sa.String(length=64), nullable=False),
        sa.Column('cut_rule', sa.String(length=16), nullable=False),
        sa.Column('basket_types', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['relay_point_id'], ['site.id']),
        sa.PrimaryKeyConstraint('relay_point_id'),
    )
    op.create_table(
        'pickupslot',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('relay_point_id', sa.String(length=64), nullable=False),
        sa.Column('weekday', sa.Integer(), nullable=False),
        sa.Column('start', sa.String(length=5), nullable=False),
        sa.Column('end', sa.String(length=5), nullable=False),
        sa.Column('capacity_baskets', sa.Integer(), nullable=False),
        sa.Column('capacity_crates', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['relay_point_id'], ['site.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_pickupslot_relay_point_id'), 'pickupslot', ['relay_point_id'], unique=False)
    op.create_table(
        'member',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('relay_point_id', sa.String(length=64), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('email', sa.String(length=300), nullable=True),
        sa.Column('phone', sa.String(length=40), nullable=True),
        sa.Column('notes', sa.String(length=1000), nullable=True),
        sa.Column('status', sa.String(length=8), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['relay_point_id'], ['site.id']),
        sa.ForeignKeyConstraint(['user_id'], ['user.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_member_relay_point_id'), 'member', ['relay_point_id'], unique=False)
    op.create_index(op.f('ix_member_user_id'), 'member', ['user_id'], unique=False)
    op.create_table(
        'subscription',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('basket_type_id', sa.String(length=64), nullable=False),
        sa.Column('slot_id', sa.Integer(), nullable=False),
        sa.Column('frequency', sa.String(length=16), nullable=False),
        sa.Column('start', sa.Date(), nullable=False),
        sa.Column('end', sa.Date(), nullable=True),
        sa.Column('skip_school_holidays', sa.Boolean(), nullable=False),
        sa.Column('status', sa.String(length=8), nullable=False),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('offered_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['basket_type_id'], ['baskettype.id']),
        sa.ForeignKeyConstraint(['member_id'], ['member.id']),
        sa.ForeignKeyConstraint(['slot_id'], ['pickupslot.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_subscription_member_id'), 'subscription', ['member_id'], unique=False)
    op.create_index(op.f('ix_subscription_slot_id'), 'subscription', ['slot_id'], unique=False)
    op.create_table(
        'pause',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('start', sa.Date(), nullable=False),
        sa.Column('end', sa.Date(), nullable=False),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['member_id'], ['member.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_pause_member_id'), 'pause', ['member_id'], unique=False)
    op.create_table(
        'extrabasket',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('basket_type_id', sa.String(length=64), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['basket_type_id'], ['baskettype.id']),
        sa.ForeignKeyConstraint(['member_id'], ['member.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_extrabasket_member_id'), 'extrabasket', ['member_id'], unique=False)
    op.create_table(
        'collection',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('week_id', sa.Integer(), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('relay_point_id', sa.String(length=64), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('basket_type_id', sa.String(length=64), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.Column('cut', sa.Integer(), nullable=False),
        sa.Column('collected', sa.Boolean(), nullable=True),
        sa.Column('recorded_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('recorded_by', sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(['basket_type_id'], ['baskettype.id']),
        sa.ForeignKeyConstraint(['member_id'], ['member.id']),
        sa.ForeignKeyConstraint(['relay_point_id'], ['site.id']),
        sa.ForeignKeyConstraint(['week_id'], ['week.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('week_id', 'member_id', 'day', 'basket_type_id'),
    )
    op.create_index(op.f('ix_collection_member_id'), 'collection', ['member_id'], unique=False)
    op.create_index(op.f('ix_collection_relay_point_id'), 'collection', ['relay_point_id'], unique=False)
    op.create_index(op.f('ix_collection_week_id'), 'collection', ['week_id'], unique=False)


def downgrade() -> None:
    for table, indexes in (('collection', ('member_id', 'relay_point_id', 'week_id')),
                           ('extrabasket', ('member_id',)), ('pause', ('member_id',)),
                           ('subscription', ('member_id', 'slot_id')), ('member', ('relay_point_id', 'user_id')),
                           ('pickupslot', ('relay_point_id',))):
        for column in indexes:
            op.drop_index(op.f(f'ix_{table}_{column}'), table_name=table)
        op.drop_table(table)
    op.drop_table('relaymembership')
    with op.batch_alter_table('basketorder') as batch:
        batch.drop_column('derived_count')
        batch.drop_column('derived_from_members')
