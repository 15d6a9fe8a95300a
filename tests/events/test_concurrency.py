"""Two organisers at once, with real commits from threads (each its own connection as the
application role): the same address invited twice gives one invitation, and two first
saves of the minutes give one minutes row with two revisions."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
import sqlalchemy as sa

from app.core import tenancy
from app.core.models import User
from app.events import invitations, minutes
from app.events.models import Event, EventInvitation, Minutes, MinutesRevision
from app.extensions import db
from tests import conftest

THREADS = 8


@pytest.fixture()
def committed_event(app):
    from app.networks.models import Network

    stamp = datetime.now(UTC).strftime("%H%M%S%f")
    with app.app_context(), tenancy.unscoped("concurrency test set-up", db.session):
        network = Network(name=f"Réseau simultané {stamp}", slug=f"simultane-{stamp}")
        author = User(email=f"orga-{stamp}@example.org", full_name="Organisatrice",
                      password_hash="x")
        db.session.add_all([network, author])
        db.session.flush()
        start = datetime.now(UTC) + timedelta(days=10)
        event = Event(network_id=network.id, kind="forum", title="Forum simultané",
                      status="draft", starts_at=start, ends_at=start + timedelta(hours=2))
        db.session.add(event)
        db.session.commit()
        ids = {"network": network.id, "event": event.id, "author": author.id}
        db.session.remove()
    yield ids
    with psycopg.connect(conftest.OWNER_URL, autocommit=True) as conn:
        conn.execute("delete from network where id = %s", (ids["network"],))
        conn.execute("delete from user_account where id = %s", (ids["author"],))


def _run_together(app, ids, action) -> list:
    barrier = threading.Barrier(THREADS)
    space = tenancy.Space.for_network(ids["network"])

    def one(i: int):
        with app.test_request_context(), tenancy.use_space(space, db.session):
            event = db.session.get(Event, ids["event"])
            barrier.wait()
            result = action(event, i)
            db.session.commit()
            db.session.remove()
            return result

    with ThreadPoolExecutor(THREADS) as pool:
        return list(pool.map(one, range(THREADS)))


def test_the_same_address_invited_at_once_gives_one_invitation(app, committed_event):
    def invite(event, i):
        _, created = invitations.add_invitation(event, name=f"Paule {i}",
                                                email="paule@caf.example.org")
        return created

    created = _run_together(app, committed_event, invite)
    assert created.count(True) == 1 and created.count(False) == THREADS - 1
    with app.app_context(), tenancy.unscoped("check", db.session):
        rows = db.session.scalars(sa.select(EventInvitation).where(
            EventInvitation.event_id == committed_event["event"])).all()
        db.session.remove()
    assert [r.email for r in rows] == ["paule@caf.example.org"]


def test_first_saves_of_the_minutes_at_once_give_one_text_and_every_revision(
        app, committed_event):
    from flask_login import login_user

    def save(event, i):
        login_user(db.session.get(User, committed_event["author"]))
        minutes.save(event, f"Version {i}", note="")
        return i

    _run_together(app, committed_event, save)
    with app.app_context(), tenancy.unscoped("check", db.session):
        rows = db.session.scalars(sa.select(Minutes).where(
            Minutes.event_id == committed_event["event"])).all()
        assert len(rows) == 1
        revisions = db.session.scalars(sa.select(MinutesRevision.body).where(
            MinutesRevision.minutes_id == rows[0].id)).all()
        db.session.remove()
    assert sorted(revisions) == sorted(f"Version {i}" for i in range(THREADS))
