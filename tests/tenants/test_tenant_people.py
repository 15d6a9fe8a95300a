"""People of a tenant: invitations by e-mail, roles, disabled accounts."""

from __future__ import annotations

import contextlib
import re

import pytest
import sqlalchemy as sa

from app.core.models import AuditLog, Invitation, MailMessage, User, WebSession
from app.extensions import db
from app.tenants.models import TenantRole
from tests import factories
from tests.conftest import csrf_from


@pytest.fixture()
def world(dbsession):
    w = factories.two_tenants_world()
    dbsession.expunge_all()  # requests commit in this session: keep the test's values loaded
    return w


@pytest.fixture()
def admin(login, dbsession, world):
    """Signed in as a's administrator; returns a CSRF token (the commit keeps the session row
    safe from an error page's rollback: the test shares its session with the requests)."""
    token = login("admin.a@example.org")
    dbsession.commit()
    return token


@pytest.fixture()
def read(unscoped, dbsession):
    def run(stmt):
        dbsession.expire_all()
        with unscoped("test assertions"):
            return dbsession.execute(stmt).all()

    return run


def roles_of(read, user_id: int) -> set[str]:
    return {r[0] for r in read(sa.select(TenantRole.role).where(TenantRole.user_id == user_id))}


def audit_actions(read) -> list[str]:
    return [r[0] for r in read(sa.select(AuditLog.action).order_by(AuditLog.id))]


def member(world, email: str, role: str, **attach) -> int:
    """A person with a role in a, committed: a refused request's rollback must not undo it
    (the test shares its database session with the requests)."""
    user = factories.user(email)
    factories.tenant_role(user, world["a"], role, **attach)
    db.session.commit()
    return user.id


@contextlib.contextmanager
def visitor(app):
    """Requests made by someone else. They get their own app context, as in production:
    the test's context caches the signed-in user and the CSRF token in `g`. Its database
    session is committed (a savepoint release) so that closing it keeps what was written."""
    with app.app_context():
        yield
        db.session.commit()


# --------------------------------------------------------------------------- invitations

def test_invitation_end_to_end(app, client, admin, world, read, run_jobs):
    point = world["a_point"]
    response = client.post("/t/alpha/personnes/inviter", data={
        "csrf_token": admin, "email": "Nadia.Guichet@Example.org", "full_name": "Nadia Guichet",
        "role": "reception_agent", "reception_point_id": str(point.id),
        "relais_id": str(world["a_relais"].id)})
    assert response.status_code == 303
    people = client.get("/t/alpha/personnes").get_data(as_text=True)
    assert "Invitation enregistrée : envoi en cours à nadia.guichet@example.org" in people
    assert "Nadia Guichet" in people and "Révoquer" in people

    run_jobs()
    [(message,)] = read(sa.select(MailMessage).where(
        MailMessage.to_address == "nadia.guichet@example.org"))
    assert message.status == "outbox" and message.kind == "invitation"
    assert "CA Alpha" in message.subject
    token = re.search(r"http://maillage\.test/invitation/([A-Za-z0-9_-]+)", message.body_text)[1]

    client.post("/deconnexion", data={"csrf_token": admin})
    with visitor(app):
        page = client.get(f"/invitation/{token}")
        html = page.get_data(as_text=True)
        assert page.status_code == 200
        assert "Rejoindre CA Alpha" in html and "Agent d’accueil" in html
        response = client.post(f"/invitation/{token}", data={
            "csrf_token": csrf_from(html), "full_name": "Nadia Guichet",
            "password": "un-mot-de-passe-solide", "confirm": "un-mot-de-passe-solide"})
        assert response.status_code == 302
        assert response.headers["Location"].endswith("/t/alpha/")
    with visitor(app):
        home = client.get("/t/alpha/").get_data(as_text=True)
    assert f"Mon point d’accueil : {point.name}" in home
    assert world["a_relais"].name in home

    [(user_id,)] = read(sa.select(User.id).where(User.email == "nadia.guichet@example.org"))
    [(role,)] = read(sa.select(TenantRole).where(TenantRole.user_id == user_id))
    assert (role.tenant_id, role.role) == (world["a"].id, "reception_agent")
    assert (role.reception_point_id, role.relais_id) == (point.id, None)
    assert read(sa.select(Invitation.accepted_at))[0][0] is not None


def test_invite_validation_keeps_input_and_sends_nothing(client, admin, world, read):
    response = client.post("/t/alpha/personnes/inviter", data={
        "csrf_token": admin, "email": "pas-une-adresse", "full_name": "Jean Élu",
        "role": "elected_official", "commune_id": str(world["b_communes"][0].id)})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Adresse e-mail invalide" in html
    assert 'value="pas-une-adresse"' in html and 'value="Jean Élu"' in html
    assert '<option value="elected_official" selected>' in html
    # A commune of another tenant is refused on its field.
    response = client.post("/t/alpha/personnes/inviter", data={
        "csrf_token": admin, "email": "jean.elu@example.org", "full_name": "Jean Élu",
        "role": "elected_official", "commune_id": str(world["b_communes"][0].id)})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="f-commune_id-error">Choisissez une valeur dans la liste.' in html
    assert not read(sa.select(Invitation.id)) and not read(sa.select(MailMessage.id))


def test_invite_refuses_duplicates(client, admin, world, read):
    data = {"csrf_token": admin, "email": "admin.a@example.org", "full_name": "Moi",
            "role": "tenant_admin"}
    response = client.post("/t/alpha/personnes/inviter", data=data)
    assert response.status_code == 400
    assert "Cette personne a déjà ce rôle" in response.get_data(as_text=True)
    data.update(email="nouvelle@example.org", role="rpe_animator")
    assert client.post("/t/alpha/personnes/inviter", data=data).status_code == 303
    response = client.post("/t/alpha/personnes/inviter", data=data)
    assert response.status_code == 400
    assert "attend déjà une réponse" in response.get_data(as_text=True)
    assert len(read(sa.select(Invitation.id))) == 1


def test_revoked_invitation_link_no_longer_works(app, client, admin, world, read, run_jobs):
    client.post("/t/alpha/personnes/inviter", data={
        "csrf_token": admin, "email": "revoquee@example.org", "full_name": "Révoquée",
        "role": "rpe_animator"})
    run_jobs()
    body = read(sa.select(MailMessage.body_text))[0][0]
    token = re.search(r"/invitation/([A-Za-z0-9_-]+)", body)[1]
    [(invitation_id,)] = read(sa.select(Invitation.id))
    response = client.post(f"/t/alpha/invitations/{invitation_id}/revoquer",
                           data={"csrf_token": admin})
    assert response.status_code == 303
    assert read(sa.select(Invitation.revoked_at))[0][0] is not None
    assert "invitation.revoked" in audit_actions(read)
    people = client.get("/t/alpha/personnes").get_data(as_text=True)
    assert "est révoquée" in people and "Aucune invitation en attente" in people
    again = client.post(f"/t/alpha/invitations/{invitation_id}/revoquer",
                        data={"csrf_token": admin}, follow_redirects=True)
    assert "déjà révoquée" in again.get_data(as_text=True)
    client.post("/deconnexion", data={"csrf_token": admin})
    with visitor(app):
        assert client.get(f"/invitation/{token}").status_code == 410


# --------------------------------------------------------------------------- roles

def test_people_list_shows_roles_attachments_and_status(client, admin, world):
    member(world, "agent@example.org", "reception_agent", reception_point_id=world["a_point"].id)
    gone = factories.user("parti@example.org", "Parti Ailleurs", active=False)
    factories.tenant_role(gone, world["a"], "elected_official")
    db.session.commit()
    html = client.get("/t/alpha/personnes").get_data(as_text=True)
    assert f"Agent d’accueil — {world['a_point'].name}" in html
    assert "Administrateur·rice du territoire" in html
    assert "Désactivé" in html and "Actif" in html
    assert "admin.b@example.org" not in html
    found = client.get("/t/alpha/personnes?q=parti").get_data(as_text=True)
    assert "Parti Ailleurs" in found and "agent@example.org" not in found


def test_role_is_added_with_its_attachment(client, admin, world, read):
    user_id = member(world, "agent@example.org", "reception_agent")
    relais = world["a_relais"]
    response = client.post(f"/t/alpha/personnes/{user_id}/roles", data={
        "csrf_token": admin, "role": "rpe_animator", "relais_id": str(relais.id),
        "commune_id": str(world["a_communes"][0].id)})
    assert response.status_code == 303
    [(role,)] = read(sa.select(TenantRole).where(TenantRole.user_id == user_id,
                                                 TenantRole.role == "rpe_animator"))
    assert (role.relais_id, role.commune_id) == (relais.id, None)
    assert "role.granted" in audit_actions(read)
    page = client.get(f"/t/alpha/personnes/{user_id}").get_data(as_text=True)
    assert f"Relais : {relais.name}" in page
    assert '<option value="rpe_animator"' not in page  # already held: not offered again


def test_role_add_refusals_keep_the_page(client, admin, world, read):
    user_id = member(world, "agent@example.org", "reception_agent")
    response = client.post(f"/t/alpha/personnes/{user_id}/roles", data={
        "csrf_token": admin, "role": "reception_agent"})
    assert response.status_code == 400
    assert "Cette personne a déjà ce rôle" in response.get_data(as_text=True)
    response = client.post(f"/t/alpha/personnes/{user_id}/roles", data={
        "csrf_token": admin, "role": "rpe_animator", "relais_id": str(world["b_relais"].id)})
    assert response.status_code == 400
    assert roles_of(read, user_id) == {"reception_agent"}


def test_role_is_removed_and_last_admin_is_protected(client, admin, world, read):
    admin_id = world["a_admin"].id
    [(admin_role_id,)] = read(sa.select(TenantRole.id).where(TenantRole.user_id == admin_id))
    response = client.post(f"/t/alpha/personnes/{admin_id}/roles/{admin_role_id}/retirer",
                           data={"csrf_token": admin}, follow_redirects=True)
    assert "C’est le dernier administrateur ou la dernière administratrice" in \
        response.get_data(as_text=True)
    assert roles_of(read, admin_id) == {"tenant_admin"}

    member(world, "autre.admin@example.org", "tenant_admin")
    agent_id = member(world, "agent@example.org", "reception_agent")
    [(agent_role_id,)] = read(sa.select(TenantRole.id).where(TenantRole.user_id == agent_id))
    response = client.post(f"/t/alpha/personnes/{agent_id}/roles/{agent_role_id}/retirer",
                           data={"csrf_token": admin})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/t/alpha/personnes")  # no role left here
    assert roles_of(read, agent_id) == set()
    assert "role.removed" in audit_actions(read)
    assert client.get(f"/t/alpha/personnes/{agent_id}").status_code == 404

    # With another active admin, the admin may step down; they land on their home page.
    response = client.post(f"/t/alpha/personnes/{admin_id}/roles/{admin_role_id}/retirer",
                           data={"csrf_token": admin})
    assert response.status_code == 303 and response.headers["Location"].endswith("/t/alpha/")
    assert roles_of(read, admin_id) == set()


def test_last_admin_check_ignores_disabled_admins(client, admin, world, read):
    sleeping = factories.user("dormant@example.org", active=False)
    factories.tenant_role(sleeping, world["a"], "tenant_admin")
    db.session.commit()
    admin_id = world["a_admin"].id
    [(role_id,)] = read(sa.select(TenantRole.id).where(TenantRole.user_id == admin_id))
    client.post(f"/t/alpha/personnes/{admin_id}/roles/{role_id}/retirer",
                data={"csrf_token": admin})
    assert roles_of(read, admin_id) == {"tenant_admin"}


# --------------------------------------------------------------------------- accounts

def test_disabled_account_is_signed_out_and_cannot_sign_in(app, client, admin, world, read):
    agent_id = member(world, "agent@example.org", "reception_agent")
    other = app.test_client()
    with visitor(app):
        page = other.get("/connexion").get_data(as_text=True)
        assert other.post("/connexion", data={"csrf_token": csrf_from(page),
                                              "email": "agent@example.org",
                                              "password": factories.PASSWORD}).status_code == 302
    with visitor(app):
        assert other.get("/t/alpha/").status_code == 200
    assert read(sa.select(WebSession.id).where(WebSession.user_id == agent_id))

    confirm = client.get(f"/t/alpha/personnes/{agent_id}/desactiver").get_data(as_text=True)
    assert "ne pourra plus se connecter" in confirm
    response = client.post(f"/t/alpha/personnes/{agent_id}/desactiver",
                           data={"csrf_token": admin})
    assert response.status_code == 303
    assert read(sa.select(User.is_active).where(User.id == agent_id))[0][0] is False
    assert not read(sa.select(WebSession.id).where(WebSession.user_id == agent_id))
    assert "account.disabled" in audit_actions(read)
    with visitor(app):
        assert other.get("/t/alpha/").status_code == 302  # back to the sign-in page
    with visitor(app):
        page = other.get("/connexion").get_data(as_text=True)
        response = other.post("/connexion", data={"csrf_token": csrf_from(page),
                                                  "email": "agent@example.org",
                                                  "password": factories.PASSWORD})
        assert response.status_code == 400
    listing = client.get("/t/alpha/personnes").get_data(as_text=True)
    assert "Désactivé" in listing

    response = client.post(f"/t/alpha/personnes/{agent_id}/reactiver",
                           data={"csrf_token": admin})
    assert response.status_code == 303
    assert read(sa.select(User.is_active).where(User.id == agent_id))[0][0] is True
    assert "account.enabled" in audit_actions(read)


def test_disable_refused_for_self_and_for_people_with_roles_elsewhere(client, admin, world,
                                                                      read):
    admin_id = world["a_admin"].id
    page = client.get(f"/t/alpha/personnes/{admin_id}/desactiver").get_data(as_text=True)
    assert "Vous ne pouvez pas désactiver votre propre compte." in page
    assert "Désactiver le compte</button>" not in page
    client.post(f"/t/alpha/personnes/{admin_id}/desactiver", data={"csrf_token": admin})
    assert read(sa.select(User.is_active).where(User.id == admin_id))[0][0] is True

    shared = factories.user("partage@example.org")
    shared_id = shared.id
    factories.tenant_role(shared, world["a"], "elected_official")
    factories.tenant_role(shared, world["b"], "elected_official")
    coordinator_id = world["coordinator"].id
    factories.tenant_role(world["coordinator"], world["a"], "rpe_animator")
    db.session.commit()
    for user_id in (shared_id, coordinator_id):
        page = client.get(f"/t/alpha/personnes/{user_id}/desactiver").get_data(as_text=True)
        assert "a aussi des rôles dans d’autres territoires ou réseaux" in page
        assert "Retirez plutôt ses rôles dans ce territoire." in page
        response = client.post(f"/t/alpha/personnes/{user_id}/desactiver",
                               data={"csrf_token": admin}, follow_redirects=True)
        assert "a aussi des rôles dans d’autres territoires" in response.get_data(as_text=True)
        assert read(sa.select(User.is_active).where(User.id == user_id))[0][0] is True
    assert "account.disabled" not in audit_actions(read)
