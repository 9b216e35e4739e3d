"""Case store: derivations, code look-up attempts, case conversation id, spare code, purge time.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0002'
down_revision: Union[str, Sequence[str], None] = '0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # Plain ADD COLUMN and CREATE INDEX work on SQLite without rebuilding the table.
    op.add_column('cases', sa.Column('conversation_id', sa.String(length=128), nullable=True))
    op.add_column('cases', sa.Column('alt_code', sa.String(length=9), nullable=True))
    op.add_column('cases', sa.Column('purged_at', sa.DateTime(timezone=True), nullable=True))
    op.create_index(op.f('ix_cases_conversation_id'), 'cases', ['conversation_id'], unique=False)
    op.create_index(op.f('ix_cases_alt_code'), 'cases', ['alt_code'], unique=True)

    op.create_table('derivations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('institution', sa.String(length=40), nullable=False),
    sa.Column('region', sa.String(length=64), nullable=True),
    sa.Column('derived_on', sa.Date(), nullable=False),
    sa.Column('reference', sa.String(length=64), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_derivations_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['console_users.id'], name=op.f('fk_derivations_created_by_id_console_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_derivations'))
    )
    op.create_index(op.f('ix_derivations_case_id'), 'derivations', ['case_id'], unique=False)

    op.create_table('code_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sender', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ok', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_code_attempts'))
    )
    op.create_index('ix_code_attempts_sender_at', 'code_attempts', ['sender', 'at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_code_attempts_sender_at', table_name='code_attempts')
    op.drop_table('code_attempts')
    op.drop_index(op.f('ix_derivations_case_id'), table_name='derivations')
    op.drop_table('derivations')
    op.drop_index(op.f('ix_cases_alt_code'), table_name='cases')
    op.drop_index(op.f('ix_cases_conversation_id'), table_name='cases')
    # SQLite cannot DROP COLUMN before 3.35; batch mode rebuilds the table there.
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('purged_at')
        batch_op.drop_column('alt_code')
        batch_op.drop_column('conversation_id')
