"""Registration rules in one transaction: window, quota, deadline, waiting positions,
promotion by the job (with its e-mail), and who sees which registrations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.core import tenancy
from app.core.models import MailMessage
from app.training import services
from app.training.models import Registration, SessionQuota, TrainingModule, TrainingSession
from tests import factories


@pytest.fixture()
def world(dbsession):
    w = factories.two_tenants_world()
    other_tenant = factories.tenant("CA Ailleurs", "ailleurs")
    w["other_network"] = factories.network("Autre", "autre", tenants=[other_tenant])
    net = w["network"]
    with tenancy.use_space(tenancy.Space.for_network(net.id), dbsession):
        module = TrainingModule(title="Contrat de travail", kind="formation_juridique",
                                status="published", duration_hours=3)
        dbsession.add(module)
        dbsession.flush()
        session = TrainingSession(module_id=module.id, capacity=2, state="open",
                                  cancellation_deadline=datetime.now(UTC) + timedelta(days=2))
        dbsession.add(session)
        dbsession.flush()
    w["session"] = session
    w["people_a"] = [factories.user(f"a{i}@example.org") for i in range(3)]
    w["people_b"] = [factories.user(f"b{i}@example.org") for i in range(2)]
    return w


def space_of(w, key):
    return tenancy.Space.for_tenant(w[key].id, [w["network"].id])


def register(dbsession, w, key, person):
    with tenancy.use_space(space_of(w, key), dbsession):
        return services.register(w["session"], person)


def test_seats_then_waiting_list_with_positions(dbsession, world):
    outcomes = [register(dbsession, world, "a", p) for p in world["people_a"]]
    outcomes.append(register(dbsession, world, "b", world["people_b"][0]))
    assert [o.registration.status for o in outcomes] == [
        "confirmed", "confirmed", "waiting", "waiting"]
    assert [o.position for o in outcomes] == [None, None, 1, 2]


def test_same_person_twice_gets_a_clear_message(dbsession, world):
    register(dbsession, world, "a", world["people_a"][0])
    with pytest.raises(services.AlreadyRegistered) as err:
        register(dbsession, world, "a", world["people_a"][0])
    assert "déjà inscrit" in str(err.value)


def test_closed_window_and_state_are_refused(dbsession, world):
    with tenancy.use_space(tenancy.Space.for_network(world["network"].id), dbsession):
        world["session"].registration_closes_at = datetime.now(UTC) - timedelta(hours=1)
        dbsession.flush()
    with pytest.raises(services.RegistrationError, match="closes"):
        register(dbsession, world, "a", world["people_a"][0])


def test_tenant_quota_sends_extra_people_to_the_waiting_list(dbsession, world):
    with tenancy.use_space(tenancy.Space.for_network(world["network"].id), dbsession):
        dbsession.add(SessionQuota(session_id=world["session"].id,
                                   quota_tenant_id=world["a"].id, seats=1))
        dbsession.flush()
    first = register(dbsession, world, "a", world["people_a"][0])
    second = register(dbsession, world, "a", world["people_a"][1])
    b = register(dbsession, world, "b", world["people_b"][0])
    assert (first.registration.status, second.registration.status, b.registration.status) == (
        "confirmed", "waiting", "confirmed")


def test_cancellation_promotes_the_first_waiting_and_tells_them(dbsession, world, run_jobs):
    first = register(dbsession, world, "a", world["people_a"][0])
    register(dbsession, world, "a", world["people_a"][1])
    waiting = register(dbsession, world, "b", world["people_b"][0])
    with tenancy.use_space(space_of(world, "a"), dbsession):
        services.cancel(first.registration, world["people_a"][0])
    dbsession.commit()  # the promotion job is queued after commit
    run_jobs()
    with tenancy.use_space(tenancy.Space.for_network(world["network"].id), dbsession):
        promoted = dbsession.get(Registration, waiting.registration.id)
        assert promoted.status == "confirmed" and promoted.promoted_at is not None
    mail = dbsession.scalars(sa.select(MailMessage).where(
        MailMessage.to_address == "b0@example.org")).one()
    assert "une place s’est libérée" in mail.subject.lower()


def test_cancellation_after_the_deadline_is_refused(dbsession, world):
    outcome = register(dbsession, world, "a", world["people_a"][0])
    with tenancy.use_space(tenancy.Space.for_network(world["network"].id), dbsession):
        world["session"].cancellation_deadline = datetime.now(UTC) - timedelta(minutes=1)
        dbsession.flush()
    with tenancy.use_space(space_of(world, "a"), dbsession):
        with pytest.raises(services.RegistrationError, match="date limite"):
            services.cancel(outcome.registration, world["people_a"][0])


def test_each_space_sees_only_its_registrations(dbsession, world):
    register(dbsession, world, "a", world["people_a"][0])
    register(dbsession, world, "b", world["people_b"][0])
    count = sa.select(sa.func.count(Registration.id))
    with tenancy.use_space(space_of(world, "a"), dbsession):
        assert dbsession.scalar(count) == 1
    with tenancy.use_space(tenancy.Space.for_network(world["network"].id), dbsession):
        assert dbsession.scalar(count) == 2
    with tenancy.use_space(tenancy.Space.for_network(world["other_network"].id), dbsession):
        assert dbsession.scalar(count) == 0
    # and PostgreSQL agrees, with the ORM criteria switched off
    with tenancy.use_space(space_of(world, "b"), dbsession):
        assert dbsession.scalar(count.execution_options(tenancy_checked=True)) == 1


def test_draft_modules_and_planned_sessions_are_hidden_from_tenants(dbsession, world):
    with tenancy.use_space(tenancy.Space.for_network(world["network"].id), dbsession):
        draft = TrainingModule(title="Brouillon", kind="atelier", status="draft")
        dbsession.add(draft)
        dbsession.flush()
        dbsession.add(TrainingSession(module_id=draft.id, capacity=5, state="planned"))
        dbsession.flush()
    with tenancy.use_space(space_of(world, "a"), dbsession):
        titles = dbsession.scalars(sa.select(TrainingModule.title)).all()
        states = dbsession.scalars(sa.select(TrainingSession.state)).all()
    assert titles == ["Contrat de travail"] and states == ["open"]


def test_coordinator_moves_someone_to_another_session_of_the_module(dbsession, world, run_jobs):
    net = world["network"]
    with tenancy.use_space(tenancy.Space.for_network(net.id), dbsession):
        other = TrainingSession(module_id=world["session"].module_id, capacity=5, state="open")
        dbsession.add(other)
        dbsession.flush()
    first = register(dbsession, world, "a", world["people_a"][0])
    register(dbsession, world, "a", world["people_a"][1])
    waiting = register(dbsession, world, "b", world["people_b"][0])
    members = tenancy.Space.for_network(net.id, [world["a"].id, world["b"].id])
    with tenancy.use_space(members, dbsession):
        moved = services.move(first.registration, other, world["coordinator"])
        assert moved.registration.status == "confirmed"
        assert moved.registration.tenant_id == world["a"].id
        assert first.registration.status == "cancelled"
    dbsession.commit()
    run_jobs()  # the seat left behind goes to the first person waiting
    with tenancy.use_space(members, dbsession):
        assert dbsession.get(Registration, waiting.registration.id).status == "confirmed"
        with pytest.raises(services.RegistrationError, match="déjà inscrite"):
            services.move(moved.registration, other, world["coordinator"])


def test_tenant_admin_sees_only_its_own_training_figures(client, login, dbsession, world):
    from app.training.models import Attendance, TrainingSitting

    with tenancy.use_space(tenancy.Space.for_network(world["network"].id), dbsession):
        start = datetime.now(UTC) - timedelta(days=1)
        sitting = TrainingSitting(session_id=world["session"].id, starts_at=start,
                                  ends_at=start + timedelta(hours=3))
        dbsession.add(sitting)
        dbsession.flush()
        sitting_id = sitting.id
    a_reg = register(dbsession, world, "a", world["people_a"][0]).registration
    b_reg = register(dbsession, world, "b", world["people_b"][0]).registration
    members = tenancy.Space.for_network(world["network"].id, [world["a"].id, world["b"].id])
    with tenancy.use_space(members, dbsession):
        for reg in (a_reg, b_reg):
            dbsession.add(Attendance(registration_id=reg.id, sitting_id=sitting_id,
                                     tenant_id=reg.tenant_id, network_id=reg.network_id))
        dbsession.flush()
    login("admin.a@example.org")
    html = client.get(f"/t/alpha/formations/indicateurs?annee={start.year}").get_data(
        as_text=True)
    assert "CA Alpha" in html and "CA Bêta" not in html
    assert "Ensemble du réseau" not in html
