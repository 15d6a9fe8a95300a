"""delivery tracking: each invitee's last message, job failures

Revision ID: 0007
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa

from app.core import rls


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('event_invitation', sa.Column('mail_message_id', sa.BigInteger(), nullable=True))
    op.create_index(op.f('ix_event_invitation_mail_message_id'), 'event_invitation',
                    ['mail_message_id'], unique=False)
    op.create_foreign_key(op.f('fk_event_invitation_mail_message_id_mail_message'),
                          'event_invitation', 'mail_message', ['mail_message_id'], ['id'],
                          ondelete='SET NULL')
    op.create_table('job_failure',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('job_id', sa.BigInteger(), nullable=True),
    sa.Column('task_name', sa.String(length=200), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_failure'))
    )
    op.create_index(op.f('ix_job_failure_at'), 'job_failure', ['at'], unique=False)
    op.create_index(op.f('ix_job_failure_job_id'), 'job_failure', ['job_id'], unique=False)
    # A platform table like the outbox: no tenant, read by the platform administrator only.
    op.execute(rls.grant_rw('job_failure'))
    # « Tâches et envois » counts the outbox by state and finds its oldest waiting message.
    op.create_index('ix_mail_message_status_created', 'mail_message', ['status', 'created_at'])


def downgrade():
    op.drop_index('ix_mail_message_status_created', table_name='mail_message')
    op.drop_table('job_failure')
    op.drop_constraint(op.f('fk_event_invitation_mail_message_id_mail_message'),
                       'event_invitation', type_='foreignkey')
    op.drop_index(op.f('ix_event_invitation_mail_message_id'), table_name='event_invitation')
    op.drop_column('event_invitation', 'mail_message_id')
