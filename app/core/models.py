"""Platform-wide models: people, sessions, sign-in attempts, tokens, audit log, mail outbox."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.core.tenancy import EitherScoped
from app.extensions import db

now_utc = sa.func.now()


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=now_utc)


class User(TimestampMixin, db.Model):
    """A person who signs in. Global: one account may hold roles in several spaces."""

    __tablename__ = "user_account"
    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(200))
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    is_active: Mapped[bool] = mapped_column(server_default=sa.true(), default=True)
    is_platform_admin: Mapped[bool] = mapped_column(server_default=sa.false(), default=False)
    last_login_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    __table_args__ = (sa.CheckConstraint("email = lower(email)", name="email_lowercase"),)

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)


class WebSession(db.Model):
    """Server-side session: the cookie carries only a random id, rotated at sign-in."""

    __tablename__ = "web_session"
    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    # No foreign key on purpose: sessions are written on their own connection, outside the
    # request's transaction (a user row may not be committed yet when the row is written).
    # Rows of deleted users are harmless (the loader ignores them) and purged nightly.
    user_id: Mapped[int | None] = mapped_column(sa.BigInteger, index=True)
    data: Mapped[dict] = mapped_column(JSONB, default=dict)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=now_utc)
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), index=True)


class LoginAttempt(db.Model):
    __tablename__ = "login_attempt"
    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    ip: Mapped[str] = mapped_column(sa.String(64))
    succeeded: Mapped[bool]
    at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=now_utc)

    __table_args__ = (
        sa.Index("ix_login_attempt_email_at", "email", "at"),
        sa.Index("ix_login_attempt_ip_at", "ip", "at"),
    )


class PasswordResetToken(db.Model):
    __tablename__ = "password_reset_token"
    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=now_utc)
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


class Invitation(EitherScoped, TimestampMixin, db.Model):
    """An e-mailed invitation to take a role in a tenant or a network."""

    __tablename__ = "invitation"
    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    full_name: Mapped[str] = mapped_column(sa.String(200), default="")
    role: Mapped[str] = mapped_column(sa.String(40))
    # Optional attachment of the role (a reception point, a relais, a commune).
    reception_point_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("reception_point.id", ondelete="SET NULL")
    )
    relais_id: Mapped[int | None] = mapped_column(sa.ForeignKey("relais.id", ondelete="SET NULL"))
    commune_id: Mapped[int | None] = mapped_column(sa.ForeignKey("commune.id", ondelete="SET NULL"))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    accepted_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    __table_args__ = (
        sa.CheckConstraint("(tenant_id is null) <> (network_id is null)", name="one_owner"),
    )


class AuditLog(EitherScoped, db.Model):
    """Who did what, when, in which space. Insert-only for the application role."""

    __tablename__ = "audit_log"
    __audit__ = True
    # No RETURNING: the app role may write entries it cannot read back.
    __table_args__ = {"implicit_returning": False}
    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=now_utc,
                                         index=True)
    actor_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    actor_email: Mapped[str] = mapped_column(sa.String(254), default="")
    action: Mapped[str] = mapped_column(sa.String(60))
    target: Mapped[str] = mapped_column(sa.String(200), default="")
    details: Mapped[dict] = mapped_column(JSONB, default=dict)
    ip: Mapped[str] = mapped_column(sa.String(64), default="")


class MailMessage(TimestampMixin, db.Model):
    """Every e-mail the product sends. Sent by a job: through SMTP when MAIL_SERVER is set,
    otherwise kept here as the development outbox."""

    __tablename__ = "mail_message"
    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    to_address: Mapped[str] = mapped_column(sa.String(254), index=True)
    subject: Mapped[str] = mapped_column(sa.String(300))
    body_text: Mapped[str] = mapped_column(sa.Text)
    kind: Mapped[str] = mapped_column(sa.String(40), default="")
    status: Mapped[str] = mapped_column(sa.String(20), default="queued")  # queued/sent/outbox/failed
    transport: Mapped[str] = mapped_column(sa.String(20), default="")
    sent_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    error: Mapped[str] = mapped_column(sa.Text, default="")

    __table_args__ = (sa.Index("ix_mail_message_status_created", "status", "created_at"),)


class JobFailure(db.Model):
    """A background job that raised: what the platform administrator reads on « Tâches et
    envois » (procrastinate keeps the state of a job, not its error)."""

    __tablename__ = "job_failure"
    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    job_id: Mapped[int | None] = mapped_column(sa.BigInteger, index=True)
    task_name: Mapped[str] = mapped_column(sa.String(200))
    error: Mapped[str] = mapped_column(sa.Text)
    at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=now_utc,
                                         index=True)
