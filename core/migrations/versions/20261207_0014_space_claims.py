"""space claims: organizations claim places, verified at once or by the covering network; a
person's e-mail verified by the provider

Revision ID: 0014_space_claims
Revises: 0013_space_sources
Create Date: 2026-12-07 04:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0014_space_claims'
down_revision: str | None = '0013_space_sources'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATES = ('PENDING', 'VERIFIED', 'REFUSED', 'REPLACED')
EVIDENCE = ('SIRET', 'EMAIL_DOMAIN', 'NETWORK')


def upgrade() -> None:
    op.create_table('space_claim',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('space_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('message', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('state', sa.Enum(*STATES, name='claimstate', native_enum=False, length=32), nullable=False),
    sa.Column('evidence', sa.Enum(*EVIDENCE, name='claimevidence', native_enum=False, length=32), nullable=True),
    sa.Column('holder_id', sa.Integer(), nullable=True),
    sa.Column('network_id', sa.Integer(), nullable=True),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('verified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['space_id'], ['space.id'], name=op.f('fk_space_claim_space_id_space'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_space_claim_organization_id_organization'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_space_claim_person_id_person'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['holder_id'], ['organization.id'], name=op.f('fk_space_claim_holder_id_organization'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['network_id'], ['organization.id'], name=op.f('fk_space_claim_network_id_organization'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['person.id'], name=op.f('fk_space_claim_decided_by_id_person'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_space_claim')),
    )
    with op.batch_alter_table('space_claim', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_space_claim_space_id'), ['space_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_space_claim_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index('ix_space_claim_network_state', ['network_id', 'state'], unique=False)
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_verified', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('email_verified')
    with op.batch_alter_table('space_claim', schema=None) as batch_op:
        batch_op.drop_index('ix_space_claim_network_state')
        batch_op.drop_index(batch_op.f('ix_space_claim_organization_id'))
        batch_op.drop_index(batch_op.f('ix_space_claim_space_id'))
    op.drop_table('space_claim')
