"""Nightly housekeeping: expired sessions, old sign-in attempts, dead reset tokens."""

from __future__ import annotations

import sqlalchemy as sa

from app.core.jobs import proc_app, run_in_app
from app.extensions import db

PURGES = {
    "web_session": "delete from web_session where expires_at < now()",
    "login_attempt": "delete from login_attempt where at < now() - interval '2 days'",
    "password_reset_token": "delete from password_reset_token"
                            " where expires_at < now() - interval '7 days'",
}


def purge() -> dict[str, int]:
    counts = {}
    for table, sql in PURGES.items():
        counts[table] = db.session.execute(sa.text(sql)).rowcount
    db.session.commit()
    return counts


@proc_app.periodic(cron="17 3 * * *")
@proc_app.task(name="maillage.purge_expired", queueing_lock="purge_expired")
def purge_expired(timestamp: int) -> dict[str, int]:
    return run_in_app(purge)
