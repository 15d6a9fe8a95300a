"""Demo data: what `load()` creates, that it runs once, and that every demo account signs in."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app import demo
from app.core.models import User
from app.core.passwords import verify_password
from app.networks.models import (
    Network,
    NetworkRole,
    NetworkTenant,
    Organisation,
    OrganisationContact,
)
from app.tenants import cog_import
from app.tenants.models import Commune, ReceptionPoint, Relais, RelaisCommune, Tenant, TenantRole
from tests import factories
from tests.conftest import csrf_from

MODELS = (Tenant, Commune, Network, NetworkTenant, NetworkRole, Organisation,
          OrganisationContact, Relais, RelaisCommune, ReceptionPoint, User, TenantRole)


@pytest.fixture()
def session(dbsession, unscoped):
    with unscoped("demo tests"):
        yield dbsession


@pytest.fixture()
def loaded(session):
    assert demo.load() is True
    return session


def row_counts(session) -> dict[str, int]:
    return {m.__name__: session.scalar(sa.select(sa.func.count()).select_from(m))
            for m in MODELS}


def tenant(session, slug: str) -> Tenant:
    return session.scalar(sa.select(Tenant).where(Tenant.slug == slug))


def user(session, local: str) -> User:
    return session.scalar(sa.select(User).where(User.email == f"{local}@demo.maillage.fr"))


def roles_of(session, u: User) -> list[TenantRole]:
    return list(session.scalars(sa.select(TenantRole).where(TenantRole.user_id == u.id)))


def member_ids(session, network: Network) -> set[int]:
    return set(session.scalars(sa.select(NetworkTenant.tenant_id)
                               .where(NetworkTenant.network_id == network.id)))


# --------------------------------------------------------------------------- content

def test_network_and_members(loaded):
    network = loaded.scalar(sa.select(Network).where(Network.slug == "cotes-d-armor"))
    assert network.name == "Réseau petite enfance des Côtes-d’Armor"
    assert (network.coordinator_org, network.departement) == ("CAF des Côtes-d’Armor", "22")
    sbaa, lannion = tenant(loaded, "saint-brieuc-armor"), tenant(loaded, "lannion-tregor")
    assert (sbaa.siren, sbaa.name) == ("200069409", "CA Saint-Brieuc Armor Agglomération")
    assert (lannion.siren, lannion.name) == ("200065928", "CA Lannion-Trégor Communauté")
    members = member_ids(loaded, network)
    assert len(members) >= 3 and {sbaa.id, lannion.id} <= members
    assert loaded.scalar(sa.select(sa.func.count()).select_from(Commune)
                         .where(Commune.tenant_id == sbaa.id)) == 32
    # The whole shipped subset was imported (real geography of the département).
    assert loaded.scalar(sa.select(sa.func.count()).select_from(Tenant)) == 11


def test_every_commune_of_the_members_is_covered_by_a_relais_of_its_tenant(loaded):
    network = loaded.scalar(sa.select(Network).where(Network.slug == "cotes-d-armor"))
    members = member_ids(loaded, network)
    communes = loaded.scalars(sa.select(Commune).where(Commune.tenant_id.in_(members))).all()
    coverage = loaded.execute(
        sa.select(RelaisCommune.commune_id, Relais.tenant_id, RelaisCommune.tenant_id)
        .join(Relais, Relais.id == RelaisCommune.relais_id)).all()
    covered = {commune_id for commune_id, _, _ in coverage}

    assert len(communes) == 32 + 57 + 38
    assert [c.name for c in communes if c.id not in covered] == []
    tenant_of = {c.id: c.tenant_id for c in communes}
    assert all(relais_tenant == link_tenant == tenant_of[commune_id]
               for commune_id, relais_tenant, link_tenant in coverage)


def test_relais_are_invented_and_one_is_itinerant(loaded):
    sbaa = tenant(loaded, "saint-brieuc-armor")
    relais = loaded.scalars(sa.select(Relais).where(Relais.tenant_id == sbaa.id)).all()
    assert 4 <= len(relais) <= 6
    assert "RPE Baie de Saint-Brieuc" in {r.name for r in relais}
    assert any(r.is_itinerant for r in relais)
    for r in relais:
        assert r.email.endswith("@demo.maillage.fr")
        assert r.phone.startswith("02 61 91 ") and len(r.phone) == 14
        assert r.opening_hours and r.address


def test_every_mairie_has_a_reception_point_and_saint_brieuc_has_its_hubs(loaded):
    network = loaded.scalar(sa.select(Network).where(Network.slug == "cotes-d-armor"))
    members = member_ids(loaded, network)
    communes = loaded.scalars(sa.select(Commune).where(Commune.tenant_id.in_(members))).all()
    mairies = {p.commune_id: p for p in loaded.scalars(
        sa.select(ReceptionPoint).where(ReceptionPoint.kind == "mairie"))}

    for commune in communes:
        point = mairies[commune.id]
        assert point.tenant_id == commune.tenant_id
        assert point.name == f"Mairie {demo.of_place(commune.name)}"
        assert point.phone == commune.desk_phone
        assert commune.desk_phone.startswith("02 61 91 ") and commune.desk_hours
    assert mairies[next(c.id for c in communes if c.insee == "22009")].name == "Mairie du Bodéo"
    sbaa = tenant(loaded, "saint-brieuc-armor")
    kinds = loaded.execute(
        sa.select(ReceptionPoint.kind, sa.func.count()).where(ReceptionPoint.tenant_id == sbaa.id)
        .group_by(ReceptionPoint.kind)).all()
    assert dict(kinds) == {"mairie": 32, "siege": 1, "pole": 3}


def test_partners_are_marked_as_demo_content(loaded):
    organisations = loaded.scalars(sa.select(Organisation)).all()
    assert {"caf", "msa", "pmi", "dreets", "association"} <= {o.kind for o in organisations}
    assert "CAF des Côtes-d’Armor" in {o.name for o in organisations}
    for organisation in organisations:
        assert "démonstration" in organisation.notes
        assert organisation.email.endswith("@demo.maillage.fr")
        assert organisation.contacts
        for contact in organisation.contacts:
            assert contact.email.endswith(("@example.org", "@demo.maillage.fr"))
            assert contact.network_id == organisation.network_id


def test_demo_accounts_hold_their_roles(loaded):
    network = loaded.scalar(sa.select(Network).where(Network.slug == "cotes-d-armor"))
    sbaa, lannion = tenant(loaded, "saint-brieuc-armor"), tenant(loaded, "lannion-tregor")
    plerin = loaded.scalar(sa.select(Commune).where(Commune.insee == "22187"))
    langueux = loaded.scalar(sa.select(Commune).where(Commune.insee == "22106"))

    for account in demo.ACCOUNTS:
        u = loaded.scalar(sa.select(User).where(User.email == account.email))
        assert u.full_name == account.full_name and u.is_active
        assert verify_password(u.password_hash, "maillage-demo")

    coordinator = user(loaded, "coordinatrice")
    assert [(r.network_id, r.role) for r in loaded.scalars(
        sa.select(NetworkRole).where(NetworkRole.user_id == coordinator.id))] == [
        (network.id, "network_coordinator")]
    assert roles_of(loaded, coordinator) == []

    (admin,) = roles_of(loaded, user(loaded, "admin.sbaa"))
    assert (admin.tenant_id, admin.role) == (sbaa.id, "tenant_admin")

    (desk,) = roles_of(loaded, user(loaded, "accueil.plerin"))
    assert (desk.tenant_id, desk.role, desk.commune_id) == (sbaa.id, "reception_agent", plerin.id)
    assert (desk.reception_point.kind, desk.reception_point.commune_id) == ("mairie", plerin.id)

    (animator,) = roles_of(loaded, user(loaded, "animatrice.rpe"))
    assert (animator.tenant_id, animator.role) == (sbaa.id, "rpe_animator")
    assert animator.relais.tenant_id == sbaa.id

    (elected,) = roles_of(loaded, user(loaded, "elu.langueux"))
    assert (elected.tenant_id, elected.role, elected.commune_id) == (
        sbaa.id, "elected_official", langueux.id)

    (other_admin,) = roles_of(loaded, user(loaded, "admin.lannion"))
    assert (other_admin.tenant_id, other_admin.role) == (lannion.id, "tenant_admin")

    platform = user(loaded, "admin")
    assert platform.is_platform_admin and roles_of(loaded, platform) == []
    assert not any(user(loaded, a.email.split("@")[0]).is_platform_admin
                   for a in demo.ACCOUNTS if a.email != "admin@demo.maillage.fr")


# --------------------------------------------------------------------------- once only

def test_second_load_creates_nothing(loaded):
    before = row_counts(loaded)

    assert demo.load() is False

    assert row_counts(loaded) == before


def test_load_over_an_earlier_import_forces_the_demo_slugs(session):
    cog_import.import_cog(demo.EPCI_FILE, demo.COMMUNES_FILE)
    assert tenant(session, "saint-brieuc-armor-agglomeration") is not None

    assert demo.load() is True

    assert tenant(session, "saint-brieuc-armor").siren == "200069409"
    assert tenant(session, "lannion-tregor").siren == "200065928"
    assert session.scalar(sa.select(sa.func.count()).select_from(Tenant)) == 11


def test_a_slug_held_by_another_tenant_stops_the_load_and_writes_nothing(session):
    cog_import.import_cog(demo.EPCI_FILE, demo.COMMUNES_FILE)
    factories.tenant("CA Homonyme", slug="saint-brieuc-armor")
    before = row_counts(session)

    with pytest.raises(demo.DemoDataError, match="déjà pris"):
        demo.load()

    assert row_counts(session) == before


def test_a_failure_midway_writes_nothing(session, monkeypatch):
    before = row_counts(session)

    def broken(*args):
        raise RuntimeError("panne simulée")

    monkeypatch.setattr(demo, "_partners", broken)
    with pytest.raises(RuntimeError):
        demo.load()

    assert row_counts(session) == before


def test_logins_text_lists_every_account():
    text = demo.logins_text()
    assert "maillage-demo" in text
    for account in demo.ACCOUNTS:
        assert account.email in text and account.full_name in text
    assert "administrateur de la plateforme" in text


def test_cli_loads_only_in_demo_mode(app, dbsession, monkeypatch):
    runner = app.test_cli_runner()
    monkeypatch.setitem(app.config, "DEMO_MODE", False)
    refused = runner.invoke(args=["demo", "load"])
    assert refused.exit_code == 1 and "MAILLAGE_DEMO=1" in refused.stderr

    monkeypatch.setitem(app.config, "DEMO_MODE", True)
    first = runner.invoke(args=["demo", "load"])
    second = runner.invoke(args=["demo", "load"])

    assert first.exit_code == 0, first.output
    assert "Données de démonstration chargées." in first.stdout
    assert "coordinatrice@demo.maillage.fr" in first.stdout
    assert second.exit_code == 0
    assert "déjà présentes" in second.stdout


# --------------------------------------------------------------------------- sign-in

@pytest.mark.parametrize("account", demo.ACCOUNTS, ids=lambda a: a.email.split("@")[0])
def test_demo_account_signs_in_and_lands_on_its_space(client, loaded, account):
    token = csrf_from(client.get("/connexion").get_data(as_text=True))

    response = client.post("/connexion", data={
        "csrf_token": token, "email": account.email, "password": demo.DEMO_PASSWORD})

    assert response.status_code == 302
    assert response.headers["Location"] == account.url
    landing = client.get(account.url)
    assert landing.status_code == 200, landing.get_data(as_text=True)[:500]
