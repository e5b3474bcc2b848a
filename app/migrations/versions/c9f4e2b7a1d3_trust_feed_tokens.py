"""trust: feed tokens (secret, revocable calendar subscription URLs, stored hashed)

Revision ID: c9f4e2b7a1d3
Revises: 1f5a29264df6
Create Date: 2026-12-01 18:10:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = 'c9f4e2b7a1d3'
down_revision = '1f5a29264df6'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('feedtoken',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('feed', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('revoked_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    with op.batch_alter_table('feedtoken', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedtoken_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('feedtoken', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedtoken_user_id'))
    op.drop_table('feedtoken')
