"""Tenant space pages: who may open them, what each role's home page shows, lists."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.core.models import Invitation
from tests import factories


@pytest.fixture()
def world(dbsession):
    """The test shares the requests' session: detach the world so that the requests'
    commits do not expire what the test reads (ids, names)."""
    w = factories.two_tenants_world()
    dbsession.expunge_all()
    return w


@pytest.fixture()
def sign_in(login, dbsession):
    """Sign in through the form, then fold the session row into the test's transaction:
    otherwise an error page's rollback (403/404) would undo it, as the test shares its
    database session with the requests."""

    def do(email: str) -> str:
        token = login(email)
        dbsession.commit()
        return token

    return do


def admin_pages(w) -> list[str]:
    commune, relais, point = w["a_communes"][0], w["a_relais"], w["a_point"]
    admin = w["a_admin"]
    return [
        "/t/alpha/communes",
        f"/t/alpha/communes/{commune.id}",
        "/t/alpha/relais",
        "/t/alpha/relais/nouveau",
        f"/t/alpha/relais/{relais.id}",
        f"/t/alpha/relais/{relais.id}/supprimer",
        "/t/alpha/points-accueil",
        "/t/alpha/points-accueil/nouveau",
        f"/t/alpha/points-accueil/{point.id}",
        f"/t/alpha/points-accueil/{point.id}/supprimer",
        "/t/alpha/personnes",
        "/t/alpha/personnes/inviter",
        f"/t/alpha/personnes/{admin.id}",
        f"/t/alpha/personnes/{admin.id}/desactiver",
    ]


def test_every_admin_page_renders_in_french_with_a_title(client, sign_in, world):
    sign_in("admin.a@example.org")
    for url in ["/t/alpha/"] + admin_pages(world):
        response = client.get(url)
        html = response.get_data(as_text=True)
        assert response.status_code == 200, url
        assert '<html lang="fr">' in html and "· Maillage</title>" in html, url
        assert "CA Alpha" in html, url


def test_reception_agent_is_refused_every_admin_page(client, sign_in, world):
    agent = factories.user("agent@example.org")
    factories.tenant_role(agent, world["a"], "reception_agent",
                          reception_point_id=world["a_point"].id)
    token = sign_in("agent@example.org")
    for url in admin_pages(world):
        assert client.get(url).status_code == 403, url
    relais = world["a_relais"]
    for url in (f"/t/alpha/relais/{relais.id}", f"/t/alpha/relais/{relais.id}/supprimer",
                "/t/alpha/relais/nouveau", f"/t/alpha/personnes/{agent.id}/desactiver"):
        assert client.post(url, data={"csrf_token": token, "name": "X"}).status_code == 403
    # Nor can the agent see the admin links in the menu.
    home = client.get("/t/alpha/").get_data(as_text=True)
    assert "/t/alpha/personnes" not in home


def test_anonymous_visitor_is_sent_to_sign_in(client, world):
    response = client.get("/t/alpha/communes")
    assert response.status_code == 302
    assert "/connexion" in response.headers["Location"]


def test_admin_dashboard_counts_and_uncovered_communes(client, sign_in, world, unscoped,
                                                      dbsession):
    lonely = factories.commune(world["a"], name="Saint-Lonely")
    dbsession.expunge(lonely)
    token = sign_in("admin.a@example.org")
    response = client.post("/t/alpha/personnes/inviter", data={
        "csrf_token": token, "email": "nouvelle@example.org",
        "full_name": "Nouvelle Personne", "role": "elected_official"})
    assert response.status_code == 303
    html = client.get("/t/alpha/").get_data(as_text=True)
    assert "Tableau de bord du territoire" in html
    assert "<strong>3</strong> <a" in html  # communes
    assert "<strong>1</strong> <a href=\"/t/alpha/relais\"" in html
    assert "1 commune n’est couverte par aucun relais" in html
    assert f'href="/t/alpha/communes/{lonely.id}">Saint-Lonely</a>' in html
    assert "<strong>1</strong> <a href=\"/t/alpha/personnes#invitations\">invitation en attente" in html
    with unscoped():
        assert count_rows(Invitation) == 1
    # Quick links
    assert 'href="/t/alpha/personnes/inviter"' in html
    assert 'href="/t/alpha/relais/nouveau"' in html


def count_rows(model) -> int:
    from app.extensions import db

    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_dashboard_says_when_every_commune_is_covered(client, sign_in, world):
    sign_in("admin.a@example.org")
    html = client.get("/t/alpha/").get_data(as_text=True)
    assert "Chaque commune du territoire est couverte" in html


def test_reception_agent_home_shows_the_relais_covering_their_commune(client, sign_in, world):
    agent = factories.user("agent@example.org", "Agathe Accueil")
    factories.tenant_role(agent, world["a"], "reception_agent",
                          reception_point_id=world["a_point"].id)
    sign_in("agent@example.org")
    response = client.get("/t/alpha/")
    html = response.get_data(as_text=True)
    relais = world["a_relais"]
    assert response.status_code == 200
    assert f"Mon point d’accueil : {world['a_point'].name}" in html
    assert f"Le relais petite enfance de {world['a_communes'][0].name}" in html
    assert relais.name in html and relais.email in html and relais.phone in html
    assert "Lundi 9 h – 12 h" in html
    assert "Fiches du réseau" in html and "apparaîtront ici" in html
    assert "Tableau de bord" not in html
    assert world["b_relais"].name not in html


def test_reception_agent_of_an_uncovered_commune_gets_an_explanation(client, sign_in, world):
    lonely = factories.commune(world["a"], name="Plouvide")
    desk = factories.reception_point(world["a"], lonely, name="Mairie de Plouvide")
    agent = factories.user("agent@example.org")
    factories.tenant_role(agent, world["a"], "reception_agent", reception_point_id=desk.id)
    sign_in("agent@example.org")
    html = client.get("/t/alpha/").get_data(as_text=True)
    assert "Aucun relais ne couvre encore Plouvide" in html


def test_agent_without_desk_sees_what_will_appear(client, sign_in, world):
    agent = factories.user("agent@example.org")
    factories.tenant_role(agent, world["a"], "reception_agent")
    sign_in("agent@example.org")
    html = client.get("/t/alpha/").get_data(as_text=True)
    assert "Aucun point d’accueil ne vous est encore rattaché" in html


def test_animator_home_shows_their_relais_and_its_communes(client, sign_in, world):
    animator = factories.user("anim@example.org")
    factories.tenant_role(animator, world["a"], "rpe_animator", relais_id=world["a_relais"].id)
    sign_in("anim@example.org")
    html = client.get("/t/alpha/").get_data(as_text=True)
    assert "Mon relais petite enfance" in html and world["a_relais"].name in html
    for commune in world["a_communes"]:
        assert f"<li>{commune.name}</li>" in html
    assert "Formations du réseau" in html


def test_elected_official_home_shows_commune_relais_and_committees(client, sign_in, world):
    elected = factories.user("elu@example.org")
    commune = world["a_communes"][1]
    factories.tenant_role(elected, world["a"], "elected_official", commune_id=commune.id)
    sign_in("elu@example.org")
    html = client.get("/t/alpha/").get_data(as_text=True)
    assert f"Ma commune : {commune.name}" in html
    assert world["a_relais"].name in html
    assert "Réunions et comités" in html
    assert 'href="/t/alpha/evenements"' in html and 'href="/t/alpha/comites"' in html


def test_user_with_several_roles_sees_several_blocks(client, sign_in, world):
    both = factories.user("both@example.org")
    factories.tenant_role(both, world["a"], "reception_agent",
                          reception_point_id=world["a_point"].id)
    factories.tenant_role(both, world["a"], "elected_official",
                          commune_id=world["a_communes"][1].id)
    factories.tenant_role(both, world["a"], "tenant_admin")
    sign_in("both@example.org")
    html = client.get("/t/alpha/").get_data(as_text=True)
    for heading in ("Tableau de bord du territoire", "Mon point d’accueil", "Fiches du réseau",
                    "Ma commune", "Réunions et comités"):
        assert heading in html


def test_platform_admin_gets_the_admin_dashboard(client, sign_in, world):
    factories.user("boss@example.org", platform_admin=True)
    sign_in("boss@example.org")
    assert "Tableau de bord du territoire" in client.get("/t/alpha/").get_data(as_text=True)
    assert client.get("/t/alpha/personnes").status_code == 200


def test_commune_search_ignores_case_and_accents(client, sign_in, world):
    factories.commune(world["a"], name="Plœuc-l’Hermitage", insee="22203")
    factories.commune(world["a"], name="Étables-sur-Mer", insee="22055")
    sign_in("admin.a@example.org")
    for query in ("etables", "ÉTABLES SUR", "ploeuc l hermitage", "22055"):
        html = client.get("/t/alpha/communes", query_string={"q": query}).get_data(as_text=True)
        assert ("Étables-sur-Mer" in html) != ("Plœuc" in html), query
    listing = client.get("/t/alpha/communes").get_data(as_text=True)
    assert listing.index("Étables-sur-Mer") < listing.index("Plœuc")  # É sorts with E
    html = client.get("/t/alpha/communes?q=zzz").get_data(as_text=True)
    assert "Aucune commune du territoire ne correspond à « zzz »" in html


def test_commune_list_is_paginated_and_htmx_gets_a_fragment(client, sign_in, world):
    for n in range(30):
        factories.commune(world["a"], name=f"Zcommune {n:02d}")
    sign_in("admin.a@example.org")
    html = client.get("/t/alpha/communes").get_data(as_text=True)
    assert "Page 1 sur 2" in html and "Page suivante" in html
    second = client.get("/t/alpha/communes?page=2").get_data(as_text=True)
    assert "Zcommune 29" in second and "Zcommune 00" not in second
    fragment = client.get("/t/alpha/communes?q=zcommune", headers={"HX-Request": "true"})
    body = fragment.get_data(as_text=True)
    assert "<table>" in body and "<html" not in body
    assert "HX-Request" in fragment.headers.get("Vary", "")


def test_lists_use_a_constant_number_of_queries(app, client, sign_in, world, dbsession):
    sign_in("admin.a@example.org")

    def count_queries(url: str) -> int:
        dbsession.expire_all()  # same starting point: nothing cached from the last request
        statements = []

        def before(conn, cursor, statement, *args):
            if statement.lstrip().upper().startswith("SELECT") and "web_session" not in statement \
                    and "set_config" not in statement:
                statements.append(statement)

        sa.event.listen(dbsession.get_bind(), "before_cursor_execute", before)
        try:
            assert client.get(url).status_code == 200
        finally:
            sa.event.remove(dbsession.get_bind(), "before_cursor_execute", before)
        return len(statements)

    def add_people(n: int) -> None:
        for _ in range(n):
            commune = factories.commune(world["a"])
            factories.relais(world["a"], [commune])
            point = factories.reception_point(world["a"], commune)
            factories.tenant_role(factories.user(), world["a"], "reception_agent",
                                  reception_point_id=point.id)
            factories.tenant_role(factories.user(), world["a"], "rpe_animator",
                                  relais_id=world["a_relais"].id)
            factories.tenant_role(factories.user(), world["a"], "elected_official",
                                  commune_id=commune.id)

    urls = ["/t/alpha/communes", "/t/alpha/relais", "/t/alpha/points-accueil",
            "/t/alpha/personnes", "/t/alpha/"]
    add_people(1)
    before = {url: count_queries(url) for url in urls}
    add_people(6)
    after = {url: count_queries(url) for url in urls}
    assert before == after
