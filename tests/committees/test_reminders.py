"""Overdue actions: one e-mail per person and run listing all their overdue actions, not
again the same day, again after seven days; done, dropped, future or address-less actions
are left alone. Registered as a daily periodic job."""

from __future__ import annotations

import time
from datetime import timedelta

from app.committees import reminders, services
from app.committees.models import ActionItem
from app.core.jobs import proc_app
from tests.committees.helpers import (
    action,
    committee,
    decision,
    event,
    mails,
    net_space,
    rows,
    tenant_space,
)


def setup(w):
    today = services.today()
    c = committee(net_space(w))
    d = decision(net_space(w), event(net_space(w), c, "Comité de mars", days=-30))
    local = committee(tenant_space(w), name="Collectif local")
    d_local = decision(tenant_space(w), event(tenant_space(w), local, "Collectif", days=-9),
                       "Fête du jeu")
    yesterday = today - timedelta(days=1)
    action(net_space(w), d, "Rédiger le guide", owner_email="elu.a@example.org",
           due_on=yesterday)
    action(tenant_space(w), d_local, "Réserver le parc", owner_email="Elu.A@example.org",
           due_on=today - timedelta(days=12), status="in_progress")
    action(net_space(w), d, "Appeler la PMI", owner_name="Bernard Petit",
           owner_email="elu.b@example.org", due_on=yesterday)
    # Left alone:
    action(net_space(w), d, "Déjà fait", owner_email="elu.a@example.org", due_on=yesterday,
           status="done")
    action(net_space(w), d, "Abandonné", owner_email="elu.a@example.org", due_on=yesterday,
           status="dropped")
    action(net_space(w), d, "Pour demain", owner_email="elu.a@example.org",
           due_on=today + timedelta(days=1))
    action(net_space(w), d, "Pour aujourd’hui", owner_email="elu.a@example.org", due_on=today)
    action(net_space(w), d, "Sans adresse", owner_email="", due_on=yesterday)
    action(net_space(w), d, "Sans échéance", owner_email="elu.a@example.org", due_on=None)
    return today


def test_one_mail_per_person_listing_their_overdue_actions(w, dbsession):
    today = setup(w)
    assert reminders.remind_overdue(today) == 2
    [to_a] = mails("action_overdue", "elu.a@example.org")
    assert "2 actions en retard" in to_a.subject
    assert "Rédiger le guide" in to_a.body_text and "Réserver le parc" in to_a.body_text
    assert "en retard de 1 jour)" in to_a.body_text and "en retard de 12 jours" in to_a.body_text
    assert "Comité de pilotage petite enfance" in to_a.body_text  # the committee's name
    for absent in ("Déjà fait", "Abandonné", "Pour demain", "Pour aujourd’hui",
                   "Sans adresse", "Sans échéance"):
        assert absent not in to_a.body_text
    [to_b] = mails("action_overdue", "elu.b@example.org")
    assert "Appeler la PMI" in to_b.subject and "Bonjour Bernard Petit" in to_b.body_text
    reminded = {a.title for a in rows(ActionItem, ActionItem.last_reminded_on == today)}
    assert reminded == {"Rédiger le guide", "Réserver le parc", "Appeler la PMI"}


def test_not_again_the_same_day_again_after_a_week(w, dbsession):
    today = setup(w)
    assert reminders.remind_overdue(today) == 2
    assert reminders.remind_overdue(today) == 0
    # Six days later, only the actions that have fallen due since then.
    assert reminders.remind_overdue(today + timedelta(days=6)) == 1
    newly = mails("action_overdue", "elu.a@example.org")[-1]
    assert "Pour demain" in newly.body_text and "Pour aujourd’hui" in newly.body_text
    assert "Rédiger le guide" not in newly.body_text
    # A week after the first reminder, the first ones again.
    assert reminders.remind_overdue(today + timedelta(days=7)) == 2
    again = mails("action_overdue", "elu.a@example.org")[-1]
    assert "Rédiger le guide" in again.body_text and "Réserver le parc" in again.body_text
    assert "Pour demain" not in again.body_text
    assert len(mails("action_overdue", "elu.b@example.org")) == 2
    assert reminders.remind_overdue(today + timedelta(days=7)) == 0


def test_done_in_between_is_not_reminded(w, dbsession):
    today = setup(w)
    assert reminders.remind_overdue(today) == 2
    from app.core import tenancy
    from app.extensions import db

    with tenancy.unscoped("test", db.session):
        for a in rows(ActionItem, ActionItem.owner_email == "elu.b@example.org"):
            a.status = "done"
        db.session.flush()
    assert reminders.remind_overdue(today + timedelta(days=7)) == 1
    assert len(mails("action_overdue", "elu.b@example.org")) == 1


def test_task_is_registered_as_daily_periodic():
    assert "maillage.overdue_actions" in proc_app.tasks
    periodic = {task.task.name: task.cron
                for task in proc_app.periodic_registry.periodic_tasks.values()}
    assert periodic["maillage.overdue_actions"] == "0 7 * * *"
    assert proc_app.tasks["maillage.overdue_actions"].queueing_lock == "overdue_actions"


def test_task_runs_in_the_app(w, dbsession, run_jobs):
    setup(w)
    assert reminders.send_overdue_reminders(timestamp=int(time.time())) == 2
    run_jobs()  # the e-mails are delivered (to the development outbox)
    assert {m.status for m in mails("action_overdue")} == {"outbox"}
