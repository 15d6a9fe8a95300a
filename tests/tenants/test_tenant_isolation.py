"""Cross-tenant isolation of the tenant space: another tenant's ids give 404, for GET and
POST alike, lists show the current tenant's rows only, and a refused write changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.core.models import AuditLog, Invitation, MailMessage, User
from app.tenants.models import Commune, ReceptionPoint, Relais, RelaisCommune, TenantRole
from tests import factories


@pytest.fixture()
def world(dbsession, unscoped):
    w = factories.two_tenants_world()
    agent_b = factories.user("agent.b@example.org", "Bérénice Beta")
    factories.tenant_role(agent_b, w["b"], "reception_agent",
                          reception_point_id=w["b_point"].id)
    w["b_agent"] = agent_b
    with unscoped():
        invitation = Invitation(tenant_id=w["b"].id, email="invitee.b@example.org",
                                full_name="Invitée Bêta", role="elected_official",
                                token_hash="b" * 64,
                                expires_at=datetime.now(UTC) + timedelta(days=3))
        dbsession.add(invitation)
        dbsession.flush()
        w["b_invitation"] = invitation
        w["b_admin_role"] = dbsession.scalar(sa.select(TenantRole).where(
            TenantRole.user_id == w["b_admin"].id))
    dbsession.expunge_all()  # requests commit in this session: keep the test's values loaded
    return w


@pytest.fixture()
def admin(login, dbsession, world):
    token = login("admin.a@example.org")
    dbsession.commit()  # an error page's rollback must not undo the session row
    return token


def snapshot(dbsession, unscoped) -> dict:
    """Every row of tenant b that a request could touch, plus the global side effects."""
    dbsession.expire_all()
    with unscoped("isolation snapshot"):
        def rows(stmt):
            return [tuple(r) for r in dbsession.execute(stmt).all()]

        return {
            "communes": rows(sa.select(Commune.id, Commune.name, Commune.desk_phone,
                                       Commune.desk_hours, Commune.tenant_id)
                             .order_by(Commune.id)),
            "relais": rows(sa.select(Relais.id, Relais.name, Relais.email, Relais.tenant_id)
                           .order_by(Relais.id)),
            "coverage": rows(sa.select(RelaisCommune.relais_id, RelaisCommune.commune_id)
                             .order_by(RelaisCommune.relais_id, RelaisCommune.commune_id)),
            "points": rows(sa.select(ReceptionPoint.id, ReceptionPoint.name,
                                     ReceptionPoint.kind, ReceptionPoint.commune_id)
                           .order_by(ReceptionPoint.id)),
            "roles": rows(sa.select(TenantRole.id, TenantRole.user_id, TenantRole.role,
                                    TenantRole.tenant_id, TenantRole.relais_id)
                          .order_by(TenantRole.id)),
            "users": rows(sa.select(User.id, User.is_active).order_by(User.id)),
            "invitations": rows(sa.select(Invitation.id, Invitation.revoked_at,
                                          Invitation.accepted_at).order_by(Invitation.id)),
            "mails": rows(sa.select(MailMessage.id)),
            "audit": rows(sa.select(AuditLog.action).where(
                AuditLog.action.notlike("login.%"))),
        }


def b_routes(w) -> list[tuple[str, str, dict]]:
    """(method, url, form) for every tenant route, with ids of b's objects."""
    commune, relais, point = w["b_communes"][0], w["b_relais"], w["b_point"]
    user, role, invitation = w["b_admin"], w["b_admin_role"], w["b_invitation"]
    a_commune = w["a_communes"][0]
    person = f"/t/alpha/personnes/{user.id}"
    relais_form = {"name": "Pris", "communes": [str(a_commune.id)]}
    point_form = {"name": "Pris", "kind": "mairie"}
    return [
        ("GET", f"/t/alpha/communes/{commune.id}", {}),
        ("POST", f"/t/alpha/communes/{commune.id}", {"desk_phone": "01 00 00 00 00"}),
        ("GET", f"/t/alpha/relais/{relais.id}", {}),
        ("POST", f"/t/alpha/relais/{relais.id}", relais_form),
        ("GET", f"/t/alpha/relais/{relais.id}/supprimer", {}),
        ("POST", f"/t/alpha/relais/{relais.id}/supprimer", {}),
        ("GET", f"/t/alpha/points-accueil/{point.id}", {}),
        ("POST", f"/t/alpha/points-accueil/{point.id}", point_form),
        ("GET", f"/t/alpha/points-accueil/{point.id}/supprimer", {}),
        ("POST", f"/t/alpha/points-accueil/{point.id}/supprimer", {}),
        ("GET", person, {}),
        ("POST", f"{person}/roles", {"role": "rpe_animator"}),
        ("POST", f"{person}/roles/{role.id}/retirer", {}),
        ("GET", f"{person}/desactiver", {}),
        ("POST", f"{person}/desactiver", {}),
        ("POST", f"{person}/reactiver", {}),
        # a's own person with b's role id: the role is not found either.
        ("POST", f"/t/alpha/personnes/{w['a_admin'].id}/roles/{role.id}/retirer", {}),
        ("POST", f"/t/alpha/invitations/{invitation.id}/revoquer", {}),
        # Ids that exist nowhere, including beyond bigint.
        ("GET", "/t/alpha/relais/99999999999999999999", {}),
        ("POST", "/t/alpha/personnes/99999999999999999999/desactiver", {}),
        ("POST", "/t/alpha/personnes/1/roles/99999999999999999999/retirer", {}),
    ]


def test_every_route_with_an_id_of_b_is_404_and_changes_nothing(client, admin, world,
                                                                dbsession, unscoped):
    before = snapshot(dbsession, unscoped)
    for method, url, form in b_routes(world):
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data={"csrf_token": admin, **form})
        assert response.status_code == 404, (method, url)
        assert "Page introuvable" in response.get_data(as_text=True)
    assert snapshot(dbsession, unscoped) == before


def test_a_user_disabled_in_b_cannot_be_re_enabled_from_a(client, admin, world, dbsession,
                                                         unscoped):
    with unscoped():
        dbsession.get(User, world["b_agent"].id).is_active = False
    dbsession.commit()
    before = snapshot(dbsession, unscoped)
    response = client.post(f"/t/alpha/personnes/{world['b_agent'].id}/reactiver",
                           data={"csrf_token": admin})
    assert response.status_code == 404
    assert snapshot(dbsession, unscoped) == before


def test_other_tenant_space_is_404_for_a_admin(client, admin, world):
    for url in ("/t/beta/", "/t/beta/communes", "/t/beta/personnes",
                f"/t/beta/relais/{world['b_relais'].id}", "/t/inexistant/"):
        assert client.get(url).status_code == 404, url
    response = client.post(f"/t/beta/relais/{world['b_relais'].id}/supprimer",
                           data={"csrf_token": admin})
    assert response.status_code == 404


def test_lists_show_only_the_current_tenant_rows(client, admin, world):
    pages = {
        "/t/alpha/communes": ([c.name for c in world["a_communes"]],
                              [c.name for c in world["b_communes"]]),
        "/t/alpha/relais": ([world["a_relais"].name], [world["b_relais"].name]),
        "/t/alpha/points-accueil": ([world["a_point"].name], [world["b_point"].name]),
        "/t/alpha/personnes": (["admin.a@example.org"],
                               ["admin.b@example.org", "agent.b@example.org",
                                "invitee.b@example.org", "coord@example.org"]),
        "/t/alpha/relais/nouveau": ([c.name for c in world["a_communes"]],
                                    [c.name for c in world["b_communes"]]),
        "/t/alpha/personnes/inviter": ([world["a_point"].name, world["a_relais"].name],
                                       [world["b_point"].name, world["b_relais"].name,
                                        world["b_communes"][0].name]),
    }
    for url, (shown, hidden) in pages.items():
        html = client.get(url).get_data(as_text=True)
        for text in shown:
            assert text in html, (url, text)
        for text in hidden:
            assert text not in html, (url, text)
    search = client.get("/t/alpha/communes",
                        query_string={"q": world["b_communes"][0].insee}).get_data(as_text=True)
    assert "Aucune commune du territoire ne correspond" in search


def test_dashboard_counts_only_the_current_tenant(client, admin, world):
    html = client.get("/t/alpha/").get_data(as_text=True)
    assert "<strong>2</strong> <a href=\"/t/alpha/communes\">" in html
    assert "<strong>1</strong> <a href=\"/t/alpha/personnes\">" in html
    assert "<strong>0</strong> <a href=\"/t/alpha/personnes#invitations\">" in html


def test_person_with_roles_in_both_tenants_shows_only_this_tenant_roles(client, admin, world,
                                                                        dbsession):
    both = factories.user("deux@example.org", "Double Casquette")
    both_id = both.id
    factories.tenant_role(both, world["a"], "elected_official",
                          commune_id=world["a_communes"][0].id)
    factories.tenant_role(both, world["b"], "rpe_animator", relais_id=world["b_relais"].id)
    dbsession.commit()
    html = client.get(f"/t/alpha/personnes/{both_id}").get_data(as_text=True)
    assert "Élu·e petite enfance" in html
    assert "Animateur·rice de RPE</td>" not in html
    assert world["b_relais"].name not in html


def test_agent_of_b_sees_b_relais_only(client, login, world):
    login("agent.b@example.org")
    html = client.get("/t/beta/").get_data(as_text=True)
    assert world["b_relais"].name in html and world["a_relais"].name not in html
    assert client.get("/t/alpha/").status_code == 404
