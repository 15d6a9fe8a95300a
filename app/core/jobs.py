"""Background jobs with procrastinate, queued in the same PostgreSQL.

Jobs are deferred only once the request's transaction has committed, so a job never
refers to rows that were rolled back. Every job carries the space it acts for and sets it
before touching data (`space_task`).
"""

from __future__ import annotations

import functools
import logging

import procrastinate
import sqlalchemy as sa
from sqlalchemy import event

from app.config import libpq_url
from app.core import tenancy
from app.extensions import db

log = logging.getLogger(__name__)

proc_app = procrastinate.App(
    connector=procrastinate.PsycopgConnector(),
    import_paths=["app.core.mail", "app.core.maintenance", "app.training.reminders",
                  "app.events.invitations", "app.events.notices",
                  "app.committees.reminders"],
)
_flask_app = None
_sync_opened = False


def init_app(flask_app, connector=None) -> None:
    """Point procrastinate at the application's database (or at `connector`, in tests)."""
    global _flask_app, _sync_opened
    _flask_app = flask_app
    if connector is None:
        connector = procrastinate.PsycopgConnector(
            conninfo=libpq_url(flask_app.config["SQLALCHEMY_DATABASE_URI"]),
            kwargs={"application_name": "maillage-jobs"},
        )
    proc_app.connector = connector
    proc_app.job_manager.connector = connector
    _sync_opened = False


def _ensure_open_sync() -> None:
    global _sync_opened
    if not _sync_opened:
        proc_app.open()
        _sync_opened = True


def space_task(name: str, **options):
    """Declare a task that runs inside the space it was deferred from."""

    def decorate(fn):
        @proc_app.task(name=name, **options)
        @functools.wraps(fn)
        def run(space: dict, **kwargs):
            with _flask_app.app_context():
                space_ = _complete(tenancy.Space.from_job_arg(space))
                with tenancy.use_space(space_, db.session):
                    try:
                        result = fn(**kwargs)
                        db.session.commit()
                        return result
                    except Exception:
                        db.session.rollback()
                        raise

        return run

    return decorate


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
        return fn(*args, **kwargs)


def defer_after_commit(task, space: tenancy.Space | None = None, **kwargs) -> None:
    """Queue `task` when the current transaction commits (dropped if it rolls back). The job
    acts in `space` (by default the current one)."""
    space = space or tenancy.current_space() or tenancy.Space.unscoped(
        "job deferred outside a space")
    pending = db.session.info.setdefault("pending_jobs", [])
    pending.append((task, {"space": space.to_job_arg(), **kwargs}))


_hooked: set[type] = set()


def install_session_hooks(session_cls) -> None:
    if session_cls in _hooked:
        return
    _hooked.add(session_cls)

    @event.listens_for(session_cls, "after_commit")
    def _defer_pending(session):
        pending = session.info.pop("pending_jobs", [])
        if not pending:
            return
        _ensure_open_sync()
        for task, kwargs in pending:
            task.defer(**kwargs)

    @event.listens_for(session_cls, "after_rollback")
    def _drop_pending(session):
        session.info.pop("pending_jobs", None)
