"""bank questions: a name, and their revisions

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04

A bank question gets the name trainers know it by (GIFT's ``::title::``, kept by the importer in the question's
``extra.title``; filled in here for questions already stored). Every content a question has had is kept in
``bank_question_revisions`` (insert-only): the questions stored so far get their current content as revision 1.
Papers already drawn are copies on the attempts and do not change.
"""
from alembic import op
import sqlalchemy as sa

import lms.core.types  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('bank_questions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name', sa.String(length=200), nullable=False, server_default=''))
    op.create_table('bank_question_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('spec', sa.JSON(), nullable=False),
    sa.Column('checksum', sa.String(length=64), nullable=False),
    sa.Column('origin', sa.String(length=16), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', lms.core.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'],
                            name=op.f('fk_bank_question_revisions_created_by_id_users')),
    sa.ForeignKeyConstraint(['question_id'], ['bank_questions.id'],
                            name=op.f('fk_bank_question_revisions_question_id_bank_questions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bank_question_revisions')),
    sa.UniqueConstraint('question_id', 'number', name=op.f('uq_bank_question_revisions_question_id_number'))
    )
    with op.batch_alter_table('bank_question_revisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bank_question_revisions_question_id'), ['question_id'], unique=False)

    # Existing questions: their name from the stored spec, and their current content as revision 1.
    bind = op.get_bind()
    questions = sa.table('bank_questions', sa.column('id', sa.Integer()), sa.column('name', sa.String()),
                         sa.column('spec', sa.JSON()), sa.column('checksum', sa.String()),
                         sa.column('bank_id', sa.Integer()),
                         sa.column('updated_at', lms.core.types.UTCDateTime()))
    banks = sa.table('question_banks', sa.column('id', sa.Integer()), sa.column('source_path', sa.String()))
    revisions = sa.table('bank_question_revisions', sa.column('question_id', sa.Integer()),
                         sa.column('number', sa.Integer()), sa.column('spec', sa.JSON()),
                         sa.column('checksum', sa.String()), sa.column('origin', sa.String()),
                         sa.column('created_at', lms.core.types.UTCDateTime()))
    rows = bind.execute(sa.select(questions.c.id, questions.c.spec, questions.c.checksum, questions.c.updated_at,
                                  banks.c.source_path).join(banks, banks.c.id == questions.c.bank_id)).all()
    for row in rows:
        title = ((row.spec or {}).get('extra') or {}).get('title') or ''
        if title:
            bind.execute(questions.update().where(questions.c.id == row.id).values(name=title[:200]))
        bind.execute(revisions.insert().values(
            question_id=row.id, number=1, spec=row.spec, checksum=row.checksum,
            origin='file' if row.source_path else 'import', created_at=row.updated_at))


def downgrade():
    with op.batch_alter_table('bank_question_revisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bank_question_revisions_question_id'))
    op.drop_table('bank_question_revisions')
    with op.batch_alter_table('bank_questions', schema=None) as batch_op:
        batch_op.drop_column('name')
