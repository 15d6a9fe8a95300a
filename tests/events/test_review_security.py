"""Review of events: races between two clicks (or two organisers) that would e-mail the
same people twice, and the personal calendar feed of a disabled account.

A race is reproduced in one session: the organiser's request holds the event (or the
minutes) as it read them, while "the other request" has already changed the row in the
database. The action must re-read the row under a lock and refuse, not act on what it read."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_login import login_user

from app.core import tenancy
from app.core.models import User
from app.events import minutes as minutes_service
from app.events import services
from app.events.models import DateOption, Event, Minutes
from app.extensions import db
from tests.events.helpers import (
    NET,
    invite,
    mails,
    make_event,
    network_space,
    post,
    recipients,
    switch,
)
from tests.events.helpers import build as build_world


@pytest.fixture()
def w(dbsession):
    return build_world()


def pending_jobs() -> list[str]:
    return [job.task_name for job in db.session.info.get("pending_jobs", [])]


def as_coordinator(app, w):
    """A request context signed in as the network's coordinator (services use
    current_user for the audit trail and the minutes' publisher)."""
    ctx = app.test_request_context()
    ctx.push()
    login_user(db.session.get(User, w["coordinator"].id))
    return ctx


def polling_event(w) -> tuple[Event, list[int]]:
    space = network_space(w)
    event = make_event(space, title="Forum à dater", status="polling")
    with tenancy.use_space(space, db.session):
        base = event.created_at.replace(microsecond=0) + timedelta(days=30)
        options = [DateOption(event_id=event.id, starts_at=base + timedelta(days=i),
                              ends_at=base + timedelta(days=i, hours=2)) for i in (0, 1)]
        db.session.add_all(options)
        db.session.flush()
        ids = [o.id for o in options]
    invite(space, event, "Odile", "odile@example.org")
    return event, ids


def behind_the_orm(stmt) -> None:
    """What a concurrent request committed: the row changes, the loaded object does not."""
    db.session.execute(stmt, execution_options={"synchronize_session": False})


# --------------------------------------------------------------------------- pick a date

def test_a_date_picked_meanwhile_is_not_picked_again(app, dbsession, w):
    event, (first, second) = polling_event(w)
    ctx = as_coordinator(app, w)
    try:
        with tenancy.use_space(network_space(w), db.session):
            stale = db.session.get(Event, event.id)
            option = db.session.get(DateOption, second)
            chosen = db.session.get(DateOption, first)
            behind_the_orm(sa.update(Event).where(Event.id == event.id).values(
                status="scheduled", starts_at=chosen.starts_at, ends_at=chosen.ends_at))
            with pytest.raises(services.EventError):
                services.pick_date(stale, option)
            assert "maillage.event_date_fixed" not in pending_jobs()
    finally:
        ctx.pop()


def test_pick_refused_by_the_race_is_a_message_not_an_error(client, login, w, monkeypatch):
    event, (first, _) = polling_event(w)
    token = switch(client, login, "coord@example.org")

    def already(*args, **kwargs):
        raise services.EventError("La date de cet événement n’est plus à choisir.")

    monkeypatch.setattr(services, "pick_date", already)
    response = post(client, f"{NET}/{event.id}/sondage/{first}/choisir", token)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "n’est plus à choisir" in page


# --------------------------------------------------------------------------- cancel

def test_an_event_cancelled_meanwhile_is_not_cancelled_again(app, dbsession, w):
    space = network_space(w)
    event = make_event(space, title="Forum annoncé")
    invite(space, event, "Odile", "odile@example.org", emailed_at=event.created_at)
    ctx = as_coordinator(app, w)
    try:
        with tenancy.use_space(space, db.session):
            stale = db.session.get(Event, event.id)
            behind_the_orm(sa.update(Event).where(Event.id == event.id).values(
                status="cancelled"))
            with pytest.raises(services.EventError):
                services.cancel(stale)
            assert "maillage.event_cancelled" not in pending_jobs()
    finally:
        ctx.pop()


def test_cancel_refused_by_the_race_is_a_message_not_an_error(client, login, w, monkeypatch):
    event = make_event(network_space(w), title="Forum annoncé")
    token = switch(client, login, "coord@example.org")

    def already(*args, **kwargs):
        raise services.EventError("Cet événement est déjà annulé.")

    monkeypatch.setattr(services, "cancel", already)
    response = post(client, f"{NET}/{event.id}/annuler", token)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "déjà annulé" in page


# --------------------------------------------------------------------------- minutes

def test_minutes_published_meanwhile_are_not_e_mailed_again(app, dbsession, w):
    space = network_space(w)
    event = make_event(space, title="Réunion passée", days=-3)
    with tenancy.use_space(space, db.session):
        db.session.add(Minutes(event_id=event.id, body="Compte rendu", status="draft"))
        db.session.flush()
    ctx = as_coordinator(app, w)
    try:
        with tenancy.use_space(space, db.session):
            stale_event = db.session.get(Event, event.id)
            stale = db.session.scalar(sa.select(Minutes).where(Minutes.event_id == event.id))
            behind_the_orm(sa.update(Minutes).where(Minutes.id == stale.id).values(
                status="published"))
            assert minutes_service.publish(stale_event, stale, resend=False) is False
            assert "maillage.event_minutes" not in pending_jobs()
    finally:
        ctx.pop()


# --------------------------------------------------------------------------- reminders

def test_reminder_sent_twice_in_a_row_reaches_each_person_once(client, login, w, run_jobs):
    space = network_space(w)
    event = make_event(space)
    invite(space, event, "Muet", "muet@example.org", emailed_at=event.created_at)
    invite(space, event, "Oui", "oui@example.org", response="yes", emailed_at=event.created_at)
    token = switch(client, login, "coord@example.org")
    # Double click (or back + resend) before the worker has run the first reminder.
    assert post(client, f"{NET}/{event.id}/relancer", token).status_code == 302
    assert post(client, f"{NET}/{event.id}/relancer", token).status_code == 302
    run_jobs()
    assert recipients("event_reminder") == {"muet@example.org"}
    assert len(mails("event_reminder")) == 1


def test_a_later_reminder_still_goes_out(client, login, w, run_jobs):
    space = network_space(w)
    event = make_event(space)
    invite(space, event, "Muet", "muet@example.org", emailed_at=event.created_at)
    token = switch(client, login, "coord@example.org")
    post(client, f"{NET}/{event.id}/relancer", token)
    run_jobs()
    post(client, f"{NET}/{event.id}/relancer", token)
    run_jobs()
    assert len(mails("event_reminder")) == 2


# --------------------------------------------------------------------------- calendar feed

def test_feed_of_a_disabled_account_is_gone(app, dbsession, w):
    from app.core.tokens import new_token
    from app.training.models import CalendarFeed

    space = network_space(w)
    event = make_event(space, title="Comité confidentiel",
                       remote_link="https://visio.example.org/secret")
    invite(space, event, "Élise", "elu.a@example.org", user=w["elu_a"])
    token, digest = new_token()
    db.session.add(CalendarFeed(user_id=w["elu_a"].id, token_hash=digest))
    db.session.flush()
    url = f"/calendrier/{token}.ics"
    assert "Comité confidentiel" in app.test_client().get(url).get_data(as_text=True)
    db.session.execute(sa.update(User).where(User.id == w["elu_a"].id).values(is_active=False))
    response = app.test_client().get(url)
    assert response.status_code == 404
    assert "visio.example.org" not in response.get_data(as_text=True)
