"""Network space: access rules, dashboard, member tenants, isolation between networks."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask import g
from flask.testing import FlaskClient
from sqlalchemy import event

from app.core.models import Invitation
from app.extensions import db
from app.networks.models import Network, NetworkTenant, OrganisationContact
from tests import factories
from tests.conftest import csrf_from


class FreshClient(FlaskClient):
    """The test client of conftest, with a clean `g` for every request.

    conftest keeps one application context for the whole test, so Flask reuses it for each
    request and `g` leaks from one request to the next (Flask-WTF caches the CSRF token
    there: a second browser would get the first one's token)."""

    def open(self, *args, **kwargs):
        for name in list(g):
            g.pop(name)
        return super().open(*args, **kwargs)


def fresh_client(app) -> FreshClient:
    return FreshClient(app, app.response_class, use_cookies=True)


def make_login(client, dbsession):
    """conftest's sign-in, then a commit of the test session.

    In tests every request shares one SQLAlchemy session whose savepoint stays open across
    requests; the web-session row written meanwhile (CSRF token, signed-in user) sits inside
    it, and the rollback done by a later 404 page would undo it. Production requests each
    end their own transaction, so only the harness needs this."""

    def do(email: str, password: str = factories.PASSWORD) -> str:
        token = csrf_from(client.get("/connexion").get_data(as_text=True))
        response = client.post("/connexion", data={"csrf_token": token, "email": email,
                                                    "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        token = csrf_from(client.get("/espaces", follow_redirects=True).get_data(as_text=True))
        dbsession.commit()
        return token

    return do


@pytest.fixture()
def client(app, dbsession):
    return fresh_client(app)


@pytest.fixture()
def login(client, dbsession):
    return make_login(client, dbsession)


def build_world():
    """two_tenants_world() plus a second network with its own tenant, coordinator,
    organisation, contact and pending invitation."""
    w = factories.two_tenants_world()
    gamma = factories.tenant("CC Gamma", "gamma")
    factories.relais(gamma, [factories.commune(gamma)], name="RPE Gamma")
    net2 = factories.network("Réseau Deux", "reseau-deux", tenants=[gamma])
    coord2 = factories.user("coord2@example.org", "Camille Deux")
    with factories._unscoped():
        w["role2"] = factories.network_role(coord2, net2)
        w["org2"] = factories.organisation(net2, "CAF Deux")
        w["contact2"] = OrganisationContact(network_id=net2.id, organisation_id=w["org2"].id,
                                            full_name="Dominique Deux",
                                            email="dominique@caf-deux.fr")
        w["contact"] = OrganisationContact(network_id=w["network"].id,
                                           organisation_id=w["organisation"].id,
                                           full_name="Alix Un", email="alix@caf-un.fr")
        w["invitation2"] = Invitation(network_id=net2.id, email="attente@deux.fr",
                                      role="network_coordinator", token_hash="d" * 64,
                                      expires_at=datetime.now(UTC) + timedelta(days=7))
        db.session.add_all([w["contact2"], w["contact"], w["invitation2"]])
        db.session.flush()
    w.update(gamma=gamma, network2=net2, coordinator2=coord2)
    return w


def snapshot(w) -> dict:
    """Plain values of the world: ORM objects expire when a request commits."""
    with factories._unscoped():
        return {
            "network_id": w["network"].id, "network2_id": w["network2"].id,
            "a_id": w["a"].id, "b_id": w["b"].id, "gamma_id": w["gamma"].id,
            "org_id": w["organisation"].id, "org_name": w["organisation"].name,
            "contact_id": w["contact"].id, "org2_id": w["org2"].id,
            "contact2_id": w["contact2"].id, "role2_id": w["role2"].id,
            "invitation2_id": w["invitation2"].id,
            "a_communes": [(c.name, c.insee) for c in w["a_communes"]],
            "a_relais": w["a_relais"].name, "b_relais": w["b_relais"].name,
            "coordinator_id": w["coordinator"].id,
        }


@pytest.fixture()
def world(dbsession):
    return snapshot(build_world())


def network_pages(w) -> list[str]:
    org, contact = w["org_id"], w["contact_id"]
    base = "/n/reseau-test"
    return [
        f"{base}/", f"{base}/territoires", f"{base}/territoires/{w['a_id']}",
        f"{base}/coordination", f"{base}/coordination/inviter",
        f"{base}/partenaires", f"{base}/partenaires/nouveau", f"{base}/partenaires/{org}",
        f"{base}/partenaires/{org}/supprimer",
        f"{base}/partenaires/{org}/contacts/{contact}",
        f"{base}/partenaires/{org}/contacts/{contact}/supprimer",
    ]


def test_coordinator_opens_every_page(client, login, world):
    login("coord@example.org")
    for url in network_pages(world):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        assert "· Maillage</title>" in html and "Réseau Test" in html, url


def test_tenant_admin_without_network_role_gets_404(client, login, world):
    login("admin.a@example.org")
    for url in network_pages(world):
        assert client.get(url).status_code == 404, url


def test_anonymous_visitor_is_sent_to_sign_in(client, world):
    response = client.get("/n/reseau-test/partenaires")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/connexion")


def test_coordinator_of_one_network_gets_404_in_the_other(client, login, world):
    login("coord@example.org")
    for suffix in ("/", "/territoires", f"/territoires/{world['gamma_id']}", "/coordination",
                   "/partenaires", f"/partenaires/{world['org2_id']}"):
        assert client.get("/n/reseau-deux" + suffix).status_code == 404, suffix


def test_dashboard_counts_only_this_network(client, login, world):
    login("coord@example.org")
    html = client.get("/n/reseau-test/").get_data(as_text=True)
    assert "Réseau Test" in html and "CAF test" in html
    figures = dict((label, int(n)) for n, label in re.findall(
        r"<strong>(\d+)</strong> ([a-zé·]+)", html))
    assert figures == {"territoires": 2, "communes": 4, "relais": 2, "coordinateur·rice": 1,
                       "organisation": 1}
    for block in ("Fiches partagées", "Formations", "Forums et comités"):
        assert block in html


def test_members_list_shows_member_tenants_with_counts(client, login, world):
    login("coord@example.org")
    html = client.get("/n/reseau-test/territoires").get_data(as_text=True)
    assert "CA Alpha" in html and "CA Bêta" in html
    assert "CC Gamma" not in html
    rows = re.findall(r"<tr>\s*<td><a [^>]+>([^<]+)</a>.*?</td>\s*<td>[^<]*</td>\s*"
                      r"<td>\d+</td>\s*<td>(\d+)</td>\s*<td>(\d+)</td>", html, re.S)
    assert rows == [("CA Alpha", "2", "1"), ("CA Bêta", "2", "1")]


def test_member_page_shows_communes_and_relais_read_only(client, login, world):
    login("coord@example.org")
    html = client.get(f"/n/reseau-test/territoires/{world['a_id']}").get_data(as_text=True)
    for name, insee in world["a_communes"]:
        assert name in html and insee in html
    assert world["a_relais"] in html
    assert world["b_relais"] not in html
    assert "<form" not in html.split('id="contenu"')[1]


def test_member_page_of_a_tenant_outside_the_network_is_404(client, login, world):
    login("coord@example.org")
    assert client.get(f"/n/reseau-test/territoires/{world['gamma_id']}").status_code == 404
    assert client.get("/n/reseau-test/territoires/999999").status_code == 404


def test_platform_admin_may_enter_any_network(client, login, world):
    factories.user("plateforme@example.org", platform_admin=True)
    login("plateforme@example.org")
    assert client.get("/n/reseau-deux/").status_code == 200
    assert client.get("/n/reseau-test/territoires").status_code == 200


def _count_statements(connection, fn) -> int:
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(connection, "before_cursor_execute", record)
    try:
        fn()
    finally:
        event.remove(connection, "before_cursor_execute", record)
    return len(statements)


def test_members_page_runs_a_constant_number_of_queries(client, login, world, connection):
    login("coord@example.org")
    url = "/n/reseau-test/territoires"
    client.get(url)  # warm-up: first request of the session loads caches
    with_two = _count_statements(connection, lambda: client.get(url))
    with factories._unscoped():
        for i in range(4):
            t = factories.tenant(f"CC Extra {i}")
            communes = [factories.commune(t) for _ in range(3)]
            factories.relais(t, communes)
            db.session.add(NetworkTenant(network_id=world["network_id"], tenant_id=t.id))
        db.session.flush()
    response = None

    def fetch():
        nonlocal response
        response = client.get(url)

    with_six = _count_statements(connection, fetch)
    assert response.status_code == 200
    assert response.get_data(as_text=True).count("CC Extra") == 4
    assert with_six == with_two


def test_dashboard_runs_a_constant_number_of_queries(client, login, world, connection):
    login("coord@example.org")
    client.get("/n/reseau-test/")
    before = _count_statements(connection, lambda: client.get("/n/reseau-test/"))
    with factories._unscoped():
        net = db.session.get(Network, world["network_id"])
    for _ in range(3):
        factories.organisation(net)
    after = _count_statements(connection, lambda: client.get("/n/reseau-test/"))
    assert before == after


def test_network_space_never_reads_another_networks_rows(world, in_space):
    from app.core.tenancy import Space
    from app.networks import services

    with in_space(Space.for_network(world["network_id"], [world["a_id"], world["b_id"]])):
        assert services.dashboard().organisations == 1
        names = {o.name for o in db.session.scalars(services.organisations_query())}
        assert "CAF Deux" not in names
        assert services.find_organisation(world["org2_id"]) is None
        assert services.find_invitation(world["invitation2_id"]) is None
        assert db.session.scalar(sa.select(sa.func.count()).select_from(
            OrganisationContact)) == 1
