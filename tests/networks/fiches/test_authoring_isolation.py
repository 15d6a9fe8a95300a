"""What the authors' side must never let cross: network drafts to tenants, a tenant's local
fiches to other tenants and to the network, one network's fiches to another network's
coordinator; and readers never author."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.core.tenancy import Space
from app.networks.fiches import services
from app.networks.fiches.models import Fiche, FicheDraft, FicheRevision
from tests import factories
from tests.networks.fiches import builders
from tests.networks.fiches.test_authoring import (
    BASE,
    LOCAL,
    build_world,
    fiche_form,
    load_fiche,
    network_space,
    sign_in,
    tenant_space,
)

ACTIONS_GET = ("", "/modifier", "/publier", "/abandonner", "/archiver", "/historique",
               "/diff?de=1&a=1")
ACTIONS_POST = ("/modifier", "/relecture", "/publier", "/abandonner", "/archiver",
                "/restaurer", "/verifiee")


@pytest.fixture()
def world(dbsession):
    return build_world()


def _post_data(token: str, action: str) -> dict:
    if action == "/modifier":
        return fiche_form(token, title="Texte de l’intrus")
    return {"csrf_token": token, "summary": "Publication de l’intrus",
            "review_due": "2040-01-01"}


def _assert_all_404(browser, token: str, base: str, slug: str) -> None:
    for action in ACTIONS_GET:
        assert browser.get(f"{base}/{slug}{action}").status_code == 404, action
    for action in ACTIONS_POST:
        response = browser.post(f"{base}/{slug}{action}", data=_post_data(token, action))
        assert response.status_code == 404, action


def test_network_drafts_are_invisible_from_tenant_spaces(world, dbsession, in_space):
    draft_only = builders.draft_network_fiche(world["network"], world["coordinator"],
                                              "Brouillon du réseau")
    published = builders.published_network_fiche(world["network"], world["coordinator"],
                                                 "Fiche publiée", first_answer="Texte publié.")
    with in_space(network_space(world)):
        services.save_draft(published, builders.content(
            "Fiche publiée", first_answer="Texte en cours de relecture."), world["coordinator"])
        services.submit_for_review(published, world["coordinator"])
        dbsession.flush()
    draft_id, published_id = draft_only.id, published.id
    dbsession.expire_all()
    for key in ("a", "b"):
        with in_space(tenant_space(world, key)):
            assert dbsession.scalar(sa.select(Fiche).where(Fiche.id == draft_id)) is None
            seen = dbsession.scalar(sa.select(Fiche).where(Fiche.id == published_id))
            assert seen is not None and seen.first_answer == "Texte publié."
            assert dbsession.scalars(sa.select(FicheDraft)).all() == []
            # row-level security agrees, without the ORM criteria
            raw = dbsession.execute(sa.text(
                "select count(*) from fiche_draft")).scalar()
            assert raw == 0
            assert dbsession.scalars(sa.select(FicheRevision.fiche_id)).all() == [published_id]


def test_a_local_fiche_is_invisible_to_other_tenants_and_to_the_network(app, world, dbsession,
                                                                        in_space):
    local = builders.published_local_fiche(world["a"], [world["network_id"]], world["a_admin"],
                                           "Fiche locale Alpha")
    slug, local_id = local.slug, local.id
    for space in (tenant_space(world, "b"), network_space(world)):
        with in_space(space):
            assert dbsession.scalar(sa.select(Fiche).where(Fiche.id == local_id)) is None
            assert dbsession.scalars(sa.select(FicheRevision).where(
                FicheRevision.fiche_id == local_id)).all() == []

    admin_b, token_b = sign_in(app, "admin.b@example.org")
    assert "Fiche locale Alpha" not in admin_b.get("/t/beta/fiches/locales").get_data(as_text=True)
    _assert_all_404(admin_b, token_b, "/t/beta/fiches/locales", slug)

    coordinator, token_c = sign_in(app, "coord@example.org")
    assert "Fiche locale Alpha" not in coordinator.get(BASE).get_data(as_text=True)
    _assert_all_404(coordinator, token_c, BASE, slug)

    fiche, draft, numbers = load_fiche(dbsession, in_space, tenant_space(world), slug)
    assert (fiche.title, fiche.status, fiche.revision, draft, numbers) == (
        "Fiche locale Alpha", "published", 1, None, [1])

    admin_a, _ = sign_in(app, "admin.a@example.org")
    assert "Fiche locale Alpha" in admin_a.get(LOCAL).get_data(as_text=True)
    assert admin_a.get(f"{LOCAL}/{slug}").status_code == 200


def test_network_fiches_are_not_local_fiches_of_a_tenant(app, world):
    slug = builders.published_network_fiche(world["network"], world["coordinator"],
                                            "Fiche du réseau").slug
    admin_a, token = sign_in(app, "admin.a@example.org")
    assert "Fiche du réseau" not in admin_a.get(LOCAL).get_data(as_text=True)
    _assert_all_404(admin_a, token, LOCAL, slug)


def test_coordinator_of_another_network_gets_404_and_changes_nothing(app, world, dbsession,
                                                                     in_space):
    published = builders.published_network_fiche(world["network"], world["coordinator"],
                                                  "Fiche du réseau un")
    draft = builders.draft_network_fiche(world["network"], world["coordinator"],
                                         "Brouillon du réseau un")
    slugs = (published.slug, draft.slug)
    browser, token = sign_in(app, "coord2@example.org")
    listing = browser.get("/n/reseau-deux/fiches").get_data(as_text=True)
    assert "réseau un" not in listing
    for slug in slugs:
        _assert_all_404(browser, token, "/n/reseau-deux/fiches", slug)
        assert browser.get(f"/n/reseau-deux/fiches/{slug}/lectures").status_code == 404
        _assert_all_404(browser, token, BASE, slug)  # not a member of network one at all
    fiche, pending, numbers = load_fiche(dbsession, in_space, network_space(world), slugs[0])
    assert (fiche.status, fiche.revision, pending, numbers) == ("published", 1, None, [1])
    fiche, pending, numbers = load_fiche(dbsession, in_space, network_space(world), slugs[1])
    assert (fiche.status, fiche.revision, numbers) == ("draft", 0, [])
    assert pending.title == "Brouillon du réseau un"


def test_readers_without_the_author_role_get_403(app, world):
    slug = builders.published_local_fiche(world["a"], [world["network_id"]], world["a_admin"],
                                          "Fiche locale").slug
    for email in ("agent.a@example.org", "elu.a@example.org"):
        browser, token = sign_in(app, email)
        for url in (LOCAL, f"{LOCAL}/nouvelle", f"{LOCAL}/manques", f"{LOCAL}/{slug}",
                    f"{LOCAL}/{slug}/historique"):
            assert browser.get(url).status_code == 403, (email, url)
        for url in (f"{LOCAL}/nouvelle", f"{LOCAL}/{slug}/archiver",
                    f"{LOCAL}/{slug}/publier"):
            response = browser.post(url, data=fiche_form(token, summary="x"))
            assert response.status_code == 403, (email, url)
        # tenant roles give no access to the network's authoring pages
        assert browser.get(BASE).status_code == 404


def test_tenant_admin_has_no_network_authoring_pages(app, world):
    browser, _ = sign_in(app, "admin.a@example.org")
    assert browser.get(BASE).status_code == 404
    assert browser.get(f"{LOCAL}/themes").status_code == 404  # themes belong to networks
    assert browser.get(f"{LOCAL}/lectures").status_code == 404


def test_a_tenant_of_another_network_cannot_see_network_one_fiches(world, dbsession, in_space):
    fiche = builders.published_network_fiche(world["network"], world["coordinator"],
                                             "Réservée au réseau un")
    with in_space(Space.for_tenant(world["gamma_id"], [world["network2_id"]])):
        assert dbsession.scalar(sa.select(Fiche).where(Fiche.id == fiche.id)) is None
    with factories._unscoped():
        assert dbsession.get(Fiche, fiche.id) is not None
