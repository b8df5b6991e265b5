"""bank question uses: each bank question on each paper and the share of its points earned, for the bank pages

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04

The question bank pages counted usage and facility by reading every attempt's paper (≈30 KB of JSON each) on every
page view: 33 s for the list at 10,000 attempts. One row per bank question per paper, with the graded share, turns
that into one indexed GROUP BY. Existing attempts (previews excepted) are filled in here, from their papers and
results, as lms.attempts.usage would have written them.
"""
import json

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None

BATCH = 500


def upgrade():
    op.create_table(
        'bank_question_uses',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('attempt_id', sa.Integer(), nullable=False),
        sa.Column('bank', sa.String(length=100), nullable=False),
        sa.Column('key', sa.String(length=100), nullable=False),
        sa.Column('question_id', sa.String(length=200), nullable=False),
        sa.Column('share', sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(['attempt_id'], ['attempts.id'], name=op.f('fk_bank_question_uses_attempt_id_attempts')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_bank_question_uses')),
        sa.UniqueConstraint('attempt_id', 'question_id', name=op.f('uq_bank_question_uses_attempt_id_question_id')),
    )
    # (bank, key, share) covers the pages' GROUP BY: the index alone answers it.
    op.create_index('ix_bank_question_uses_bank_key_share', 'bank_question_uses', ['bank', 'key', 'share'],
                    unique=False)
    _fill()


def _json(value):
    return json.loads(value) if isinstance(value, str) else (value or {})


def _fill():
    """Every existing non-preview attempt's bank questions, with the shares of the graded ones."""
    bind = op.get_bind()
    attempts = sa.table('attempts', sa.column('id', sa.Integer), sa.column('status', sa.String),
                        sa.column('paper', sa.JSON), sa.column('results', sa.JSON),
                        sa.column('is_preview', sa.Boolean))
    uses = sa.table('bank_question_uses', sa.column('attempt_id', sa.Integer), sa.column('bank', sa.String),
                    sa.column('key', sa.String), sa.column('question_id', sa.String), sa.column('share', sa.Float))
    last = 0
    while True:
        rows = bind.execute(sa.select(attempts.c.id, attempts.c.status, attempts.c.paper, attempts.c.results)
                            .where(attempts.c.id > last, attempts.c.is_preview.is_(False))
                            .order_by(attempts.c.id).limit(BATCH)).all()
        if not rows:
            return
        batch = []
        for attempt_id, status, paper, results in rows:
            graded = _json(results) if status != 'in_progress' else {}
            for question in _json(paper).get('questions', []):
                if not question.get('bank'):
                    continue
                outcome = graded.get(question['id'])
                share = None
                if outcome is not None:
                    possible = float(outcome.get('points') or 0)
                    share = float(outcome.get('earned') or 0) / possible if possible else 0.0
                batch.append({'attempt_id': attempt_id, 'bank': question['bank'], 'key': question.get('key', ''),
                              'question_id': question['id'], 'share': share})
        if batch:
            bind.execute(uses.insert(), batch)
        last = rows[-1][0]


def downgrade():
    op.drop_index('ix_bank_question_uses_bank_key_share', table_name='bank_question_uses')
    op.drop_table('bank_question_uses')
