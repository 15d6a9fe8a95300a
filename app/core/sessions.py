"""Server-side sessions stored in PostgreSQL.

The cookie holds only a random id. The id is replaced at sign-in (no session fixation),
the row is deleted at sign-out, and disabling an account deletes all its sessions.
"""

from __future__ import annotations

import contextlib
import secrets
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import Flask
from flask.sessions import SessionInterface, SessionMixin
from werkzeug.datastructures import CallbackDict

from app.extensions import db


class DbSession(CallbackDict, SessionMixin):
    def __init__(self, initial=None, sid: str | None = None, stored: bool = False):
        def on_update(_):
            self.modified = True

        super().__init__(initial, on_update)
        self.sid = sid or new_session_id()
        self.stored = stored
        self.modified = False
        self.previous_sid: str | None = None


def new_session_id() -> str:
    return secrets.token_urlsafe(32)


def rotate(session: DbSession) -> None:
    """Give the session a new id (call at sign-in); the old row is deleted on save."""
    if session.stored and session.previous_sid is None:
        session.previous_sid = session.sid
    session.sid = new_session_id()
    session.stored = False
    session.modified = True


def delete_user_sessions(user_id: int) -> None:
    """Sign the user out everywhere, at once (on the sessions' own connection, like every
    session write: ending sessions a little early is harmless if the caller rolls back)."""
    with DbSessionInterface.transaction() as conn:
        conn.execute(sa.text("delete from web_session where user_id = :u"), {"u": user_id})


@contextlib.contextmanager
def _own_transaction():
    with db.engine.begin() as conn:
        yield conn


class DbSessionInterface(SessionInterface):
    # Tests replace this with a savepoint on their rolled-back connection.
    transaction = staticmethod(_own_transaction)

    def open_session(self, app: Flask, request) -> DbSession:
        sid = request.cookies.get(app.config["SESSION_COOKIE_NAME"])
        if sid and len(sid) <= 64:
            with self.transaction() as conn:
                row = conn.execute(
                    sa.text("select data from web_session where id = :id and expires_at > now()"),
                    {"id": sid},
                ).first()
            if row is not None:
                return DbSession(row.data, sid=sid, stored=True)
        return DbSession()

    def save_session(self, app: Flask, session: DbSession, response) -> None:
        if session is None or response.status_code == 503:
            return  # the database is unreachable (see errors.database_unavailable)
        name = app.config["SESSION_COOKIE_NAME"]
        domain = self.get_cookie_domain(app)
        path = self.get_cookie_path(app)
        # Session rows live outside the request's transaction: a rolled-back view never
        # drags the session down with it, and a session write never commits a half view.
        with self.transaction() as conn:
            self._save(app, conn, session, response, name, domain, path)

    def _save(self, app, conn, session: DbSession, response, name, domain, path) -> None:
        if session.previous_sid:
            conn.execute(sa.text("delete from web_session where id = :id"),
                         {"id": session.previous_sid})
        if not session:
            if session.stored:
                conn.execute(sa.text("delete from web_session where id = :id"),
                             {"id": session.sid})
            if session.stored or session.previous_sid:
                response.delete_cookie(name, domain=domain, path=path)
            return
        if session.stored and not session.modified:
            return
        lifetime = timedelta(hours=app.config["SESSION_LIFETIME_HOURS"])
        expires = datetime.now(UTC) + lifetime
        user_id = session.get("_user_id")
        conn.execute(
            sa.text(
                "insert into web_session (id, user_id, data, expires_at)"
                " values (:id, :user_id, cast(:data as jsonb), :expires)"
                " on conflict (id) do update set data = excluded.data,"
                " user_id = excluded.user_id, expires_at = excluded.expires_at"
            ),
            {"id": session.sid, "user_id": int(user_id) if user_id else None,
             "data": _json(dict(session)), "expires": expires},
        )
        response.set_cookie(
            name, session.sid, expires=expires, httponly=True, domain=domain, path=path,
            secure=app.config["SESSION_COOKIE_SECURE"],
            samesite=app.config["SESSION_COOKIE_SAMESITE"],
        )
        response.vary.add("Cookie")


def _json(data: dict) -> str:
    import json

    return json.dumps(data, default=str)


def init_app(app: Flask) -> None:
    app.session_interface = DbSessionInterface()
