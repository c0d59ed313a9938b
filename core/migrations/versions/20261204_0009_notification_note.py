"""notification note: what the other side wrote, apart from the sentence the platform composed

So a client words the rest of a notification in its reader's language and time zone.

Revision ID: 0009_notification_note
Revises: 0008_listing_origin
Create Date: 2026-12-04 02:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0009_notification_note'
down_revision: str | None = '0008_listing_origin'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False, server_default='')
        )


def downgrade() -> None:
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_column('note')
