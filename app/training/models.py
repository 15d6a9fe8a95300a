"""RPE training: the network's catalogue of modules, dated sessions with their sittings,
per-tenant seat quotas, registrations with a waiting list.

Seats are counted across tenants, but a tenant may only see its own registrations (RLS).
So every registration also takes a `training_seat` row: no person, no tenant, just its
place in the session's queue (ticket) and its state. Counting confirmed seats and waiting
positions reads that table; who holds the seat stays in `training_registration`.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models import TimestampMixin
from app.core.tenancy import NetworkScoped, TenantToNetwork
from app.extensions import db

MODULE_KINDS = {
    "atelier": "Atelier",
    "formation_juridique": "Formation juridique",
    "formation_initiale": "Formation initiale",
    "analyse_pratique": "Analyse de la pratique",
    "pleniere": "Plénière",
    "reunion_thematique": "Réunion thématique",
    "conference": "Conférence",
}
SESSION_STATES = {"planned": "Prévue", "open": "Inscriptions ouvertes", "closed": "Close",
                  "cancelled": "Annulée", "done": "Terminée"}
REGISTRATION_STATUSES = {"confirmed": "Inscrit·e", "waiting": "En liste d’attente",
                         "cancelled": "Annulée"}


class TrainingModule(NetworkScoped, TimestampMixin, db.Model):
    __tablename__ = "training_module"
    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[str] = mapped_column(sa.String(30))
    objectives: Mapped[str] = mapped_column(sa.Text, default="")
    programme: Mapped[str] = mapped_column(sa.Text, default="")
    audience: Mapped[str] = mapped_column(sa.Text, default="")
    duration_hours: Mapped[Decimal] = mapped_column(sa.Numeric(5, 1), default=Decimal("0"))
    provider_organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="SET NULL"))
    provider_name: Mapped[str] = mapped_column(sa.String(200), default="")
    prerequisites: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[str] = mapped_column(sa.String(20), default="draft")  # draft | published

    __table_args__ = (
        sa.CheckConstraint("status in ('draft','published')", name="known_status"),
        sa.CheckConstraint("duration_hours >= 0", name="positive_duration"),
    )

    @classmethod
    def tenant_visible_criteria(cls):
        return cls.status == "published"

    @property
    def kind_label(self) -> str:
        return MODULE_KINDS.get(self.kind, self.kind)


class TrainingSession(NetworkScoped, TimestampMixin, db.Model):
    __tablename__ = "training_session"
    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    module_id: Mapped[int] = mapped_column(
        sa.ForeignKey("training_module.id", ondelete="CASCADE"), index=True)
    place_address: Mapped[str] = mapped_column(sa.Text, default="")
    room: Mapped[str] = mapped_column(sa.String(200), default="")
    remote_link: Mapped[str] = mapped_column(sa.String(500), default="")
    capacity: Mapped[int]
    registration_opens_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    registration_closes_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    cancellation_deadline: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    state: Mapped[str] = mapped_column(sa.String(20), default="planned")

    module: Mapped[TrainingModule] = relationship()
    sittings: Mapped[list[TrainingSitting]] = relationship(
        order_by="TrainingSitting.starts_at", cascade="all, delete-orphan",
        back_populates="session")

    __table_args__ = (
        sa.CheckConstraint("capacity >= 0", name="positive_capacity"),
        sa.CheckConstraint("state in ('planned','open','closed','cancelled','done')",
                           name="known_state"),
    )

    @classmethod
    def tenant_visible_criteria(cls):
        return cls.state != "planned"


class TrainingSitting(NetworkScoped, db.Model):
    """One dated part of a session (a session may span several days)."""

    __tablename__ = "training_sitting"
    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    session_id: Mapped[int] = mapped_column(
        sa.ForeignKey("training_session.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), index=True)
    ends_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))

    session: Mapped[TrainingSession] = relationship(back_populates="sittings")

    __table_args__ = (sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),)


class SessionQuota(NetworkScoped, db.Model):
    """At most `seats` confirmed places for the staff of one tenant in one session."""

    __tablename__ = "training_session_quota"
    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    session_id: Mapped[int] = mapped_column(
        sa.ForeignKey("training_session.id", ondelete="CASCADE"), index=True)
    quota_tenant_id: Mapped[int] = mapped_column(sa.ForeignKey("tenant.id", ondelete="CASCADE"))
    seats: Mapped[int]

    __table_args__ = (
        sa.UniqueConstraint("session_id", "quota_tenant_id", name="uq_quota_once"),
        sa.CheckConstraint("seats >= 0", name="positive_seats"),
    )


class Registration(TenantToNetwork, db.Model):
    """A person of a tenant registered to a session of one of its networks."""

    __tablename__ = "training_registration"
    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    session_id: Mapped[int] = mapped_column(
        sa.ForeignKey("training_session.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(sa.String(20))
    ticket: Mapped[int]  # order of arrival in the session's queue
    registered_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True),
                                                 server_default=sa.func.now())
    promoted_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    cancelled_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    session: Mapped[TrainingSession] = relationship()
    user = relationship("User", foreign_keys=[user_id])

    __table_args__ = (
        sa.CheckConstraint("status in ('confirmed','waiting','cancelled')", name="known_status"),
        # One live registration per person and session, whatever the timing of requests.
        sa.Index("uq_registration_live", "session_id", "user_id", unique=True,
                 postgresql_where=sa.text("status <> 'cancelled'")),
    )


TICKETS = sa.Sequence("training_ticket_seq", metadata=db.Model.metadata)


class Seat(db.Model):
    """The anonymous side of a registration: its place in the queue and its state."""

    __tablename__ = "training_seat"
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("training_registration.id", ondelete="CASCADE"), primary_key=True)
    session_id: Mapped[int] = mapped_column(
        sa.ForeignKey("training_session.id", ondelete="CASCADE"))
    ticket: Mapped[int] = mapped_column(sa.BigInteger)
    status: Mapped[str] = mapped_column(sa.String(20))

    __table_args__ = (sa.Index("ix_training_seat_queue", "session_id", "status", "ticket"),)


class Attendance(TenantToNetwork, db.Model):
    """Presence of a registered person at one sitting, marked by the coordinator."""

    __tablename__ = "training_attendance"
    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("training_registration.id", ondelete="CASCADE"), index=True)
    sitting_id: Mapped[int] = mapped_column(
        sa.ForeignKey("training_sitting.id", ondelete="CASCADE"), index=True)
    present: Mapped[bool] = mapped_column(default=True)
    marked_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    marked_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True),
                                                server_default=sa.func.now())

    __table_args__ = (sa.UniqueConstraint("registration_id", "sitting_id",
                                          name="uq_attendance_once"),)


class FeedbackAnswer(TenantToNetwork, db.Model):
    """The short satisfaction questionnaire after a session (one per registration)."""

    __tablename__ = "training_feedback"
    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("training_registration.id", ondelete="CASCADE"), unique=True)
    session_id: Mapped[int] = mapped_column(
        sa.ForeignKey("training_session.id", ondelete="CASCADE"), index=True)
    satisfaction: Mapped[int]  # 1–5
    usefulness: Mapped[int]  # 1–5
    organisation: Mapped[int]  # 1–5
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    answered_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True),
                                                  server_default=sa.func.now())

    __table_args__ = (
        sa.CheckConstraint("satisfaction between 1 and 5 and usefulness between 1 and 5"
                           " and organisation between 1 and 5", name="scores_1_5"),
    )


class TrainingNeed(TenantToNetwork, db.Model):
    """A training need declared by an animator, to plan the next programme."""

    __tablename__ = "training_need"
    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"),
                                         index=True)
    topic: Mapped[str] = mapped_column(sa.String(40))  # a MODULE_KINDS key or "autre"
    details: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True),
                                                 server_default=sa.func.now())


class ReminderSent(db.Model):
    """The reminder two days before a sitting, sent once per registration and sitting."""

    __tablename__ = "training_reminder_sent"
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("training_registration.id", ondelete="CASCADE"), primary_key=True)
    sitting_id: Mapped[int] = mapped_column(
        sa.ForeignKey("training_sitting.id", ondelete="CASCADE"), primary_key=True)
    sent_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True),
                                              server_default=sa.func.now())


class CalendarFeed(db.Model):
    """A person's secret calendar address (only its hash is kept); revocable."""

    __tablename__ = "calendar_feed"
    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"),
                                         index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True),
                                                 server_default=sa.func.now())
    revoked_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
