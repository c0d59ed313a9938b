"""epci: the intercommunalities and the one each commune belongs to

Revision ID: 0012_epci
Revises: 0011_network_areas
Create Date: 2026-12-07 04:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0012_epci'
down_revision: str | None = '0011_network_areas'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('epci',
    sa.Column('siren', sqlmodel.sql.sqltypes.AutoString(length=9), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('nature', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('population', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('siren'),
    )
    with op.batch_alter_table('commune', schema=None) as batch_op:
        batch_op.add_column(sa.Column('epci_siren', sqlmodel.sql.sqltypes.AutoString(length=9), nullable=True))
        batch_op.create_index(batch_op.f('ix_commune_epci_siren'), ['epci_siren'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('commune', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_commune_epci_siren'))
        batch_op.drop_column('epci_siren')
    op.drop_table('epci')
