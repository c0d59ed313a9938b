"""listing reports: people report a listing to the network covering it; the network may hide it

Revision ID: 0015_listing_reports
Revises: 0014_space_claims
Create Date: 2026-12-07 04:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0015_listing_reports'
down_revision: str | None = '0014_space_claims'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REASONS = ('SPAM', 'NOT_REAL', 'OFFENSIVE')
STATES = ('OPEN', 'DISMISSED', 'UPHELD')


def upgrade() -> None:
    op.create_table('listing_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('listing_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('network_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Enum(*REASONS, name='reportreason', native_enum=False, length=32), nullable=False),
    sa.Column('message', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('state', sa.Enum(*STATES, name='reportstate', native_enum=False, length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decision_reason', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.ForeignKeyConstraint(['listing_id'], ['listing.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['network_id'], ['organization.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['person.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('listing_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_listing_report_listing_id'), ['listing_id'], unique=False)
        batch_op.create_index('ix_listing_report_network_state', ['network_id', 'state'], unique=False)
        batch_op.create_index(
            'uq_listing_report_open', ['listing_id', 'person_id'], unique=True,
            postgresql_where=sa.text("state = 'OPEN'"), sqlite_where=sa.text("state = 'OPEN'"),
        )
    with op.batch_alter_table('listing', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hidden_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column('hidden_reason', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False, server_default='')
        )
        batch_op.add_column(sa.Column('hidden_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('hidden_by_network_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            'fk_listing_hidden_by_id_person', 'person', ['hidden_by_id'], ['id'], ondelete='SET NULL'
        )
        batch_op.create_foreign_key(
            'fk_listing_hidden_by_network_id_organization', 'organization',
            ['hidden_by_network_id'], ['id'], ondelete='SET NULL',
        )


def downgrade() -> None:
    with op.batch_alter_table('listing', schema=None) as batch_op:
        batch_op.drop_constraint('fk_listing_hidden_by_network_id_organization', type_='foreignkey')
        batch_op.drop_constraint('fk_listing_hidden_by_id_person', type_='foreignkey')
        batch_op.drop_column('hidden_by_network_id')
        batch_op.drop_column('hidden_by_id')
        batch_op.drop_column('hidden_reason')
        batch_op.drop_column('hidden_at')
    with op.batch_alter_table('listing_report', schema=None) as batch_op:
        batch_op.drop_index('uq_listing_report_open', postgresql_where=sa.text("state = 'OPEN'"), sqlite_where=sa.text("state = 'OPEN'"))
        batch_op.drop_index('ix_listing_report_network_state')
        batch_op.drop_index(batch_op.f('ix_listing_report_listing_id'))
    op.drop_table('listing_report')
