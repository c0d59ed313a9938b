"""data version: one row advanced in the same transaction as every committed write

Revision ID: 0020_data_version
Revises: 0018_rate_limits
Create Date: 2026-12-07 10:30:00.000000

`core/data_version.py` advances it; the response cache (`api/response_cache.py`) serves an
answer only while the version it was computed at is still this one.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0020_data_version'
down_revision: str | None = '0019_listing_counts'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    table = op.create_table('data_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    )
    op.bulk_insert(table, [{'id': 1, 'version': 0}])


def downgrade() -> None:
    op.drop_table('data_version')
