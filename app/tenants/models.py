"""Tenants (EPCI) and what belongs to them: communes, relais, reception points, roles."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models import TimestampMixin
from app.core.tenancy import TenantScoped
from app.extensions import db

EPCI_KINDS = {"CA": "Communauté d’agglomération", "CC": "Communauté de communes",
              "CU": "Communauté urbaine", "METRO": "Métropole",
              "MET69": "Métropole de Lyon"}

TENANT_ROLES = {
    "tenant_admin": "Administrateur·rice du territoire",
    "reception_agent": "Agent d’accueil",
    "rpe_animator": "Animateur·rice de RPE",
    "elected_official": "Élu·e petite enfance",
}

RECEPTION_KINDS = {"mairie": "Mairie", "siege": "Siège", "pole": "Pôle de proximité",
                   "autre": "Autre point d’accueil"}


class Tenant(TimestampMixin, db.Model):
    """An EPCI. Names and SIREN are public (COG); everything it owns is scoped to it."""

    __tablename__ = "tenant"
    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    siren: Mapped[str] = mapped_column(sa.String(9), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(10), default="CA")
    is_active: Mapped[bool] = mapped_column(server_default=sa.true(), default=True)

    __table_args__ = (sa.CheckConstraint("siren ~ '^[0-9]{9}$'", name="siren_format"),)

    @property
    def kind_label(self) -> str:
        return EPCI_KINDS.get(self.kind, self.kind)


class Commune(TenantScoped, db.Model):
    __tablename__ = "commune"
    __network_readable__ = True
    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    insee: Mapped[str] = mapped_column(sa.String(5), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    postal_codes: Mapped[list[str]] = mapped_column(ARRAY(sa.String(5)), default=list)
    population: Mapped[int | None]
    desk_phone: Mapped[str] = mapped_column(sa.String(40), default="")
    desk_hours: Mapped[str] = mapped_column(sa.Text, default="")

    relais: Mapped[list[Relais]] = relationship(
        secondary="relais_commune", back_populates="communes", order_by="Relais.name",
        viewonly=True,
    )


class Relais(TenantScoped, TimestampMixin, db.Model):
    """A relais petite enfance (RPE) and the communes it covers."""

    __tablename__ = "relais"
    __network_readable__ = True
    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    address: Mapped[str] = mapped_column(sa.Text, default="")
    phone: Mapped[str] = mapped_column(sa.String(40), default="")
    email: Mapped[str] = mapped_column(sa.String(254), default="")
    opening_hours: Mapped[str] = mapped_column(sa.Text, default="")
    is_itinerant: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    communes: Mapped[list[Commune]] = relationship(
        secondary="relais_commune", back_populates="relais", order_by="Commune.name",
        viewonly=True,
    )


class RelaisCommune(TenantScoped, db.Model):
    __tablename__ = "relais_commune"
    __network_readable__ = True
    relais_id: Mapped[int] = mapped_column(
        sa.ForeignKey("relais.id", ondelete="CASCADE"), primary_key=True
    )
    commune_id: Mapped[int] = mapped_column(
        sa.ForeignKey("commune.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class ReceptionPoint(TenantScoped, TimestampMixin, db.Model):
    """A desk where families are received: a mairie, the head office, a proximity hub."""

    __tablename__ = "reception_point"
    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[str] = mapped_column(sa.String(20), default="mairie")
    commune_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("commune.id", ondelete="SET NULL"), index=True
    )
    address: Mapped[str] = mapped_column(sa.Text, default="")
    phone: Mapped[str] = mapped_column(sa.String(40), default="")
    opening_hours: Mapped[str] = mapped_column(sa.Text, default="")

    commune: Mapped[Commune | None] = relationship()

    @property
    def kind_label(self) -> str:
        return RECEPTION_KINDS.get(self.kind, self.kind)


class TenantRole(TenantScoped, TimestampMixin, db.Model):
    """A role held by a user in a tenant, optionally attached to a desk, relais or commune."""

    __tablename__ = "tenant_role"
    __personal_readable__ = True
    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(sa.String(40))
    reception_point_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("reception_point.id", ondelete="SET NULL")
    )
    relais_id: Mapped[int | None] = mapped_column(sa.ForeignKey("relais.id", ondelete="SET NULL"))
    commune_id: Mapped[int | None] = mapped_column(sa.ForeignKey("commune.id", ondelete="SET NULL"))

    user = relationship("User")
    reception_point: Mapped[ReceptionPoint | None] = relationship()
    relais: Mapped[Relais | None] = relationship()
    commune: Mapped[Commune | None] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "user_id", "role", name="uq_tenant_role_once"),
        sa.CheckConstraint(
            "role in ('tenant_admin','reception_agent','rpe_animator','elected_official')",
            name="known_role",
        ),
    )

    @property
    def label(self) -> str:
        return TENANT_ROLES.get(self.role, self.role)
