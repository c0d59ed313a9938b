"""space epci: every place's search document gains its EPCI and whether it is claimed

No table changes: a place belongs to an EPCI through its commune. The documents already in
Meilisearch lack the two new fields, so this queues one outbox event per place; the relay
re-pushes them as it drains (the same path as any change to a place).

Revision ID: 0016_space_epci
Revises: 0015_listing_reports
Create Date: 2026-12-07 05:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_space_epci"
down_revision: str | None = "0015_listing_reports"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

space = sa.table("space", sa.column("id", sa.Integer))
outbox_event = sa.table(
    "outbox_event",
    sa.column("topic", sa.String),
    sa.column("entity_id", sa.Integer),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("available_at", sa.DateTime(timezone=True)),
    sa.column("attempts", sa.Integer),
)


def upgrade() -> None:
    now = sa.func.current_timestamp()
    places = sa.select(sa.literal("SPACE"), space.c.id, now, now, sa.literal(0))
    columns = ["topic", "entity_id", "created_at", "available_at", "attempts"]
    op.execute(outbox_event.insert().from_select(columns, places))


def downgrade() -> None:
    # The queued events are harmless once drained, and pending ones re-push current documents.
    pass
