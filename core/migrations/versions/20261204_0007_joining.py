"""joining: names to confirm (people, organizations) and notifications about an organization

A person whose provider gave no name, and an organization created from a SIRET alone, carry a
provisional name until someone confirms it; a notification about a request to join points to
the organization. The new INDEPENDANT organization kind needs no DDL (kinds are stored as text).

Revision ID: 0007_joining
Revises: 0006
Create Date: 2026-12-04 02:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0007_joining'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_confirmed', sa.Boolean(), nullable=False, server_default=sa.true()))

    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_confirmed', sa.Boolean(), nullable=False, server_default=sa.true()))

    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organization_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_notification_organization_id'), ['organization_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_notification_organization_id_organization'), 'organization', ['organization_id'], ['id'], ondelete='CASCADE')


def downgrade() -> None:
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_notification_organization_id_organization'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_notification_organization_id'))
        batch_op.drop_column('organization_id')

    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.drop_column('name_confirmed')

    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('name_confirmed')
