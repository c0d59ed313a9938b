"""passport_shares: a person shares their training passport with an organization

Revision ID: 0023_passport_shares
Revises: 0022_agreements
Create Date: 2026-12-07 17:48:07.612064

A share lets the organization's admins see the whole passport, and counts the person's
trainings in that organization's checks of requests made by the person's organizations.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0023_passport_shares'
down_revision: str | None = '0022_agreements'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('passport_share',
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_passport_share_organization_id_organization'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_passport_share_person_id_person'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('person_id', 'organization_id', name=op.f('pk_passport_share'))
    )
    with op.batch_alter_table('passport_share', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_passport_share_organization_id'), ['organization_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('passport_share', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_passport_share_organization_id'))

    op.drop_table('passport_share')
