"""Platform administration: who may open it, and every page answers."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.core.models import Invitation
from app.extensions import db
from app.networks.models import Network
from tests import factories
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
    return {"network_id": w["network"].id, "tenant_id": w["a"].id}


def admin_pages(world) -> list[str]:
    return ["/admin/", "/admin/reseaux", "/admin/reseaux/nouveau",
            f"/admin/reseaux/{world['network_id']}",
            f"/admin/reseaux/{world['network_id']}/territoires/{world['tenant_id']}/retirer",
            "/admin/territoires", "/admin/territoires/nouveau",
            f"/admin/territoires/{world['tenant_id']}", "/admin/courriels", "/admin/journal"]


def test_platform_admin_opens_every_page(client, login, world):
    login("plateforme@example.org")
    for url in admin_pages(world):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Administration de la plateforme" in response.get_data(as_text=True), url


def test_anonymous_visitor_is_sent_to_sign_in(client, world):
    for url in admin_pages(world):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/connexion"), url


@pytest.mark.parametrize("email", ["admin.a@example.org", "coord@example.org"])
def test_other_roles_get_404(client, login, world, email):
    token = login(email)
    for url in admin_pages(world):
        assert client.get(url).status_code == 404, url
    response = client.post("/admin/reseaux/nouveau", data={
        "csrf_token": token, "name": "Réseau pirate", "slug": "pirate"})
    assert response.status_code == 404
    response = client.post(f"/admin/territoires/{world['tenant_id']}/inviter", data={
        "csrf_token": token, "email": "intrus@example.org"})
    assert response.status_code == 404
    with factories._unscoped():
        assert db.session.scalar(select(func.count()).select_from(Network).where(
            Network.slug == "pirate")) == 0
        assert db.session.scalar(select(func.count()).select_from(Invitation)) == 0


def test_unknown_ids_are_404(client, login, world):
    token = login("plateforme@example.org")
    for url in ("/admin/reseaux/999999", "/admin/territoires/999999",
                "/admin/courriels/999999",
                f"/admin/reseaux/{world['network_id']}/territoires/999999/retirer"):
        assert client.get(url).status_code == 404, url
    assert client.post("/admin/reseaux/999999/inviter", data={
        "csrf_token": token, "email": "x@example.org"}).status_code == 404
