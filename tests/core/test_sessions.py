"""Server-side sessions: the cookie is a random id, replaced at sign-in, dropped at sign-out."""

from __future__ import annotations

import sqlalchemy as sa

from tests import factories
from tests.conftest import csrf_from
from tests.core.test_auth import new_client

COOKIE = "maillage_session"


def cookie(client) -> str | None:
    found = client.get_cookie(COOKIE)
    return found.value if found else None


def session_row(dbsession, sid: str):
    return dbsession.execute(sa.text("select user_id, data from web_session where id = :id"),
                             {"id": sid}).first()


def sign_in(client, email: str, password: str = factories.PASSWORD):
    token = csrf_from(client.get("/connexion").get_data(as_text=True))
    response = client.post("/connexion", data={"csrf_token": token, "email": email,
                                               "password": password})
    assert response.status_code == 302, response.status_code
    return response


def test_an_anonymous_visit_stores_only_what_the_form_needs(client, dbsession):
    client.get("/connexion")
    sid = cookie(client)
    assert sid and len(sid) >= 40
    row = session_row(dbsession, sid)
    assert row is not None and row.user_id is None
    assert set(row.data) == {"csrf_token"}


def test_healthz_sets_no_session(client, dbsession):
    response = client.get("/healthz")
    assert "Set-Cookie" not in response.headers
    assert cookie(client) is None


def test_sign_in_rotates_the_session_id(client, dbsession):
    user = factories.user("rotation@example.org")
    user_id = user.id
    client.get("/connexion")
    before = cookie(client)
    assert session_row(dbsession, before) is not None
    sign_in(client, "rotation@example.org")
    after = cookie(client)
    assert after and after != before
    assert session_row(dbsession, before) is None
    row = session_row(dbsession, after)
    assert row.user_id == user_id
    assert row.data["_user_id"] == str(user_id)


def test_the_old_session_id_no_longer_signs_anyone_in(app, client, dbsession):
    factories.user("fixation@example.org")
    client.get("/connexion")
    planted = cookie(client)  # an attacker's id, planted before the victim signs in
    sign_in(client, "fixation@example.org")
    assert client.get("/espaces").status_code == 200
    attacker = new_client(app)
    attacker.set_cookie(COOKIE, planted)
    response = attacker.get("/espaces")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/connexion")


def test_a_forged_session_id_is_ignored(app, dbsession):
    visitor = new_client(app)
    visitor.set_cookie(COOKIE, "x" * 43)
    assert visitor.get("/espaces").status_code == 302
    visitor.set_cookie(COOKIE, "y" * 500)  # too long: not even looked up
    assert visitor.get("/espaces").status_code == 302


def test_logout_ends_the_signed_in_session(client, dbsession, login):
    user = factories.user("depart@example.org")
    user_id = user.id
    token = login("depart@example.org")
    sid = cookie(client)
    assert session_row(dbsession, sid).user_id == user_id
    response = client.post("/deconnexion", data={"csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"] == "/connexion"
    count = dbsession.execute(sa.text(
        "select count(*) from web_session where user_id = :u"), {"u": user_id}).scalar_one()
    assert count == 0
    assert session_row(dbsession, sid) is None
    assert cookie(client) != sid  # the goodbye message travels under a new, anonymous id
    assert client.get("/espaces").status_code == 302
    # replaying the old cookie after sign-out does not bring the session back
    client.set_cookie(COOKIE, sid)
    assert client.get("/espaces").status_code == 302


def test_logout_deletes_the_session_row(client, dbsession, login):
    factories.user("depart@example.org")
    token = login("depart@example.org")
    sid = cookie(client)
    client.post("/deconnexion", data={"csrf_token": token})
    assert session_row(dbsession, sid) is None
    assert cookie(client) != sid


def test_an_expired_session_is_not_honoured(client, dbsession, login):
    factories.user("expire@example.org")
    login("expire@example.org")
    sid = cookie(client)
    # Session rows live on their own connection (outside the test's transaction).
    from app.extensions import db

    with db.engine.begin() as conn:
        conn.execute(sa.text(
            "update web_session set expires_at = now() - interval '1 minute' where id = :id"),
            {"id": sid})
    assert client.get("/espaces").status_code == 302


def test_two_devices_have_two_sessions(app, client, dbsession):
    user = factories.user("deux@example.org")
    user_id = user.id
    phone = new_client(app)
    sign_in(client, "deux@example.org")
    sign_in(phone, "deux@example.org")
    assert cookie(client) != cookie(phone)
    count = dbsession.execute(sa.text(
        "select count(*) from web_session where user_id = :u"), {"u": user_id}).scalar_one()
    assert count == 2
    token = csrf_from(phone.get("/espaces").get_data(as_text=True))
    phone.post("/deconnexion", data={"csrf_token": token})
    assert phone.get("/espaces").status_code == 302
    assert client.get("/espaces").status_code == 200


def test_the_session_cookie_is_http_only_and_same_site_lax(client, dbsession):
    response = client.get("/connexion")
    header = response.headers["Set-Cookie"]
    assert header.startswith(f"{COOKIE}=")
    assert "HttpOnly" in header
    assert "SameSite=Lax" in header
    assert "Path=/" in header


def test_the_csrf_token_survives_sign_in(client, dbsession):
    """The token of the page that signed in stays valid for the next form."""
    factories.user("suite@example.org")
    token = csrf_from(client.get("/connexion").get_data(as_text=True))
    client.post("/connexion", data={"csrf_token": token, "email": "suite@example.org",
                                    "password": factories.PASSWORD})
    response = client.post("/deconnexion", data={"csrf_token": token})
    assert response.status_code == 302
    assert client.get("/espaces").status_code == 302
