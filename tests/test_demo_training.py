"""Demo training programme: sessions around today, seats and waiting list consistent with
the registration service, attendance and feedback for past sessions, what the demo
animator and the coordinator see."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from app import demo
from app.core.models import User
from app.demo import training as training_demo
from app.tenants.models import Relais, TenantRole
from app.training import services
from app.training.models import (
    Attendance,
    FeedbackAnswer,
    Registration,
    Seat,
    TrainingModule,
    TrainingNeed,
    TrainingSession,
)

ANIMATOR = "animatrice.rpe@demo.maillage.fr"
HANDICAP = "Réunion thématique : accueil de l’enfant en situation de handicap"


@pytest.fixture()
def session(dbsession, unscoped):
    with unscoped("demo training tests"):
        yield dbsession


@pytest.fixture()
def loaded(session):
    assert demo.load() is True
    return session


def _sessions(session) -> list[TrainingSession]:
    return list(session.scalars(sa.select(TrainingSession).order_by(TrainingSession.id)))


def _first(training: TrainingSession) -> datetime:
    return training.sittings[0].starts_at


def test_programme_spans_past_and_coming_months(loaded):
    now = datetime.now(UTC)
    modules = loaded.scalars(sa.select(TrainingModule)).all()
    assert len(modules) == 6 and all(m.status == "published" for m in modules)
    assert all(m.provider_organisation_id and m.objectives and m.programme for m in modules)
    sessions = _sessions(loaded)
    assert 12 <= len(sessions) <= 16
    past = [s for s in sessions if s.sittings[-1].ends_at < now]
    coming = [s for s in sessions if _first(s) > now]
    assert past and coming and len(past) + len(coming) == len(sessions)
    assert all(s.state == "done" for s in past)
    assert {s.state for s in coming} == {"open", "planned"}
    assert sum(s.state == "planned" for s in coming) == 1
    assert sum(bool(s.remote_link) for s in sessions) == 1
    assert all(8 <= s.capacity <= 20 for s in sessions)
    assert all((now - _first(s)).days <= 190 and (_first(s) - now).days <= 190
               for s in sessions)
    initial = [s for s in sessions if s.module.kind == "formation_initiale"]
    assert initial and all(len(s.sittings) == 9 for s in initial)


def test_sittings_are_on_weekdays_at_paris_office_hours(loaded):
    from zoneinfo import ZoneInfo

    paris = ZoneInfo("Europe/Paris")
    for training in _sessions(loaded):
        for sitting in training.sittings:
            start, end = sitting.starts_at.astimezone(paris), sitting.ends_at.astimezone(paris)
            assert start.weekday() < 5 and start.date() == end.date()
            assert not training_demo._off(start.date())  # no holiday, no Christmas break
            assert start.hour in (9, 14) and start.minute == 0 and end > start


def test_seats_match_registrations_and_one_session_is_full(loaded):
    for training in _sessions(loaded):
        live = loaded.scalars(sa.select(Registration).where(
            Registration.session_id == training.id)).all()
        seats = {s.registration_id: s for s in loaded.scalars(
            sa.select(Seat).where(Seat.session_id == training.id))}
        assert {r.id for r in live} == set(seats)
        assert all(seats[r.id].status == r.status and seats[r.id].ticket == r.ticket
                   for r in live)
        assert services.confirmed_count(training.id) <= training.capacity
    full = loaded.scalar(sa.select(TrainingSession).join(TrainingSession.module).where(
        TrainingModule.title == HANDICAP, TrainingSession.state == "open"))
    assert services.confirmed_count(full.id) == full.capacity
    waiting = loaded.scalars(sa.select(Registration).where(
        Registration.session_id == full.id, Registration.status == "waiting")
        .order_by(Registration.ticket)).all()
    assert [services.waiting_position(r) for r in waiting] == [1, 2, 3]
    animator = loaded.scalar(sa.select(User).where(User.email == ANIMATOR))
    assert loaded.scalar(sa.select(Registration).where(
        Registration.session_id == full.id, Registration.user_id == animator.id)) is None
    assert full.cancellation_deadline > datetime.now(UTC)


def test_extra_animators_belong_to_relais_of_their_territory(loaded):
    roles = loaded.scalars(sa.select(TenantRole).join(User, User.id == TenantRole.user_id)
                           .where(TenantRole.role == "rpe_animator",
                                  User.email != ANIMATOR)).all()
    assert len(roles) >= 12
    assert len({r.tenant_id for r in roles}) == 3
    for role in roles:
        relais = loaded.get(Relais, role.relais_id)
        assert relais.tenant_id == role.tenant_id
    users = [loaded.get(User, r.user_id) for r in roles]
    assert all(u.email.endswith("@demo.maillage.fr") for u in users)


def test_past_sessions_have_attendance_and_feedback(loaded):
    now = datetime.now(UTC)
    for training in _sessions(loaded):
        confirmed = loaded.scalars(sa.select(Registration).where(
            Registration.session_id == training.id, Registration.status == "confirmed")).all()
        marks = loaded.scalars(sa.select(Attendance).join(
            Registration, Registration.id == Attendance.registration_id).where(
            Registration.session_id == training.id)).all()
        if training.sittings[-1].ends_at < now:
            assert confirmed and len(marks) == len(confirmed) * len(training.sittings)
        else:
            assert marks == []
    presents = loaded.scalars(sa.select(Attendance.present)).all()
    assert presents.count(True) > 5 * presents.count(False) > 0
    scores = loaded.scalars(sa.select(FeedbackAnswer.satisfaction)).all()
    assert len(scores) >= 20 and set(scores) <= {3, 4, 5}
    assert loaded.scalar(sa.select(sa.func.count()).select_from(FeedbackAnswer)
                         .where(FeedbackAnswer.comment != "")) >= 2
    assert loaded.scalar(sa.select(sa.func.count()).select_from(TrainingNeed)) >= 3


def test_demo_animator_has_a_certificate_and_a_coming_session(loaded):
    now = datetime.now(UTC)
    animator = loaded.scalar(sa.select(User).where(User.email == ANIMATOR))
    mine = loaded.scalars(sa.select(Registration).where(
        Registration.user_id == animator.id)).all()
    past = [r for r in mine if r.session.sittings[-1].ends_at < now]
    coming = [r for r in mine if r.session.sittings[0].starts_at > now]
    assert len(past) == 1 and len(coming) == 1
    assert loaded.scalar(sa.select(Attendance.present).where(
        Attendance.registration_id == past[0].id)) is True
    assert coming[0].status == "confirmed" and coming[0].session.state == "open"
    assert services.confirmed_count(coming[0].session_id) < coming[0].session.capacity


def test_demo_animator_sees_the_programme_and_her_record(client, loaded, login):
    login(ANIMATOR, "maillage-demo")
    listing = client.get("/t/saint-brieuc-armor/formations")
    assert listing.status_code == 200
    body = listing.get_data(as_text=True)
    assert HANDICAP in body and "Plénière des relais" in body
    record = client.get("/t/saint-brieuc-armor/formations/parcours")
    assert record.status_code == 200
    assert "Le contrat de travail de l’assistant·e maternel·le" in record.get_data(as_text=True)


def test_coordinator_sees_the_catalogue(client, loaded, login):
    login("coordinatrice@demo.maillage.fr", "maillage-demo")
    response = client.get("/n/cotes-d-armor/formations")
    assert response.status_code == 200
    assert "Formation initiale des animateur·rices" in response.get_data(as_text=True)
