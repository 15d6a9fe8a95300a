"""The authors' backlog (searches without result, proposals from the field) and the
network's themes."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.core.tenancy import Space
from app.networks.fiches import services
from app.networks.fiches.models import FicheProposal, FicheTheme
from tests import factories
from tests.networks.fiches import builders
from tests.networks.fiches.test_authoring import (
    BASE,
    LOCAL,
    build_world,
    network_space,
    sign_in,
    tenant_space,
)


@pytest.fixture()
def world(dbsession):
    return build_world()


@pytest.fixture()
def backlog(world, dbsession, in_space):
    net_fiche = builders.published_network_fiche(world["network"], world["coordinator"],
                                                 "Fiche du réseau")
    local = builders.published_local_fiche(world["a"], [world["network_id"]], world["a_admin"],
                                           "Fiche locale Alpha")
    with in_space(tenant_space(world, "a")):
        services.record_miss("garde enfant malade")
        services.record_miss("garde enfant malade")
        network_prop = services.propose(net_fiche, "Ajouter le numero de la PMI",
                                        world["agent_a"])
        local_prop = services.propose(local, "Corriger adresse locale", world["agent_a"])
    with in_space(tenant_space(world, "b")):
        services.record_miss("halte garderie")
        b_prop = services.propose(net_fiche, "Proposition venue de Beta", world["agent_b"])
    with in_space(Space.for_tenant(world["gamma_id"], [world["network2_id"]])):
        services.record_miss("secret du territoire gamma")
    dbsession.flush()
    return {"network_prop": network_prop.id, "local_prop": local_prop.id, "b_prop": b_prop.id}


def _status(dbsession, in_space, world, proposal_id: int) -> str:
    dbsession.expire_all()
    with factories._unscoped():
        return dbsession.scalar(sa.select(FicheProposal.status).where(
            FicheProposal.id == proposal_id))


def test_network_backlog_lists_member_tenants_rows_only(app, world, backlog):
    browser, _ = sign_in(app, "coord@example.org")
    html = browser.get(f"{BASE}/manques").get_data(as_text=True)
    assert "garde enfant malade" in html and "halte garderie" in html
    assert "CA Alpha" in html and "CA Bêta" in html
    assert "secret du territoire gamma" not in html
    assert "Ajouter le numero de la PMI" in html and "Proposition venue de Beta" in html
    assert "Corriger adresse locale" not in html  # about a tenant's local fiche
    assert "Alice Accueil" in html


def test_tenant_backlog_lists_its_own_rows_and_local_proposals(app, world, backlog):
    browser, _ = sign_in(app, "admin.a@example.org")
    html = browser.get(f"{LOCAL}/manques").get_data(as_text=True)
    assert "garde enfant malade" in html and "halte garderie" not in html
    assert "Corriger adresse locale" in html
    assert "Ajouter le numero de la PMI" not in html  # handled by the network's authors
    assert "Proposition venue de Beta" not in html


def test_marking_proposals_done_stays_within_each_space(app, world, backlog, dbsession,
                                                        in_space):
    coordinator, token = sign_in(app, "coord@example.org")
    url = f"{BASE}/propositions/{{}}/traitee"
    assert coordinator.post(url.format(backlog["local_prop"]),
                            data={"csrf_token": token}).status_code == 404
    assert _status(dbsession, in_space, world, backlog["local_prop"]) == "new"
    assert coordinator.post(url.format(backlog["network_prop"]),
                            data={"csrf_token": token}).status_code == 302
    assert _status(dbsession, in_space, world, backlog["network_prop"]) == "done"

    other, token2 = sign_in(app, "coord2@example.org")
    assert other.post(f"/n/reseau-deux/fiches/propositions/{backlog['b_prop']}/traitee",
                      data={"csrf_token": token2}).status_code == 404
    assert _status(dbsession, in_space, world, backlog["b_prop"]) == "new"

    admin_b, token_b = sign_in(app, "admin.b@example.org")
    assert admin_b.post(f"/t/beta/fiches/locales/propositions/{backlog['local_prop']}/traitee",
                        data={"csrf_token": token_b}).status_code == 404
    assert admin_b.post(f"/t/beta/fiches/locales/propositions/{backlog['b_prop']}/traitee",
                        data={"csrf_token": token_b}).status_code == 404
    assert _status(dbsession, in_space, world, backlog["b_prop"]) == "new"

    admin_a, token_a = sign_in(app, "admin.a@example.org")
    assert admin_a.post(f"{LOCAL}/propositions/{backlog['local_prop']}/traitee",
                        data={"csrf_token": token_a}).status_code == 302
    assert _status(dbsession, in_space, world, backlog["local_prop"]) == "done"
    assert "Traitée" in admin_a.get(f"{LOCAL}/manques").get_data(as_text=True)


def test_empty_backlog_says_what_will_appear(app, world):
    browser, _ = sign_in(app, "coord@example.org")
    html = browser.get(f"{BASE}/manques").get_data(as_text=True)
    assert "Aucune recherche sans résultat pour l’instant" in html
    assert "Aucune proposition pour l’instant" in html


# --------------------------------------------------------------------------- themes

def _themes(dbsession, in_space, space) -> dict[str, tuple[str, int]]:
    dbsession.expire_all()
    with in_space(space):
        return {t.slug: (t.name, t.position) for t in dbsession.scalars(sa.select(FicheTheme))}


def test_coordinator_adds_renames_and_reorders_themes(app, world, dbsession, in_space):
    browser, token = sign_in(app, "coord@example.org")
    assert "Modes d’accueil" in browser.get(f"{BASE}/themes").get_data(as_text=True)
    response = browser.post(f"{BASE}/themes", data={"csrf_token": token, "action": "add",
                                                    "name": "Parent employeur", "position": "5"})
    assert response.status_code == 302
    themes = _themes(dbsession, in_space, network_space(world))
    assert themes["parent-employeur"] == ("Parent employeur", 5)

    duplicate = browser.post(f"{BASE}/themes", data={"csrf_token": token, "action": "add",
                                                     "name": "Parent  employeur"})
    assert duplicate.status_code == 400
    assert "Un thème porte déjà ce nom." in duplicate.get_data(as_text=True)
    blank = browser.post(f"{BASE}/themes", data={"csrf_token": token, "action": "add",
                                                 "name": ""})
    assert blank.status_code == 400 and "Ce champ est obligatoire." in blank.get_data(as_text=True)

    with in_space(network_space(world)):
        ids = {t.slug: t.id for t in dbsession.scalars(sa.select(FicheTheme))}
    first, second = ids["modes-accueil"], ids["parent-employeur"]
    bad = browser.post(f"{BASE}/themes", data={
        "csrf_token": token, "action": "update", f"name_{first}": "Modes d’accueil du jeune enfant",
        f"position_{first}": "abc", f"name_{second}": "Parent employeur",
        f"position_{second}": "1"})
    assert bad.status_code == 400
    html = bad.get_data(as_text=True)
    assert "Un nombre de 0 à 999." in html and "Modes d’accueil du jeune enfant" in html
    assert _themes(dbsession, in_space, network_space(world))["modes-accueil"] == (
        "Modes d’accueil", 0)

    response = browser.post(f"{BASE}/themes", data={
        "csrf_token": token, "action": "update", f"name_{first}": "Modes d’accueil du jeune enfant",
        f"position_{first}": "9", f"name_{second}": "Parent employeur",
        f"position_{second}": "1"})
    assert response.status_code == 302
    themes = _themes(dbsession, in_space, network_space(world))
    assert themes["modes-accueil"] == ("Modes d’accueil du jeune enfant", 9)  # slug kept
    assert themes["parent-employeur"] == ("Parent employeur", 1)


def test_another_network_cannot_touch_the_themes(app, world, dbsession, in_space):
    with in_space(network_space(world)):
        theme_id = dbsession.scalar(sa.select(FicheTheme.id))
    browser, token = sign_in(app, "coord2@example.org")
    assert "Modes d’accueil" not in browser.get("/n/reseau-deux/fiches/themes").get_data(
        as_text=True)
    browser.post("/n/reseau-deux/fiches/themes", data={
        "csrf_token": token, "action": "update", f"name_{theme_id}": "Piraté",
        f"position_{theme_id}": "1"})
    assert _themes(dbsession, in_space, network_space(world))["modes-accueil"] == (
        "Modes d’accueil", 0)
