"""A job that raises: its error is kept for « Tâches et envois » and, when SENTRY_DSN is
set, reported to Sentry with the task's name."""

from __future__ import annotations

import pytest
import sentry_sdk
import sqlalchemy as sa
from sentry_sdk.transport import Transport

from app.core import jobs, tenancy
from app.core.models import JobFailure
from app.extensions import db


@jobs.space_task("tests.always_fails")
def always_fails(reason: str) -> None:
    raise RuntimeError(reason)


class KeptEvents(Transport):
    def __init__(self, options=None):
        super().__init__(options)
        self.events: list[dict] = []

    def capture_envelope(self, envelope):
        for item in envelope.items:
            if item.type == "event":
                self.events.append(item.payload.json)


@pytest.fixture()
def sentry():
    transport = KeptEvents()
    sentry_sdk.init(dsn="https://key@sentry.example.org/1", transport=transport,
                    default_integrations=False)
    yield transport
    sentry_sdk.get_global_scope().set_client(None)  # off again, as with no SENTRY_DSN


@pytest.fixture()
def failures(app):
    """job_failure rows are written on their own connection (the job's transaction was
    rolled back): remove them after the test."""
    yield
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(sa.delete(JobFailure).where(JobFailure.task_name == "tests.always_fails"))


def test_a_failed_job_is_reported_to_sentry_and_kept_with_its_error(
        dbsession, run_jobs, sentry, failures):
    with tenancy.unscoped("test", dbsession):
        jobs.defer_after_commit(always_fails, reason="serveur de courriel injoignable")
        dbsession.commit()
    run_jobs()

    job, = [j for j in jobs.proc_app.connector.jobs.values()
            if j["task_name"] == "tests.always_fails"]
    assert job["status"] == "failed"
    event, = sentry.events
    assert event["tags"]["job"] == "tests.always_fails"
    assert event["exception"]["values"][-1]["value"] == "serveur de courriel injoignable"
    with db.engine.connect() as connection:
        kept = connection.execute(sa.select(JobFailure.job_id, JobFailure.error).where(
            JobFailure.task_name == "tests.always_fails")).all()
    assert kept == [(job["id"], "RuntimeError: serveur de courriel injoignable")]


def test_without_a_dsn_nothing_is_sent_but_the_error_is_kept(dbsession, run_jobs, failures):
    assert not sentry_sdk.get_client().is_active()
    with tenancy.unscoped("test", dbsession):
        jobs.defer_after_commit(always_fails, reason="hors ligne")
        dbsession.commit()
    run_jobs()
    with db.engine.connect() as connection:
        errors = connection.execute(sa.select(JobFailure.error).where(
            JobFailure.task_name == "tests.always_fails")).scalars().all()
    assert errors == ["RuntimeError: hors ligne"]
