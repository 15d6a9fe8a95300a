"""Platform administration: the development outbox and the audit log."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.core.models import MailMessage
from app.extensions import db
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
    return {"network_id": w["network"].id, "a_id": w["a"].id}


def test_outbox_lists_and_shows_the_invitation_mail(client, login, world, run_jobs):
    token = login("plateforme@example.org")
    empty = client.get("/admin/courriels").get_data(as_text=True)
    assert "Aucun courriel pour l’instant" in empty
    client.post(f"/admin/territoires/{world['a_id']}/inviter", data={
        "csrf_token": token, "email": "nouvel.admin@alpha.fr", "full_name": "Noé Nouvel"})
    run_jobs()
    listing = client.get("/admin/courriels").get_data(as_text=True)
    assert "nouvel.admin@alpha.fr" in listing
    assert "Maillage : invitation à rejoindre CA Alpha" in listing
    assert "Boîte d’envoi de développement" in listing
    with factories._unscoped():
        message_id = db.session.scalar(sa.select(MailMessage.id).where(
            MailMessage.to_address == "nouvel.admin@alpha.fr"))
    detail = client.get(f"/admin/courriels/{message_id}").get_data(as_text=True)
    assert '<pre class="mail">' in detail
    assert "Bonjour Noé Nouvel" in detail and "http://maillage.test/invitation/" in detail
    assert "nouvel.admin" in client.get("/admin/courriels?q=nouvel").get_data(as_text=True)
    assert "nouvel.admin" not in client.get("/admin/courriels?q=zzz").get_data(as_text=True)


def test_audit_log_lists_actions_with_filters(app, client, login, world):
    token = login("plateforme@example.org")
    failing = fresh_client(app)
    failed = failing.post("/connexion", data={
        "csrf_token": csrf_from(failing.get("/connexion").get_data(as_text=True)),
        "email": "admin.a@example.org", "password": "mauvais-mot-de-passe"})
    assert failed.status_code == 400
    client.post("/admin/reseaux/nouveau", data={"csrf_token": token, "name": "Réseau Journal",
                                                "slug": "journal"})
    client.post(f"/admin/territoires/{world['a_id']}/inviter", data={
        "csrf_token": token, "email": "journal@alpha.fr"})
    html = client.get("/admin/journal").get_data(as_text=True)
    assert "Réseau créé" in html and "<code>platform.network_created</code>" in html
    assert "Invitation créée (courriel mis en envoi)" in html and "journal@alpha.fr" in html
    assert "Connexion réussie" in html and "plateforme@example.org" in html
    assert "rôle : Administrateur·rice du territoire" in html

    logins = client.get("/admin/journal?action=login.").get_data(as_text=True)
    assert "Connexion réussie" in logins and "Réseau créé" not in logins
    assert "Échec de connexion" in logins and "identifiants incorrects" in logins
    alpha = client.get(f"/admin/journal?espace=t{world['a_id']}").get_data(as_text=True)
    assert "journal@alpha.fr" in alpha and "Réseau créé" not in alpha
    assert "<td>CA Alpha</td>" in alpha
    nowhere = client.get("/admin/journal?espace=none").get_data(as_text=True)
    assert "Connexion réussie" in nowhere and "journal@alpha.fr" not in nowhere
