"""interop: a site's SIRET (Ma Cantine) and a product's VAT rate (DFC prices)

Revision ID: b7d3f2a91c40
Revises: 98ece5818621
Create Date: 2026-12-01 17:30:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = 'b7d3f2a91c40'
down_revision = '98ece5818621'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('site', schema=None) as batch_op:
        batch_op.add_column(sa.Column('siret', sqlmodel.sql.sqltypes.AutoString(length=14), nullable=True))
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.add_column(sa.Column('vat_rate', sa.Float(), nullable=False, server_default='5.5'))


def downgrade() -> None:
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.drop_column('vat_rate')
    with op.batch_alter_table('site', schema=None) as batch_op:
        batch_op.drop_column('siret')
