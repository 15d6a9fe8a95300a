"""The ORM layer of tenancy: criteria on every query, stamping and checks on every flush."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.core import tenancy
from app.core.tenancy import NoSpaceError, Space, SpaceViolation
from app.networks.models import NetworkRole, NetworkTenant, Organisation
from app.tenants.models import Commune, ReceptionPoint, Relais, RelaisCommune, TenantRole
from tests import factories


@pytest.fixture()
def world(dbsession):
    w = factories.two_tenants_world()
    dbsession.expunge_all()  # nothing cached: every read below goes to the database
    return w


def tenant_space(world, key="a"):
    return Space.for_tenant(world[key].id, [world["network"].id], label=key)


def network_space(world):
    return Space.for_network(world["network"].id, [world["a"].id, world["b"].id])


def test_querying_a_scoped_model_without_a_space_raises(world, dbsession):
    assert tenancy.current_space() is None
    for model in (Commune, Relais, ReceptionPoint, TenantRole, Organisation, NetworkTenant):
        with pytest.raises(NoSpaceError):
            dbsession.scalars(sa.select(model)).all()
    with pytest.raises(NoSpaceError):
        dbsession.get(Commune, world["a_communes"][0].id)
    with pytest.raises(NoSpaceError):
        dbsession.execute(sa.update(Relais).values(name="x"))
    with pytest.raises(NoSpaceError):
        dbsession.execute(sa.delete(Commune))


def test_a_join_through_a_scoped_model_raises_without_a_space(world, dbsession):
    """A scoped table reached only through a join is caught too, and PostgreSQL would
    hide its rows anyway (checked with the ORM hook switched off)."""
    from app.core.models import User

    with pytest.raises(NoSpaceError):
        dbsession.scalars(sa.select(User).join(TenantRole, TenantRole.user_id == User.id)).all()
    dbsession.rollback()
    users = dbsession.scalars(
        sa.select(User).join(TenantRole, TenantRole.user_id == User.id)
        .execution_options(tenancy_checked=True)).all()
    assert users == []


def test_a_join_through_a_scoped_model_is_restricted_in_a_space(world, dbsession, in_space):
    from app.core.models import User

    with in_space(tenant_space(world)):
        users = dbsession.scalars(sa.select(User).join(
            TenantRole, TenantRole.user_id == User.id)).all()
        emails = dbsession.scalars(sa.select(User.email).join(
            TenantRole, TenantRole.user_id == User.id).execution_options(
                tenancy_checked=True)).all()
    assert [u.id for u in users] == [world["a_admin"].id]
    # even with the ORM criteria switched off, PostgreSQL keeps B's roles out
    assert emails == [world["a_admin"].email]


def test_writing_a_scoped_model_without_a_space_raises(world, dbsession):
    dbsession.add(Commune(tenant_id=world["a"].id, name="Sans espace", insee="99990",
                          postal_codes=[]))
    with pytest.raises(NoSpaceError):
        dbsession.flush()
    dbsession.rollback()


def test_tenant_space_sees_only_its_own_rows(world, in_space):
    a = world["a"]
    with in_space(tenant_space(world)) as _:
        from app.extensions import db

        for model in (Commune, Relais, RelaisCommune, ReceptionPoint, TenantRole):
            rows = db.session.scalars(sa.select(model)).all()
            assert rows, model.__name__
            assert {r.tenant_id for r in rows} == {a.id}, model.__name__
        b_commune = world["b_communes"][0].id
        assert db.session.get(Commune, b_commune) is None
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Commune)) == 2
        # aliases and subqueries are restricted too
        alias = sa.orm.aliased(Commune)
        assert db.session.scalars(
            sa.select(alias.id).where(alias.tenant_id == world["b"].id)).all() == []
        sub = sa.select(Commune.id).scalar_subquery()
        assert b_commune not in db.session.scalars(
            sa.select(Relais.id).where(Relais.id.in_(sub))).all()


def test_tenant_space_restricts_relationship_lazy_loads(world, dbsession, in_space):
    a, b = world["a"], world["b"]
    # A's desk points at B's commune and A's relais lists B's commune: corrupted links
    # written unscoped, which the space must not follow.
    b_commune = world["b_communes"][0]
    a_relais_id = world["a_relais"].id
    with tenancy.unscoped("corrupt links", dbsession):
        point = ReceptionPoint(tenant_id=a.id, name="Guichet piégé", commune_id=b_commune.id)
        dbsession.add(point)
        dbsession.add(RelaisCommune(tenant_id=a.id, relais_id=a_relais_id,
                                    commune_id=b_commune.id))
        dbsession.flush()
        point_id = point.id
    dbsession.expunge_all()
    with in_space(tenant_space(world)):
        loaded = dbsession.get(ReceptionPoint, point_id)
        assert loaded is not None
        assert loaded.commune is None
        relais = dbsession.get(Relais, a_relais_id)
        names = {c.id for c in relais.communes}
        assert names == {c.id for c in world["a_communes"]}
        assert b_commune.id not in names
        assert all(c.tenant_id == a.id for c in relais.communes)
    dbsession.expunge_all()
    with in_space(tenant_space(world, "b")):
        commune = dbsession.get(Commune, b_commune.id)
        # B's commune does not see A's relais through the secondary table either
        assert {r.tenant_id for r in commune.relais} <= {b.id}


def test_writing_a_row_of_another_tenant_raises(world, dbsession, in_space):
    with in_space(tenant_space(world)):
        dbsession.add(Commune(tenant_id=world["b"].id, name="Intruse", insee="99991",
                              postal_codes=[]))
        with pytest.raises(SpaceViolation):
            dbsession.flush()
    dbsession.rollback()


def test_changing_a_loaded_row_of_another_tenant_raises(world, dbsession, in_space):
    with tenancy.unscoped("load B's relais", dbsession):
        b_relais = dbsession.get(Relais, world["b_relais"].id)
    with in_space(tenant_space(world)):
        b_relais.name = "Renommé depuis A"
        with pytest.raises(SpaceViolation):
            dbsession.flush()
    dbsession.rollback()


def test_moving_own_row_to_another_tenant_raises(world, dbsession, in_space):
    with in_space(tenant_space(world)):
        commune = dbsession.get(Commune, world["a_communes"][0].id)
        commune.tenant_id = world["b"].id
        with pytest.raises(SpaceViolation):
            dbsession.flush()
    dbsession.rollback()


def test_deleting_a_row_of_another_tenant_raises(world, dbsession, in_space):
    with tenancy.unscoped("load B's desk", dbsession):
        b_point = dbsession.get(ReceptionPoint, world["b_point"].id)
    with in_space(tenant_space(world)):
        dbsession.delete(b_point)
        with pytest.raises(SpaceViolation):
            dbsession.flush()
    dbsession.rollback()


def test_network_content_is_read_only_from_a_tenant(world, dbsession, in_space):
    with in_space(tenant_space(world)):
        orgs = dbsession.scalars(sa.select(Organisation)).all()
        assert [o.id for o in orgs] == [world["organisation"].id]
        orgs[0].name = "Modifiée par un territoire"
        with pytest.raises(SpaceViolation):
            dbsession.flush()
    dbsession.rollback()


def test_a_tenant_cannot_create_network_content(world, dbsession, in_space):
    with in_space(tenant_space(world)):
        dbsession.add(Organisation(network_id=world["network"].id, name="Nouvelle"))
        with pytest.raises(SpaceViolation):
            dbsession.flush()
    dbsession.rollback()


def test_tenant_rows_are_read_only_from_a_network(world, dbsession, in_space):
    with in_space(network_space(world)):
        communes = dbsession.scalars(sa.select(Commune)).all()
        assert {c.tenant_id for c in communes} == {world["a"].id, world["b"].id}
        assert dbsession.scalars(sa.select(ReceptionPoint)).all() == []
        communes[0].name = "Renommée par le réseau"
        with pytest.raises(SpaceViolation):
            dbsession.flush()
    dbsession.rollback()


@pytest.mark.parametrize("kind", ["tenant", "network", "personal"])
def test_network_membership_is_written_only_unscoped(world, dbsession, in_space, kind):
    other = factories.tenant()
    space = {"tenant": tenant_space(world), "network": network_space(world),
             "personal": Space.personal(world["a_admin"].id)}[kind]
    with in_space(space):
        dbsession.add(NetworkTenant(network_id=world["network"].id, tenant_id=other.id))
        with pytest.raises(SpaceViolation):
            dbsession.flush()
    dbsession.rollback()


def test_network_membership_is_written_by_the_platform(world, dbsession):
    other = factories.tenant()
    with tenancy.unscoped("platform adds a member", dbsession):
        dbsession.add(NetworkTenant(network_id=world["network"].id, tenant_id=other.id))
        dbsession.flush()
        assert dbsession.scalar(sa.select(sa.func.count()).select_from(NetworkTenant)) == 3


def test_the_personal_space_is_read_only(world, dbsession, in_space):
    admin = world["a_admin"]
    with in_space(Space.personal(admin.id)):
        roles = dbsession.scalars(sa.select(TenantRole)).all()
        assert [r.user_id for r in roles] == [admin.id]
        assert dbsession.scalars(sa.select(Commune)).all() == []
        roles[0].role = "reception_agent"
        with pytest.raises(SpaceViolation):
            dbsession.flush()
    dbsession.rollback()


def test_new_rows_get_the_space_stamped(world, dbsession, in_space):
    a = world["a"]
    with in_space(tenant_space(world)):
        commune = Commune(name="Nouvelle commune", insee="99992", postal_codes=["22000"])
        relais = Relais(name="Nouveau relais")
        dbsession.add_all([commune, relais])
        dbsession.flush()
        assert commune.tenant_id == a.id and relais.tenant_id == a.id
    with in_space(network_space(world)):
        org = Organisation(name="Nouveau partenaire")
        role = NetworkRole(user_id=world["a_admin"].id)
        dbsession.add_all([org, role])
        dbsession.flush()
        assert org.network_id == world["network"].id
        assert role.network_id == world["network"].id


def test_an_invitation_is_stamped_with_the_space_that_sends_it(world, dbsession, in_space):
    from datetime import UTC, datetime, timedelta

    from app.core.models import Invitation

    expires = datetime.now(UTC) + timedelta(days=1)
    with in_space(tenant_space(world)):
        inv = Invitation(email="x@example.org", role="reception_agent", token_hash="a" * 64,
                         expires_at=expires)
        dbsession.add(inv)
        dbsession.flush()
        assert (inv.tenant_id, inv.network_id) == (world["a"].id, None)
    with in_space(network_space(world)):
        inv = Invitation(email="y@example.org", role="network_coordinator",
                         token_hash="b" * 64, expires_at=expires)
        dbsession.add(inv)
        dbsession.flush()
        assert (inv.tenant_id, inv.network_id) == (None, world["network"].id)
        # a tenant invitation cannot be written from the network
        dbsession.add(Invitation(email="z@example.org", role="reception_agent",
                                 token_hash="c" * 64, expires_at=expires,
                                 tenant_id=world["a"].id))
        with pytest.raises(SpaceViolation):
            dbsession.flush()
    dbsession.rollback()


def test_the_space_is_restored_after_a_block(world, dbsession, in_space):
    outer = tenant_space(world)
    with in_space(outer):
        with in_space(tenant_space(world, "b")):
            assert tenancy.current_space().tenant_id == world["b"].id
            assert dbsession.scalar(sa.text("select current_setting('app.tenant_id')")) \
                == str(world["b"].id)
        assert tenancy.current_space() == outer
        assert dbsession.scalar(sa.text("select current_setting('app.tenant_id')")) \
            == str(world["a"].id)
    assert tenancy.current_space() is None
    assert dbsession.scalar(sa.text("select current_setting('app.tenant_id')")) == ""


def test_an_unscoped_space_must_give_a_reason():
    with pytest.raises(ValueError):
        Space.unscoped("")


def test_a_space_survives_the_trip_through_a_job_argument(world):
    space = Space.for_network(world["network"].id, [world["a"].id], user_id=7)
    assert Space.from_job_arg(space.to_job_arg()) == space
