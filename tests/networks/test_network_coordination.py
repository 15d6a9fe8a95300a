"""Network coordination: coordinators, invitations, last-coordinator protection."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from app.core.models import AuditLog, Invitation, MailMessage, User
from app.extensions import db
from app.networks.models import Network, NetworkRole
from tests import factories
from tests.conftest import csrf_from
from tests.networks.test_network_space import build_world, fresh_client, make_login, snapshot

INVITE_URL = "/n/reseau-test/coordination/inviter"


@pytest.fixture()
def world(dbsession):
    return snapshot(build_world())


@pytest.fixture()
def client(app, dbsession):
    return fresh_client(app)


@pytest.fixture()
def login(client, dbsession):
    return make_login(client, dbsession)


def roles_of(network_id: int) -> set[str]:
    with factories._unscoped():
        return set(db.session.scalars(
            sa.select(User.email).join(NetworkRole, NetworkRole.user_id == User.id)
            .where(NetworkRole.network_id == network_id)
            .execution_options(populate_existing=True)))


def invitation_row(invitation_id: int) -> Invitation:
    with factories._unscoped():
        return db.session.scalar(sa.select(Invitation).where(Invitation.id == invitation_id)
                                 .execution_options(populate_existing=True))


def test_coordination_page_lists_own_coordinators_and_invitations(client, login, world):
    login("coord@example.org")
    client.post(INVITE_URL, data={"csrf_token": csrf_from(client.get(INVITE_URL).get_data(
        as_text=True)), "email": "nouvelle@caf22.fr", "full_name": "Nina Nouvelle"})
    html = client.get("/n/reseau-test/coordination").get_data(as_text=True)
    assert "coord@example.org" in html and "nouvelle@caf22.fr" in html
    assert "coord2@example.org" not in html and "attente@deux.fr" not in html


def test_invitation_end_to_end(app, client, login, world, run_jobs):
    token = login("coord@example.org")
    response = client.post(INVITE_URL, data={
        "csrf_token": token, "email": "Lea.Martin@CAF22.fr", "full_name": "Léa Martin"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/n/reseau-test/coordination")
    run_jobs()
    with factories._unscoped():
        message = db.session.scalar(sa.select(MailMessage).where(
            MailMessage.to_address == "lea.martin@caf22.fr"))
        sent = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "invitation.sent"))
    assert message.status == "outbox" and "Réseau Test" in message.subject
    assert sent.network_id == world["network_id"] and sent.actor_email == "coord@example.org"
    link = re.search(r"http://maillage\.test(/invitation/[\w-]+)", message.body_text).group(1)

    guest = fresh_client(app)
    page = guest.get(link)
    assert page.status_code == 200 and "Coordinateur·rice de réseau" in page.get_data(
        as_text=True)
    accepted = guest.post(link, data={
        "csrf_token": csrf_from(page.get_data(as_text=True)), "full_name": "Léa Martin",
        "password": "un-mot-de-passe-solide", "confirm": "un-mot-de-passe-solide"})
    assert accepted.status_code == 302
    assert accepted.headers["Location"] == "/n/reseau-test/"
    home = guest.get("/n/reseau-test/")
    assert home.status_code == 200 and "Réseau Test" in home.get_data(as_text=True)
    assert "lea.martin@caf22.fr" in roles_of(world["network_id"])
    assert guest.get("/n/reseau-deux/").status_code == 404


def test_invitation_form_errors_keep_the_input(client, login, world):
    token = login("coord@example.org")
    response = client.post(INVITE_URL, data={"csrf_token": token, "email": "pas-une-adresse",
                                             "full_name": "Sam Saisie"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Adresse e-mail invalide" in html and 'value="Sam Saisie"' in html
    already = client.post(INVITE_URL, data={"csrf_token": token, "email": "coord@example.org"})
    assert already.status_code == 400
    assert "coordonne déjà ce réseau" in already.get_data(as_text=True)
    assert client.post(INVITE_URL, data={"csrf_token": token,
                                         "email": "deux@caf22.fr"}).status_code == 302
    twice = client.post(INVITE_URL, data={"csrf_token": token, "email": "deux@caf22.fr"})
    assert twice.status_code == 400 and "déjà en attente" in twice.get_data(as_text=True)
    with factories._unscoped():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation).where(
            Invitation.network_id == world["network_id"])) == 1


def test_last_coordinator_cannot_be_removed(client, login, world):
    token = login("coord@example.org")
    with factories._unscoped():
        role_id = db.session.scalar(sa.select(NetworkRole.id).where(
            NetworkRole.network_id == world["network_id"]))
    url = f"/n/reseau-test/coordination/{role_id}/retirer"
    page = client.get(url).get_data(as_text=True)
    assert "toujours au moins un·e coordinateur·rice" in page
    response = client.post(url, data={"csrf_token": token})
    assert response.status_code == 400
    assert "dernière personne" in response.get_data(as_text=True)
    assert roles_of(world["network_id"]) == {"coord@example.org"}


def test_a_coordinator_removes_another_and_it_is_audited(client, login, world):
    with factories._unscoped():
        net = db.session.get(Network, world["network_id"])
    other = factories.user("second@caf22.fr", "Sacha Second")
    role = factories.network_role(other, net)
    role_id = role.id
    token = login("coord@example.org")
    url = f"/n/reseau-test/coordination/{role_id}/retirer"
    assert "Confirmer le retrait" in client.get(url).get_data(as_text=True)
    response = client.post(url, data={"csrf_token": token})
    assert response.status_code == 302
    assert roles_of(world["network_id"]) == {"coord@example.org"}
    with factories._unscoped():
        entry = db.session.scalar(sa.select(AuditLog).where(
            AuditLog.action == "network_role.removed"))
    assert entry.target == "second@caf22.fr" and entry.network_id == world["network_id"]


def test_revoking_an_invitation(client, login, world):
    token = login("coord@example.org")
    client.post(INVITE_URL, data={"csrf_token": token, "email": "revoque@caf22.fr"})
    with factories._unscoped():
        invitation_id = db.session.scalar(sa.select(Invitation.id).where(
            Invitation.email == "revoque@caf22.fr"))
    response = client.post(f"/n/reseau-test/invitations/{invitation_id}/revoquer",
                           data={"csrf_token": token})
    assert response.status_code == 302
    assert invitation_row(invitation_id).revoked_at is not None
    page = client.get("/n/reseau-test/coordination").get_data(as_text=True)
    assert "revoque@caf22.fr" not in page.split("Invitations en attente")[1]


def test_ids_of_another_network_are_404_and_change_nothing(client, login, world):
    token = login("coord@example.org")
    role_url = f"/n/reseau-test/coordination/{world['role2_id']}/retirer"
    assert client.get(role_url).status_code == 404
    assert client.post(role_url, data={"csrf_token": token}).status_code == 404
    revoke_url = f"/n/reseau-test/invitations/{world['invitation2_id']}/revoquer"
    assert client.post(revoke_url, data={"csrf_token": token}).status_code == 404
    assert roles_of(world["network2_id"]) == {"coord2@example.org"}
    assert invitation_row(world["invitation2_id"]).revoked_at is None
    # The other network's own URLs are closed too.
    assert client.post(f"/n/reseau-deux/invitations/{world['invitation2_id']}/revoquer",
                       data={"csrf_token": token}).status_code == 404
    assert invitation_row(world["invitation2_id"]).revoked_at is None
