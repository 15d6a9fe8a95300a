"""Reminder e-mails two days before each sitting: once per registration and sitting, only
for confirmed seats of sessions that still take place, registered as a periodic job."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.core import tenancy
from app.core.jobs import proc_app
from app.core.models import MailMessage
from app.core.ui import date_fr
from app.training import reminders, services
from app.training.models import ReminderSent
from tests.training.test_tenant_sessions import make_session, make_world, register_as

NOW = datetime.now(UTC).replace(microsecond=0)


def reminder_mails(dbsession, to: str | None = None) -> list[MailMessage]:
    with tenancy.unscoped("test check", dbsession):
        stmt = sa.select(MailMessage).where(MailMessage.kind == "training_reminder")
        if to:
            stmt = stmt.where(MailMessage.to_address == to)
        return list(dbsession.scalars(stmt.order_by(MailMessage.id)))


@pytest.fixture()
def world(dbsession):
    return make_world(dbsession)


def test_reminder_is_sent_once_to_each_confirmed_person(world, dbsession):
    starts = NOW + timedelta(hours=48)
    session = make_session(dbsession, world["network"], "Contrat de travail et Pajemploi",
                           place="12 rue des Écoles, Lannion", room="Salle A", starts=starts)
    register_as(dbsession, world, "a", world["anim_a"], session)
    register_as(dbsession, world, "b", world["anim_b"], session)  # another tenant, same network
    assert reminders.remind_due(NOW) == 2
    assert reminders.remind_due(NOW) == 0
    assert reminders.remind_due(NOW + timedelta(minutes=30)) == 0  # the next run, same window
    [mail] = reminder_mails(dbsession, "anim.a@example.org")
    assert "Contrat de travail et Pajemploi" in mail.subject
    assert "Anne Animatrice" in mail.body_text and date_fr(starts) in mail.body_text
    assert "Lieu : Salle A, 12 rue des Écoles, Lannion" in mail.body_text
    assert len(reminder_mails(dbsession, "anim.b@example.org")) == 1
    with tenancy.unscoped("test check", dbsession):
        assert dbsession.scalar(sa.select(sa.func.count()).select_from(ReminderSent)) == 2


def test_remote_session_gives_the_link(world, dbsession):
    session = make_session(dbsession, world["network"], "Réunion thématique en visio",
                           starts=NOW + timedelta(hours=47, minutes=30),
                           remote_link="https://visio.example.org/rpe")
    register_as(dbsession, world, "a", world["anim_a"], session)
    assert reminders.remind_due(NOW) == 1
    [mail] = reminder_mails(dbsession)
    assert "https://visio.example.org/rpe" in mail.body_text and "Lieu :" not in mail.body_text


def test_no_reminder_for_waiting_or_cancelled_registrations(world, dbsession):
    session = make_session(dbsession, world["network"], "Atelier éveil musical", capacity=2,
                           starts=NOW + timedelta(hours=48))
    register_as(dbsession, world, "a", world["anim_a"], session)
    cancelled = register_as(dbsession, world, "b", world["anim_b"], session).registration
    waiting = register_as(dbsession, world, "a", world["anim_a2"], session).registration
    with tenancy.use_space(tenancy.Space.for_tenant(world["b"].id, [world["network"].id]),
                           dbsession):
        services.cancel(cancelled, world["anim_b"])
        dbsession.flush()
    assert (cancelled.status, waiting.status) == ("cancelled", "waiting")
    assert reminders.remind_due(NOW) == 1
    assert [m.to_address for m in reminder_mails(dbsession)] == ["anim.a@example.org"]


def test_no_reminder_outside_the_window(world, dbsession):
    for hours in (24, 46, 49.5, 72):
        session = make_session(dbsession, world["network"], f"Session à {hours} h",
                               starts=NOW + timedelta(hours=hours))
        register_as(dbsession, world, "a", world["anim_a"], session)
    assert reminders.remind_due(NOW) == 0
    assert reminder_mails(dbsession) == []


def test_no_reminder_for_a_cancelled_session(world, dbsession):
    session = make_session(dbsession, world["network"], "Plénière annulée",
                           starts=NOW + timedelta(hours=48))
    register_as(dbsession, world, "a", world["anim_a"], session)
    with tenancy.use_space(tenancy.Space.for_network(world["network"].id), dbsession):
        session.state = "cancelled"
        dbsession.flush()
    assert reminders.remind_due(NOW) == 0
    assert reminder_mails(dbsession) == []


def test_each_sitting_of_a_long_session_gets_its_reminder(world, dbsession):
    session = make_session(dbsession, world["network"], "Formation initiale", sittings=2,
                           starts=NOW + timedelta(hours=48))
    register_as(dbsession, world, "a", world["anim_a"], session)
    assert reminders.remind_due(NOW) == 1
    assert reminders.remind_due(NOW + timedelta(days=1)) == 1  # the second day's sitting
    assert reminders.remind_due(NOW + timedelta(days=1)) == 0
    assert len(reminder_mails(dbsession)) == 2


def test_task_is_registered_as_periodic():
    assert "maillage.training_reminders" in proc_app.tasks
    periodic = {task.task.name: task.cron
                for task in proc_app.periodic_registry.periodic_tasks.values()}
    assert periodic["maillage.training_reminders"] == "*/30 * * * *"
    assert proc_app.tasks["maillage.training_reminders"].queueing_lock == "training_reminders"


def test_task_runs_remind_due_in_the_app(world, dbsession):
    session = make_session(dbsession, world["network"], "Atelier comptines",
                           starts=datetime.now(UTC) + timedelta(hours=48))
    register_as(dbsession, world, "a", world["anim_a"], session)
    assert reminders.send_reminders(timestamp=int(time.time())) == 1
    assert len(reminder_mails(dbsession)) == 1
