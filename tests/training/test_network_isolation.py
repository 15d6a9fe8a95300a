"""Isolation of the coordinator's training pages: another network's coordinator and a
tenant administrator get 404 on every route with this network's ids, and nothing changes."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.core import tenancy
from app.core.models import AuditLog
from app.training.models import Attendance, Registration, TrainingModule, TrainingSession
from tests import factories
from tests.training.test_network_coordination import build, in_network, register

OWN = "/n/reseau-test/formations"
OTHER = "/n/autre/formations"


@pytest.fixture()
def world(dbsession):
    w = build(dbsession)
    w["registration"] = register(dbsession, w, "a", w["people_a"][0])
    outsider_tenant = factories.tenant("CA Ailleurs", "ailleurs")
    w["other_network"] = factories.network("Autre", "autre", tenants=[outsider_tenant])
    outsider = factories.user("coord.autre@example.org")
    factories.network_role(outsider, w["other_network"])
    return w


def routes(w):
    module, session, reg = w["module"].id, w["session"].id, w["registration"].id
    gets = [f"/modules/{module}", f"/modules/{module}/sessions/nouvelle",
            f"/sessions/{session}", f"/sessions/{session}/modifier",
            f"/sessions/{session}/annuler", f"/sessions/{session}/presences",
            f"/sessions/{session}/presences.csv"]
    posts = [f"/modules/{module}", f"/modules/{module}/sessions/nouvelle",
             f"/sessions/{session}/modifier", f"/sessions/{session}/annuler",
             f"/sessions/{session}/presences", f"/sessions/{session}/promouvoir",
             f"/inscriptions/{reg}/annuler"]
    return gets, posts


def snapshot(dbsession, w):
    with in_network(dbsession, w):
        return (
            dbsession.scalar(sa.select(TrainingModule.title)),
            dbsession.execute(sa.select(TrainingSession.state, TrainingSession.capacity)).all(),
            dbsession.execute(sa.select(Registration.id, Registration.status)).all(),
            dbsession.scalar(sa.select(sa.func.count(Attendance.id))),
            dbsession.scalar(sa.select(sa.func.count(AuditLog.id)).where(
                AuditLog.action.like("training.%"))),
        )


def form(token, w):
    return {"csrf_token": token, "title": "Piraté", "kind": "atelier",
            "duration_hours": "1", "status": "published", "capacity": "50", "state": "open",
            "sitting_date_1": "2026-05-05", "sitting_start_1": "09:00",
            "sitting_end_1": "10:00",
            "present": f"{w['registration'].id}-{w['session'].sittings[0].id}"}


def test_other_network_coordinator_gets_404_everywhere(client, login, dbsession, world):
    before = snapshot(dbsession, world)
    token = login("coord.autre@example.org")
    assert client.get(OTHER).status_code == 200  # their own catalogue works…
    listing = client.get(OTHER).get_data(as_text=True)
    assert "Contrat de travail" not in listing  # …and shows nothing of this network
    gets, posts = routes(world)
    for prefix in (OTHER, OWN):
        for path in gets:
            assert client.get(prefix + path).status_code == 404, prefix + path
        for path in posts:
            assert client.post(prefix + path, data=form(token, world)).status_code == 404, \
                prefix + path
    assert client.get(f"{OWN}").status_code == 404
    assert client.get(f"{OWN}/indicateurs").status_code == 404
    dbsession.expire_all()
    assert snapshot(dbsession, world) == before


def test_tenant_admin_gets_404_on_network_routes(client, login, dbsession, world):
    before = snapshot(dbsession, world)
    token = login("admin.a@example.org")
    gets, posts = routes(world)
    for path in ["", "/modules/nouveau", "/indicateurs", *gets]:
        assert client.get(OWN + path).status_code == 404, path
    for path in ["/modules/nouveau", *posts]:
        assert client.post(OWN + path, data=form(token, world)).status_code == 404, path
    dbsession.expire_all()
    assert snapshot(dbsession, world) == before


def test_other_network_indicators_do_not_count_this_network(client, login, dbsession, world):
    with in_network(dbsession, world):
        sitting = world["session"].sittings[0]
        reg = world["registration"]
        dbsession.add(Attendance(registration_id=reg.id, sitting_id=sitting.id, present=True,
                                 tenant_id=reg.tenant_id, network_id=reg.network_id))
        dbsession.flush()
    login("coord.autre@example.org")
    html = client.get(f"{OTHER}/indicateurs?annee=2026").get_data(as_text=True)
    assert "CA Ailleurs" in html and "CA Alpha" not in html and "6,0 h" not in html


def test_network_space_sees_registrations_of_all_members_only(dbsession, world):
    register(dbsession, world, "b", world["people_b"][0])
    with tenancy.use_space(tenancy.Space.for_network(world["other_network"].id), dbsession):
        assert dbsession.scalar(sa.select(sa.func.count(Registration.id))) == 0
    with in_network(dbsession, world):
        assert dbsession.scalar(sa.select(sa.func.count(Registration.id))) == 2
