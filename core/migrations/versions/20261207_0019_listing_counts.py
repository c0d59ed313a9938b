"""listing counts: what anyone sees, per department, kind and direction; an index for its pages

Revision ID: 0019_listing_counts
Revises: 0018_rate_limits
Create Date: 2026-12-07 10:20:00.000000

`listing_count` answers an anonymous `totalCount` without counting rows (core/listing_counts.py
keeps it in the flush that changes a listing); filled here from the listings already there.
`ix_listing_public_department` reads a department's public page newest first, whatever its size.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0019_listing_counts'
down_revision: str | None = '0018_rate_limits'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PUBLIC = "status = 'PUBLISHED' AND visibility = 'PUBLIC' AND hidden_at IS NULL"


def upgrade() -> None:
    op.create_table('listing_count',
    sa.Column('department_code', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('kind', sa.Enum('EQUIPMENT', 'PREMISES', 'SKILL', 'MATERIAL', name='listingkind', native_enum=False, length=32), nullable=False),
    sa.Column('direction', sa.Enum('OFFER', 'REQUEST', name='direction', native_enum=False, length=32), nullable=False),
    sa.Column('slot', sa.SmallInteger(), nullable=False),
    sa.Column('n', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('department_code', 'kind', 'direction', 'slot'),
    )
    op.execute(
        "INSERT INTO listing_count (department_code, kind, direction, slot, n)"
        " SELECT coalesce(department_code, ''), kind, direction, 0, count(*) FROM listing"
        f" WHERE {PUBLIC} GROUP BY coalesce(department_code, ''), kind, direction"
    )
    with op.batch_alter_table('listing', schema=None) as batch_op:
        batch_op.create_index(
            'ix_listing_public_department',
            ['department_code', 'id'],
            unique=False,
            postgresql_where=sa.text(PUBLIC),
            sqlite_where=sa.text(PUBLIC),
        )


def downgrade() -> None:
    with op.batch_alter_table('listing', schema=None) as batch_op:
        batch_op.drop_index('ix_listing_public_department')
    op.drop_table('listing_count')
