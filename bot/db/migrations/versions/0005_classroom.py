"""Classroom: teachers' prevention sessions, pseudonymous participants, aggregate answer counts.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0005'
down_revision: Union[str, Sequence[str], None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('class_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('teacher_id', sa.Integer(), nullable=True),
    sa.Column('module_id', sa.String(length=40), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('join_code', sa.String(length=8), nullable=True),
    sa.Column('salt', sa.String(length=64), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('joined_count', sa.Integer(), nullable=False),
    sa.Column('finished_count', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('end_reason', sa.String(length=16), nullable=True),
    sa.ForeignKeyConstraint(['teacher_id'], ['console_users.id'], name=op.f('fk_class_sessions_teacher_id_console_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_class_sessions')),
    sa.UniqueConstraint('join_code', name=op.f('uq_class_sessions_join_code'))
    )
    op.create_index(op.f('ix_class_sessions_teacher_id'), 'class_sessions', ['teacher_id'], unique=False)
    op.create_index('ix_class_sessions_status_expires', 'class_sessions', ['status', 'expires_at'], unique=False)

    op.create_table('class_participants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('participant_key', sa.String(length=64), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('correct_count', sa.Integer(), nullable=False),
    sa.Column('joined_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('left_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['session_id'], ['class_sessions.id'], name=op.f('fk_class_participants_session_id_class_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_class_participants')),
    sa.UniqueConstraint('session_id', 'participant_key', name='uq_class_participants_session_key')
    )
    op.create_index(op.f('ix_class_participants_participant_key'), 'class_participants', ['participant_key'], unique=False)

    op.create_table('class_answer_counts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.String(length=40), nullable=False),
    sa.Column('choice_id', sa.String(length=2), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['class_sessions.id'], name=op.f('fk_class_answer_counts_session_id_class_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_class_answer_counts')),
    sa.UniqueConstraint('session_id', 'question_id', 'choice_id', name='uq_class_answer_counts_question_choice')
    )
    op.create_index(op.f('ix_class_answer_counts_session_id'), 'class_answer_counts', ['session_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_class_answer_counts_session_id'), table_name='class_answer_counts')
    op.drop_table('class_answer_counts')
    op.drop_index(op.f('ix_class_participants_participant_key'), table_name='class_participants')
    op.drop_table('class_participants')
    op.drop_index('ix_class_sessions_status_expires', table_name='class_sessions')
    op.drop_index(op.f('ix_class_sessions_teacher_id'), table_name='class_sessions')
    op.drop_table('class_sessions')
