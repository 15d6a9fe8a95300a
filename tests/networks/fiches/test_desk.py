"""The desk flow: search, read a fiche resolved for a commune, log a contact, print,
send to a family, acknowledge, propose; and what must never cross tenants."""

import pytest
import sqlalchemy as sa

from app.core import tenancy
from app.core.models import MailMessage
from app.networks.fiches.models import ContactLog, FicheProposal, FicheRead, SearchMiss
from tests import factories
from tests.networks.fiches import builders


@pytest.fixture()
def desk(dbsession):
    w = factories.two_tenants_world()
    a, net = w["a"], w["network"]
    commune = w["a_communes"][0]
    agent = factories.user("agent.a@example.org")
    factories.tenant_role(agent, a, "reception_agent", reception_point_id=w["a_point"].id,
                          commune_id=commune.id)
    theme = builders.theme(net)
    fiche = builders.published_network_fiche(
        net, w["coordinator"], "Trouver un·e assistant·e maternel·le", theme_id=theme.id,
        phrasings=["assistante maternelle", "nounou"],
        first_answer="Appelez le {relais.nom} au {relais.telephone} pour {commune.nom}.",
        details_md="## Étapes\n\n- Contacter le relais\n\n<script>alert(1)</script>"
                   "\n\n[lien](javascript:alert(2)) <img src=x onerror=alert(3)>",
        cannot_do="La mairie ne choisit pas l’assistante maternelle.",
    )
    w.update(agent=agent, fiche=fiche, commune=commune, theme=theme)
    # Plain values: ORM objects expire when a request commits, and reloading them needs a space.
    w.update(slug=fiche.slug, fiche_id=fiche.id, relais_name=w["a_relais"].name,
             relais_phone=w["a_relais"].phone, commune_name=commune.name, commune_id=commune.id,
             network_id=net.id, tenant_id=a.id, theme_id=theme.id,
             other_commune_id=w["b_communes"][0].id)
    return w


def test_search_works_without_javascript(client, login, desk):
    login("agent.a@example.org")
    html = client.get("/t/alpha/fiches?q=asistante+maternelle").get_data(as_text=True)
    assert "Trouver un·e assistant·e maternel·le" in html
    assert "<html" in html  # a whole page


def test_htmx_search_returns_only_the_results(client, login, desk):
    login("agent.a@example.org")
    response = client.get("/t/alpha/fiches?q=nounou", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert "Trouver un·e assistant·e maternel·le" in html
    assert "<html" not in html
    assert "HX-Request" in response.headers.get("Vary", "")


def test_fiche_is_resolved_for_the_agents_commune(client, login, desk):
    login("agent.a@example.org")
    html = client.get(f"/t/alpha/fiches/{desk['slug']}").get_data(as_text=True)
    assert (f"Appelez le {desk['relais_name']} au {desk['relais_phone']} pour "
            f"{desk['commune_name']}.") in html
    assert "{relais" not in html
    assert html.index("Ce que l’on répond") < html.index("Relais petite enfance") \
        < html.index("Vers qui orienter") < html.index("En détail")


def test_missing_local_value_gives_a_neutral_sentence(client, login, desk, dbsession):
    bare_id = factories.commune(desk["a"], name="Commune sans relais").id
    login("agent.a@example.org")
    html = client.get(f"/t/alpha/fiches/{desk['slug']}?commune={bare_id}") \
        .get_data(as_text=True)
    assert "{relais" not in html and "Commune sans relais" in html
    assert "Aucun relais n’est encore rattaché" in html


def test_details_are_sanitised(client, login, desk):
    login("agent.a@example.org")
    html = client.get(f"/t/alpha/fiches/{desk['slug']}").get_data(as_text=True)
    assert "<script>alert(1)" not in html
    assert 'href="javascript' not in html
    assert "<img" not in html  # shown as text (&lt;img…), never as a tag with a handler
    assert "<h2>Étapes</h2>" in html


def _token(client, url):
    from tests.conftest import csrf_from

    return csrf_from(client.get(url).get_data(as_text=True))


def test_contact_logged_in_one_click_without_personal_data(client, login, desk, dbsession):
    login("agent.a@example.org")
    url = f"/t/alpha/fiches/{desk['slug']}"
    response = client.post(url + "/contact", data={
        "csrf_token": _token(client, url), "channel": "phone",
        "referral": "Le relais petite enfance de la commune"},
        headers={"HX-Request": "true"})
    assert response.status_code == 200 and "Contact noté" in response.get_data(as_text=True)
    with tenancy.unscoped("check", dbsession):
        row = dbsession.scalars(sa.select(ContactLog)).one()
    assert (row.channel, row.commune_id, row.fiche_id, row.theme_slug) == (
        "phone", desk["commune_id"], desk["fiche_id"], "modes-accueil")
    assert row.network_id == desk["network_id"] and row.tenant_id == desk["tenant_id"]
    columns = set(ContactLog.__table__.columns.keys())
    assert not columns & {"email", "name", "family", "phone", "address"}


def test_acknowledge_once(client, login, desk, dbsession):
    login("agent.a@example.org")
    url = f"/t/alpha/fiches/{desk['slug']}"
    for _ in range(2):
        client.post(url + "/lu", data={"csrf_token": _token(client, url)})
    with tenancy.unscoped("check", dbsession):
        assert dbsession.scalar(sa.select(sa.func.count(FicheRead.id))) == 1
    assert "Vous avez pris connaissance" in client.get(url).get_data(as_text=True)


def test_send_to_family_queues_a_mail_and_validates(client, login, desk, dbsession, run_jobs):
    login("agent.a@example.org")
    url = f"/t/alpha/fiches/{desk['slug']}/envoyer"
    bad = client.post(url, data={"csrf_token": _token(client, url), "email": "pas-une-adresse"})
    assert bad.status_code == 400 and "Adresse e-mail invalide" in bad.get_data(as_text=True)
    ok = client.post(url, data={"csrf_token": _token(client, url), "email": "parent@example.org"})
    assert ok.status_code == 302
    run_jobs()
    message = dbsession.scalars(sa.select(MailMessage).where(
        MailMessage.to_address == "parent@example.org")).one()
    assert message.status == "outbox" and desk["relais_name"] in message.body_text


def test_print_view_and_binder(client, login, desk):
    login("agent.a@example.org")
    printed = client.get(f"/t/alpha/fiches/{desk['slug']}/imprimer").get_data(as_text=True)
    assert "print.css" in printed and desk["relais_name"] in printed
    binder = client.get(f"/t/alpha/fiches/classeur?commune={desk['commune_id']}") \
        .get_data(as_text=True)
    assert "Table des matières" in binder and "page-break" in binder


def test_proposal_reaches_the_network(client, login, desk, dbsession):
    login("agent.a@example.org")
    url = f"/t/alpha/fiches/{desk['slug']}/proposer"
    empty = client.post(url, data={"csrf_token": _token(client, url), "body": ""})
    assert empty.status_code == 400
    client.post(url, data={"csrf_token": _token(client, url),
                           "body": "Ajouter les horaires du samedi."})
    with tenancy.use_space(tenancy.Space.for_network(desk["network_id"]), dbsession):
        proposal = dbsession.scalars(sa.select(FicheProposal)).one()
    assert proposal.body == "Ajouter les horaires du samedi."


def test_search_miss_is_recorded(client, login, desk, dbsession):
    login("agent.a@example.org")
    client.get("/t/alpha/fiches?q=tracteur+agricole")
    client.get("/t/alpha/fiches?q=Tracteur agricole")
    with tenancy.use_space(tenancy.Space.for_network(desk["network_id"]), dbsession):
        miss = dbsession.scalars(sa.select(SearchMiss)).one()
    assert (miss.query, miss.count) == ("tracteur agricole", 2)


# --------------------------------------------------------------------------- isolation

def test_network_draft_is_invisible_to_tenants(client, login, desk):
    draft_slug = builders.draft_network_fiche(desk["network"], desk["coordinator"],
                                              "Brouillon secret").slug
    login("agent.a@example.org")
    assert client.get(f"/t/alpha/fiches/{draft_slug}").status_code == 404
    assert "Brouillon secret" not in client.get("/t/alpha/fiches").get_data(as_text=True)
    assert "Brouillon secret" not in client.get("/t/alpha/fiches?q=brouillon").get_data(
        as_text=True)


def test_local_fiche_and_complement_stay_in_their_tenant(client, login, desk, dbsession):
    b, net = desk["b"], desk["network"]
    local_slug = builders.published_local_fiche(b, [net.id], desk["b_admin"],
                                                "Guichet unique Bêta").slug
    with tenancy.use_space(tenancy.Space.for_tenant(b.id, [net.id]), dbsession):
        from app.networks.fiches import services

        services.save_complement(desk["fiche"], "Précision réservée à Bêta.", desk["b_admin"])
    login("agent.a@example.org")
    assert client.get(f"/t/alpha/fiches/{local_slug}").status_code == 404
    page = client.get(f"/t/alpha/fiches/{desk['slug']}").get_data(as_text=True)
    assert "Précision réservée à Bêta." not in page
    assert "Guichet unique" not in client.get("/t/alpha/fiches?q=guichet").get_data(as_text=True)


def test_commune_of_another_tenant_is_404(client, login, desk):
    login("agent.a@example.org")
    other = desk["other_commune_id"]
    assert client.get(f"/t/alpha/fiches/{desk['slug']}?commune={other}").status_code == 404
    assert client.get(f"/t/alpha/fiches/classeur?commune={other}").status_code == 404


def test_complement_requires_tenant_admin(client, login, desk):
    login("agent.a@example.org")
    assert client.get(f"/t/alpha/fiches/{desk['slug']}/complement").status_code == 403


def test_readers_see_history_and_diff_of_published_fiches(client, login, desk, dbsession):
    with tenancy.use_space(tenancy.Space.for_network(desk["network_id"]), dbsession):
        from app.networks.fiches import services
        from app.networks.fiches.models import Fiche

        fiche = dbsession.get(Fiche, desk["fiche_id"])
        services.save_draft(fiche, {"first_answer": "Nouvelle réponse harmonisée."},
                            desk["coordinator"])
        services.publish(fiche, "Réponse reformulée", desk["coordinator"], notify=False)
    login("agent.a@example.org")
    history = client.get(f"/t/alpha/fiches/{desk['slug']}/historique").get_data(as_text=True)
    assert "Réponse reformulée" in history and "Création de la fiche" in history
    diff = client.get(f"/t/alpha/fiches/{desk['slug']}/diff?de=1&a=2").get_data(as_text=True)
    assert "<ins>" in diff and "Nouvelle" in diff
    draft_slug = builders.draft_network_fiche(desk["network"], desk["coordinator"],
                                              "Pas encore publiée").slug
    assert client.get(f"/t/alpha/fiches/{draft_slug}/historique").status_code == 404


def test_reader_unfollows_a_theme(client, login, desk, dbsession):
    other = builders.theme(desk["network"], slug="sante-pmi", name="Santé et PMI")
    other_id = other.id
    builders.published_network_fiche(desk["network"], desk["coordinator"], "Vaccins",
                                     theme_id=other_id)
    login("agent.a@example.org")
    news = client.get("/t/alpha/fiches/nouveautes").get_data(as_text=True)
    assert "Vaccins" in news
    from tests.conftest import csrf_from

    client.post("/t/alpha/fiches/nouveautes/themes", data={
        "csrf_token": csrf_from(news), "theme": [str(desk["theme_id"])]})
    news = client.get("/t/alpha/fiches/nouveautes").get_data(as_text=True)
    assert "Vaccins" not in news and "Trouver un·e assistant·e" in news


def test_coordinator_sees_contact_counts_of_member_tenants_only(client, login, desk, dbsession):
    other_tenant = factories.tenant("CA Ailleurs", "ailleurs")
    other_net = factories.network("Autre réseau", "autre", tenants=[other_tenant])
    with tenancy.use_space(tenancy.Space.for_tenant(desk["tenant_id"], [desk["network_id"]]),
                           dbsession):
        dbsession.add(ContactLog(network_id=desk["network_id"], commune_id=desk["commune_id"],
                                 theme_slug="modes-accueil", channel="desk"))
        dbsession.flush()
    with tenancy.use_space(tenancy.Space.for_tenant(other_tenant.id, [other_net.id]),
                           dbsession):
        dbsession.add(ContactLog(network_id=other_net.id, theme_slug="modes-accueil",
                                 channel="phone"))
        dbsession.flush()
    login("coord@example.org")
    html = client.get("/n/reseau-test/fiches/contacts").get_data(as_text=True)
    assert "<strong>1</strong> contacts" in html and desk["commune_name"] in html
    assert "CA Ailleurs" not in html
    client.delete_cookie("maillage_session")
    login("agent.a@example.org")
    assert client.get("/n/reseau-test/fiches/contacts").status_code == 404


def test_acknowledge_never_redirects_off_site(client, login, desk):
    login("agent.a@example.org")
    url = f"/t/alpha/fiches/{desk['slug']}"
    response = client.post(url + "/lu", data={"csrf_token": _token(client, url),
                                              "next": "https://evil.example/phish"})
    assert response.status_code == 302 and "evil" not in response.headers["Location"]


def test_an_archived_fiche_cannot_be_published_from_an_old_draft(dbsession, desk):
    from app.networks.fiches import services
    from app.networks.fiches.models import Fiche

    with tenancy.use_space(tenancy.Space.for_network(desk["network_id"]), dbsession):
        fiche = dbsession.get(Fiche, desk["fiche_id"])
        services.save_draft(fiche, {"first_answer": "Texte en cours."}, desk["coordinator"])
        services.archive(fiche)
        with pytest.raises(services.FicheError, match="archivée"):
            services.publish(fiche, "Republication", desk["coordinator"])
        assert fiche.status == "archived"


def test_local_fiches_never_take_a_network_fiche_address(dbsession, desk):
    local = builders.published_local_fiche(desk["a"], [desk["network_id"]], desk["a_admin"],
                                           "Trouver un·e assistant·e maternel·le")
    assert local.slug.startswith("locale-") and local.slug != desk["slug"]


def test_digest_covers_every_network_of_the_tenant(dbsession, desk):
    second = factories.network("Second réseau", "second", tenants=[desk["a"]])
    builders.published_network_fiche(second, desk["coordinator"], "Fiche du second réseau")
    from app.networks.fiches import notifications

    space = tenancy.Space.for_tenant(desk["tenant_id"], [desk["network_id"], second.id])
    with tenancy.use_space(space, dbsession):
        assert notifications._digest_batch(desk["tenant_id"], 0)[0] == 1
    body = dbsession.scalars(sa.select(MailMessage.body_text).where(
        MailMessage.to_address == "agent.a@example.org")).one()
    assert "Fiche du second réseau" in body and "assistant·e maternel·le" in body
    with tenancy.use_space(space, dbsession):  # nothing new: no second e-mail
        assert notifications._digest_batch(desk["tenant_id"], 0)[0] == 0


def test_sending_to_families_is_limited_per_person_and_hour(client, login, desk, dbsession,
                                                            monkeypatch):
    from app.networks.fiches import desk as desk_views

    monkeypatch.setattr(desk_views, "FAMILY_MAILS_PER_HOUR", 2)
    login("agent.a@example.org")
    url = f"/t/alpha/fiches/{desk['slug']}/envoyer"
    codes = [client.post(url, data={"csrf_token": _token(client, url),
                                    "email": f"parent{i}@example.org"}).status_code
             for i in range(3)]
    assert codes == [302, 302, 400]
    sent = dbsession.scalar(sa.select(sa.func.count(MailMessage.id)).where(
        MailMessage.to_address.like("parent%@example.org")))
    assert sent == 2


def test_news_page_title_is_plain_text(client, login, desk):
    import re

    login("agent.a@example.org")
    html = client.get("/t/alpha/fiches/nouveautes").get_data(as_text=True)
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert title.strip() == "Nouveautés · Maillage"
    assert html.count('id="follow-title"') == 1
