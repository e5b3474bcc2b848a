"""contract: product.kg_per_unit renamed unit_kg (the scenario's name); vehicle.fixed_cost_eur; basket type min_item_kg

Revision ID: c3a1e5f0d2b8
Revises: bd12f07d6914
Create Date: 2026-12-01

Data is kept: the column is renamed in place (batch mode rebuilds the table on SQLite), the new
columns get the contract's defaults (orders/scenario.py) for existing rows.
"""
from alembic import op
import sqlalchemy as sa

revision = 'c3a1e5f0d2b8'
down_revision = 'bd12f07d6914'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('product') as batch:
        batch.alter_column('kg_per_unit', new_column_name='unit_kg', existing_type=sa.Float(),
                           existing_nullable=False)
    with op.batch_alter_table('vehicle') as batch:
        batch.add_column(sa.Column('fixed_cost_eur', sa.Float(), nullable=False, server_default='50.0'))
    with op.batch_alter_table('baskettype') as batch:
        batch.add_column(sa.Column('min_item_kg', sa.Float(), nullable=False, server_default='0.25'))
        batch.alter_column('max_share', existing_type=sa.Float(), nullable=True)
    with op.batch_alter_table('vehicle') as batch:
        batch.alter_column('fixed_cost_eur', server_default=None)
    with op.batch_alter_table('baskettype') as batch:
        batch.alter_column('min_item_kg', server_default=None)


def downgrade() -> None:
    with op.batch_alter_table('baskettype') as batch:
        batch.alter_column('max_share', existing_type=sa.Float(), nullable=False)
        batch.drop_column('min_item_kg')
    with op.batch_alter_table('vehicle') as batch:
        batch.drop_column('fixed_cost_eur')
    with op.batch_alter_table('product') as batch:
        batch.alter_column('unit_kg', new_column_name='kg_per_unit', existing_type=sa.Float(),
                           existing_nullable=False)
