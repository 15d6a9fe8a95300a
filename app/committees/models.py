"""Governance committees, their members, requests to join, and the decisions register.

A committee is owned by a network (the CAF's network) or by one tenant (an agglomeration),
like shared content: a network's committees are listed to its member tenants, so that an
elected official can browse them and ask to join. Members' own rows, and the decisions of
the committees they sit on, are also readable in their personal space (`personal_criteria`).
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models import TimestampMixin
from app.core.tenancy import EitherScoped, SharedContent, TenantToNetworkOptional
from app.extensions import db

COMMITTEE_KINDS = {
    "collectif": "Collectif petite enfance",
    "association_elus": "Association des élus",
    "copil": "Comité de pilotage",
    "financeurs": "Comité des financeurs",
    "commission": "Commission",
}
POSITIONS = {
    "president": "Président·e",
    "copilote": "Co-pilote",
    "membre": "Membre",
    "invite": "Invité·e permanent·e",
}
CHAIR_POSITIONS = ("president", "copilote")
REQUEST_STATUSES = {"pending": "En attente", "accepted": "Acceptée", "declined": "Refusée",
                    "withdrawn": "Retirée"}
ACTION_STATUSES = {"todo": "À faire", "in_progress": "En cours", "done": "Fait",
                   "dropped": "Abandonnée"}
OPEN_ACTION_STATUSES = ("todo", "in_progress")


def member_committee_ids(user_id: int):
    """Committees where `user_id` has a seat written by the committee's owner (Core
    columns: no ORM criteria recursion)."""
    from app.events.models import same_owner

    m, c = CommitteeMember.__table__.alias(), Committee.__table__.alias()
    return sa.select(m.c.committee_id).where(c.c.id == m.c.committee_id, same_owner(m, c),
                                             m.c.user_id == user_id)


class Committee(SharedContent, TimestampMixin, db.Model):
    __tablename__ = "committee"
    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[str] = mapped_column(sa.String(30))
    purpose: Mapped[str] = mapped_column(sa.Text, default="")
    # Taken into account by the meeting form: a different mairie at each meeting, say.
    usual_place: Mapped[str] = mapped_column(sa.Text, default="")
    accepts_requests: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    archived_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    members: Mapped[list[CommitteeMember]] = relationship(
        back_populates="committee", order_by="CommitteeMember.id",
        cascade="all, delete-orphan")

    __table_args__ = (
        sa.CheckConstraint("(tenant_id is null) <> (network_id is null)", name="one_owner"),
        sa.CheckConstraint("kind in ('collectif','association_elus','copil','financeurs',"
                           "'commission')", name="known_kind"),
    )

    @classmethod
    def tenant_visible_criteria(cls):
        return cls.archived_at.is_(None)

    @classmethod
    def personal_criteria(cls, user_id: int):
        return cls.id.in_(member_committee_ids(user_id))

    @property
    def kind_label(self) -> str:
        return COMMITTEE_KINDS.get(self.kind, self.kind)


class CommitteeMember(SharedContent, TimestampMixin, db.Model):
    """A seat on a committee: a platform user, or a partner contact without an account
    (permanent guests are often from the CAF, the PMI or the MSA)."""

    __tablename__ = "committee_member"
    __personal_readable__ = True
    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    committee_id: Mapped[int] = mapped_column(
        sa.ForeignKey("committee.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    contact_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisation_contact.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(sa.String(200))
    email: Mapped[str] = mapped_column(sa.String(254))
    # Which agglomeration (or organisation) the member represents, for the list of members.
    represents: Mapped[str] = mapped_column(sa.String(200), default="")
    position: Mapped[str] = mapped_column(sa.String(20), default="membre")
    mandate_start: Mapped[date | None] = mapped_column(sa.Date)
    mandate_end: Mapped[date | None] = mapped_column(sa.Date)

    committee: Mapped[Committee] = relationship(back_populates="members")

    __table_args__ = (
        sa.CheckConstraint("(tenant_id is null) <> (network_id is null)", name="one_owner"),
        sa.CheckConstraint("position in ('president','copilote','membre','invite')",
                           name="known_position"),
        sa.CheckConstraint("mandate_end is null or mandate_start is null"
                           " or mandate_end >= mandate_start", name="mandate_in_order"),
        sa.Index("uq_committee_member_email", "committee_id", "email", unique=True),
    )

    @property
    def position_label(self) -> str:
        return POSITIONS.get(self.position, self.position)

    def is_current(self, on: date) -> bool:
        return ((self.mandate_start is None or self.mandate_start <= on)
                and (self.mandate_end is None or self.mandate_end >= on))


class JoinRequest(TenantToNetworkOptional, db.Model):
    """An elected official asks to join a committee. Written in the official's tenant;
    addressed to the committee's network when the network owns the committee, so that the
    coordinator can read and decide it (tenant committees: network_id stays null)."""

    __tablename__ = "committee_join_request"
    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    committee_id: Mapped[int] = mapped_column(
        sa.ForeignKey("committee.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    message: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[str] = mapped_column(sa.String(20), default="pending")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True),
                                                 server_default=sa.func.now())
    decided_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    decided_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    decision_note: Mapped[str] = mapped_column(sa.Text, default="")

    user = relationship("User", foreign_keys=[user_id])

    __table_args__ = (
        sa.CheckConstraint("status in ('pending','accepted','declined','withdrawn')",
                           name="known_status"),
        # One open request per person and committee, whatever the timing of clicks.
        sa.Index("uq_join_request_pending", "committee_id", "user_id", unique=True,
                 postgresql_where=sa.text("status = 'pending'")),
    )


class Decision(EitherScoped, TimestampMixin, db.Model):
    """A decision taken at a meeting (recorded with its minutes)."""

    __tablename__ = "decision"
    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id", ondelete="CASCADE"),
                                          index=True)
    committee_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("committee.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.Text)
    details: Mapped[str] = mapped_column(sa.Text, default="")
    position: Mapped[int] = mapped_column(default=0)

    event = relationship("Event")
    actions: Mapped[list[ActionItem]] = relationship(
        back_populates="decision", order_by="ActionItem.due_on", cascade="all, delete-orphan")

    __table_args__ = (
        sa.CheckConstraint("(tenant_id is null) <> (network_id is null)", name="one_owner"),
    )

    @classmethod
    def personal_criteria(cls, user_id: int):
        from app.events.models import own_rows_of, published_event_ids_for

        return own_rows_of(cls, published_event_ids_for(user_id))


class ActionItem(EitherScoped, TimestampMixin, db.Model):
    """Something to do because of a decision: who, by when, where it stands."""

    __tablename__ = "action_item"
    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    decision_id: Mapped[int] = mapped_column(
        sa.ForeignKey("decision.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.Text)
    owner_name: Mapped[str] = mapped_column(sa.String(200))
    owner_email: Mapped[str] = mapped_column(sa.String(254), default="")
    owner_user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    due_on: Mapped[date | None] = mapped_column(sa.Date)
    status: Mapped[str] = mapped_column(sa.String(20), default="todo")
    done_on: Mapped[date | None] = mapped_column(sa.Date)
    last_reminded_on: Mapped[date | None] = mapped_column(sa.Date)

    decision: Mapped[Decision] = relationship(back_populates="actions")

    __table_args__ = (
        sa.CheckConstraint("(tenant_id is null) <> (network_id is null)", name="one_owner"),
        sa.CheckConstraint("status in ('todo','in_progress','done','dropped')",
                           name="known_status"),
        # The overdue reminder scans open actions by due date.
        sa.Index("ix_action_item_open_due", "due_on",
                 postgresql_where=sa.text("status in ('todo','in_progress')")),
    )

    @classmethod
    def personal_criteria(cls, user_id: int):
        from app.events.models import Event, published_event_ids_for, same_owner

        d, ev = Decision.__table__.alias(), Event.__table__.alias()
        readable = sa.select(d.c.id).where(ev.c.id == d.c.event_id, same_owner(d, ev),
                                           d.c.event_id.in_(published_event_ids_for(user_id)))
        return sa.or_(cls.owner_user_id == user_id, sa.exists().where(
            d.c.id == cls.decision_id, d.c.id.in_(readable),
            d.c.tenant_id.is_not_distinct_from(cls.tenant_id),
            d.c.network_id.is_not_distinct_from(cls.network_id)))

    @property
    def status_label(self) -> str:
        return ACTION_STATUSES.get(self.status, self.status)

    def is_overdue(self, today: date) -> bool:
        return (self.status in OPEN_ACTION_STATUSES and self.due_on is not None
                and self.due_on < today)
