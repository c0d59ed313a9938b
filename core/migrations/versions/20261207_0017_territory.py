"""territory: covering indexes for a territory's figures (region, department, commune)

Revision ID: 0017_territory
Revises: 0016_space_epci
Create Date: 2026-12-07 04:10:00.000000

Each of a territory's listing statements filters on one location column and reads only these
columns, so PostgreSQL answers from the index alone (an index-only scan) instead of reading the
wide listing rows: a region's page went from ~0.5 s to ~0.1 s on the 100,000 listings of
`bench/` (bench/RESULTS.md).
"""

from collections.abc import Sequence

from alembic import op


revision: str = '0017_territory'
down_revision: str | None = '0016_space_epci'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FIGURES = ['status', 'visibility', 'direction', 'kind', 'category', 'organization_id', 'id']
INDEXES = {
    'ix_listing_region_figures': 'region_code',
    'ix_listing_department_figures': 'department_code',
    'ix_listing_commune_figures': 'commune_insee',
}


def upgrade() -> None:
    with op.batch_alter_table('listing', schema=None) as batch_op:
        for name, column in INDEXES.items():
            batch_op.create_index(name, [column, *FIGURES], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('listing', schema=None) as batch_op:
        for name in INDEXES:
            batch_op.drop_index(name)
