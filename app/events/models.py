"""Events (partner forums, round tables, committee meetings, information meetings), their
agenda, invitations with personal answer links, date polls and minutes.

An event is owned by a network or by one tenant. A network's events (once out of draft)
are listed to its member tenants, like shared content. What is personal stays personal:
an invitation, the minutes and the decisions are readable by the organisers (the owner's
space) and, in the personal space, by the people invited and the committee's members.
"""

from __future__ import annotations

import functools
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models import TimestampMixin
from app.core.tenancy import EitherScoped, SharedContent
from app.extensions import db

EVENT_KINDS = {
    "forum": "Forum des partenaires",
    "table_ronde": "Table ronde",
    "comite": "Réunion de comité",
    "information": "Réunion d’information",
}
EVENT_STATUSES = {"draft": "Brouillon", "polling": "Date à trouver", "scheduled": "Programmé",
                  "cancelled": "Annulé"}
RESPONSES = {"yes": "Oui", "maybe": "Peut-être", "no": "Non"}
INVITATION_SOURCES = {"person": "Personne", "contact": "Contact partenaire",
                      "relais": "Relais petite enfance", "committee": "Membre du comité"}
MINUTES_STATUSES = {"draft": "Brouillon", "published": "Publié"}


def _t(model):
    """An alias of the model's table: criteria subqueries must never be correlated with
    (or mistaken for) the statement's own tables."""
    return model.__table__.alias()


def same_owner(child, parent):
    """Both rows have the same owner (Core tables): a child row written by another owner
    on someone's event or committee must not open it to anybody."""
    return sa.and_(child.c.tenant_id.is_not_distinct_from(parent.c.tenant_id),
                   child.c.network_id.is_not_distinct_from(parent.c.network_id))


def invited_event_ids(user_id: int):
    """Events out of draft where `user_id` is invited or sits on the committee (Core
    columns, so that the ORM does not add scoping criteria inside the scoping criteria)."""
    from app.committees.models import CommitteeMember

    inv, ev, seat = _t(EventInvitation), _t(Event), _t(CommitteeMember)
    # Joins are written as WHERE conditions: the ORM adapts these criteria, and explicit
    # JOINs of aliases do not survive that.
    invited = sa.select(ev.c.id).where(inv.c.event_id == ev.c.id, same_owner(inv, ev),
                                       inv.c.user_id == user_id, ev.c.status != "draft")
    sitting = sa.select(ev.c.id).where(seat.c.committee_id == ev.c.committee_id,
                                       same_owner(seat, ev), seat.c.user_id == user_id,
                                       ev.c.status != "draft")
    return sa.union(invited, sitting)


def own_rows_of(model, event_ids):
    """Rows of `model` attached to one of `event_ids` by their own owner."""
    ev = _t(Event)
    return sa.exists().where(ev.c.id == model.event_id, ev.c.id.in_(event_ids),
                             ev.c.tenant_id.is_not_distinct_from(model.tenant_id),
                             ev.c.network_id.is_not_distinct_from(model.network_id))


def published_event_ids_for(user_id: int):
    """Events whose minutes are published and that `user_id` took part in or sits on."""
    mi, ev = _t(Minutes), _t(Event)
    return sa.select(mi.c.event_id).where(
        ev.c.id == mi.c.event_id, same_owner(mi, ev), mi.c.status == "published",
        mi.c.event_id.in_(invited_event_ids(user_id)))


@functools.cache
def _not_draft_event():
    # Built once: it is part of every tenant-space statement's criteria, and a fresh alias
    # per statement cost milliseconds (column proxies, event listeners) and was never freed.
    ev = _t(Event)
    return sa.select(ev.c.id).where(ev.c.status != "draft")


class Event(SharedContent, TimestampMixin, db.Model):
    __tablename__ = "event"
    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    # Null while a date poll is open.
    starts_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), index=True)
    ends_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    place: Mapped[str] = mapped_column(sa.Text, default="")
    remote_link: Mapped[str] = mapped_column(sa.String(500), default="")
    status: Mapped[str] = mapped_column(sa.String(20), default="draft")
    committee_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("committee.id", ondelete="SET NULL"), index=True)
    facilitator_member_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("committee_member.id", ondelete="SET NULL"))
    facilitator_name: Mapped[str] = mapped_column(sa.String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    cancelled_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    committee = relationship("Committee")
    agenda: Mapped[list[AgendaItem]] = relationship(
        back_populates="event", order_by="AgendaItem.position", cascade="all, delete-orphan")
    date_options: Mapped[list[DateOption]] = relationship(
        back_populates="event", order_by="DateOption.starts_at", cascade="all, delete-orphan")

    __table_args__ = (
        sa.CheckConstraint("(tenant_id is null) <> (network_id is null)", name="one_owner"),
        sa.CheckConstraint("kind in ('forum','table_ronde','comite','information')",
                           name="known_kind"),
        sa.CheckConstraint("status in ('draft','polling','scheduled','cancelled')",
                           name="known_status"),
        sa.CheckConstraint("status in ('draft','polling','cancelled') or starts_at is not null",
                           name="scheduled_has_date"),
        sa.CheckConstraint("ends_at is null or (starts_at is not null and ends_at > starts_at)",
                           name="ends_after_start"),
    )

    @classmethod
    def tenant_visible_criteria(cls):
        return cls.status != "draft"

    @classmethod
    def personal_criteria(cls, user_id: int):
        return cls.id.in_(invited_event_ids(user_id))

    @property
    def kind_label(self) -> str:
        return EVENT_KINDS.get(self.kind, self.kind)

    @property
    def status_label(self) -> str:
        return EVENT_STATUSES.get(self.status, self.status)

    def answers_close_at(self) -> datetime | None:
        """Answer links stop working when the event ends (or, during a date poll, when the
        last candidate date has passed)."""
        if self.status == "polling":
            ends = [o.ends_at for o in self.date_options]
            return max(ends) if ends else None
        return self.ends_at or self.starts_at


class AgendaItem(SharedContent, db.Model):
    __tablename__ = "event_agenda_item"
    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"),
                                          index=True)
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(sa.String(300))
    presenter: Mapped[str] = mapped_column(sa.String(200), default="")
    duration_minutes: Mapped[int | None]

    event: Mapped[Event] = relationship(back_populates="agenda")

    __table_args__ = (
        sa.CheckConstraint("(tenant_id is null) <> (network_id is null)", name="one_owner"),
        sa.CheckConstraint("duration_minutes is null or duration_minutes > 0",
                           name="positive_duration"),
    )

    @classmethod
    def tenant_visible_criteria(cls):
        return cls.event_id.in_(_not_draft_event())

    @classmethod
    def personal_criteria(cls, user_id: int):
        return own_rows_of(cls, invited_event_ids(user_id))


class DateOption(SharedContent, db.Model):
    """A candidate date of a date poll."""

    __tablename__ = "event_date_option"
    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"),
                                          index=True)
    starts_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))

    event: Mapped[Event] = relationship(back_populates="date_options")

    __table_args__ = (
        sa.CheckConstraint("(tenant_id is null) <> (network_id is null)", name="one_owner"),
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.UniqueConstraint("event_id", "starts_at", name="uq_date_option_once"),
    )

    @classmethod
    def tenant_visible_criteria(cls):
        return cls.event_id.in_(_not_draft_event())

    @classmethod
    def personal_criteria(cls, user_id: int):
        return own_rows_of(cls, invited_event_ids(user_id))


class EventInvitation(EitherScoped, db.Model):
    """One invitee of one event: a platform user, a partner contact or a relais address.

    The answer link carries `token_key` and an HMAC of it (see `app.events.tokens`): the
    key finds the row, the HMAC proves the link was issued by us; nothing else is needed
    to answer, and the link can be sent again in a reminder."""

    __tablename__ = "event_invitation"
    __personal_readable__ = True
    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"),
                                          index=True)
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    contact_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisation_contact.id", ondelete="SET NULL"))
    committee_member_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("committee_member.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(sa.String(20), default="person")
    name: Mapped[str] = mapped_column(sa.String(200))
    email: Mapped[str] = mapped_column(sa.String(254))
    organisation: Mapped[str] = mapped_column(sa.String(200), default="")
    token_key: Mapped[str] = mapped_column(sa.String(32), unique=True)
    response: Mapped[str | None] = mapped_column(sa.String(10))
    party_size: Mapped[int] = mapped_column(default=1, server_default="1")
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    responded_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    attended: Mapped[bool | None]
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True),
                                                 server_default=sa.func.now())
    emailed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    reminded_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    minutes_sent_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    # The last invitation or reminder queued for this invitee: its delivery state is what
    # the organiser sees (en attente d'envoi, envoyé, échec).
    mail_message_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("mail_message.id", ondelete="SET NULL"), index=True)

    event: Mapped[Event] = relationship()

    __table_args__ = (
        sa.CheckConstraint("(tenant_id is null) <> (network_id is null)", name="one_owner"),
        sa.CheckConstraint("response is null or response in ('yes','no','maybe')",
                           name="known_response"),
        sa.CheckConstraint("party_size between 0 and 50", name="sane_party_size"),
        sa.CheckConstraint("source in ('person','contact','relais','committee')",
                           name="known_source"),
        sa.Index("uq_event_invitation_email", "event_id", "email", unique=True),
    )

    @property
    def response_label(self) -> str:
        return RESPONSES.get(self.response or "", "Sans réponse")


class DateVote(EitherScoped, db.Model):
    """An invitee's tick (or not) on one candidate date."""

    __tablename__ = "event_date_vote"
    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    invitation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("event_invitation.id", ondelete="CASCADE"), index=True)
    option_id: Mapped[int] = mapped_column(
        sa.ForeignKey("event_date_option.id", ondelete="CASCADE"), index=True)
    available: Mapped[bool]

    __table_args__ = (
        sa.CheckConstraint("(tenant_id is null) <> (network_id is null)", name="one_owner"),
        sa.UniqueConstraint("invitation_id", "option_id", name="uq_date_vote_once"),
    )


class Minutes(EitherScoped, TimestampMixin, db.Model):
    """The compte rendu of an event: a draft until published; every save is a revision."""

    __tablename__ = "event_minutes"
    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"),
                                          unique=True)
    body: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[str] = mapped_column(sa.String(20), default="draft")
    updated_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    published_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    published_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"))

    event: Mapped[Event] = relationship()
    revisions: Mapped[list[MinutesRevision]] = relationship(
        order_by="MinutesRevision.id.desc()", cascade="all, delete-orphan")

    __table_args__ = (
        sa.CheckConstraint("(tenant_id is null) <> (network_id is null)", name="one_owner"),
        sa.CheckConstraint("status in ('draft','published')", name="known_status"),
    )

    @classmethod
    def personal_criteria(cls, user_id: int):
        return sa.and_(cls.status == "published", own_rows_of(cls, invited_event_ids(user_id)))


class MinutesRevision(EitherScoped, db.Model):
    """A saved version of the minutes (organisers only)."""

    __tablename__ = "event_minutes_revision"
    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    minutes_id: Mapped[int] = mapped_column(
        sa.ForeignKey("event_minutes.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(sa.Text)
    author_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(sa.String(200), default="")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True),
                                                 server_default=sa.func.now())

    author = relationship("User")

    __table_args__ = (
        sa.CheckConstraint("(tenant_id is null) <> (network_id is null)", name="one_owner"),
    )
