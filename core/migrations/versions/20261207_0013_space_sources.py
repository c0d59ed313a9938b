"""space sources: each open source's record of a place, and every merge of records into a place

Revision ID: 0013_space_sources
Revises: 0012_epci
Create Date: 2026-12-07 05:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op



revision: str = '0013_space_sources'
down_revision: str | None = '0012_epci'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('space_source_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('space_id', sa.Integer(), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('url', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('said', sa.JSON(), nullable=False),
    sa.Column('located', sa.Boolean(), nullable=False),
    sa.Column('said_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['space_id'], ['space.id'], name=op.f('fk_space_source_record_space_id_space'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_space_source_record')),
    sa.UniqueConstraint('source', 'key', name='uq_space_source_record_key'),
    )
    with op.batch_alter_table('space_source_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_space_source_record_space_id'), ['space_id'], unique=False)

    op.create_table('space_merge',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('space_id', sa.Integer(), nullable=False),
    sa.Column('rule', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('merged_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('undone_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('undone_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['record_id'], ['space_source_record.id'], name=op.f('fk_space_merge_record_id_space_source_record'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['space_id'], ['space.id'], name=op.f('fk_space_merge_space_id_space'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['undone_by_id'], ['person.id'], name=op.f('fk_space_merge_undone_by_id_person'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_space_merge')),
    )
    with op.batch_alter_table('space_merge', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_space_merge_record_id'), ['record_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_space_merge_space_id'), ['space_id'], unique=False)


def downgrade() -> None:
    op.drop_table('space_merge')
    op.drop_table('space_source_record')
