"""SQL for row-level security, used by the migrations.

Policies mirror `tenancy.criteria_for`. They read the settings that `tenancy` sets per
transaction with set_config(..., true). Keep each function's output stable: migrations
that already ran have used it. Add a new function rather than change one.
"""

from __future__ import annotations

APP_ROLE = "maillage_app"

HELPER_FUNCTIONS = """
create or replace function app_setting(name text) returns text
  language sql stable as $$ select nullif(current_setting(name, true), '') $$;
create or replace function app_tenant_id() returns bigint
  language sql stable as $$ select app_setting('app.tenant_id')::bigint $$;
create or replace function app_network_id() returns bigint
  language sql stable as $$ select app_setting('app.network_id')::bigint $$;
create or replace function app_network_ids() returns bigint[]
  language sql stable as $$
    select coalesce(string_to_array(app_setting('app.network_ids'), ',')::bigint[], '{}') $$;
create or replace function app_member_tenant_ids() returns bigint[]
  language sql stable as $$
    select coalesce(string_to_array(app_setting('app.member_tenant_ids'), ',')::bigint[], '{}') $$;
create or replace function app_user_id() returns bigint
  language sql stable as $$ select app_setting('app.user_id')::bigint $$;
create or replace function app_unscoped() returns boolean
  language sql stable as $$ select coalesce(app_setting('app.unscoped') = 'on', false) $$;
"""


def ensure_app_role() -> str:
    return f"""
do $$ begin
  if not exists (select 1 from pg_roles where rolname = '{APP_ROLE}') then
    create role {APP_ROLE} login nosuperuser nocreatedb nocreaterole nobypassrls;
  end if;
end $$;
do $$ begin
  execute format('grant connect on database %I to {APP_ROLE}', current_database());
end $$;
grant usage on schema public to {APP_ROLE};
"""


def grant_rw(table: str) -> str:
    return f"grant select, insert, update, delete on {table} to {APP_ROLE};"


def _force(table: str) -> str:
    return (f"alter table {table} enable row level security;\n"
            f"alter table {table} force row level security;\n")


def tenant_table(table: str, network_readable: bool = False,
                 personal_readable: bool = False) -> str:
    """Rows owned by one tenant."""
    sql = _force(table) + grant_rw(table) + f"""
create policy tenant_rw on {table}
  using (app_unscoped() or tenant_id = app_tenant_id())
  with check (app_unscoped() or tenant_id = app_tenant_id());
"""
    if network_readable:
        sql += f"""create policy network_read on {table} for select
  using (tenant_id = any(app_member_tenant_ids()));
"""
    if personal_readable:
        sql += f"""create policy personal_read on {table} for select
  using (user_id = app_user_id());
"""
    return sql


def network_table(table: str, tenant_condition: str = "true",
                  personal_readable: bool = False) -> str:
    """Rows owned by one network; member tenants read those matching `tenant_condition`."""
    sql = _force(table) + grant_rw(table) + f"""
create policy network_rw on {table}
  using (app_unscoped() or network_id = app_network_id())
  with check (app_unscoped() or network_id = app_network_id());
create policy tenant_read on {table} for select
  using (app_tenant_id() is not null and network_id = any(app_network_ids())
         and ({tenant_condition}));
"""
    if personal_readable:
        sql += f"""create policy personal_read on {table} for select
  using (user_id = app_user_id());
"""
    return sql


def tenant_to_network_table(table: str, platform_managed: bool = False) -> str:
    """Rows a tenant addresses to a network: visible to that tenant and that network."""
    if platform_managed:
        return _force(table) + grant_rw(table) + f"""
create policy platform_rw on {table}
  using (app_unscoped()) with check (app_unscoped());
create policy parties_read on {table} for select
  using (tenant_id = app_tenant_id() or network_id = app_network_id());
"""
    return _force(table) + grant_rw(table) + f"""
create policy parties_rw on {table}
  using (app_unscoped() or tenant_id = app_tenant_id() or network_id = app_network_id())
  with check (app_unscoped()
              or (tenant_id = app_tenant_id() and network_id = any(app_network_ids()))
              or (network_id = app_network_id()
                  and tenant_id = any(app_member_tenant_ids())));
"""


def either_table(table: str) -> str:
    """Rows owned by a tenant or by a network (a check constraint says exactly one)."""
    return _force(table) + grant_rw(table) + f"""
create policy owner_rw on {table}
  using (app_unscoped() or tenant_id = app_tenant_id() or network_id = app_network_id())
  with check (app_unscoped() or (tenant_id = app_tenant_id() and network_id is null)
              or (network_id = app_network_id() and tenant_id is null));
"""


def audit_table(table: str) -> str:
    """Insert-only for the app role; each space reads its own entries."""
    return _force(table) + f"""
grant select, insert on {table} to {APP_ROLE};
create policy audit_insert on {table} for insert with check (true);
create policy audit_read on {table} for select
  using (app_unscoped() or tenant_id = app_tenant_id() or network_id = app_network_id());
"""


def public_registry_table(table: str) -> str:
    """Public reference rows (EPCI and network names): everyone reads, the platform writes."""
    return _force(table) + grant_rw(table) + f"""
create policy registry_read on {table} for select using (true);
create policy registry_write on {table} for insert with check (app_unscoped());
create policy registry_update on {table} for update using (app_unscoped())
  with check (app_unscoped());
create policy registry_delete on {table} for delete using (app_unscoped());
"""


def shared_content_table(table: str, tenant_condition: str = "true") -> str:
    """Network content shared with member tenants (when `tenant_condition` holds), or a
    tenant's own content (visible to that tenant only)."""
    return _force(table) + grant_rw(table) + f"""
create policy owner_rw on {table}
  using (app_unscoped() or tenant_id = app_tenant_id() or network_id = app_network_id())
  with check (app_unscoped() or (tenant_id = app_tenant_id() and network_id is null)
              or (network_id = app_network_id() and tenant_id is null));
create policy tenant_read_shared on {table} for select
  using (app_tenant_id() is not null and tenant_id is null
         and network_id = any(app_network_ids()) and ({tenant_condition}));
"""


def tenant_to_network_optional_table(table: str) -> str:
    """Tenant rows optionally addressed to one of its networks, which may read them."""
    return _force(table) + grant_rw(table) + f"""
create policy tenant_rw on {table}
  using (app_unscoped() or tenant_id = app_tenant_id())
  with check (app_unscoped() or (tenant_id = app_tenant_id()
              and (network_id is null or network_id = any(app_network_ids()))));
create policy network_read on {table} for select
  using (network_id is not null and network_id = app_network_id());
create policy network_update on {table} for update
  using (network_id is not null and network_id = app_network_id())
  with check (network_id = app_network_id() and tenant_id = any(app_member_tenant_ids()));
"""


def personal_read(table: str, condition: str) -> str:
    """Rows readable in the personal space (the signed-in person's invitations, minutes,
    decisions…): `condition` may use app_user_id(). The guard keeps the policy silent in
    every other space, where app.user_id is not set."""
    return f"""create policy personal_read on {table} for select
  using (app_user_id() is not null and ({condition}));
"""
