"""Platform administration of networks: creation, membership, first coordinator."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from app.core.models import AuditLog, Invitation, MailMessage
from app.extensions import db
from app.networks.models import Network, NetworkTenant
from tests import factories
from tests.conftest import csrf_from
from tests.networks.test_network_space import fresh_client, make_login


@pytest.fixture()
def client(app, dbsession):
    return fresh_client(app)


@pytest.fixture()
def login(client, dbsession):
    return make_login(client, dbsession)


@pytest.fixture()
def world(dbsession):
    w = factories.two_tenants_world()
    factories.user("plateforme@example.org", "Paule Plateforme", platform_admin=True)
    return {"network_id": w["network"].id, "a_id": w["a"].id, "b_id": w["b"].id}


def network_by_slug(slug: str) -> Network | None:
    with factories._unscoped():
        return db.session.scalar(sa.select(Network).where(Network.slug == slug)
                                 .execution_options(populate_existing=True))


def members_of(network_id: int) -> set[int]:
    with factories._unscoped():
        return set(db.session.scalars(sa.select(NetworkTenant.tenant_id).where(
            NetworkTenant.network_id == network_id)))


def test_create_network_validates_then_creates(client, login, world):
    token = login("plateforme@example.org")
    bad = client.post("/admin/reseaux/nouveau", data={
        "csrf_token": token, "name": "Réseau des Côtes-d’Armor", "slug": "Côtes d'Armor",
        "coordinator_org": "CAF 22", "departement": "220"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400
    assert "Seulement des lettres minuscules" in html and "Code de département invalide" in html
    assert 'value="Réseau des Côtes-d’Armor"' in html and 'value="CAF 22"' in html
    taken = client.post("/admin/reseaux/nouveau", data={
        "csrf_token": token, "name": "Doublon", "slug": "reseau-test"})
    assert taken.status_code == 400 and "déjà pris" in taken.get_data(as_text=True)
    with factories._unscoped():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Network)) == 1
    good = client.post("/admin/reseaux/nouveau", data={
        "csrf_token": token, "name": "Réseau des Côtes-d’Armor", "slug": "cotes-d-armor",
        "coordinator_org": "CAF des Côtes-d’Armor", "departement": "22"})
    assert good.status_code == 302
    created = network_by_slug("cotes-d-armor")
    assert good.headers["Location"] == f"/admin/reseaux/{created.id}"
    assert created.departement == "22" and created.coordinator_org == "CAF des Côtes-d’Armor"
    with factories._unscoped():
        entry = db.session.scalar(sa.select(AuditLog).where(
            AuditLog.action == "platform.network_created"))
    assert entry.network_id == created.id and entry.actor_email == "plateforme@example.org"
    listing = client.get("/admin/reseaux").get_data(as_text=True)
    assert "Réseau des Côtes-d’Armor" in listing and "Réseau Test" in listing


def test_edit_network_refuses_a_taken_slug(client, login, world):
    other = factories.network("Réseau Autre", "autre").id
    token = login("plateforme@example.org")
    url = f"/admin/reseaux/{other}"
    bad = client.post(url, data={"csrf_token": token, "name": "Réseau Autre renommé",
                                 "slug": "reseau-test"})
    assert bad.status_code == 400 and 'value="Réseau Autre renommé"' in bad.get_data(
        as_text=True)
    assert network_by_slug("autre").name == "Réseau Autre"
    ok = client.post(url, data={"csrf_token": token, "name": "Réseau Autre renommé",
                                "slug": "autre", "description": "Sud du département"})
    assert ok.status_code == 302
    assert network_by_slug("autre").description == "Sud du département"


def test_add_and_remove_member_tenants(client, login, world):
    gamma_id = factories.tenant("CC Gamma", "gamma").id
    net_id = factories.network("Réseau Neuf", "neuf").id
    token = login("plateforme@example.org")
    url = f"/admin/reseaux/{net_id}"
    page = client.get(url).get_data(as_text=True)
    assert f'<option value="{gamma_id}">CC Gamma' in page
    for tenant_id in (world["a_id"], gamma_id):
        response = client.post(url + "/territoires", data={"csrf_token": token,
                                                            "tenant_id": tenant_id})
        assert response.status_code == 302
    assert members_of(net_id) == {world["a_id"], gamma_id}
    page = client.get(url).get_data(as_text=True)
    assert f'<option value="{gamma_id}">' not in page and "CA Alpha" in page
    again = client.post(url + "/territoires", data={"csrf_token": token,
                                                     "tenant_id": gamma_id})
    assert again.status_code == 400 and "déjà membre" in again.get_data(as_text=True)
    missing = client.post(url + "/territoires", data={"csrf_token": token, "tenant_id": ""})
    assert missing.status_code == 400
    assert members_of(net_id) == {world["a_id"], gamma_id}

    remove_url = f"{url}/territoires/{gamma_id}/retirer"
    assert "Confirmer le retrait" in client.get(remove_url).get_data(as_text=True)
    assert client.post(remove_url, data={"csrf_token": token}).status_code == 302
    assert members_of(net_id) == {world["a_id"]}
    # A tenant that is not a member has no removal page.
    assert client.get(remove_url).status_code == 404
    with factories._unscoped():
        actions = set(db.session.scalars(sa.select(AuditLog.action).where(
            AuditLog.network_id == net_id)))
    assert {"platform.network_tenant_added", "platform.network_tenant_removed"} <= actions


def test_members_added_by_the_platform_appear_in_the_network_space(app, client, login, world):
    gamma = factories.tenant("CC Gamma", "gamma")
    factories.commune(gamma, "Plérin")
    gamma_id = gamma.id
    token = login("plateforme@example.org")
    client.post(f"/admin/reseaux/{world['network_id']}/territoires",
                data={"csrf_token": token, "tenant_id": gamma_id})
    coordinator = fresh_client(app)
    make_login(coordinator, db.session)("coord@example.org")
    html = coordinator.get("/n/reseau-test/territoires").get_data(as_text=True)
    assert "CC Gamma" in html
    assert "Plérin" in coordinator.get(f"/n/reseau-test/territoires/{gamma_id}").get_data(
        as_text=True)


def test_invite_first_coordinator(app, client, login, world, run_jobs):
    net_id = factories.network("Réseau Neuf", "neuf").id
    token = login("plateforme@example.org")
    bad = client.post(f"/admin/reseaux/{net_id}/inviter", data={
        "csrf_token": token, "email": "faux", "full_name": "Claire Caf"})
    assert bad.status_code == 400 and 'value="Claire Caf"' in bad.get_data(as_text=True)
    ok = client.post(f"/admin/reseaux/{net_id}/inviter", data={
        "csrf_token": token, "email": "claire@caf22.fr", "full_name": "Claire Caf"})
    assert ok.status_code == 302
    run_jobs()
    with factories._unscoped():
        invitation = db.session.scalar(sa.select(Invitation).where(
            Invitation.email == "claire@caf22.fr"))
        message = db.session.scalar(sa.select(MailMessage).where(
            MailMessage.to_address == "claire@caf22.fr"))
    assert invitation.network_id == net_id and invitation.role == "network_coordinator"
    assert message.status == "outbox"
    assert "claire@caf22.fr" in client.get(f"/admin/reseaux/{net_id}").get_data(as_text=True)
    link = re.search(r"http://maillage\.test(/invitation/[\w-]+)", message.body_text).group(1)
    guest = fresh_client(app)
    page = guest.get(link).get_data(as_text=True)
    accepted = guest.post(link, data={
        "csrf_token": csrf_from(page), "full_name": "Claire Caf",
        "password": "un-mot-de-passe-solide", "confirm": "un-mot-de-passe-solide"})
    assert accepted.status_code == 302 and accepted.headers["Location"] == "/n/neuf/"
    assert guest.get("/n/neuf/coordination").status_code == 200
