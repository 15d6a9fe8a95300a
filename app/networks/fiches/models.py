"""Fiches: shared answer sheets with a harmonised first-level answer.

A network fiche is written in the network space and read by every desk of its member
tenants once published; a tenant may add a local complement to it, or write local fiches
of its own. The `fiche` row holds only what readers may see (the published text); the
text being edited lives in `fiche_draft`, which tenants never see for network fiches.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models import TimestampMixin
from app.core.tenancy import (
    EitherScoped,
    NetworkScoped,
    SharedContent,
    TenantScoped,
    TenantToNetworkOptional,
)
from app.extensions import db

STATUSES = {"draft": "Brouillon", "review": "En relecture", "published": "Publiée",
            "archived": "Archivée"}
AUDIENCES = {"reception_agent": "Agents d’accueil", "rpe_animator": "Relais petite enfance",
             "elected_official": "Élu·es"}
REFERRAL_KINDS = {"relais": "Le relais petite enfance de la commune", "caf": "La CAF",
                  "pmi": "La PMI", "mairie": "La mairie", "organisation": "Un partenaire"}
CHANNELS = {"desk": "Accueil physique", "phone": "Téléphone"}

# Fields that make up the text of a fiche (copied draft → fiche → revision on publication).
CONTENT_FIELDS = ("title", "theme_id", "audiences", "first_answer", "details_md", "phrasings",
                  "referrals", "cannot_do", "sources", "review_due")


class FicheTheme(NetworkScoped, db.Model):
    __tablename__ = "fiche_theme"
    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80))
    name: Mapped[str] = mapped_column(sa.String(120))
    position: Mapped[int] = mapped_column(default=0)

    __table_args__ = (sa.UniqueConstraint("network_id", "slug", name="uq_fiche_theme_slug"),)


class FicheContent:
    """The text of a fiche, shared by the published row, drafts and revisions."""

    title: Mapped[str] = mapped_column(sa.String(200), default="")
    audiences: Mapped[list[str]] = mapped_column(ARRAY(sa.String(30)), default=list)
    first_answer: Mapped[str] = mapped_column(sa.Text, default="")
    details_md: Mapped[str] = mapped_column(sa.Text, default="")
    phrasings: Mapped[list[str]] = mapped_column(ARRAY(sa.Text), default=list)
    referrals: Mapped[list[dict]] = mapped_column(JSONB, default=list)
    cannot_do: Mapped[str] = mapped_column(sa.Text, default="")
    sources: Mapped[list[str]] = mapped_column(ARRAY(sa.Text), default=list)
    review_due: Mapped[date | None] = mapped_column(sa.Date)

    @classmethod
    def theme_fk(cls):
        return mapped_column(sa.ForeignKey("fiche_theme.id", ondelete="SET NULL"), index=True)


class Fiche(SharedContent, FicheContent, TimestampMixin, db.Model):
    """A fiche as readers see it (its last published text) plus its workflow state."""

    __tablename__ = "fiche"
    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(120))
    theme_id: Mapped[int | None] = FicheContent.theme_fk()
    status: Mapped[str] = mapped_column(sa.String(20), default="draft")
    revision: Mapped[int] = mapped_column(default=0)  # number of the published revision
    published_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    verified_on: Mapped[date | None] = mapped_column(sa.Date)
    updated_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now(), onupdate=sa.func.now())
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    # Search document of the published text, accent-folded (see fiches/search.py).
    search_vector: Mapped[str | None] = mapped_column(TSVECTOR)

    theme: Mapped[FicheTheme | None] = relationship()

    __table_args__ = (
        sa.CheckConstraint("(tenant_id is null) <> (network_id is null)", name="one_owner"),
        sa.CheckConstraint("status in ('draft','review','published','archived')",
                           name="known_status"),
        sa.Index("uq_fiche_network_slug", "network_id", "slug", unique=True,
                 postgresql_where=sa.text("network_id is not null")),
        sa.Index("uq_fiche_tenant_slug", "tenant_id", "slug", unique=True,
                 postgresql_where=sa.text("tenant_id is not null")),
        sa.Index("ix_fiche_search_vector", "search_vector", postgresql_using="gin"),
    )

    @classmethod
    def tenant_visible_criteria(cls):
        return cls.status == "published"

    @property
    def is_local(self) -> bool:
        return self.tenant_id is not None


class FicheDraft(EitherScoped, FicheContent, TimestampMixin, db.Model):
    """The text being written or reviewed; at most one per fiche."""

    __tablename__ = "fiche_draft"
    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    fiche_id: Mapped[int] = mapped_column(
        sa.ForeignKey("fiche.id", ondelete="CASCADE"), unique=True)
    theme_id: Mapped[int | None] = FicheContent.theme_fk()
    state: Mapped[str] = mapped_column(sa.String(20), default="draft")  # draft | review
    updated_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now(), onupdate=sa.func.now())

    fiche: Mapped[Fiche] = relationship()


class FicheRevision(SharedContent, FicheContent, db.Model):
    """An immutable snapshot of each publication, with its one-line summary."""

    __tablename__ = "fiche_revision"
    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    fiche_id: Mapped[int] = mapped_column(sa.ForeignKey("fiche.id", ondelete="CASCADE"))
    number: Mapped[int]
    theme_id: Mapped[int | None] = FicheContent.theme_fk()
    summary: Mapped[str] = mapped_column(sa.String(200))
    published_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now())
    published_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"))

    @classmethod
    def tenant_visible_criteria(cls):
        published = sa.select(Fiche.id).where(Fiche.status == "published").scalar_subquery()
        return cls.fiche_id.in_(published)

    __table_args__ = (
        sa.UniqueConstraint("fiche_id", "number", name="uq_fiche_revision_number"),
        sa.CheckConstraint("(tenant_id is null) <> (network_id is null)", name="one_owner"),
    )


class FicheComplement(TenantScoped, TimestampMixin, db.Model):
    """A tenant's local addition to a network fiche, shown under the network text."""

    __tablename__ = "fiche_complement"
    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    fiche_id: Mapped[int] = mapped_column(sa.ForeignKey("fiche.id", ondelete="CASCADE"),
                                          index=True)
    body_md: Mapped[str] = mapped_column(sa.Text)
    updated_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.func.now(), onupdate=sa.func.now())

    __table_args__ = (sa.UniqueConstraint("tenant_id", "fiche_id", name="uq_complement_once"),)


class FicheRead(TenantToNetworkOptional, db.Model):
    """« J'ai pris connaissance »: a reader acknowledged a revision of a fiche."""

    __tablename__ = "fiche_read"
    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    fiche_id: Mapped[int] = mapped_column(sa.ForeignKey("fiche.id", ondelete="CASCADE"))
    revision: Mapped[int]
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"))
    reception_point_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("reception_point.id", ondelete="SET NULL"))
    read_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True),
                                              server_default=sa.func.now())

    __table_args__ = (
        sa.UniqueConstraint("fiche_id", "revision", "user_id", name="uq_fiche_read_once"),
        sa.Index("ix_fiche_read_fiche", "fiche_id", "revision"),
    )


class ContactLog(TenantToNetworkOptional, db.Model):
    """One family contact at a desk. Never any personal data about the family."""

    __tablename__ = "contact_log"
    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True),
                                         server_default=sa.func.now())
    commune_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("commune.id", ondelete="SET NULL"))
    reception_point_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("reception_point.id", ondelete="SET NULL"))
    fiche_id: Mapped[int | None] = mapped_column(sa.ForeignKey("fiche.id", ondelete="SET NULL"))
    theme_slug: Mapped[str] = mapped_column(sa.String(80), default="")
    referral: Mapped[str] = mapped_column(sa.String(200), default="")
    channel: Mapped[str] = mapped_column(sa.String(10), default="desk")
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"))

    __table_args__ = (
        sa.CheckConstraint("channel in ('desk','phone')", name="known_channel"),
        sa.Index("ix_contact_log_network_at", "network_id", "at"),
        sa.Index("ix_contact_log_tenant_at", "tenant_id", "at"),
    )


class SearchMiss(TenantToNetworkOptional, db.Model):
    """A search that found nothing: the backlog of missing fiches."""

    __tablename__ = "search_miss"
    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    query: Mapped[str] = mapped_column(sa.String(200))
    count: Mapped[int] = mapped_column(default=1)
    last_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True),
                                              server_default=sa.func.now())

    __table_args__ = (sa.UniqueConstraint("tenant_id", "query", name="uq_search_miss_query"),)


class FicheProposal(TenantToNetworkOptional, db.Model):
    """« Proposer une amélioration »: a note from the field to the fiche's authors."""

    __tablename__ = "fiche_proposal"
    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    fiche_id: Mapped[int | None] = mapped_column(sa.ForeignKey("fiche.id", ondelete="CASCADE"),
                                                 index=True)
    body: Mapped[str] = mapped_column(sa.Text)
    author_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(sa.String(20), default="new")  # new | done
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True),
                                                 server_default=sa.func.now())


class ReaderState(TenantScoped, db.Model):
    """Per reader: when they last looked at « Nouveautés », and themes they unfollowed."""

    __tablename__ = "fiche_reader_state"
    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"))
    last_seen_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    last_digest_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    unfollowed_theme_ids: Mapped[list[int]] = mapped_column(ARRAY(sa.BigInteger), default=list)

    __table_args__ = (sa.UniqueConstraint("tenant_id", "user_id", name="uq_reader_state_once"),)
