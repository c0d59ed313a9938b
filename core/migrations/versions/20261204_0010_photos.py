"""photos: the pictures of listings (up to 8, ordered), places and organizations (one each)

Their files live in the media storage (core/media), under each row's `key`.

Revision ID: 0010_photos
Revises: 0009_notification_note
Create Date: 2026-12-04 02:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0010_photos'
down_revision: str | None = '0009_notification_note'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('photo',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('listing_id', sa.Integer(), nullable=True),
    sa.Column('space_id', sa.Integer(), nullable=True),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('alt', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('widths', sa.JSON(), nullable=False),
    sa.Column('media_type', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('source_format', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(CASE WHEN listing_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN space_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN organization_id IS NULL THEN 0 ELSE 1 END) = 1', name=op.f('ck_photo_one_subject')),
    sa.ForeignKeyConstraint(['created_by_id'], ['person.id'], name=op.f('fk_photo_created_by_id_person'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['listing_id'], ['listing.id'], name=op.f('fk_photo_listing_id_listing'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_photo_organization_id_organization'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['space_id'], ['space.id'], name=op.f('fk_photo_space_id_space'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_photo')),
    sa.UniqueConstraint('key', name=op.f('uq_photo_key')),
    sa.UniqueConstraint('organization_id', name=op.f('uq_photo_organization_id')),
    sa.UniqueConstraint('space_id', name=op.f('uq_photo_space_id'))
    )
    with op.batch_alter_table('photo', schema=None) as batch_op:
        batch_op.create_index('ix_photo_listing_position', ['listing_id', 'position'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('photo', schema=None) as batch_op:
        batch_op.drop_index('ix_photo_listing_position')

    op.drop_table('photo')
