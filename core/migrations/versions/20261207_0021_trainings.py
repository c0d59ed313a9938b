"""trainings: the machine classes a lab trained a person on, and which labs recognize whose

Revision ID: 0021_trainings
Revises: 0020_data_version
Create Date: 2026-12-07 14:50:00.000000

`training` keeps revoked and expired rows (the passport's history; `core/services/trainings.py`
says which count); `lab_recognition` is one lab accepting another's trainings.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0021_trainings'
down_revision: str | None = '0020_data_version'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('lab_recognition',
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('recognized_organization_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['person.id'], name=op.f('fk_lab_recognition_created_by_id_person'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_lab_recognition_organization_id_organization'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recognized_organization_id'], ['organization.id'], name=op.f('fk_lab_recognition_recognized_organization_id_organization'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('organization_id', 'recognized_organization_id', name=op.f('pk_lab_recognition'))
    )
    with op.batch_alter_table('lab_recognition', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lab_recognition_recognized_organization_id'), ['recognized_organization_id'], unique=False)

    op.create_table('training',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('machine_class', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('lab_organization_id', sa.Integer(), nullable=False),
    sa.Column('trainer_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('trained_on', sa.Date(), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('expires_on IS NULL OR expires_on >= trained_on', name=op.f('ck_training_expires_after_trained')),
    sa.ForeignKeyConstraint(['lab_organization_id'], ['organization.id'], name=op.f('fk_training_lab_organization_id_organization'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_training_person_id_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['person.id'], name=op.f('fk_training_recorded_by_id_person'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['person.id'], name=op.f('fk_training_revoked_by_id_person'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['trainer_id'], ['person.id'], name=op.f('fk_training_trainer_id_person'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training'))
    )
    with op.batch_alter_table('training', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_lab_organization_id'), ['lab_organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_training_person_id'), ['person_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('training', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_person_id'))
        batch_op.drop_index(batch_op.f('ix_training_lab_organization_id'))

    op.drop_table('training')
    with op.batch_alter_table('lab_recognition', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lab_recognition_recognized_organization_id'))

    op.drop_table('lab_recognition')
