"""Sign-in, throttling, disabled accounts, password resets and CSRF on the public forms."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.core import tenancy
from app.core.models import LoginAttempt, MailMessage, PasswordResetToken, User
from tests import factories
from tests.conftest import FreshContextClient, csrf_from

RESET_LINK = re.compile(r"http://maillage\.test/mot-de-passe/([A-Za-z0-9_-]+)")


def new_client(app) -> FreshContextClient:
    """Another browser: its own cookies, each request in its own app context."""
    return FreshContextClient(app, app.response_class, use_cookies=True)


def login_token(client) -> str:
    return csrf_from(client.get("/connexion").get_data(as_text=True))


def post_login(client, email, password, token=None, **kwargs):
    token = token or login_token(client)
    return client.post("/connexion", data={"csrf_token": token, "email": email,
                                           "password": password}, **kwargs)


def attempts(dbsession, **where) -> list[LoginAttempt]:
    stmt = sa.select(LoginAttempt).order_by(LoginAttempt.id)
    for key, value in where.items():
        stmt = stmt.where(getattr(LoginAttempt, key) == value)
    return list(dbsession.scalars(stmt))


def audit_actions(dbsession) -> list[str]:
    with tenancy.unscoped("read the audit log in a test", dbsession):
        return list(dbsession.scalars(sa.text("select action from audit_log order by id")))


# --------------------------------------------------------------------------- sign-in

def test_right_password_signs_in_and_records_the_attempt(client, dbsession):
    user = factories.user("marie@example.org", platform_admin=True)
    response = post_login(client, "  Marie@Example.org ", factories.PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/"
    rows = attempts(dbsession, email="marie@example.org")
    assert [r.succeeded for r in rows] == [True]
    dbsession.expire_all()  # the request wrote through its own session
    assert dbsession.get(User, user.id).last_login_at is not None
    assert "login.succeeded" in audit_actions(dbsession)


def test_wrong_password_gives_a_generic_french_message(client, dbsession):
    factories.user("marie@example.org")
    response = post_login(client, "marie@example.org", "pas le bon mot de passe")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Adresse e-mail ou mot de passe incorrect." in html
    assert 'value="marie@example.org"' in html  # what was typed is kept…
    assert "pas le bon mot de passe" not in html  # …except the password
    unknown = post_login(client, "personne@example.org", "pas le bon mot de passe")
    assert unknown.status_code == 400
    assert "Adresse e-mail ou mot de passe incorrect." in unknown.get_data(as_text=True)
    assert [r.succeeded for r in attempts(dbsession)] == [False, False]


def test_empty_form_shows_errors_next_to_the_fields(client, dbsession):
    response = post_login(client, "", "")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="f-email-error"' in html and 'id="f-password-error"' in html
    assert attempts(dbsession) == []


def test_disabled_account_cannot_sign_in(client, dbsession):
    factories.user("parti@example.org", active=False)
    response = post_login(client, "parti@example.org", factories.PASSWORD)
    assert response.status_code == 400
    assert "Adresse e-mail ou mot de passe incorrect." in response.get_data(as_text=True)
    assert client.get("/espaces").status_code == 302
    assert [r.succeeded for r in attempts(dbsession)] == [False]


def test_a_session_dies_when_its_account_is_disabled(client, dbsession, login):
    user = factories.user("bientot.parti@example.org")
    login("bientot.parti@example.org")
    assert client.get("/espaces").status_code == 200
    with tenancy.unscoped("disable", dbsession):
        dbsession.get(User, user.id).is_active = False
        dbsession.commit()
    response = client.get("/espaces")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/connexion")


def test_open_redirect_after_login_is_refused(client, dbsession):
    factories.user("marie@example.org")
    token = login_token(client)
    response = client.post("/connexion?next=//evil.example/phish", data={
        "csrf_token": token, "email": "marie@example.org", "password": factories.PASSWORD})
    assert response.status_code == 302
    assert not response.headers["Location"].startswith("//")
    assert "evil.example" not in response.headers["Location"]


def test_login_then_next_goes_back_to_the_requested_page(client, dbsession):
    factories.user("marie@example.org")
    first = client.get("/espaces")
    assert first.status_code == 302
    location = first.headers["Location"]
    assert location.startswith("/connexion?next=")
    token = login_token(client)
    response = client.post(location, data={
        "csrf_token": token, "email": "marie@example.org", "password": factories.PASSWORD})
    assert response.headers["Location"] == "/espaces"


# --------------------------------------------------------------------------- throttling

def test_ten_failures_lock_the_account_even_with_the_right_password(client, dbsession):
    factories.user("cible@example.org")
    token = login_token(client)
    for _ in range(10):
        assert post_login(client, "cible@example.org", "mauvais-mot-de-passe",
                          token).status_code == 400
    response = post_login(client, "cible@example.org", factories.PASSWORD, token)
    assert response.status_code == 429
    assert "Trop de tentatives" in response.get_data(as_text=True)
    assert client.get("/espaces").status_code == 302  # not signed in
    rows = attempts(dbsession, email="cible@example.org")
    assert len(rows) == 10 and not any(r.succeeded for r in rows)
    assert "login.throttled" in audit_actions(dbsession)


def test_failures_from_one_address_on_many_accounts_lock_that_address(client, dbsession):
    factories.user("victime@example.org")
    token = login_token(client)
    attacker = {"REMOTE_ADDR": "203.0.113.7"}
    for n in range(10):
        post_login(client, f"essai{n}@example.org", "mauvais-mot-de-passe", token,
                   environ_base=attacker)
    assert len(attempts(dbsession, ip="203.0.113.7")) == 10
    blocked = post_login(client, "victime@example.org", factories.PASSWORD, token,
                         environ_base=attacker)
    assert blocked.status_code == 429
    assert "Trop de tentatives" in blocked.get_data(as_text=True)
    # the account itself is not locked: from another address it signs in
    ok = post_login(client, "victime@example.org", factories.PASSWORD, token,
                    environ_base={"REMOTE_ADDR": "198.51.100.2"})
    assert ok.status_code == 302


def test_old_failures_no_longer_count(client, dbsession):
    factories.user("patient@example.org")
    token = login_token(client)
    for _ in range(10):
        post_login(client, "patient@example.org", "mauvais-mot-de-passe", token)
    dbsession.execute(sa.update(LoginAttempt).values(
        at=datetime.now(UTC) - timedelta(minutes=16)))
    dbsession.commit()
    assert post_login(client, "patient@example.org", factories.PASSWORD, token).status_code == 302


def test_nine_failures_do_not_lock(client, dbsession):
    factories.user("presque@example.org")
    token = login_token(client)
    for _ in range(9):
        post_login(client, "presque@example.org", "mauvais-mot-de-passe", token)
    assert post_login(client, "presque@example.org", factories.PASSWORD, token).status_code == 302


# --------------------------------------------------------------------------- resets

def request_reset(client, email: str):
    token = csrf_from(client.get("/mot-de-passe-oublie").get_data(as_text=True))
    return client.post("/mot-de-passe-oublie", data={"csrf_token": token, "email": email},
                       follow_redirects=True)


def reset_mail(dbsession, email: str) -> MailMessage:
    dbsession.expire_all()
    return dbsession.scalars(sa.select(MailMessage).where(
        MailMessage.to_address == email, MailMessage.kind == "password_reset")
        .order_by(MailMessage.id.desc())).first()


def choose_password(client, token: str, password: str):
    page = client.get(f"/mot-de-passe/{token}")
    assert page.status_code == 200
    return client.post(f"/mot-de-passe/{token}", data={
        "csrf_token": csrf_from(page.get_data(as_text=True)),
        "password": password, "confirm": password})


def test_password_reset_from_request_to_new_sign_in(client, dbsession, run_jobs, login):
    factories.user("oubli@example.org")
    response = request_reset(client, "oubli@example.org")
    assert "Si un compte correspond à cette adresse" in response.get_data(as_text=True)
    message = reset_mail(dbsession, "oubli@example.org")
    assert message is not None and message.status == "queued"
    run_jobs()
    message = reset_mail(dbsession, "oubli@example.org")
    assert message.status == "outbox"
    match = RESET_LINK.search(message.body_text)
    assert match, message.body_text
    token = match.group(1)
    # only the token's digest is stored
    stored = dbsession.scalar(sa.select(PasswordResetToken.token_hash))
    assert stored != token and token not in stored

    response = choose_password(client, token, "nouvelle phrase secrète")
    assert response.status_code == 302
    assert response.headers["Location"] == "/connexion"
    assert post_login(client, "oubli@example.org", factories.PASSWORD).status_code == 400
    signed_in = login("oubli@example.org", "nouvelle phrase secrète")
    assert client.get("/espaces").status_code == 200

    # single use: the link is dead now, for GET and POST
    client.post("/deconnexion", data={"csrf_token": signed_in})
    again = client.get(f"/mot-de-passe/{token}")
    assert again.status_code == 410
    assert "Ce lien n’est plus valable" in again.get_data(as_text=True)
    repost = client.post(f"/mot-de-passe/{token}", data={
        "csrf_token": login_token(client), "password": "encore une autre phrase",
        "confirm": "encore une autre phrase"})
    assert repost.status_code == 410
    login("oubli@example.org", "nouvelle phrase secrète")


def test_an_expired_reset_link_is_refused(client, dbsession, run_jobs):
    factories.user("lent@example.org")
    request_reset(client, "lent@example.org")
    run_jobs()
    token = RESET_LINK.search(reset_mail(dbsession, "lent@example.org").body_text).group(1)
    dbsession.execute(sa.update(PasswordResetToken).values(
        expires_at=datetime.now(UTC) - timedelta(minutes=1)))
    dbsession.commit()
    response = client.get(f"/mot-de-passe/{token}")
    assert response.status_code == 410
    posted = client.post(f"/mot-de-passe/{token}", data={
        "csrf_token": login_token(client), "password": "une phrase bien longue",
        "confirm": "une phrase bien longue"})
    assert posted.status_code == 410
    assert post_login(client, "lent@example.org", "une phrase bien longue").status_code == 400


def test_a_made_up_reset_token_is_refused(client, dbsession):
    assert client.get("/mot-de-passe/nimportequoi").status_code == 410


def test_unknown_email_gets_the_same_answer_and_no_mail(client, dbsession):
    factories.user("connu@example.org")
    known = request_reset(client, "connu@example.org").get_data(as_text=True)
    unknown = request_reset(client, "inconnu@example.org").get_data(as_text=True)
    phrase = "Si un compte correspond à cette adresse, un lien de réinitialisation est en"
    assert phrase in known and phrase in unknown
    assert dbsession.scalar(sa.select(sa.func.count()).select_from(MailMessage)) == 1
    assert reset_mail(dbsession, "inconnu@example.org") is None


def test_disabled_account_gets_no_reset_mail(client, dbsession):
    factories.user("desactive@example.org", active=False)
    request_reset(client, "desactive@example.org")
    assert reset_mail(dbsession, "desactive@example.org") is None


def test_a_new_password_must_be_long_enough_and_confirmed(client, dbsession, run_jobs):
    factories.user("court@example.org")
    request_reset(client, "court@example.org")
    run_jobs()
    token = RESET_LINK.search(reset_mail(dbsession, "court@example.org").body_text).group(1)
    short = choose_password(client, token, "court")
    assert short.status_code == 400
    assert "au moins 10 caractères" in short.get_data(as_text=True)
    page = client.get(f"/mot-de-passe/{token}")
    mismatch = client.post(f"/mot-de-passe/{token}", data={
        "csrf_token": csrf_from(page.get_data(as_text=True)),
        "password": "une phrase bien longue", "confirm": "une autre phrase longue"})
    assert mismatch.status_code == 400
    assert "ne sont pas identiques" in mismatch.get_data(as_text=True)
    # the link still works after those refusals
    assert client.get(f"/mot-de-passe/{token}").status_code == 200


def test_a_reset_closes_the_accounts_open_sessions(app, client, dbsession, run_jobs, login):
    user = factories.user("prudent@example.org")
    other_device = new_client(app)
    token = csrf_from(other_device.get("/connexion").get_data(as_text=True))
    assert other_device.post("/connexion", data={
        "csrf_token": token, "email": "prudent@example.org",
        "password": factories.PASSWORD}).status_code == 302
    assert other_device.get("/espaces").status_code == 200
    request_reset(client, "prudent@example.org")
    run_jobs()
    link = RESET_LINK.search(reset_mail(dbsession, "prudent@example.org").body_text).group(1)
    assert choose_password(client, link, "nouvelle phrase secrète").status_code == 302
    count = dbsession.execute(sa.text("select count(*) from web_session where user_id = :u"),
                              {"u": user.id}).scalar_one()
    assert count == 0
    assert other_device.get("/espaces").status_code == 302


# --------------------------------------------------------------------------- CSRF

@pytest.mark.parametrize("path", ["/connexion", "/mot-de-passe-oublie"])
def test_a_post_without_csrf_token_is_refused_in_french_and_writes_nothing(
        client, dbsession, path):
    factories.user("marie@example.org")
    client.get("/connexion")  # a session exists, but the form does not carry its token
    response = client.post(path, data={"email": "marie@example.org",
                                       "password": factories.PASSWORD})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Formulaire expiré" in html and '<html lang="fr">' in html
    assert "Traceback" not in html
    assert attempts(dbsession) == []
    assert dbsession.scalar(sa.select(sa.func.count()).select_from(MailMessage)) == 0
    assert audit_actions(dbsession) == []
    assert client.get("/espaces").status_code == 302


def test_a_post_with_a_wrong_csrf_token_is_refused(client, dbsession):
    factories.user("marie@example.org")
    client.get("/connexion")
    response = post_login(client, "marie@example.org", factories.PASSWORD,
                          token="faux-jeton")
    assert response.status_code == 400
    assert attempts(dbsession) == []


def test_a_token_from_another_session_is_refused(app, client, dbsession):
    factories.user("marie@example.org")
    foreign = login_token(new_client(app))
    client.get("/connexion")
    response = post_login(client, "marie@example.org", factories.PASSWORD, token=foreign)
    assert response.status_code == 400
    assert attempts(dbsession) == []


def test_the_htmx_csrf_header_is_accepted(client, dbsession):
    factories.user("marie@example.org")
    html = client.get("/connexion").get_data(as_text=True)
    header_token = re.search(r'"X-CSRFToken": "([^"]+)"', html).group(1)
    response = client.post("/connexion", data={
        "email": "marie@example.org", "password": factories.PASSWORD},
        headers={"X-CSRFToken": header_token, "HX-Request": "true"})
    assert response.status_code == 302
    assert client.get("/espaces").status_code == 200


def test_logout_needs_a_post_with_a_token(client, dbsession, login):
    factories.user("marie@example.org")
    token = login("marie@example.org")
    assert client.get("/deconnexion").status_code == 405
    assert client.post("/deconnexion").status_code == 400
    assert client.get("/espaces").status_code == 200
    response = client.post("/deconnexion", data={"csrf_token": token})
    assert response.status_code == 302
    assert client.get("/espaces").status_code == 302
