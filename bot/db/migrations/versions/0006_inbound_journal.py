"""Inbound journal: a webhook's message kept (encrypted) on its de-duplication row until processed.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0006'
down_revision: Union[str, Sequence[str], None] = '0005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # Existing rows were processed (or lost) long ago: no payload, no received_at, 0 attempts.
    with op.batch_alter_table('channel_dedup', schema=None) as batch_op:
        batch_op.add_column(sa.Column('payload', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('received_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_index('ix_channel_dedup_pending', ['received_at'], unique=False,
                              sqlite_where=sa.text('payload IS NOT NULL'),
                              postgresql_where=sa.text('payload IS NOT NULL'))


def downgrade() -> None:
    with op.batch_alter_table('channel_dedup', schema=None) as batch_op:
        batch_op.drop_index('ix_channel_dedup_pending')
        batch_op.drop_column('attempts')
        batch_op.drop_column('received_at')
        batch_op.drop_column('payload')
