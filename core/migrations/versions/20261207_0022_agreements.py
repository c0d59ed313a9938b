"""agreements: an exchange's agreement, its versions and acceptances; photos of an exchange

Revision ID: 0022_agreements
Revises: 0021_trainings
Create Date: 2026-12-07 16:45:36.840147

An agreement is drafted when its exchange is accepted; each edit is a new version (the data its
template read is kept, so its PDF renders again byte for byte; the PDF accepted is kept once a
side accepts); an acceptance records the SHA-256 of one version's PDF. A photo's subject may now be an exchange, at handover or at return: the
`one_subject` check counts the new column, and `stage` is set exactly for an exchange's photos.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

_OLD_SUBJECTS = ('listing_id', 'space_id', 'organization_id')
_NEW_SUBJECTS = (*_OLD_SUBJECTS, 'exchange_id')


def _one_of(columns: tuple[str, ...]) -> str:
    return ' + '.join(f'(CASE WHEN {c} IS NULL THEN 0 ELSE 1 END)' for c in columns) + ' = 1'


revision: str = '0022_agreements'
down_revision: str | None = '0021_trainings'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('agreement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('exchange_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('PRET_A_USAGE', 'OCCUPATION_TEMPORAIRE', 'OCCUPATION_PRECAIRE', 'MISE_A_DISPOSITION', 'ATTESTATION_DON', name='agreementkind', native_enum=False, length=32), nullable=False),
    sa.Column('state', sa.Enum('DRAFT', 'PARTLY_ACCEPTED', 'ACCEPTED', name='agreementstate', native_enum=False, length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['exchange_id'], ['exchange.id'], name=op.f('fk_agreement_exchange_id_exchange'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreement')),
    sa.UniqueConstraint('exchange_id', name=op.f('uq_agreement_exchange_id'))
    )
    op.create_table('agreement_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('terms', sa.JSON(), nullable=False),
    sa.Column('clauses', sa.JSON(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('author_organization_id', sa.Integer(), nullable=True),
    sa.Column('template_sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('pdf', sa.LargeBinary(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreement.id'], name=op.f('fk_agreement_version_agreement_id_agreement'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['author_id'], ['person.id'], name=op.f('fk_agreement_version_author_id_person'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['author_organization_id'], ['organization.id'], name=op.f('fk_agreement_version_author_organization_id_organization'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreement_version')),
    sa.UniqueConstraint('agreement_id', 'number', name=op.f('uq_agreement_version_agreement_id'))
    )
    with op.batch_alter_table('agreement_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agreement_version_agreement_id'), ['agreement_id'], unique=False)

    op.create_table('agreement_acceptance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('pdf_sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_agreement_acceptance_organization_id_organization'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_agreement_acceptance_person_id_person'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['version_id'], ['agreement_version.id'], name=op.f('fk_agreement_acceptance_version_id_agreement_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreement_acceptance')),
    sa.UniqueConstraint('version_id', 'organization_id', name=op.f('uq_agreement_acceptance_version_id'))
    )
    with op.batch_alter_table('agreement_acceptance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agreement_acceptance_version_id'), ['version_id'], unique=False)

    with op.batch_alter_table('photo', schema=None, recreate='always') as batch_op:
        batch_op.drop_constraint(op.f('ck_photo_one_subject'), type_='check')
        batch_op.add_column(sa.Column('exchange_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('stage', sa.Enum('HANDOVER', 'RETURN', name='photostage', native_enum=False, length=32), nullable=True))
        batch_op.create_index('ix_photo_exchange_position', ['exchange_id', 'stage', 'position'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_photo_exchange_id_exchange'), 'exchange', ['exchange_id'], ['id'], ondelete='CASCADE')
        batch_op.create_check_constraint(op.f('ck_photo_one_subject'), _one_of(_NEW_SUBJECTS))
        batch_op.create_check_constraint(op.f('ck_photo_stage_of_exchange'), '(exchange_id IS NULL) = (stage IS NULL)')



def downgrade() -> None:
    op.execute('DELETE FROM photo WHERE exchange_id IS NOT NULL')
    with op.batch_alter_table('photo', schema=None, recreate='always') as batch_op:
        batch_op.drop_constraint(op.f('ck_photo_stage_of_exchange'), type_='check')
        batch_op.drop_constraint(op.f('ck_photo_one_subject'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_photo_exchange_id_exchange'), type_='foreignkey')
        batch_op.drop_index('ix_photo_exchange_position')
        batch_op.drop_column('stage')
        batch_op.drop_column('exchange_id')
        batch_op.create_check_constraint(op.f('ck_photo_one_subject'), _one_of(_OLD_SUBJECTS))

    with op.batch_alter_table('agreement_acceptance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agreement_acceptance_version_id'))

    op.drop_table('agreement_acceptance')
    with op.batch_alter_table('agreement_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agreement_version_agreement_id'))

    op.drop_table('agreement_version')
    op.drop_table('agreement')
