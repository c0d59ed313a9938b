"""listing origin: a listing its organization published, or a census record (Cartofriches)

Revision ID: 0008_listing_origin
Revises: 0007_joining
Create Date: 2026-12-04 03:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008_listing_origin"
down_revision: str | None = "0007_joining"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("listing") as batch:
        batch.add_column(
            sa.Column(
                "origin",
                sa.Enum("OWNER", "CARTOFRICHES", name="listingorigin", native_enum=False, length=32),
                server_default="OWNER",
                nullable=False,
            )
        )
        batch.add_column(
            sa.Column(
                "source",
                sqlmodel.sql.sqltypes.AutoString(length=500),
                server_default="",
                nullable=False,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("listing") as batch:
        batch.drop_column("source")
        batch.drop_column("origin")
