"""The tenant administrator's places: commune desks, relais and their coverage, reception
points. Validation keeps what was typed and writes nothing."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.core.models import AuditLog
from app.tenants.models import Commune, ReceptionPoint, Relais, RelaisCommune, TenantRole
from tests import factories


@pytest.fixture()
def world(dbsession):
    w = factories.two_tenants_world()
    dbsession.expunge_all()  # requests commit in this session: keep the test's values loaded
    return w


@pytest.fixture()
def admin(login, dbsession, world):
    """Signed in as a's administrator; returns a CSRF token. The commit keeps the session row
    safe from an error page's rollback (the test shares its session with the requests)."""
    token = login("admin.a@example.org")
    dbsession.commit()
    return token


@pytest.fixture()
def read(unscoped, dbsession):
    """Run a query unscoped, from a clean identity map."""

    def run(stmt):
        dbsession.expire_all()
        with unscoped("test assertions"):
            return dbsession.execute(stmt).all()

    return run


def coverage(read, relais_id: int) -> set[int]:
    return {r[0] for r in read(sa.select(RelaisCommune.commune_id)
                               .where(RelaisCommune.relais_id == relais_id))}


def audit_actions(read) -> list[str]:
    return [r[0] for r in read(sa.select(AuditLog.action).order_by(AuditLog.id))]


# --------------------------------------------------------------------------- communes

def test_commune_desk_is_edited_and_shows_its_relais(client, admin, world, read):
    commune = world["a_communes"][0]
    page = client.get(f"/t/alpha/communes/{commune.id}").get_data(as_text=True)
    assert world["a_relais"].name in page and "Modifier ce relais" in page
    response = client.post(f"/t/alpha/communes/{commune.id}", data={
        "csrf_token": admin, "desk_phone": "02 96 11 22 33",
        "desk_hours": "Lundi au vendredi : 8 h 30 – 12 h"})
    assert response.status_code == 303
    row = read(sa.select(Commune.desk_phone, Commune.desk_hours)
               .where(Commune.id == commune.id))[0]
    assert tuple(row) == ("02 96 11 22 33", "Lundi au vendredi : 8 h 30 – 12 h")
    assert "commune.updated" in audit_actions(read)
    listing = client.get("/t/alpha/communes").get_data(as_text=True)
    assert "est enregistré" in listing and "02 96 11 22 33" in listing


def test_commune_desk_bad_phone_keeps_input(client, admin, world, read):
    commune = world["a_communes"][0]
    response = client.post(f"/t/alpha/communes/{commune.id}", data={
        "csrf_token": admin, "desk_phone": "appelez-nous", "desk_hours": "Mardi matin"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Numéro de téléphone invalide" in html
    assert 'value="appelez-nous"' in html and ">Mardi matin</textarea>" in html
    assert read(sa.select(Commune.desk_hours).where(Commune.id == commune.id))[0][0] == ""


# --------------------------------------------------------------------------- relais

def test_relais_is_created_with_its_communes(client, admin, world, read):
    c1, c2 = world["a_communes"]
    response = client.post("/t/alpha/relais/nouveau", data={
        "csrf_token": admin, "name": "RPE des Trois Rivières", "address": "1 rue du Port",
        "phone": "02 96 00 11 22", "email": "rpe3r@example.org",
        "opening_hours": "Mardi 9 h – 12 h", "is_itinerant": "on",
        "communes": [str(c1.id), str(c2.id)]})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/t/alpha/relais")
    rows = read(sa.select(Relais).where(Relais.name == "RPE des Trois Rivières"))
    relais = rows[0][0]
    assert relais.tenant_id == world["a"].id and relais.is_itinerant
    assert relais.email == "rpe3r@example.org"
    assert coverage(read, relais.id) == {c1.id, c2.id}
    assert "relais.created" in audit_actions(read)
    listing = client.get("/t/alpha/relais").get_data(as_text=True)
    assert "Le relais « RPE des Trois Rivières » est créé." in listing
    assert "Itinérant" in listing


def test_relais_coverage_is_changed_on_edit(client, admin, world, read):
    relais = world["a_relais"]
    c1, c2 = world["a_communes"]
    c3_id = factories.commune(world["a"], name="Trégueux").id
    edit = client.get(f"/t/alpha/relais/{relais.id}").get_data(as_text=True)
    assert f'value="{c1.id}" checked' in edit and f'value="{c3_id}">' in edit
    response = client.post(f"/t/alpha/relais/{relais.id}", data={
        "csrf_token": admin, "name": "RPE renommé", "phone": "", "email": "",
        "communes": [str(c2.id), str(c3_id)]})
    assert response.status_code == 303
    assert coverage(read, relais.id) == {c2.id, c3_id}
    row = read(sa.select(Relais.name, Relais.is_itinerant, Relais.email)
               .where(Relais.id == relais.id))[0]
    assert tuple(row) == ("RPE renommé", False, "")
    # Unchecking every commune removes the whole coverage.
    client.post(f"/t/alpha/relais/{relais.id}", data={"csrf_token": admin,
                                                      "name": "RPE renommé"})
    assert coverage(read, relais.id) == set()
    assert audit_actions(read).count("relais.updated") == 2


def test_relais_validation_errors_keep_input_and_write_nothing(client, admin, world, read):
    c1 = world["a_communes"][0]
    before = read(sa.select(sa.func.count(Relais.id)))[0][0]
    response = client.post("/t/alpha/relais/nouveau", data={
        "csrf_token": admin, "name": "", "email": "pas-une-adresse",
        "phone": "02 96 00 11 22", "opening_hours": "Jeudi", "is_itinerant": "on",
        "communes": [str(c1.id)]})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Ce champ est obligatoire." in html and "Adresse e-mail invalide" in html
    assert "Le formulaire contient 2 erreurs" in html
    assert 'value="pas-une-adresse"' in html and 'value="02 96 00 11 22"' in html
    assert ">Jeudi</textarea>" in html
    assert f'value="{c1.id}" checked' in html and 'name="is_itinerant" type="checkbox" value="on" checked' in html
    assert read(sa.select(sa.func.count(Relais.id)))[0][0] == before


def test_relais_refuses_a_commune_of_another_tenant(client, admin, world, read):
    relais, foreign = world["a_relais"], world["b_communes"][0]
    mine = world["a_communes"][0]
    response = client.post(f"/t/alpha/relais/{relais.id}", data={
        "csrf_token": admin, "name": "RPE piraté", "communes": [str(mine.id), str(foreign.id)]})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Une des communes choisies ne fait pas partie du territoire." in html
    assert 'value="RPE piraté"' in html
    assert foreign.name not in html  # b's communes are never offered
    assert coverage(read, relais.id) == {c.id for c in world["a_communes"]}
    assert read(sa.select(Relais.name).where(Relais.id == relais.id))[0][0] == relais.name
    for bogus in ("99999999", "-3", "99999999999999999999999"):
        response = client.post("/t/alpha/relais/nouveau", data={
            "csrf_token": admin, "name": "RPE fantôme", "communes": [bogus]})
        assert response.status_code == 400, bogus
    assert not read(sa.select(Relais.id).where(Relais.name == "RPE fantôme"))


def test_relais_delete_asks_for_confirmation_then_deletes(client, admin, world, read):
    relais = world["a_relais"]
    animator = factories.user("anim@example.org")
    animator_id = animator.id
    factories.tenant_role(animator, world["a"], "rpe_animator", relais_id=relais.id)
    page = client.get(f"/t/alpha/relais/{relais.id}/supprimer").get_data(as_text=True)
    assert "Confirmer la suppression" in page
    assert "2 communes ne seront plus couvertes par aucun relais" in page
    assert "1 personne est rattachée à ce relais" in page
    assert read(sa.select(Relais.id).where(Relais.id == relais.id))  # GET deleted nothing
    response = client.post(f"/t/alpha/relais/{relais.id}/supprimer",
                           data={"csrf_token": admin})
    assert response.status_code == 303
    assert not read(sa.select(Relais.id).where(Relais.id == relais.id))
    assert coverage(read, relais.id) == set()
    role = read(sa.select(TenantRole.relais_id).where(TenantRole.user_id == animator_id))
    assert role[0][0] is None
    assert "relais.deleted" in audit_actions(read)
    home = client.get("/t/alpha/").get_data(as_text=True)
    assert "2 communes ne sont couvertes par aucun relais" in home


def test_relais_list_is_empty_state_then_rows(client, admin, world, read):
    client.post(f"/t/alpha/relais/{world['a_relais'].id}/supprimer", data={"csrf_token": admin})
    html = client.get("/t/alpha/relais").get_data(as_text=True)
    assert "Aucun relais pour l’instant" in html and "apparaîtront ici" in html


# --------------------------------------------------------------------------- reception points

def test_reception_point_create_edit_delete(client, admin, world, read):
    commune = world["a_communes"][1]
    response = client.post("/t/alpha/points-accueil/nouveau", data={
        "csrf_token": admin, "name": "Pôle de proximité Sud", "kind": "pole",
        "commune_id": str(commune.id), "phone": "02 96 22 33 44",
        "opening_hours": "Mercredi"})
    assert response.status_code == 303
    point_id, kind, commune_id = read(
        sa.select(ReceptionPoint.id, ReceptionPoint.kind, ReceptionPoint.commune_id)
        .where(ReceptionPoint.name == "Pôle de proximité Sud"))[0]
    assert (kind, commune_id) == ("pole", commune.id)
    listing = client.get("/t/alpha/points-accueil").get_data(as_text=True)
    assert "Pôle de proximité Sud" in listing and "Pôle de proximité</td>" in listing

    response = client.post(f"/t/alpha/points-accueil/{point_id}", data={
        "csrf_token": admin, "name": "Siège de l’agglomération", "kind": "siege",
        "commune_id": ""})
    assert response.status_code == 303
    row = read(sa.select(ReceptionPoint.name, ReceptionPoint.kind, ReceptionPoint.commune_id)
               .where(ReceptionPoint.id == point_id))[0]
    assert tuple(row) == ("Siège de l’agglomération", "siege", None)

    confirm = client.get(f"/t/alpha/points-accueil/{point_id}/supprimer")
    assert "Confirmer la suppression" in confirm.get_data(as_text=True)
    response = client.post(f"/t/alpha/points-accueil/{point_id}/supprimer",
                           data={"csrf_token": admin})
    assert response.status_code == 303
    assert not read(sa.select(ReceptionPoint.id).where(ReceptionPoint.id == point_id))
    actions = audit_actions(read)
    for action in ("reception_point.created", "reception_point.updated",
                   "reception_point.deleted"):
        assert action in actions


def test_reception_point_validation_keeps_input(client, admin, world, read):
    foreign = world["b_communes"][0]
    response = client.post("/t/alpha/points-accueil/nouveau", data={
        "csrf_token": admin, "name": "Mairie annexe", "kind": "chateau",
        "phone": "02 96 22 33 44"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Choisissez une valeur dans la liste." in html
    assert 'value="Mairie annexe"' in html and 'value="02 96 22 33 44"' in html
    response = client.post("/t/alpha/points-accueil/nouveau", data={
        "csrf_token": admin, "name": "Mairie annexe", "kind": "mairie",
        "commune_id": str(foreign.id)})
    assert response.status_code == 400
    assert "Choisissez une commune du territoire." in response.get_data(as_text=True)
    assert not read(sa.select(ReceptionPoint.id).where(ReceptionPoint.name == "Mairie annexe"))


def test_reception_point_delete_warns_about_attached_agents(client, admin, world):
    point = world["a_point"]
    agent = factories.user("agent@example.org")
    factories.tenant_role(agent, world["a"], "reception_agent", reception_point_id=point.id)
    html = client.get(f"/t/alpha/points-accueil/{point.id}/supprimer").get_data(as_text=True)
    assert "1 personne y est rattachée" in html
