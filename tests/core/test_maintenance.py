from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from app.core import maintenance
from app.core.models import LoginAttempt, WebSession


def test_purge_removes_only_expired_rows(dbsession):
    now = datetime.now(UTC)
    dbsession.add_all([
        WebSession(id="old", data={}, expires_at=now - timedelta(minutes=1)),
        WebSession(id="live", data={}, expires_at=now + timedelta(hours=1)),
        LoginAttempt(email="a@example.org", ip="1.2.3.4", succeeded=False,
                     at=now - timedelta(days=3)),
        LoginAttempt(email="b@example.org", ip="1.2.3.4", succeeded=False, at=now),
    ])
    dbsession.flush()
    counts = maintenance.purge()
    assert counts["web_session"] == 1 and counts["login_attempt"] == 1
    assert dbsession.scalars(sa.select(WebSession.id)).all() == ["live"]
    assert dbsession.scalars(sa.select(LoginAttempt.email)).all() == ["b@example.org"]
