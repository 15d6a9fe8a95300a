"""Registrations under real concurrency: real commits from many threads, each with its own
connection as the application role (no rolled-back test transaction here)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
import sqlalchemy as sa

from app.core import tenancy
from app.core.models import User
from app.extensions import db
from app.training import services
from app.training.models import Registration, TrainingSession
from tests import conftest

SEATS, PEOPLE = 20, 200


@pytest.fixture()
def committed_world(app):
    """Two tenants in a network, 200 animators, a 20-seat open session, committed."""
    from app.networks.models import Network, NetworkTenant
    from app.tenants.models import Tenant
    from app.training.models import TrainingModule

    stamp = datetime.now(UTC).strftime("%H%M%S%f")
    with app.app_context(), tenancy.unscoped("load test set-up", db.session):
        network = Network(name=f"Réseau charge {stamp}", slug=f"charge-{stamp}")
        db.session.add(network)
        db.session.flush()
        tenant_rows = [Tenant(siren=f"8{stamp[-6:]}{i:02d}", name=f"CA Charge {i}",
                              slug=f"charge-{stamp}-{i}", kind="CA") for i in range(2)]
        db.session.add_all(tenant_rows)
        db.session.flush()
        db.session.add_all([NetworkTenant(network_id=network.id, tenant_id=t.id)
                            for t in tenant_rows])
        module = TrainingModule(network_id=network.id, title="Atelier contrat",
                                kind="atelier", status="published", duration_hours=3)
        db.session.add(module)
        db.session.flush()
        session = TrainingSession(network_id=network.id, module_id=module.id,
                                  capacity=SEATS, state="open",
                                  cancellation_deadline=datetime.now(UTC) + timedelta(days=5))
        people = [User(email=f"charge{i}-{stamp}@example.org", full_name=f"Animatrice {i}",
                       password_hash="x") for i in range(PEOPLE)]
        db.session.add(session)
        db.session.add_all(people)
        db.session.commit()
        net, session = network.id, session.id
        tenants = [t.id for t in tenant_rows]
        users = [(u.id, tenants[i % 2]) for i, u in enumerate(people)]
        db.session.remove()
    yield {"network": net, "tenants": tenants, "session": session, "users": users}
    with psycopg.connect(conftest.OWNER_URL, autocommit=True) as conn:
        conn.execute("delete from procrastinate_jobs where args->>'session_id' = %s",
                     (str(session),))
        conn.execute("delete from mail_message where to_address like %s", (f"%{stamp}%",))
        conn.execute("delete from network where id = %s", (net,))
        conn.execute("delete from tenant where id = any(%s)", (tenants,))
        conn.execute("delete from user_account where email like %s", (f"%-{stamp}@%",))


def _register(app, world, user_id, tenant_id, barrier):
    barrier.wait(timeout=60)  # everybody starts at once (then queues for a connection)
    with app.app_context():
        space = tenancy.Space.for_tenant(tenant_id, [world["network"]])
        with tenancy.use_space(space, db.session):
            session = db.session.get(TrainingSession, world["session"])
            user = db.session.get(User, user_id)
            try:
                outcome = services.register(session, user)
                db.session.commit()
                return outcome.registration.status
            except services.AlreadyRegistered:
                db.session.rollback()
                return "duplicate"
            finally:
                db.session.remove()


def _seats(world):
    with psycopg.connect(conftest.OWNER_URL) as conn:
        return conn.execute(
            "select r.user_id, r.status, r.ticket from training_registration r"
            " where r.session_id = %s order by r.ticket", (world["session"],)).fetchall()


def test_200_simultaneous_registrations_on_20_seats(app, committed_world):
    world = committed_world
    barrier = threading.Barrier(PEOPLE)
    with ThreadPoolExecutor(max_workers=PEOPLE) as pool:
        results = list(pool.map(lambda uw: _register(app, world, uw[0], uw[1], barrier),
                                world["users"]))
    assert results.count("confirmed") == SEATS
    assert results.count("waiting") == PEOPLE - SEATS
    rows = _seats(world)
    assert len(rows) == PEOPLE and len({r[0] for r in rows}) == PEOPLE  # nobody twice
    # the first 20 tickets hold the seats: a stable, first-come order
    assert [r[1] for r in rows] == ["confirmed"] * SEATS + ["waiting"] * (PEOPLE - SEATS)
    with psycopg.connect(conftest.OWNER_URL) as conn:
        seats = conn.execute("select status, count(*) from training_seat where session_id = %s"
                             " group by status order by status", (world["session"],)).fetchall()
    assert seats == [("confirmed", SEATS), ("waiting", PEOPLE - SEATS)]

    # the same person again, twice at once: a clear refusal, never a second row
    user_id, tenant_id = world["users"][0]
    again = threading.Barrier(2)
    with ThreadPoolExecutor(max_workers=2) as pool:
        twice = list(pool.map(lambda _: _register(app, world, user_id, tenant_id, again),
                              range(2)))
    assert twice == ["duplicate", "duplicate"]
    assert len(_seats(world)) == PEOPLE


def test_a_freed_seat_is_given_exactly_once(app, committed_world):
    world = committed_world
    barrier = threading.Barrier(SEATS + 3)
    with ThreadPoolExecutor(max_workers=SEATS + 3) as pool:
        list(pool.map(lambda uw: _register(app, world, uw[0], uw[1], barrier),
                      world["users"][:SEATS + 3]))
    # Someone who got a seat (arrival order under concurrency is not the list's order).
    first_tenant = world["tenants"][0]
    with app.app_context():
        space = tenancy.Space.for_tenant(first_tenant, [world["network"]])
        with tenancy.use_space(space, db.session):
            registration = db.session.scalar(sa.select(Registration).where(
                Registration.status == "confirmed").order_by(Registration.ticket).limit(1))
            services.cancel(registration, db.session.get(User, registration.user_id))
            db.session.commit()
        db.session.remove()

    def promote(_):
        with app.app_context():
            space = tenancy.Space.for_network(world["network"], world["tenants"])
            with tenancy.use_space(space, db.session):
                n = services.promote_now(world["session"])
                db.session.commit()
            db.session.remove()
            return n

    with ThreadPoolExecutor(max_workers=4) as pool:
        promoted = list(pool.map(promote, range(4)))
    assert sorted(promoted) == [0, 0, 0, 1]
    rows = _seats(world)
    statuses = [r[1] for r in rows]
    assert statuses.count("confirmed") == SEATS and statuses.count("cancelled") == 1
    # the promoted one is the first who was waiting
    assert rows[SEATS][1] == "confirmed" and rows[SEATS + 1][1] == "waiting"
    with psycopg.connect(conftest.OWNER_URL) as conn:
        seat_states = dict(conn.execute(
            "select status, count(*) from training_seat where session_id = %s group by status",
            (world["session"],)).fetchall())
    assert seat_states == {"confirmed": SEATS, "waiting": 2, "cancelled": 1}

