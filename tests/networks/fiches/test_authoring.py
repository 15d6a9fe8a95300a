"""The authors' side of fiches: writing, review, publication with revisions, history and
diffs, verification, archive, placeholder warnings and the publication digest."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from flask import g
from flask.testing import FlaskClient

from app.core.tenancy import Space
from app.extensions import db
from app.networks.fiches import stats
from app.networks.fiches.models import Fiche, FicheDraft, FicheRevision
from tests import factories
from tests.conftest import csrf_from
from tests.networks.fiches import builders

BASE = "/n/reseau-test/fiches"
LOCAL = "/t/alpha/fiches/locales"


class Browser(FlaskClient):
    """A test client that forgets the previous request's `g`: requests share the test's
    application context, so Flask-Login would otherwise keep the last signed-in user."""

    def open(self, *args, **kwargs):
        g.__dict__.clear()
        return super().open(*args, **kwargs)


def sign_in(app, email: str):
    """A fresh browser signed in as `email`; returns (client, csrf token).

    Requests share the test's SQLAlchemy session, whose savepoint stays open across GET
    requests: the web-session row (signed-in user, CSRF token) written meanwhile would be
    undone by the rollback of a later 404 page, hence the commit."""
    browser = Browser(app, app.response_class, use_cookies=True)
    token = csrf_from(browser.get("/connexion").get_data(as_text=True))
    response = browser.post("/connexion", data={"csrf_token": token, "email": email,
                                                "password": factories.PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    page = browser.get("/espaces", follow_redirects=True).get_data(as_text=True)
    db.session.commit()
    return browser, csrf_from(page)


def build_world() -> dict:
    """two_tenants_world(), a theme, desk agents in both tenants, and a second network with
    its own tenant, administrator and coordinator. Plain values only: ORM objects expire
    when a request commits."""
    w = factories.two_tenants_world()
    net = w["network"]
    theme = builders.theme(net)
    gamma = factories.tenant("CC Gamma", "gamma")
    factories.relais(gamma, [factories.commune(gamma, "Gammaville")])
    net2 = factories.network("Réseau Deux", "reseau-deux", tenants=[gamma])
    coord2 = factories.user("coord2@example.org", "Camille Deux")
    factories.network_role(coord2, net2)
    factories.tenant_role(factories.user("admin.gamma@example.org"), gamma)
    agent_a = factories.user("agent.a@example.org", "Alice Accueil")
    factories.tenant_role(agent_a, w["a"], "reception_agent", reception_point_id=w["a_point"].id)
    agent_b = factories.user("agent.b@example.org", "Bruno Accueil")
    factories.tenant_role(agent_b, w["b"], "reception_agent", reception_point_id=w["b_point"].id)
    elected = factories.user("elu.a@example.org", "Élise Élue")
    factories.tenant_role(elected, w["a"], "elected_official")
    return {
        "network": net, "network_id": net.id, "network2_id": net2.id, "a": w["a"],
        "a_id": w["a"].id, "b_id": w["b"].id, "gamma_id": gamma.id, "theme_id": theme.id,
        "coordinator": w["coordinator"], "coordinator_name": w["coordinator"].full_name,
        "a_admin": w["a_admin"],
        "a_communes": [c.name for c in w["a_communes"]],
        "b_communes": [c.name for c in w["b_communes"]],
        "a_commune_ids": [c.id for c in w["a_communes"]], "a_point_id": w["a_point"].id,
        "b_point_id": w["b_point"].id, "agent_a": agent_a, "agent_b": agent_b,
    }


@pytest.fixture()
def world(dbsession):
    return build_world()


def network_space(w) -> Space:
    return Space.for_network(w["network_id"], [w["a_id"], w["b_id"]])


def tenant_space(w, key: str = "a") -> Space:
    return Space.for_tenant(w[f"{key}_id"], [w["network_id"]])


def fiche_form(token: str, **overrides) -> dict:
    data = {
        "csrf_token": token, "title": "Trouver un mode d’accueil", "theme_id": "",
        "audiences": ["reception_agent", "rpe_animator"],
        "first_answer": "Le {relais.nom} vous présente les modes d’accueil de {commune.nom}.",
        "details_md": "## Étapes\n\n- Appeler le relais\n- Préparer ses horaires",
        "phrasings": "nounou\nassistante maternelle\n\nnounou",
        "referrals": "relais | Le relais de la commune\ncaf",
        "cannot_do": "La mairie n’attribue pas les places en crèche.",
        "sources": "monenfant.fr", "review_due": "2030-01-31",
    }
    data.update(overrides)
    return data


def load_fiche(dbsession, in_space, space: Space, slug: str):
    """(fiche, draft, revision numbers) as `space` sees them, fresh from the database."""
    dbsession.expire_all()
    with in_space(space):
        fiche = dbsession.scalar(sa.select(Fiche).where(Fiche.slug == slug))
        draft = dbsession.scalar(sa.select(FicheDraft).where(FicheDraft.fiche_id == fiche.id)) \
            if fiche else None
        numbers = dbsession.scalars(sa.select(FicheRevision.number).where(
            FicheRevision.fiche_id == fiche.id).order_by(FicheRevision.number)).all() \
            if fiche else []
    return fiche, draft, numbers


def slug_from(response) -> str:
    match = re.search(r"/([a-z0-9-]+)/modifier$", response.headers["Location"])
    assert match, response.headers.get("Location")
    return match.group(1)


# --------------------------------------------------------------------------- workflow

def test_write_review_publish_edit_publish_history_and_diff(app, world, dbsession, in_space):
    browser, token = sign_in(app, "coord@example.org")
    page = browser.get(BASE).get_data(as_text=True)
    assert "Aucune fiche pour l’instant" in page

    response = browser.post(f"{BASE}/nouvelle", data=fiche_form(
        token, theme_id=str(world["theme_id"])))
    assert response.status_code == 302
    slug = slug_from(response)
    assert slug == "trouver-un-mode-d-accueil"
    fiche, draft, numbers = load_fiche(dbsession, in_space, network_space(world), slug)
    assert fiche.status == "draft" and fiche.revision == 0 and numbers == []
    assert draft.phrasings == ["nounou", "assistante maternelle"]
    assert draft.referrals == [{"kind": "relais", "label": "Le relais de la commune"},
                               {"kind": "caf", "label": "La CAF"}]
    assert str(draft.review_due) == "2030-01-31"

    edit_page = browser.get(f"{BASE}/{slug}/modifier").get_data(as_text=True)
    assert "relais | Le relais de la commune" in edit_page  # values shown one per line
    response = browser.post(f"{BASE}/{slug}/modifier", data=fiche_form(
        token, theme_id=str(world["theme_id"]),
        first_answer="Le relais présente tous les modes d’accueil."))
    assert response.status_code == 302

    assert browser.post(f"{BASE}/{slug}/relecture",
                        data={"csrf_token": token}).status_code == 302
    fiche, draft, _ = load_fiche(dbsession, in_space, network_space(world), slug)
    assert (fiche.status, draft.state) == ("review", "review")
    assert "En relecture" in browser.get(BASE).get_data(as_text=True)

    assert browser.get(f"{BASE}/{slug}/publier").status_code == 200
    response = browser.post(f"{BASE}/{slug}/publier",
                            data={"csrf_token": token, "summary": "Création de la fiche"})
    assert response.status_code == 302
    fiche, draft, numbers = load_fiche(dbsession, in_space, network_space(world), slug)
    assert (fiche.status, fiche.revision, numbers, draft) == ("published", 1, [1], None)
    assert fiche.search_vector is not None
    assert fiche.first_answer == "Le relais présente tous les modes d’accueil."
    assert fiche.verified_on is not None

    response = browser.post(f"{BASE}/{slug}/modifier", data=fiche_form(
        token, theme_id=str(world["theme_id"]),
        first_answer="Le relais présente les modes d’accueil du secteur."))
    assert response.status_code == 302
    fiche, draft, _ = load_fiche(dbsession, in_space, network_space(world), slug)
    assert fiche.revision == 1 and draft is not None
    preview = browser.get(f"{BASE}/{slug}/publier").get_data(as_text=True)
    assert "<del>tous </del>" in preview or "<del>tous</del>" in preview
    assert "<ins>" in preview and "Publier la version 2" in preview

    response = browser.post(f"{BASE}/{slug}/publier",
                            data={"csrf_token": token, "summary": "Précision du secteur"})
    assert response.status_code == 302
    fiche, draft, numbers = load_fiche(dbsession, in_space, network_space(world), slug)
    assert (fiche.revision, numbers, draft) == (2, [1, 2], None)

    history = browser.get(f"{BASE}/{slug}/historique").get_data(as_text=True)
    assert "Version 1" in history and "Version 2" in history
    assert "Création de la fiche" in history and "Précision du secteur" in history
    assert world["coordinator_name"] in history

    diff = browser.get(f"{BASE}/{slug}/diff?de=1&a=2")
    html = diff.get_data(as_text=True)
    assert diff.status_code == 200
    assert "<ins>" in html and "<del>" in html and "<del></del>" not in html
    assert "Réponse de premier niveau" in html
    assert "Sans changement : Titre" in html
    assert browser.get(f"{BASE}/{slug}/diff").status_code == 302
    assert browser.get(f"{BASE}/{slug}/diff?de=1&a=7").status_code == 404


def test_publishing_without_a_summary_is_refused_and_changes_nothing(app, world, dbsession,
                                                                     in_space):
    fiche = builders.draft_network_fiche(world["network"], world["coordinator"], "Congé parental")
    slug = fiche.slug
    browser, token = sign_in(app, "coord@example.org")
    response = browser.post(f"{BASE}/{slug}/publier", data={"csrf_token": token, "summary": " "})
    assert response.status_code == 400
    assert "Résumez la modification en une ligne" in response.get_data(as_text=True)
    fiche, draft, numbers = load_fiche(dbsession, in_space, network_space(world), slug)
    assert (fiche.status, fiche.revision, numbers) == ("draft", 0, [])
    assert draft is not None


def test_publishing_without_a_first_answer_is_refused(app, world, dbsession, in_space):
    fiche = builders.draft_network_fiche(world["network"], world["coordinator"], "Sans réponse",
                                         first_answer="")
    slug = fiche.slug
    browser, token = sign_in(app, "coord@example.org")
    response = browser.post(f"{BASE}/{slug}/publier",
                            data={"csrf_token": token, "summary": "Création"})
    assert response.status_code == 400
    assert "réponse de premier niveau" in response.get_data(as_text=True)
    fiche, _, numbers = load_fiche(dbsession, in_space, network_space(world), "sans-reponse")
    assert fiche.revision == 0 and numbers == []


def test_form_errors_are_french_next_to_fields_and_nothing_is_written(app, world, dbsession,
                                                                       in_space):
    browser, token = sign_in(app, "coord@example.org")
    response = browser.post(f"{BASE}/nouvelle", data=fiche_form(
        token, title="Le relais et {relais.tel}", first_answer="x" * 801,
        referrals="relais\ncreche | Une crèche", theme_id="999999", review_due="31/01/2030"))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Balise inconnue : {relais.tel}" in html
    assert "800 caractères au maximum." in html
    assert "Ligne 2 : « creche » n’est pas un type d’orientation connu" in html
    assert "Choisissez un thème dans la liste." in html
    assert "Date invalide" in html
    assert 'value="Le relais et {relais.tel}"' in html  # what was typed is kept
    assert 'aria-invalid="true"' in html
    with in_space(network_space(world)):
        assert dbsession.scalar(sa.select(sa.func.count(Fiche.id))) == 0

    missing_title = browser.post(f"{BASE}/nouvelle", data=fiche_form(token, title=""))
    assert missing_title.status_code == 400
    assert "Ce champ est obligatoire." in missing_title.get_data(as_text=True)


def test_unknown_placeholder_on_edit_keeps_the_draft_unchanged(app, world, dbsession, in_space):
    slug = builders.draft_network_fiche(world["network"], world["coordinator"], "Pajemploi").slug
    browser, token = sign_in(app, "coord@example.org")
    response = browser.post(f"{BASE}/{slug}/modifier", data=fiche_form(
        token, title="Pajemploi", details_md="Appelez {mairie.fax}."))
    assert response.status_code == 400
    assert "Balise inconnue : {mairie.fax}" in response.get_data(as_text=True)
    _, draft, _ = load_fiche(dbsession, in_space, network_space(world), slug)
    assert draft.details_md == ""


def test_slug_never_takes_a_reserved_address(app, world, dbsession, in_space):
    browser, token = sign_in(app, "coord@example.org")
    response = browser.post(f"{BASE}/nouvelle", data=fiche_form(token, title="Lectures"))
    assert slug_from(response) == "lectures-fiche"


# --------------------------------------------------------------------------- placeholder warnings

def _add_uncovered_commune(w, name="Sans-Relais-sur-Mer"):
    with factories._unscoped():
        commune = factories.commune(w["a"], name)
    return commune


def test_missing_local_values_lists_the_communes_concerned(world, dbsession, in_space):
    _add_uncovered_commune(world)
    with factories._unscoped():
        from app.tenants.models import Commune

        first = dbsession.get(Commune, world["a_commune_ids"][0])
        first.desk_hours = "Lundi au vendredi, 8 h 30 – 12 h"
        dbsession.flush()
    used = {"relais.telephone", "relais.nom", "commune.nom", "mairie.horaires"}
    with in_space(network_space(world)):
        missing = stats.missing_local_values(used)
    assert missing["relais.telephone"] == ["Sans-Relais-sur-Mer"]
    assert missing["relais.nom"] == ["Sans-Relais-sur-Mer"]
    assert "commune.nom" not in missing
    expected = sorted(world["a_communes"][1:] + world["b_communes"] + ["Sans-Relais-sur-Mer"])
    assert missing["mairie.horaires"] == expected
    with in_space(tenant_space(world, "b")):
        missing_b = stats.missing_local_values(used)
    assert "relais.telephone" not in missing_b  # b's communes are all covered
    assert missing_b["mairie.horaires"] == sorted(world["b_communes"])
    with in_space(network_space(world)):
        assert stats.missing_local_values({"commune.nom"}) == {}


def test_in_a_tenant_space_the_mairie_desk_hours_count_too(world, dbsession, in_space):
    """The reader's page falls back on the mairie reception point's hours; reception points
    are readable in the tenant space only."""
    with factories._unscoped():
        from app.tenants.models import ReceptionPoint

        point = dbsession.get(ReceptionPoint, world["a_point_id"])  # the mairie of commune 1
        point.opening_hours = "Du lundi au samedi matin"
        dbsession.flush()
    with in_space(tenant_space(world)):
        assert stats.missing_local_values({"mairie.horaires"}) == {
            "mairie.horaires": world["a_communes"][1:]}
    with in_space(network_space(world)):
        assert world["a_communes"][0] in stats.missing_local_values(
            {"mairie.horaires"})["mairie.horaires"]


def test_missing_local_values_runs_a_constant_number_of_queries(world, dbsession, in_space,
                                                                connection):
    from sqlalchemy import event

    used = {"relais.telephone", "relais.horaires", "mairie.telephone", "mairie.horaires"}
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    def count() -> int:
        statements.clear()
        event.listen(connection, "before_cursor_execute", record)
        try:
            with in_space(tenant_space(world)):
                stats.missing_local_values(used)
        finally:
            event.remove(connection, "before_cursor_execute", record)
        return len(statements)

    before = count()
    for i in range(5):
        _add_uncovered_commune(world, f"Commune sans relais {i}")
    assert count() == before


def test_edit_page_warns_about_placeholders_without_local_value(app, world):
    _add_uncovered_commune(world)
    fiche = builders.draft_network_fiche(
        world["network"], world["coordinator"], "Le relais",
        first_answer="Appelez le {relais.telephone}.")
    slug = fiche.slug
    browser, _ = sign_in(app, "coord@example.org")
    for url in (f"{BASE}/{slug}/modifier", f"{BASE}/{slug}"):
        html = browser.get(url).get_data(as_text=True)
        assert "Balises sans valeur locale" in html
        assert "{relais.telephone}" in html and "Sans-Relais-sur-Mer" in html
