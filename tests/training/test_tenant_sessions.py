"""The tenant's training pages: browsing with filters, registering (seat or waiting list),
cancelling before/after the deadline, and isolation from other networks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from app.core import tenancy
from app.training import services
from app.training.models import Registration, TrainingModule, TrainingSession, TrainingSitting
from tests import factories

PARIS = ZoneInfo("Europe/Paris")


def in_days(days: int, hour: int = 9) -> datetime:
    day = datetime.now(PARIS) + timedelta(days=days)
    return day.replace(hour=hour, minute=0, second=0, microsecond=0)


def make_session(dbsession, network, title, *, kind="atelier", capacity=5, state="open",
                 place="", room="", starts=None, sittings=1, hours=3, status="published",
                 **extra) -> TrainingSession:
    starts = starts or in_days(10)
    with tenancy.use_space(tenancy.Space.for_network(network.id), dbsession):
        module = TrainingModule(title=title, kind=kind, status=status, duration_hours=hours)
        dbsession.add(module)
        dbsession.flush()
        session = TrainingSession(module_id=module.id, capacity=capacity, state=state,
                                  place_address=place, room=room, **extra)
        dbsession.add(session)
        dbsession.flush()
        for i in range(sittings):
            start = starts + timedelta(days=i)
            dbsession.add(TrainingSitting(session_id=session.id, starts_at=start,
                                          ends_at=start + timedelta(hours=3)))
        dbsession.flush()
    return session


def make_world(dbsession) -> dict:
    w = factories.two_tenants_world()
    other_tenant = factories.tenant("CA Ailleurs", "ailleurs")
    w["other_tenant"] = other_tenant
    w["other_network"] = factories.network("Autre réseau", "autre", tenants=[other_tenant])
    w["anim_a"] = factories.user("anim.a@example.org", "Anne Animatrice")
    factories.tenant_role(w["anim_a"], w["a"], "rpe_animator")
    w["anim_a2"] = factories.user("anim.a2@example.org", "Alice Seconde")
    factories.tenant_role(w["anim_a2"], w["a"], "rpe_animator")
    w["anim_b"] = factories.user("anim.b@example.org", "Bruno Bêta")
    factories.tenant_role(w["anim_b"], w["b"], "rpe_animator")
    w["agent_a"] = factories.user("agent.a@example.org", "Agent Accueil")
    factories.tenant_role(w["agent_a"], w["a"], "reception_agent")
    return w


def register_as(dbsession, w, tenant_key, person, session):
    space = tenancy.Space.for_tenant(w[tenant_key].id, [w["network"].id])
    with tenancy.use_space(space, dbsession):
        outcome = services.register(session, person)
        dbsession.flush()
    return outcome


def count_registrations(dbsession, **where) -> int:
    with tenancy.unscoped("test check", dbsession):
        stmt = sa.select(sa.func.count(Registration.id)).filter_by(**where)
        return dbsession.scalar(stmt)


@pytest.fixture()
def world(dbsession):
    w = make_world(dbsession)
    net = w["network"]
    w["juridique"] = make_session(
        dbsession, net, "Contrat de travail et Pajemploi", kind="formation_juridique",
        capacity=1, place="12 rue des Écoles, Lannion", room="Salle A", starts=in_days(12),
        sittings=2, cancellation_deadline=datetime.now(UTC) + timedelta(days=5))
    w["atelier_start"] = in_days(45)
    w["atelier"] = make_session(dbsession, net, "Atelier éveil musical", kind="atelier",
                                capacity=5, place="Maison de l’enfance, Saint-Brieuc",
                                starts=w["atelier_start"])
    w["planned"] = make_session(dbsession, net, "Session en préparation", state="planned")
    w["past"] = make_session(dbsession, net, "Plénière passée", kind="pleniere",
                             starts=in_days(-20))
    w["foreign"] = make_session(dbsession, w["other_network"], "Session d’un autre réseau")
    return w


BASE = "/t/alpha/formations"


def test_list_shows_upcoming_visible_sessions_with_seats_left(client, login, world):
    login("anim.a@example.org")
    html = client.get(BASE).get_data(as_text=True)
    assert "Contrat de travail et Pajemploi" in html and "Atelier éveil musical" in html
    for hidden in ("Session en préparation", "Plénière passée", "Session d’un autre réseau"):
        assert hidden not in html
    assert "1 / 1" in html and "5 / 5" in html
    assert html.index("Contrat de travail") < html.index("Atelier éveil musical")


def test_list_filters(client, login, world):
    login("anim.a@example.org")

    def titles(query):
        html = client.get(BASE + query).get_data(as_text=True)
        return {t for t in ("Contrat de travail", "Atelier éveil musical") if t in html}

    assert titles("?kind=atelier") == {"Atelier éveil musical"}
    month = world["atelier_start"].strftime("%Y-%m")
    assert "Atelier éveil musical" in titles(f"?month={month}")
    assert titles("?month=1999-01") == set()
    assert titles("?place=saint-brieuc") == {"Atelier éveil musical"}
    assert titles("?place=lannion") == {"Contrat de travail"}
    assert titles("?kind=nimporte&month=zz") == {"Contrat de travail", "Atelier éveil musical"}


def test_seats_left_filter_and_empty_state(client, login, world, dbsession):
    register_as(dbsession, world, "b", world["anim_b"], world["juridique"])
    login("anim.a@example.org")
    html = client.get(BASE + "?seats_left=1").get_data(as_text=True)
    assert "Atelier éveil musical" in html and "Contrat de travail" not in html
    html = client.get(BASE + "?kind=conference").get_data(as_text=True)
    assert "Aucune session à venir ne correspond" in html


def test_register_gives_a_confirmed_seat(client, login, world, dbsession):
    token = login("anim.a@example.org")
    session_id = world["atelier"].id
    response = client.post(f"{BASE}/sessions/{session_id}/inscription",
                           data={"csrf_token": token}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Inscription confirmée" in html
    assert count_registrations(dbsession, session_id=session_id,
                               user_id=world["anim_a"].id, status="confirmed") == 1
    assert "Inscrit·e" in client.get(BASE).get_data(as_text=True)


def test_full_session_puts_on_waiting_list_with_position(client, login, world, dbsession):
    register_as(dbsession, world, "b", world["anim_b"], world["juridique"])
    token = login("anim.a@example.org")
    url = f"{BASE}/sessions/{world['juridique'].id}"
    html = client.post(url + "/inscription", data={"csrf_token": token},
                       follow_redirects=True).get_data(as_text=True)
    assert "Vous êtes en liste d’attente (position 1)" in html
    assert "En liste d’attente (position 1)" in client.get(BASE).get_data(as_text=True)
    # the same person again: a clear message and still one row
    html = client.post(url + "/inscription", data={"csrf_token": token},
                       follow_redirects=True).get_data(as_text=True)
    assert "déjà inscrit" in html
    assert count_registrations(dbsession, session_id=world["juridique"].id,
                               user_id=world["anim_a"].id) == 1


def test_cancel_before_deadline(client, login, world, dbsession):
    outcome = register_as(dbsession, world, "a", world["anim_a"], world["juridique"])
    token = login("anim.a@example.org")
    url = f"{BASE}/sessions/{world['juridique'].id}/annulation"
    page = client.get(url).get_data(as_text=True)
    assert "Confirmer l’annulation" in page
    html = client.post(url, data={"csrf_token": token},
                       follow_redirects=True).get_data(as_text=True)
    assert "Votre inscription est annulée" in html
    assert count_registrations(dbsession, id=outcome.registration.id, status="cancelled") == 1


def test_cancel_after_deadline_is_refused(client, login, world, dbsession):
    outcome = register_as(dbsession, world, "a", world["anim_a"], world["juridique"])
    with tenancy.use_space(tenancy.Space.for_network(world["network"].id), dbsession):
        world["juridique"].cancellation_deadline = datetime.now(UTC) - timedelta(hours=1)
        dbsession.flush()
    token = login("anim.a@example.org")
    url = f"{BASE}/sessions/{world['juridique'].id}/annulation"
    html = client.post(url, data={"csrf_token": token},
                       follow_redirects=True).get_data(as_text=True)
    assert "date limite d’annulation est passée" in html
    assert count_registrations(dbsession, id=outcome.registration.id, status="confirmed") == 1


def test_session_page_shows_details_and_status(client, login, world, dbsession):
    register_as(dbsession, world, "a", world["anim_a"], world["atelier"])
    login("anim.a@example.org")
    html = client.get(f"{BASE}/sessions/{world['atelier'].id}").get_data(as_text=True)
    assert "Maison de l’enfance, Saint-Brieuc" in html
    assert "Places restantes : <strong>4</strong>" in html
    assert "Annuler mon inscription" in html


def test_hidden_sessions_are_not_found_and_nothing_is_written(client, login, world, dbsession):
    token = login("anim.a@example.org")
    for key in ("foreign", "planned"):
        session_id = world[key].id
        assert client.get(f"{BASE}/sessions/{session_id}").status_code == 404
        assert client.get(f"{BASE}/sessions/{session_id}.ics").status_code == 404
        response = client.post(f"{BASE}/sessions/{session_id}/inscription",
                               data={"csrf_token": token})
        assert response.status_code == 404
        assert client.post(f"{BASE}/sessions/{session_id}/annulation",
                           data={"csrf_token": token}).status_code == 404
        assert count_registrations(dbsession, session_id=session_id) == 0


def test_cancelling_someone_elses_registration_is_not_found(client, login, world, dbsession):
    outcome = register_as(dbsession, world, "b", world["anim_b"], world["atelier"])
    token = login("anim.a@example.org")
    response = client.post(f"{BASE}/sessions/{world['atelier'].id}/annulation",
                           data={"csrf_token": token})
    assert response.status_code == 404
    assert count_registrations(dbsession, id=outcome.registration.id, status="confirmed") == 1


def test_only_animators_and_admins_register(client, login, world, dbsession):
    token = login("agent.a@example.org")
    assert client.get(BASE).status_code == 200
    response = client.post(f"{BASE}/sessions/{world['atelier'].id}/inscription",
                           data={"csrf_token": token})
    assert response.status_code == 403
    assert count_registrations(dbsession, session_id=world["atelier"].id) == 0


def count_queries(dbsession, fetch) -> int:
    statements = []

    def count(*args, **kwargs):
        statements.append(1)

    connection = dbsession.get_bind()
    sa.event.listen(connection, "before_cursor_execute", count)
    try:
        assert fetch().status_code == 200
    finally:
        sa.event.remove(connection, "before_cursor_execute", count)
    return len(statements)


def test_pages_use_a_constant_number_of_queries(client, login, world, dbsession):
    def add_sessions(n):
        for i in range(n):
            full = make_session(dbsession, world["network"], f"Complet {n}-{i}", capacity=0,
                                sittings=2)
            register_as(dbsession, world, "a", world["a_admin"], full)  # waiting
            register_as(dbsession, world, "a", world["anim_a"], full)
            free = make_session(dbsession, world["network"], f"Libre {n}-{i}", sittings=2)
            register_as(dbsession, world, "a", world["a_admin"], free)  # confirmed

    login("admin.a@example.org")
    pages = (BASE, f"{BASE}/parcours", f"{BASE}/inscriptions")
    add_sessions(1)
    before = [count_queries(dbsession, lambda p=p: client.get(p)) for p in pages]
    add_sessions(3)
    after = [count_queries(dbsession, lambda p=p: client.get(p)) for p in pages]
    assert before == after
