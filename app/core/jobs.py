"""Background jobs with procrastinate, queued in the same PostgreSQL.

A job is written to procrastinate's queue table *inside* the transaction that asks for it
(transactional outbox): it becomes visible to the worker when that transaction commits and
disappears with it if it rolls back. So a job never refers to rows that were rolled back,
and a row that says « a message is queued » is never committed without its job. This works
the same in a web request, in the CLI and inside a job run by the worker (sync or async),
since it uses the caller's own database connection rather than procrastinate's pool.

Every job carries the space it acts for and sets it before touching data (`space_task`).
"""

from __future__ import annotations

import contextvars
import functools
import json
import logging

import procrastinate
import sqlalchemy as sa
from procrastinate.testing import InMemoryConnector
from sqlalchemy import event

from app.config import libpq_url
from app.core import tenancy
from app.extensions import db

log = logging.getLogger(__name__)

proc_app = procrastinate.App(
    connector=procrastinate.PsycopgConnector(),
    import_paths=["app.core.mail", "app.core.maintenance", "app.core.worker",
                  "app.training.reminders", "app.events.invitations", "app.events.notices",
                  "app.networks.fiches.notifications", "app.training.services",
                  "app.committees.reminders"],
)
_flask_app = None
_running_job: contextvars.ContextVar = contextvars.ContextVar("running_job", default=None)

# procrastinate_defer_jobs_v1 is procrastinate's own batch-defer function (3.2 and later).
_DEFER_SQL = sa.text("""
    select unnest(procrastinate_defer_jobs_v1(array(
        select row(j.queue_name, j.task_name, j.priority, j.lock, j.queueing_lock, j.args,
                   j.scheduled_at)::procrastinate_job_to_defer_v1
        from jsonb_to_recordset(cast(:jobs as jsonb)) as j(
            queue_name varchar, task_name varchar, priority integer, lock text,
            queueing_lock text, args jsonb, scheduled_at timestamptz)
    ))) as id
""")


def init_app(flask_app, connector=None) -> None:
    """Point procrastinate at the application's database (or at `connector`, in tests)."""
    global _flask_app
    _flask_app = flask_app
    if connector is None:
        connector = procrastinate.PsycopgConnector(
            conninfo=libpq_url(flask_app.config["SQLALCHEMY_DATABASE_URI"]),
            kwargs={"application_name": "maillage-jobs"},
        )
    proc_app.connector = connector
    proc_app.job_manager.connector = connector


def _in_memory() -> bool:
    return isinstance(proc_app.connector, InMemoryConnector)


def space_task(name: str, **options):
    """Declare a task that runs inside the space it was deferred from. The task's writes and
    the jobs it defers commit together, once, when it returns."""

    def decorate(fn):
        @proc_app.task(name=name, pass_context=True, **options)
        @functools.wraps(fn)
        def run(context, space: dict, **kwargs):
            _running_job.set(context.job if context else None)
            with _flask_app.app_context():
                space_ = _complete(tenancy.Space.from_job_arg(space))
                with tenancy.use_space(space_, db.session):
                    try:
                        result = fn(**kwargs)
                        db.session.commit()
                        return result
                    except Exception:
                        _discard_session()
                        report_failure(name)
                        raise

        return run

    return decorate


def _discard_session() -> None:
    from app.core.errors import discard_session

    discard_session()


def report_failure(task_name: str) -> None:
    """Keep the error of the exception being handled for « Tâches et envois », and send it
    to Sentry (a no-op when SENTRY_DSN is unset). Written on a connection of its own: the
    job's transaction has just been rolled back."""
    import sys
    import traceback

    import sentry_sdk

    from app.core.models import JobFailure

    exc = sys.exc_info()[1]
    with sentry_sdk.new_scope() as scope:
        scope.set_tag("job", task_name)
        sentry_sdk.capture_exception()
    try:
        with db.engine.begin() as connection:
            connection.execute(sa.insert(JobFailure).values(
                job_id=getattr(_running_job.get(), "id", None), task_name=task_name,
                error="".join(traceback.format_exception_only(exc)).strip()[:4000]))
    except sa.exc.SQLAlchemyError:
        log.warning("could not record the failure of %s", task_name, exc_info=True)


def is_last_attempt(task) -> bool:
    """Whether the job being run will not be retried if it fails now (True outside a job:
    nothing will try again)."""
    job = _running_job.get()
    strategy = task.retry_strategy
    if job is None or strategy is None or not strategy.max_attempts:
        return job is None or strategy is None
    return job.attempts >= strategy.max_attempts


def _complete(space: tenancy.Space) -> tenancy.Space:
    """A network space deferred without its member tenants gets them now (as a request
    entering the network would), read in that network's own space."""
    if space.kind != "network" or space.member_tenant_ids:
        return space
    from app.networks.models import NetworkTenant

    with tenancy.use_space(space, db.session):
        members = db.session.scalars(sa.select(NetworkTenant.tenant_id)).all()
    return tenancy.Space.for_network(space.network_id, members, user_id=space.user_id)


def run_in_app(fn, *args, **kwargs):
    """Run `fn` inside the Flask app (for tasks that touch only global tables)."""
    with _flask_app.app_context():
        try:
            return fn(*args, **kwargs)
        except Exception:
            _discard_session()
            report_failure(getattr(fn, "__name__", "job"))
            raise


def defer_after_commit(task, space: tenancy.Space | None = None, lock: str | None = None,
                       **kwargs) -> None:
    """Queue `task` in the current transaction: the worker sees it once the transaction
    commits, and it is dropped if it rolls back. The job acts in `space` (by default the
    current one); jobs sharing a `lock` run one after the other."""
    space = space or tenancy.current_space() or tenancy.Space.unscoped(
        "job deferred outside a space")
    job = task.configure(lock=lock).make_new_job(space=space.to_job_arg(), **kwargs)
    db.session.info.setdefault("pending_jobs", []).append(job)


def _as_row(job) -> dict:
    return {"queue_name": job.queue, "task_name": job.task_name, "priority": job.priority,
            "lock": job.lock, "queueing_lock": job.queueing_lock, "args": job.task_kwargs,
            "scheduled_at": job.scheduled_at.isoformat() if job.scheduled_at else None}


def write_jobs(connection, jobs) -> list[int]:
    """Insert `jobs` into procrastinate's queue through `connection` (one statement)."""
    rows = [_as_row(job) for job in jobs]
    return list(connection.execute(_DEFER_SQL, {"jobs": json.dumps(rows)}).scalars())


_hooked: set[type] = set()


def install_session_hooks(session_cls) -> None:
    if session_cls in _hooked:
        return
    _hooked.add(session_cls)

    @event.listens_for(session_cls, "before_commit")
    def _write_pending(session):
        # Flushing may queue more jobs (e-mails stored by a flush): flush first.
        session.flush()
        if _in_memory():
            return  # unit tests of business rules: handed to the in-memory queue after commit
        pending = session.info.pop("pending_jobs", [])
        if pending:
            write_jobs(session.connection(), pending)

    @event.listens_for(session_cls, "after_commit")
    def _hand_to_memory(session):
        pending = session.info.pop("pending_jobs", [])
        if pending and _in_memory():
            for job in pending:
                proc_app.job_manager.defer_job(job)

    @event.listens_for(session_cls, "after_rollback")
    def _drop_pending(session):
        session.info.pop("pending_jobs", None)
