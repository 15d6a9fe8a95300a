"""Platform administration of tenants: list, creation, edition, first administrator."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from app.core.models import AuditLog, Invitation, MailMessage
from app.extensions import db
from app.tenants.models import Tenant, TenantRole
from tests import factories
from tests.conftest import csrf_from
from tests.networks.test_network_space import fresh_client, make_login

NEW = "/admin/territoires/nouveau"


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
    return {"network_id": w["network"].id, "a_id": w["a"].id}


def tenant_count() -> int:
    with factories._unscoped():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Tenant))


def tenant(tenant_id: int) -> Tenant:
    with factories._unscoped():
        return db.session.scalar(sa.select(Tenant).where(Tenant.id == tenant_id)
                                 .execution_options(populate_existing=True))


def test_list_search_and_pagination(client, login, world):
    for i in range(30):
        factories.tenant(f"CC du Lot {i:02d}", f"lot-{i:02d}")
    login("plateforme@example.org")
    first = client.get("/admin/territoires").get_data(as_text=True)
    assert "Page 1 sur 2" in first and "flask geo import" in first
    found = client.get("/admin/territoires?q=alpha").get_data(as_text=True)
    assert "CA Alpha" in found and "CC du Lot" not in found
    fragment = client.get("/admin/territoires?q=lot-07", headers={"HX-Request": "true"})
    assert "<html" not in fragment.get_data(as_text=True)
    assert "CC du Lot 07" in fragment.get_data(as_text=True)


def test_create_tenant_validates_and_writes_nothing_on_error(client, login, world):
    token = login("plateforme@example.org")
    before = tenant_count()
    bad = client.post(NEW, data={"csrf_token": token, "name": "CA Saint-Brieuc Armor",
                                 "siren": "20006940", "slug": "saint-brieuc", "kind": "CA"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "9 chiffres" in html
    assert 'value="CA Saint-Brieuc Armor"' in html and 'value="20006940"' in html
    duplicate = client.post(NEW, data={"csrf_token": token, "name": "CA Saint-Brieuc Armor",
                                       "siren": "200069409", "slug": "alpha", "kind": "CA"})
    assert duplicate.status_code == 400
    assert "Cet identifiant d’adresse est déjà pris" in duplicate.get_data(as_text=True)
    with factories._unscoped():
        siren = db.session.scalar(sa.select(Tenant.siren).where(Tenant.slug == "alpha"))
    same_siren = client.post(NEW, data={"csrf_token": token, "name": "Autre", "siren": siren,
                                        "slug": "autre", "kind": "CC"})
    assert same_siren.status_code == 400
    assert "existe déjà avec ce SIREN" in same_siren.get_data(as_text=True)
    assert tenant_count() == before

    good = client.post(NEW, data={"csrf_token": token, "name": "CA Saint-Brieuc Armor",
                                  "siren": "200 069 409", "slug": "saint-brieuc", "kind": "CA"})
    assert good.status_code == 302
    assert tenant_count() == before + 1
    with factories._unscoped():
        created = db.session.scalar(sa.select(Tenant).where(Tenant.slug == "saint-brieuc"))
        entry = db.session.scalar(sa.select(AuditLog).where(
            AuditLog.action == "platform.tenant_created"))
    assert created.siren == "200069409" and created.kind == "CA"
    assert entry.tenant_id == created.id


def test_edit_tenant(client, login, world):
    token = login("plateforme@example.org")
    url = f"/admin/territoires/{world['a_id']}"
    page = client.get(url).get_data(as_text=True)
    assert "Réseau Test" in page and "admin.a@example.org" in page
    bad = client.post(url, data={"csrf_token": token, "name": "CA Alpha renommée",
                                 "slug": "beta", "is_active": "on"})
    assert bad.status_code == 400 and 'value="CA Alpha renommée"' in bad.get_data(as_text=True)
    assert tenant(world["a_id"]).name == "CA Alpha"
    ok = client.post(url, data={"csrf_token": token, "name": "CA Alpha renommée",
                                "slug": "alpha"})
    assert ok.status_code == 302
    changed = tenant(world["a_id"])
    assert changed.name == "CA Alpha renommée" and changed.is_active is False
    # A deactivated tenant's space is closed.
    assert client.get("/t/alpha/").status_code == 404


def test_invite_first_tenant_admin_end_to_end(app, client, login, world, run_jobs):
    gamma_id = factories.tenant("CC Gamma", "gamma").id
    token = login("plateforme@example.org")
    url = f"/admin/territoires/{gamma_id}"
    assert "Personne n’administre encore ce territoire" in client.get(url).get_data(
        as_text=True)
    bad = client.post(url + "/inviter", data={"csrf_token": token, "email": "",
                                              "full_name": "Gaëlle Gamma"})
    assert bad.status_code == 400 and 'value="Gaëlle Gamma"' in bad.get_data(as_text=True)
    ok = client.post(url + "/inviter", data={"csrf_token": token,
                                             "email": "gaelle@gamma.fr",
                                             "full_name": "Gaëlle Gamma"})
    assert ok.status_code == 302
    twice = client.post(url + "/inviter", data={"csrf_token": token,
                                                "email": "gaelle@gamma.fr"})
    assert twice.status_code == 400 and "déjà en attente" in twice.get_data(as_text=True)
    run_jobs()
    with factories._unscoped():
        invitation = db.session.scalar(sa.select(Invitation).where(
            Invitation.email == "gaelle@gamma.fr"))
        message = db.session.scalar(sa.select(MailMessage).where(
            MailMessage.to_address == "gaelle@gamma.fr"))
    assert invitation.tenant_id == gamma_id and invitation.role == "tenant_admin"
    assert message.status == "outbox" and "CC Gamma" in message.subject
    link = re.search(r"http://maillage\.test(/invitation/[\w-]+)", message.body_text).group(1)

    guest = fresh_client(app)
    page = guest.get(link).get_data(as_text=True)
    assert "Administrateur·rice du territoire" in page
    accepted = guest.post(link, data={
        "csrf_token": csrf_from(page), "full_name": "Gaëlle Gamma",
        "password": "un-mot-de-passe-solide", "confirm": "un-mot-de-passe-solide"})
    assert accepted.status_code == 302 and accepted.headers["Location"] == "/t/gamma/"
    assert guest.get("/t/gamma/").status_code == 200
    assert guest.get("/t/alpha/").status_code == 404
    with factories._unscoped():
        assert db.session.scalar(sa.select(TenantRole.role).where(
            TenantRole.tenant_id == gamma_id)) == "tenant_admin"
    assert "gaelle@gamma.fr" in client.get(url).get_data(as_text=True).split(
        "Administration du territoire")[1]
