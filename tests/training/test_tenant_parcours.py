"""« Mon parcours de formation »: hours, certificates, declared needs, and the tenant
administrator's registrations of staff; each with its isolation checks."""

from __future__ import annotations

from datetime import datetime

import pytest
import sqlalchemy as sa

from app.core import tenancy
from app.training.models import Attendance, Registration, TrainingNeed, TrainingSitting
from tests.training.test_tenant_sessions import (
    BASE,
    PARIS,
    count_registrations,
    in_days,
    make_session,
    make_world,
    register_as,
)


def mark_present(dbsession, w, registration, sitting_ids):
    members = [w["a"].id, w["b"].id]
    with tenancy.use_space(tenancy.Space.for_network(w["network"].id, members), dbsession):
        for sitting_id in sitting_ids:
            dbsession.add(Attendance(registration_id=registration.id, sitting_id=sitting_id,
                                     present=True, tenant_id=registration.tenant_id,
                                     network_id=w["network"].id))
        dbsession.flush()


def sitting_ids(dbsession, w, session):
    with tenancy.use_space(tenancy.Space.for_network(w["network"].id), dbsession):
        return dbsession.scalars(sa.select(TrainingSitting.id).where(
            TrainingSitting.session_id == session.id)
            .order_by(TrainingSitting.starts_at)).all()


@pytest.fixture()
def world(dbsession):
    w = make_world(dbsession)
    net = w["network"]
    w["initiale_start"] = in_days(-3)
    w["initiale"] = make_session(dbsession, net, "Formation initiale des animatrices",
                                 kind="formation_initiale", hours=6, sittings=2,
                                 starts=w["initiale_start"])
    w["pleniere"] = make_session(dbsession, net, "Plénière de printemps", kind="pleniere",
                                 hours=3, starts=in_days(-2))
    w["atelier"] = make_session(dbsession, net, "Atelier éveil musical", starts=in_days(20))
    w["reg_initiale"] = register_as(dbsession, w, "a", w["anim_a"], w["initiale"]).registration
    w["reg_pleniere"] = register_as(dbsession, w, "a", w["anim_a"], w["pleniere"]).registration
    w["reg_b"] = register_as(dbsession, w, "b", w["anim_b"], w["initiale"]).registration
    first, _second = sitting_ids(dbsession, w, w["initiale"])
    mark_present(dbsession, w, w["reg_initiale"], [first])  # 1 sitting out of 2
    mark_present(dbsession, w, w["reg_pleniere"], sitting_ids(dbsession, w, w["pleniere"]))
    mark_present(dbsession, w, w["reg_b"], sitting_ids(dbsession, w, w["initiale"]))
    return w


def test_parcours_lists_registrations_with_hours_and_year_total(client, login, world):
    login("anim.a@example.org")
    html = client.get(f"{BASE}/parcours").get_data(as_text=True)
    assert "Formation initiale des animatrices" in html and "Plénière de printemps" in html
    assert "3,0 h" in html  # half of 6 hours, then the full 3 hours of the plenary
    year = datetime.now(PARIS).year
    expected = sum(hours for start, hours in ((world["initiale_start"], 6 / 2),
                                              (in_days(-2), 3)) if start.year == year)
    assert f"{expected:.1f}".replace(".", ",") + " h</strong> de formation suivies en " \
        f"{year}" in html
    assert "proportionnelle" in html  # the rule is stated on the page
    assert "Bruno" not in html and html.count("Attestation de présence<") == 2


def test_parcours_empty_state(client, login, world):
    login("anim.a2@example.org")
    html = client.get(f"{BASE}/parcours").get_data(as_text=True)
    assert "Vous n’êtes inscrit·e à aucune formation" in html


def test_certificate_only_for_attended_sessions(client, login, world, dbsession):
    waiting = register_as(dbsession, world, "a", world["anim_a"], world["atelier"])
    login("anim.a@example.org")
    response = client.get(f"{BASE}/parcours/{world['reg_initiale'].id}/attestation")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Attestation de présence" in html and "Anne Animatrice" in html
    assert "Réseau Test" in html and "3,0 h" in html
    assert '<style media="print">' in html
    unattended = client.get(f"{BASE}/parcours/{waiting.registration.id}/attestation")
    assert unattended.status_code == 404


def test_certificate_of_a_colleague_is_not_found(client, login, world):
    login("anim.a2@example.org")  # same tenant, not their registration
    assert client.get(f"{BASE}/parcours/{world['reg_initiale'].id}/attestation"
                      ).status_code == 404


def test_tenant_admin_prints_own_staff_certificates_only(client, login, world):
    login("admin.a@example.org")  # the tenant administrator may print it
    assert client.get(f"{BASE}/parcours/{world['reg_initiale'].id}/attestation"
                      ).status_code == 200
    # another tenant's registration, even for its administrator's neighbour
    assert client.get(f"{BASE}/parcours/{world['reg_b'].id}/attestation").status_code == 404


def needs_count(dbsession) -> int:
    with tenancy.unscoped("test check", dbsession):
        return dbsession.scalar(sa.select(sa.func.count(TrainingNeed.id)))


def test_needs_are_saved_for_the_tenant_and_its_network(client, login, world, dbsession):
    token = login("anim.a@example.org")
    html = client.post(f"{BASE}/besoins", data={
        "csrf_token": token, "topic": "formation_juridique",
        "details": "Les congés payés des assistantes maternelles"},
        follow_redirects=True).get_data(as_text=True)
    assert "votre besoin de formation est transmis" in html
    assert "Les congés payés des assistantes maternelles" in html
    with tenancy.unscoped("test check", dbsession):
        need = dbsession.scalars(sa.select(TrainingNeed)).one()
    assert (need.tenant_id, need.network_id, need.user_id, need.topic) == (
        world["a"].id, world["network"].id, world["anim_a"].id, "formation_juridique")


def test_invalid_need_is_refused_with_the_text_kept(client, login, world, dbsession):
    token = login("anim.a@example.org")
    response = client.post(f"{BASE}/besoins", data={
        "csrf_token": token, "topic": "astrologie", "details": "Texte gardé"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Choisissez une valeur dans la liste." in html and "Texte gardé" in html
    assert needs_count(dbsession) == 0


def test_admin_registers_staff_and_sees_only_own_tenant(client, login, world, dbsession):
    token = login("admin.a@example.org")
    page = client.get(f"{BASE}/inscriptions").get_data(as_text=True)
    assert "Anne Animatrice" in page and "Bruno" not in page
    html = client.post(f"{BASE}/inscriptions", data={
        "csrf_token": token, "user_id": str(world["anim_a2"].id),
        "session_id": str(world["atelier"].id)}, follow_redirects=True).get_data(as_text=True)
    assert "Alice Seconde est inscrit·e" in html
    with tenancy.unscoped("test check", dbsession):
        registration = dbsession.scalars(sa.select(Registration).where(
            Registration.user_id == world["anim_a2"].id)).one()
    assert registration.registered_by_id == world["a_admin"].id
    assert registration.tenant_id == world["a"].id


def test_admin_cannot_register_another_tenants_person_or_hidden_session(client, login, world,
                                                                         dbsession):
    foreign = make_session(dbsession, world["other_network"], "Session d’un autre réseau")
    token = login("admin.a@example.org")
    response = client.post(f"{BASE}/inscriptions", data={
        "csrf_token": token, "user_id": str(world["anim_b"].id),
        "session_id": str(world["atelier"].id)})
    assert response.status_code == 400
    assert "Choisissez une personne dans la liste." in response.get_data(as_text=True)
    response = client.post(f"{BASE}/inscriptions", data={
        "csrf_token": token, "user_id": str(world["anim_a2"].id),
        "session_id": str(foreign.id)})
    assert response.status_code == 400
    assert count_registrations(dbsession, user_id=world["anim_b"].id,
                               session_id=world["atelier"].id) == 0
    assert count_registrations(dbsession, session_id=foreign.id) == 0


def test_staff_page_is_for_tenant_admins_only(client, login, world, dbsession):
    token = login("anim.a@example.org")
    assert client.get(f"{BASE}/inscriptions").status_code == 403
    response = client.post(f"{BASE}/inscriptions", data={
        "csrf_token": token, "user_id": str(world["anim_a2"].id),
        "session_id": str(world["atelier"].id)})
    assert response.status_code == 403
    assert count_registrations(dbsession, user_id=world["anim_a2"].id) == 0
