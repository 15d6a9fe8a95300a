"""Application role, grants, row-level security policies, procrastinate job tables.

Revision ID: 0002
Revises: 0001
"""
from alembic import op
from procrastinate.schema import SchemaManager

from app.core import rls

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

GLOBAL_TABLES = ["user_account", "web_session", "login_attempt", "password_reset_token",
                 "mail_message"]


def upgrade():
    op.execute(rls.ensure_app_role())
    op.execute(rls.HELPER_FUNCTIONS)
    # Tables with no tenant or network: people, sessions, sign-in attempts, the outbox.
    for table in GLOBAL_TABLES:
        op.execute(rls.grant_rw(table))
    op.execute(rls.public_registry_table("tenant"))
    op.execute(rls.public_registry_table("network"))
    op.execute(rls.tenant_table("commune", network_readable=True))
    op.execute(rls.tenant_table("relais", network_readable=True))
    op.execute(rls.tenant_table("relais_commune", network_readable=True))
    op.execute(rls.tenant_table("reception_point"))
    op.execute(rls.tenant_table("tenant_role", personal_readable=True))
    op.execute(rls.tenant_to_network_table("network_tenant", platform_managed=True))
    op.execute(rls.network_table("network_role", personal_readable=True))
    op.execute(rls.network_table("organisation"))
    op.execute(rls.network_table("organisation_contact"))
    op.execute(rls.either_table("invitation"))
    op.execute(rls.audit_table("audit_log"))
    # procrastinate's queue lives in the same database (its schema ships with the library).
    op.get_bind().exec_driver_sql(SchemaManager.get_schema().replace("%", "%%"))
    op.execute(f"""
        grant select, insert, update, delete on all tables in schema public to {rls.APP_ROLE};
        revoke update, delete on audit_log from {rls.APP_ROLE};
        grant usage, select on all sequences in schema public to {rls.APP_ROLE};
        grant execute on all functions in schema public to {rls.APP_ROLE};
    """)


def downgrade():
    raise RuntimeError("the security migration is not reversible; restore a backup instead")
