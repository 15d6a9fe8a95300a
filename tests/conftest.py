"""Test harness: real PostgreSQL, migrations applied once, each test in a rolled-back
transaction, the app connected as the unprivileged role (row-level security applies)."""

from __future__ import annotations

import contextlib
import os
import re

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from procrastinate.testing import InMemoryConnector

from tests import dbsetup

ADMIN_URL = dbsetup.server_admin_url()
OWNER_URL = dbsetup.fresh_database(ADMIN_URL, os.environ.get("TEST_DB_NAME", "maillage_test"))
os.environ["DATABASE_URL"] = OWNER_URL
os.environ.pop("APP_DATABASE_URL", None)
os.environ.pop("MAIL_SERVER", None)
os.environ.pop("SENTRY_DSN", None)
os.environ["MAILLAGE_FAST_HASH"] = "1"
os.environ.setdefault("SECRET_KEY", "tests-only-secret")

from flask_sqlalchemy.session import Session as FlaskSession  # noqa: E402

from app import create_app  # noqa: E402
from app.core import jobs, tenancy  # noqa: E402
from app.extensions import db  # noqa: E402


@pytest.fixture(scope="session")
def app():
    app = create_app({"TESTING": True, "BASE_URL": "http://maillage.test"})
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()
    return app


class BoundSession(FlaskSession):
    """Flask-SQLAlchemy picks engines itself; in tests every query goes to one connection."""

    def get_bind(self, *args, **kwargs):
        return self.bind


@pytest.fixture()
def connection(app):
    with app.app_context():
        engine = db.engine
    conn = engine.connect()
    outer = conn.begin()
    yield conn
    outer.rollback()
    conn.close()
    # Web sessions were committed on their own connection: remove them once the test's
    # transaction (which may hold locks on some of them) is gone.
    with app.app_context(), db.engine.begin() as cleanup:
        cleanup.execute(sa.text("delete from web_session"))


@pytest.fixture()
def dbsession(app, connection, monkeypatch):
    """db.session bound to the test's connection; commits become savepoint releases."""
    scoped = db._make_scoped_session({
        "class_": BoundSession, "bind": connection, "join_transaction_mode": "create_savepoint",
    })
    monkeypatch.setattr(db, "session", scoped)

    # Web sessions keep their own connection, as in production (committed outside the
    # test's transaction); the rows are removed at the end of the test.
    in_memory = InMemoryConnector()
    jobs.init_app(app, connector=in_memory)
    with app.app_context():
        yield scoped
        scoped.remove()
    tenancy.clear_space()


class FreshContextClient(FlaskClient):
    """Each request gets its own app context (hence its own `g` and its own db session on
    the test's connection), as in production; the test keeps its own context."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture()
def client(app, dbsession):
    app.test_client_class = FreshContextClient
    return app.test_client()


@pytest.fixture()
def in_space(dbsession):
    """`with in_space(Space...)`: act in a space inside a test."""
    return lambda space: tenancy.use_space(space, dbsession)


@pytest.fixture()
def unscoped(dbsession):
    return lambda reason="test setup": tenancy.unscoped(reason, dbsession)


@contextlib.contextmanager
def without_periodic_tasks():
    """The worker defers periodic tasks (reminders, housekeeping) whose time has just come:
    in tests that depends on the clock, so the tests' worker runs only queued jobs."""
    from procrastinate.periodic import PeriodicRegistry

    registry = jobs.proc_app.periodic_registry
    jobs.proc_app.periodic_registry = PeriodicRegistry()
    try:
        yield
    finally:
        jobs.proc_app.periodic_registry = registry


@pytest.fixture()
def run_jobs(app, dbsession):
    """Run every job waiting in the (in-memory) queue, as the worker would."""

    def run():
        with without_periodic_tasks():
            jobs.proc_app.run_worker(wait=False, install_signal_handlers=False,
                                     listen_notify=False)
        dbsession.expire_all()

    return run


CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no CSRF token in page"
    return match.group(1)


@pytest.fixture()
def login(client):
    """Sign `email` in through the real login form; returns a CSRF token for later posts."""

    def do(email: str, password: str = "motdepasse-test"):
        page = client.get("/connexion")
        token = csrf_from(page.get_data(as_text=True))
        response = client.post("/connexion", data={
            "csrf_token": token, "email": email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        return csrf_from(client.get("/connexion", follow_redirects=True).get_data(as_text=True))

    return do



def pytest_collection_modifyitems(config, items):
    """Browser tests last: Playwright leaves an event loop in the main thread, in which the
    synchronous job deferral (asgiref) refuses to run."""
    items.sort(key=lambda item: "tests/browser/" in str(item.fspath).replace("\\", "/"))
