"""The authors' side of fiches, continued: verification, archive, discard, the list's
filters and « À revoir » block, local fiches, the publication digest, and every page."""

from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa

from app.core.models import MailMessage
from app.networks.fiches.models import Fiche
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
    slug_from,
    tenant_space,
)


@pytest.fixture()
def world(dbsession):
    return build_world()


# --------------------------------------------------------------------------- other actions

def test_verify_archive_restore_and_discard(app, world, dbsession, in_space):
    fiche = builders.published_network_fiche(world["network"], world["coordinator"], "Crèche",
                                             review_due=None)
    slug = fiche.slug
    browser, token = sign_in(app, "coord@example.org")

    bad = browser.post(f"{BASE}/{slug}/verifiee", data={"csrf_token": token,
                                                        "review_due": "bientôt"})
    assert bad.status_code == 400 and "Date invalide" in bad.get_data(as_text=True)
    assert browser.post(f"{BASE}/{slug}/verifiee", data={
        "csrf_token": token, "review_due": "2031-06-30"}).status_code == 302
    fiche, _, _ = load_fiche(dbsession, in_space, network_space(world), slug)
    assert str(fiche.review_due) == "2031-06-30" and fiche.verified_on is not None

    confirm = browser.get(f"{BASE}/{slug}/archiver").get_data(as_text=True)
    assert "Confirmer l’archivage" in confirm
    assert browser.post(f"{BASE}/{slug}/archiver", data={"csrf_token": token}).status_code == 302
    fiche, _, _ = load_fiche(dbsession, in_space, network_space(world), slug)
    assert fiche.status == "archived"
    with in_space(tenant_space(world)):
        assert dbsession.scalar(sa.select(Fiche).where(Fiche.id == fiche.id)) is None
    assert browser.get(f"{BASE}/{slug}/modifier").status_code == 302  # restore first

    assert browser.post(f"{BASE}/{slug}/restaurer", data={"csrf_token": token}).status_code == 302
    fiche, _, _ = load_fiche(dbsession, in_space, network_space(world), slug)
    assert fiche.status == "published"

    browser.post(f"{BASE}/{slug}/modifier", data=fiche_form(token, title="Crèche"))
    confirm = browser.get(f"{BASE}/{slug}/abandonner").get_data(as_text=True)
    assert "Confirmer la suppression" in confirm and "version 1" in confirm
    assert browser.post(f"{BASE}/{slug}/abandonner",
                        data={"csrf_token": token}).status_code == 302
    fiche, draft, _ = load_fiche(dbsession, in_space, network_space(world), slug)
    assert fiche.status == "published" and draft is None


def test_discarding_a_never_published_fiche_deletes_it(app, world, dbsession, in_space):
    slug = builders.draft_network_fiche(world["network"], world["coordinator"], "Brouillon").slug
    browser, token = sign_in(app, "coord@example.org")
    response = browser.post(f"{BASE}/{slug}/abandonner", data={"csrf_token": token})
    assert response.headers["Location"].endswith(BASE)
    fiche, _, _ = load_fiche(dbsession, in_space, network_space(world), "brouillon")
    assert fiche is None


def test_overdue_fiches_are_listed_for_their_authors(app, world):
    builders.published_network_fiche(world["network"], world["coordinator"], "Vieille fiche",
                                     review_due=date(2020, 1, 1))
    builders.published_network_fiche(world["network"], world["coordinator"], "Fiche à jour",
                                     review_due=date(2099, 1, 1))
    browser, _ = sign_in(app, "coord@example.org")
    html = browser.get(BASE).get_data(as_text=True)
    block = html.split('id="to-review"')[1].split("</section>")[0]
    assert "Vieille fiche" in block and "Fiche à jour" not in block
    assert "Vérifiée le" in html


def test_filters_by_status_and_theme(app, world):
    builders.published_network_fiche(world["network"], world["coordinator"], "Publiée A",
                                      theme_id=world["theme_id"])
    builders.draft_network_fiche(world["network"], world["coordinator"], "Brouillon B")
    browser, _ = sign_in(app, "coord@example.org")
    drafts = browser.get(f"{BASE}?statut=draft").get_data(as_text=True)
    assert "Brouillon B" in drafts and "Publiée A" not in drafts
    themed = browser.get(f"{BASE}?theme={world['theme_id']}").get_data(as_text=True)
    assert "Publiée A" in themed and "Brouillon B" not in themed


# --------------------------------------------------------------------------- local fiches

def test_tenant_admin_writes_and_publishes_a_local_fiche(app, world, dbsession, in_space,
                                                         run_jobs):
    browser, token = sign_in(app, "admin.a@example.org")
    assert "Fiches locales" in browser.get(LOCAL).get_data(as_text=True)
    form = browser.get(f"{LOCAL}/nouvelle").get_data(as_text=True)
    assert "Modes d’accueil" in form  # the themes of the tenant's networks
    response = browser.post(f"{LOCAL}/nouvelle", data=fiche_form(
        token, title="Portage de repas aux familles", theme_id=str(world["theme_id"])))
    slug = slug_from(response)
    response = browser.post(f"{LOCAL}/{slug}/publier",
                            data={"csrf_token": token, "summary": "Création"})
    assert response.status_code == 302
    fiche, draft, numbers = load_fiche(dbsession, in_space, tenant_space(world), slug)
    assert fiche.tenant_id == world["a_id"] and fiche.network_id is None
    assert (fiche.status, numbers, draft) == ("published", [1], None)
    run_jobs()
    with factories._unscoped():
        assert dbsession.scalar(sa.select(sa.func.count(MailMessage.id)).where(
            MailMessage.kind == "fiche_digest")) == 0  # local fiches send no network digest


# --------------------------------------------------------------------------- digest

def _publish_through_the_page(app, world, title: str) -> None:
    slug = builders.draft_network_fiche(world["network"], world["coordinator"], title).slug
    browser, token = sign_in(app, "coord@example.org")
    response = browser.post(f"{BASE}/{slug}/publier",
                            data={"csrf_token": token, "summary": "Création"})
    assert response.status_code == 302


def test_publishing_queues_the_digest_job_of_the_network(app, world):
    from app.core import jobs

    _publish_through_the_page(app, world, "Aides CAF")
    queued = [job for job in jobs.proc_app.connector.jobs.values()
              if job["task_name"] == "maillage.fiche_digest"]
    assert len(queued) == 1
    assert queued[0]["args"]["network_id"] == world["network_id"]
    assert queued[0]["args"]["space"]["kind"] == "network"


def test_the_digest_job_mails_reception_agents_of_member_tenants(app, world, dbsession,
                                                                 run_jobs):
    _publish_through_the_page(app, world, "Aides CAF")
    run_jobs()
    with factories._unscoped():
        messages = dbsession.scalars(sa.select(MailMessage).where(
            MailMessage.kind == "fiche_digest")).all()
    recipients = sorted(m.to_address for m in messages)
    # the elected official and the administrators do not follow fiches by default
    assert recipients == ["agent.a@example.org", "agent.b@example.org"]
    assert all("Aides CAF" in m.body_text for m in messages)
    assert all(m.status == "outbox" for m in messages)


# --------------------------------------------------------------------------- pages

def test_every_authoring_page_renders_in_french(app, world, dbsession):
    first = builders.published_network_fiche(world["network"], world["coordinator"], "Fiche 1")
    builders.draft_network_fiche(world["network"], world["coordinator"], "Fiche 2")
    slug = first.slug
    browser, token = sign_in(app, "coord@example.org")
    browser.post(f"{BASE}/{slug}/modifier", data=fiche_form(token, title="Fiche 1"))
    browser.post(f"{BASE}/{slug}/publier", data={"csrf_token": token, "summary": "Deuxième"})
    pages = [BASE, f"{BASE}/nouvelle", f"{BASE}/{slug}", f"{BASE}/{slug}/modifier",
             f"{BASE}/{slug}/archiver", f"{BASE}/{slug}/historique",
             f"{BASE}/{slug}/diff?de=1&a=2", f"{BASE}/lectures", f"{BASE}/{slug}/lectures",
             f"{BASE}/manques", f"{BASE}/themes"]
    for url in pages:
        response = browser.get(url)
        html = response.get_data(as_text=True)
        assert response.status_code == 200, url
        assert "<title>" in html and "None" not in html, url
        assert re.search(r"<h1>[^<]", html), url
        if "<table" in html:
            assert '<th scope="col">' in html, url
    local, local_token = sign_in(app, "admin.a@example.org")
    for url in (LOCAL, f"{LOCAL}/nouvelle", f"{LOCAL}/manques"):
        response = local.get(url)
        assert response.status_code == 200, url
        assert "None" not in response.get_data(as_text=True), url
