"""Sign-in, sign-out, throttling of failures, and password resets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import current_app, session
from flask_login import login_user, logout_user

from app.core import audit, mail, sessions
from app.core.models import LoginAttempt, MailMessage, PasswordResetToken, User
from app.core.passwords import hash_password, verify_password
from app.core.tokens import new_token, token_hash
from app.extensions import db, login_manager

RESETS_PER_HOUR = 3
GENERIC_FAILURE = "Adresse e-mail ou mot de passe incorrect."
THROTTLED = ("Trop de tentatives de connexion ont échoué. Par sécurité, réessayez dans "
             "{minutes} minutes ou réinitialisez votre mot de passe.")


def init_app(app) -> None:
    login_manager.login_view = "core.login"
    login_manager.login_message = "Connectez-vous pour accéder à cette page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = None  # the server-side session is rotated instead


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    return user if user is not None and user.is_active else None


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


@dataclass
class SignInResult:
    user: User | None = None
    error: str | None = None


def _recent_failures(column, value) -> int:
    since = datetime.now(UTC) - timedelta(minutes=current_app.config["LOGIN_WINDOW_MINUTES"])
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(LoginAttempt)
        .where(column == value, LoginAttempt.at > since, LoginAttempt.succeeded.is_(False))
    )


def is_throttled(email: str, ip: str) -> bool:
    limit = current_app.config["LOGIN_MAX_FAILURES"]
    return (_recent_failures(LoginAttempt.email, email) >= limit
            or _recent_failures(LoginAttempt.ip, ip) >= limit)


def sign_in(email: str, password: str, ip: str) -> SignInResult:
    email = normalise_email(email)
    if is_throttled(email, ip):
        audit.record("login.throttled", email, actor=None)
        db.session.commit()
        return SignInResult(error=THROTTLED.format(
            minutes=current_app.config["LOGIN_WINDOW_MINUTES"]))
    user = db.session.scalar(sa.select(User).where(User.email == email))
    ok = user is not None and user.is_active and verify_password(user.password_hash, password)
    db.session.add(LoginAttempt(email=email, ip=ip, succeeded=ok))
    if not ok:
        reason = "disabled" if user is not None and not user.is_active else "bad_credentials"
        audit.record("login.failed", email, actor=None, reason=reason)
        db.session.commit()
        return SignInResult(error=GENERIC_FAILURE)
    user.last_login_at = datetime.now(UTC)
    audit.record("login.succeeded", email, actor=user)
    db.session.commit()
    start_session(user)
    return SignInResult(user=user)


def start_session(user: User) -> None:
    """Rotate the session id and attach the user to it."""
    kept = {k: v for k, v in session.items() if k == "csrf_token"}
    session.clear()
    sessions.rotate(session)
    session.update(kept)
    login_user(user)


def sign_out() -> None:
    """End the session: its row is deleted; a new, anonymous id carries the goodbye message."""
    logout_user()
    session.clear()
    sessions.rotate(session)


# --------------------------------------------------------------------------- resets

def request_password_reset(email: str) -> None:
    """Send a reset link if the account exists. The caller always shows the same message."""
    email = normalise_email(email)
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None or not user.is_active:
        return
    # A few links an hour at most: the form must not become a way to flood a mailbox. The
    # answer on screen stays the same, so the limit reveals nothing about the account.
    recent = db.session.scalar(sa.select(sa.func.count(MailMessage.id)).where(
        MailMessage.to_address == email, MailMessage.kind == "password_reset",
        MailMessage.created_at > datetime.now(UTC) - timedelta(hours=1)))
    if recent >= RESETS_PER_HOUR:
        audit.record("password.reset_throttled", email, actor=user)
        return
    token, digest = new_token()
    hours = current_app.config["PASSWORD_RESET_HOURS"]
    db.session.add(PasswordResetToken(
        user_id=user.id, token_hash=digest,
        expires_at=datetime.now(UTC) + timedelta(hours=hours)))
    link = f"{current_app.config['BASE_URL']}/mot-de-passe/{token}"
    mail.send(
        to=user.email, kind="password_reset",
        subject="Maillage : réinitialiser votre mot de passe",
        body=mail.render("core/mail/password_reset.txt", user=user, link=link, hours=hours),
    )
    audit.record("password.reset_requested", email, actor=user)


def valid_reset_token(token: str) -> PasswordResetToken | None:
    row = db.session.scalar(
        sa.select(PasswordResetToken).where(PasswordResetToken.token_hash == token_hash(token))
    )
    if row is None or row.used_at is not None or row.expires_at <= datetime.now(UTC):
        return None
    return row


def reset_password(token: str, new_password: str) -> User | None:
    row = db.session.scalar(
        sa.select(PasswordResetToken)
        .where(PasswordResetToken.token_hash == token_hash(token))
        .with_for_update()
    )
    if row is None or row.used_at is not None or row.expires_at <= datetime.now(UTC):
        return None
    user = db.session.get(User, row.user_id)
    if user is None or not user.is_active:
        return None
    now = datetime.now(UTC)
    row.used_at = now
    # Any other outstanding link dies with this one, and so do open sessions.
    db.session.execute(
        sa.update(PasswordResetToken)
        .where(PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=now)
    )
    user.password_hash = hash_password(new_password)
    sessions.delete_user_sessions(user.id)
    audit.record("password.reset", user.email, actor=user)
    return user
