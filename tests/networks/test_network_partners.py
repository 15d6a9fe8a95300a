"""The network's partner directory: organisations and contacts, and their isolation."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.core.models import AuditLog
from app.extensions import db
from app.networks.models import Network, Organisation, OrganisationContact
from tests import factories
from tests.networks.test_network_space import build_world, fresh_client, make_login, snapshot

BASE = "/n/reseau-test/partenaires"


@pytest.fixture()
def world(dbsession):
    return snapshot(build_world())


@pytest.fixture()
def client(app, dbsession):
    return fresh_client(app)


@pytest.fixture()
def login(client, dbsession):
    return make_login(client, dbsession)


def organisation(org_id: int) -> Organisation | None:
    with factories._unscoped():
        return db.session.scalar(sa.select(Organisation).where(Organisation.id == org_id)
                                 .execution_options(populate_existing=True))


def contact(contact_id: int) -> OrganisationContact | None:
    with factories._unscoped():
        return db.session.scalar(
            sa.select(OrganisationContact).where(OrganisationContact.id == contact_id)
            .execution_options(populate_existing=True))


def count(model, **where) -> int:
    with factories._unscoped():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model).filter_by(**where))


def test_list_shows_only_this_networks_organisations(client, login, world):
    login("coord@example.org")
    html = client.get(BASE).get_data(as_text=True)
    assert world["org_name"] in html and "CAF Deux" not in html


def test_search_and_kind_filter(client, login, world):
    with factories._unscoped():
        net = db.session.get(Network, world["network_id"])
    factories.organisation(net, "Protection maternelle et infantile des Côtes-d’Armor", "pmi")
    factories.organisation(net, "Mutualité sociale agricole", "msa")
    login("coord@example.org")
    found = client.get(BASE + "?q=cotes").get_data(as_text=True)
    assert "Protection maternelle" in found and "Mutualité" not in found
    by_contact = client.get(BASE + "?q=alix").get_data(as_text=True)
    assert world["org_name"] in by_contact and "Mutualité" not in by_contact
    msa = client.get(BASE + "?type=msa").get_data(as_text=True)
    assert "Mutualité" in msa and "Protection maternelle" not in msa
    none = client.get(BASE + "?q=introuvable")
    assert none.status_code == 200 and "Aucune organisation ne correspond" in none.get_data(
        as_text=True)
    fragment = client.get(BASE + "?q=cotes", headers={"HX-Request": "true"})
    assert "<html" not in fragment.get_data(as_text=True)
    assert "Protection maternelle" in fragment.get_data(as_text=True)


def test_list_is_paginated(client, login, world):
    with factories._unscoped():
        net = db.session.get(Network, world["network_id"])
    for i in range(30):
        factories.organisation(net, f"Association {i:02d}", "association")
    login("coord@example.org")
    first = client.get(BASE).get_data(as_text=True)
    assert "Page 1 sur 2" in first and "Association 00" in first
    second = client.get(BASE + "?page=2").get_data(as_text=True)
    assert "Association 29" in second and "Association 00" not in second


def test_create_keeps_input_on_error_then_creates(client, login, world):
    token = login("coord@example.org")
    before = count(Organisation)
    bad = client.post(BASE + "/nouveau", data={
        "csrf_token": token, "name": "", "kind": "msa", "email": "pas-une-adresse",
        "phone": "02 96 11 22 33", "notes": "Contact pour les forums"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400
    assert "Ce champ est obligatoire." in html and "Adresse e-mail invalide" in html
    assert 'value="02 96 11 22 33"' in html and "Contact pour les forums" in html
    assert '<option value="msa" selected>' in html
    assert count(Organisation) == before
    good = client.post(BASE + "/nouveau", data={
        "csrf_token": token, "name": "MSA d’Armorique", "kind": "msa",
        "email": "Accueil@MSA.fr", "website": "https://msa.fr"})
    assert good.status_code == 302
    with factories._unscoped():
        created = db.session.scalar(sa.select(Organisation).where(
            Organisation.name == "MSA d’Armorique"))
        assert created.network_id == world["network_id"] and created.email == "accueil@msa.fr"
        assert db.session.scalar(sa.select(AuditLog.network_id).where(
            AuditLog.action == "organisation.created")) == world["network_id"]


def test_edit_organisation(client, login, world):
    token = login("coord@example.org")
    url = f"{BASE}/{world['org_id']}"
    bad = client.post(url, data={"csrf_token": token, "name": "Nouveau nom", "kind": "inconnu"})
    assert bad.status_code == 400 and 'value="Nouveau nom"' in bad.get_data(as_text=True)
    assert organisation(world["org_id"]).name == world["org_name"]
    ok = client.post(url, data={"csrf_token": token, "name": "CAF des Côtes-d’Armor",
                                "kind": "caf", "phone": "02 96 00 00 00"})
    assert ok.status_code == 302
    assert organisation(world["org_id"]).name == "CAF des Côtes-d’Armor"


def test_contacts_add_edit_delete(client, login, world):
    token = login("coord@example.org")
    org_url = f"{BASE}/{world['org_id']}"
    bad = client.post(org_url + "/contacts", data={
        "csrf_token": token, "contact_full_name": "Marie Curie", "contact_email": ""})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400
    assert 'value="Marie Curie"' in html and 'id="f-contact_email-error"' in html
    assert count(OrganisationContact, organisation_id=world["org_id"]) == 1
    added = client.post(org_url + "/contacts", data={
        "csrf_token": token, "contact_full_name": "Marie Curie",
        "contact_position": "Conseillère technique", "contact_email": "Marie@CAF.fr"})
    assert added.status_code == 302
    with factories._unscoped():
        new_id = db.session.scalar(sa.select(OrganisationContact.id).where(
            OrganisationContact.email == "marie@caf.fr"))
    assert "Conseillère technique" in client.get(org_url).get_data(as_text=True)

    edit_url = f"{org_url}/contacts/{new_id}"
    bad_edit = client.post(edit_url, data={"csrf_token": token, "full_name": "Marie C.",
                                           "email": "marie@", "phone": "0296"})
    assert bad_edit.status_code == 400 and 'value="Marie C."' in bad_edit.get_data(
        as_text=True)
    assert client.post(edit_url, data={"csrf_token": token, "full_name": "Marie Curie",
                                       "email": "marie.curie@caf.fr"}).status_code == 302
    assert contact(new_id).email == "marie.curie@caf.fr"

    assert "Confirmer la suppression" in client.get(edit_url + "/supprimer").get_data(
        as_text=True)
    assert client.post(edit_url + "/supprimer", data={"csrf_token": token}).status_code == 302
    assert contact(new_id) is None


def test_deleting_an_organisation_removes_its_contacts(client, login, world):
    token = login("coord@example.org")
    url = f"{BASE}/{world['org_id']}/supprimer"
    assert "Confirmer la suppression" in client.get(url).get_data(as_text=True)
    assert organisation(world["org_id"]) is not None
    assert client.post(url, data={"csrf_token": token}).status_code == 302
    assert organisation(world["org_id"]) is None
    assert contact(world["contact_id"]) is None


def test_contact_under_another_organisation_url_is_404(client, login, world):
    with factories._unscoped():
        net = db.session.get(Network, world["network_id"])
    other = factories.organisation(net, "Autre organisation").id
    token = login("coord@example.org")
    url = f"{BASE}/{other}/contacts/{world['contact_id']}"
    assert client.get(url).status_code == 404
    assert client.post(url, data={"csrf_token": token, "full_name": "X",
                                  "email": "x@example.org"}).status_code == 404
    assert contact(world["contact_id"]).full_name == "Alix Un"


def test_another_networks_organisations_and_contacts_are_404(client, login, world):
    token = login("coord@example.org")
    org2, contact2 = world["org2_id"], world["contact2_id"]
    gets = [f"{BASE}/{org2}", f"{BASE}/{org2}/supprimer", f"{BASE}/{org2}/contacts/{contact2}",
            f"{BASE}/{org2}/contacts/{contact2}/supprimer"]
    for url in gets:
        assert client.get(url).status_code == 404, url
    posts = {
        f"{BASE}/{org2}": {"name": "Piraté", "kind": "caf"},
        f"{BASE}/{org2}/contacts": {"contact_full_name": "Intrus",
                                    "contact_email": "intrus@example.org"},
        f"{BASE}/{org2}/contacts/{contact2}": {"full_name": "Piraté", "email": "p@example.org"},
        f"{BASE}/{org2}/contacts/{contact2}/supprimer": {},
        f"{BASE}/{org2}/supprimer": {},
    }
    for url, data in posts.items():
        assert client.post(url, data={"csrf_token": token, **data}).status_code == 404, url
    assert organisation(org2).name == "CAF Deux"
    assert contact(contact2).full_name == "Dominique Deux"
    assert count(OrganisationContact, organisation_id=org2) == 1
