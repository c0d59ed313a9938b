"""network areas and place SIRET: the territory each network covers; the SIRET of a place

Revision ID: 0011_network_areas
Revises: 0010_photos
Create Date: 2026-12-04 05:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0011_network_areas'
down_revision: str | None = '0010_photos'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LEVELS = ('COMMUNE', 'EPCI', 'DEPARTMENT', 'REGION', 'COUNTRY')


def upgrade() -> None:
    op.create_table('network_area',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Enum(*LEVELS, name='arealevel', native_enum=False, length=32), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=9), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('organization_id', 'level', 'code'),
    )
    with op.batch_alter_table('network_area', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_network_area_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_network_area_code'), ['code'], unique=False)
    with op.batch_alter_table('space', schema=None) as batch_op:
        batch_op.add_column(sa.Column('siret', sqlmodel.sql.sqltypes.AutoString(length=14), nullable=True))
        batch_op.create_index(batch_op.f('ix_space_siret'), ['siret'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('space', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_space_siret'))
        batch_op.drop_column('siret')
    with op.batch_alter_table('network_area', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_network_area_code'))
        batch_op.drop_index(batch_op.f('ix_network_area_organization_id'))
    op.drop_table('network_area')
