"""PostgreSQL row-level security, checked below the ORM: raw SQL on the app role's connection.

The factories write rows unscoped on the test's connection; each test then clears or sets
the `app.*` settings itself and reads or writes with plain SQL, as a bug in the ORM layer
(or a hand-written query) would.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from app.config import APP_DB_ROLE
from app.core import tenancy
from app.core.tenancy import Space
from tests import factories

SETTINGS = ("tenant_id", "network_id", "network_ids", "member_tenant_ids", "user_id",
            "unscoped")

# Tables whose rows the world below creates: the "0 rows" check must have something to hide.
POPULATED = {"commune", "relais", "relais_commune", "reception_point", "tenant_role",
             "network_tenant", "network_role", "organisation", "organisation_contact",
             "invitation", "audit_log"}

SCOPED_TABLES_SQL = sa.text("""
    select distinct c.relname
    from pg_class c
    join pg_namespace n on n.oid = c.relnamespace
    join pg_attribute a on a.attrelid = c.oid
    where n.nspname = 'public' and c.relkind in ('r', 'p')
      and a.attname in ('tenant_id', 'network_id') and a.attnum > 0 and not a.attisdropped
    order by c.relname
""")


def set_settings(connection, **values) -> None:
    """Set the app.* settings for the current transaction; anything not given is cleared."""
    unknown = set(values) - set(SETTINGS)
    assert not unknown, unknown
    for name in SETTINGS:
        connection.execute(sa.text("select set_config(:n, :v, true)"),
                           {"n": f"app.{name}", "v": str(values.get(name, ""))})


def count(connection, table: str, where: str = "true", **params) -> int:
    return connection.execute(
        sa.text(f'select count(*) from "{table}" where {where}'), params).scalar_one()


def refused(connection, sql: str, **params) -> DBAPIError:
    """Run `sql` in a savepoint, expecting PostgreSQL to refuse it; return the error."""
    savepoint = connection.begin_nested()
    with pytest.raises(DBAPIError) as caught:
        connection.execute(sa.text(sql), params)
    savepoint.rollback()
    return caught.value


def is_insufficient_privilege(error: DBAPIError) -> bool:
    import psycopg.errors

    return isinstance(error.orig, psycopg.errors.InsufficientPrivilege)


def scoped_tables(connection) -> list[str]:
    return list(connection.execute(SCOPED_TABLES_SQL).scalars())


@pytest.fixture()
def world(dbsession):
    w = factories.two_tenants_world()
    contact_org = w["organisation"]
    with tenancy.unscoped("rls test data", dbsession):
        from app.core import audit
        from app.core.models import Invitation
        from app.networks.models import OrganisationContact

        dbsession.add(OrganisationContact(network_id=w["network"].id,
                                          organisation_id=contact_org.id,
                                          full_name="Contact Test", email="c@example.org"))
        from datetime import UTC, datetime, timedelta

        dbsession.add(Invitation(tenant_id=w["a"].id, email="invite@example.org", role="reception_agent",
                                 token_hash="f" * 64,
                                 expires_at=datetime.now(UTC) + timedelta(days=3)))
        audit.record("test.entry", "rls", tenant_id=w["a"].id)
        audit.record("test.entry", "rls", network_id=w["network"].id)
        dbsession.flush()
    return w


def test_the_app_connects_as_its_unprivileged_role(connection):
    assert connection.execute(sa.text("select current_user")).scalar_one() == APP_DB_ROLE
    role = connection.execute(sa.text(
        "select rolsuper, rolbypassrls, rolcreaterole, rolcreatedb from pg_roles"
        " where rolname = current_user")).one()
    assert role == (False, False, False, False)


def test_the_app_role_owns_no_table_and_no_function(connection):
    owned = connection.execute(sa.text("""
        select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relowner = (select oid from pg_roles where rolname = current_user)
    """)).scalars().all()
    assert owned == []
    functions = connection.execute(sa.text("""
        select p.proname from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where n.nspname = 'public' and p.proowner = (select oid from pg_roles where rolname = current_user)
    """)).scalars().all()
    assert functions == []


def test_every_table_with_a_tenant_or_network_column_forces_row_level_security(connection):
    tables = scoped_tables(connection)
    assert POPULATED <= set(tables), "the catalogue query no longer finds the known tables"
    unprotected = connection.execute(sa.text("""
        select distinct c.relname
        from pg_class c
        join pg_namespace n on n.oid = c.relnamespace
        join pg_attribute a on a.attrelid = c.oid
        where n.nspname = 'public' and c.relkind in ('r', 'p')
          and a.attname in ('tenant_id', 'network_id') and a.attnum > 0 and not a.attisdropped
          and not (c.relrowsecurity and c.relforcerowsecurity)
    """)).scalars().all()
    assert unprotected == [], f"tables without ENABLE + FORCE row level security: {unprotected}"


def test_every_scoped_table_has_at_least_one_policy(connection):
    without_policy = connection.execute(sa.text("""
        select t from unnest(cast(:tables as text[])) as t
        where not exists (select 1 from pg_policies p
                          where p.schemaname = 'public' and p.tablename = t)
    """), {"tables": scoped_tables(connection)}).scalars().all()
    assert without_policy == []


def test_no_settings_means_no_rows_in_any_scoped_table(connection, world):
    set_settings(connection, unscoped="on")
    present = {t: count(connection, t) for t in scoped_tables(connection)}
    missing = sorted(t for t in POPULATED if not present[t])
    assert not missing, f"test data missing for {missing}"

    set_settings(connection)
    visible = {t: count(connection, t) for t in present if count(connection, t)}
    assert visible == {}, f"rows visible with no space set: {visible}"


def test_a_tenant_sees_only_its_own_rows(connection, world):
    a, b = world["a"], world["b"]
    set_settings(connection, tenant_id=a.id, network_ids=world["network"].id)
    for table in ("commune", "relais", "relais_commune", "reception_point", "tenant_role",
                  "invitation"):
        assert count(connection, table) > 0, table
        assert count(connection, table, "tenant_id <> :a", a=a.id) == 0, table
        assert count(connection, table, "tenant_id = :b", b=b.id) == 0, table
    # network rows its networks share with tenants are readable; the membership too
    assert count(connection, "organisation") == 1
    assert count(connection, "network_tenant") == 1


def test_a_tenant_cannot_insert_a_row_for_another_tenant(connection, world):
    a, b = world["a"], world["b"]
    set_settings(connection, tenant_id=a.id, network_ids=world["network"].id)
    error = refused(connection,
                    "insert into commune (tenant_id, insee, name, postal_codes, desk_phone,"
                    " desk_hours) values (:b, '99998', 'Intruse', '{}', '', '')", b=b.id)
    assert is_insufficient_privilege(error), error
    assert "row-level security" in str(error.orig)
    # the same insert for its own tenant is accepted: the refusal above is about the owner
    connection.execute(sa.text(
        "insert into commune (tenant_id, insee, name, postal_codes, desk_phone, desk_hours)"
        " values (:a, '99997', 'Légitime', '{}', '', '')"), {"a": a.id})
    set_settings(connection, unscoped="on")
    assert count(connection, "commune", "insee = '99998'") == 0
    assert count(connection, "commune", "insee = '99997'") == 1


def test_a_tenant_cannot_move_its_row_to_another_tenant_nor_touch_theirs(connection, world):
    a, b = world["a"], world["b"]
    set_settings(connection, tenant_id=a.id, network_ids=world["network"].id)
    error = refused(connection, "update relais set tenant_id = :b where tenant_id = :a",
                    a=a.id, b=b.id)
    assert is_insufficient_privilege(error)
    # rows of B are invisible to UPDATE and DELETE: nothing happens to them
    assert connection.execute(sa.text("update relais set name = 'piraté' where tenant_id = :b"),
                              {"b": b.id}).rowcount == 0
    assert connection.execute(sa.text("delete from commune where tenant_id = :b"),
                              {"b": b.id}).rowcount == 0
    set_settings(connection, unscoped="on")
    assert count(connection, "relais", "name = 'piraté'") == 0
    assert count(connection, "commune", "tenant_id = :b", b=b.id) == 2


def test_a_tenant_cannot_write_network_content(connection, world):
    a, net = world["a"], world["network"]
    set_settings(connection, tenant_id=a.id, network_ids=net.id)
    error = refused(connection,
                    "insert into organisation (network_id, name, kind, email, phone, website,"
                    " address, notes) values (:n, 'Intrus', 'autre', '', '', '', '', '')",
                    n=net.id)
    assert is_insufficient_privilege(error)
    error = refused(connection,
                    "insert into network_tenant (network_id, tenant_id) values (:n, :t)",
                    n=net.id, t=world["b"].id)
    assert is_insufficient_privilege(error)


def test_network_space_reads_member_communes_but_not_their_reception_points(connection, world):
    a, b, net = world["a"], world["b"], world["network"]
    outsider = factories.tenant()
    factories.commune(outsider)
    factories.reception_point(outsider)
    set_settings(connection, network_id=net.id, network_ids=net.id,
                 member_tenant_ids=f"{a.id},{b.id}")
    assert count(connection, "commune") == 4
    assert count(connection, "commune", "tenant_id = :o", o=outsider.id) == 0
    assert count(connection, "relais") == 2
    assert count(connection, "reception_point") == 0
    assert count(connection, "tenant_role") == 0
    assert count(connection, "organisation") == 1
    # reading is not writing: a member's commune stays read-only for the network
    assert connection.execute(sa.text("update commune set name = 'Renommée'")).rowcount == 0
    error = refused(connection,
                    "insert into commune (tenant_id, insee, name, postal_codes, desk_phone,"
                    " desk_hours) values (:a, '99996', 'Intruse', '{}', '', '')", a=a.id)
    assert is_insufficient_privilege(error)


def test_a_network_does_not_see_another_networks_rows(connection, world):
    other = factories.network()
    factories.organisation(other, name="Partenaire d’ailleurs")
    set_settings(connection, network_id=other.id, network_ids=other.id)
    assert count(connection, "organisation") == 1
    assert count(connection, "organisation", "network_id = :n", n=world["network"].id) == 0
    assert count(connection, "organisation_contact") == 0
    assert count(connection, "network_role") == 0


def test_personal_space_sees_only_its_own_role_rows(connection, world):
    a_admin = world["a_admin"]
    factories.tenant_role(a_admin, world["b"], "elected_official")
    set_settings(connection, user_id=a_admin.id)
    rows = connection.execute(sa.text("select user_id, tenant_id from tenant_role")).all()
    assert {r.user_id for r in rows} == {a_admin.id}
    assert {r.tenant_id for r in rows} == {world["a"].id, world["b"].id}
    assert count(connection, "network_role") == 0
    assert count(connection, "commune") == 0
    coord = world["coordinator"]
    set_settings(connection, user_id=coord.id)
    assert count(connection, "network_role") == 1
    assert count(connection, "tenant_role") == 0


def test_audit_log_is_insert_only_for_the_app_role(connection, world):
    set_settings(connection, unscoped="on")
    before = count(connection, "audit_log")
    assert before >= 2
    error = refused(connection, "update audit_log set action = 'effacé'")
    assert is_insufficient_privilege(error)
    assert "permission denied" in str(error.orig)
    error = refused(connection, "delete from audit_log")
    assert is_insufficient_privilege(error)
    assert "permission denied" in str(error.orig)
    error = refused(connection, "truncate audit_log")
    assert is_insufficient_privilege(error)
    assert count(connection, "audit_log") == before
    # inserting stays possible from any space, even none
    set_settings(connection)
    connection.execute(sa.text(
        "insert into audit_log (action, target, details, actor_email, ip)"
        " values ('test.none', '', '{}', '', '')"))
    set_settings(connection, unscoped="on")
    assert count(connection, "audit_log") == before + 1


def test_a_tenant_reads_only_its_own_audit_entries(connection, world):
    set_settings(connection, tenant_id=world["b"].id, network_ids=world["network"].id)
    assert count(connection, "audit_log") == 0
    set_settings(connection, tenant_id=world["a"].id, network_ids=world["network"].id)
    assert count(connection, "audit_log") == 1


def test_orm_layer_and_rls_agree_for_a_tenant_space(dbsession, connection, world):
    """The ORM criteria are not what hides B's rows: turn them off and RLS still does."""
    from app.tenants.models import Commune

    a = world["a"]
    with tenancy.use_space(Space.for_tenant(a.id, [world["network"].id]), dbsession):
        rows = dbsession.scalars(
            sa.select(Commune).execution_options(tenancy_checked=True)).all()
    assert {c.tenant_id for c in rows} == {a.id}
