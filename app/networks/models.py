"""Networks (usually one per département, run by the CAF), membership and partners."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models import TimestampMixin
from app.core.tenancy import NetworkScoped, TenantToNetwork
from app.extensions import db

NETWORK_ROLES = {"network_coordinator": "Coordinateur·rice de réseau"}

ORGANISATION_KINDS = {
    "caf": "CAF",
    "msa": "MSA",
    "pmi": "PMI / conseil départemental",
    "dreets": "DREETS",
    "commune": "Commune / EPCI",
    "association": "Association",
    "creche": "Établissement d’accueil (crèche, MAM…)",
    "education": "Éducation nationale",
    "emploi": "Emploi et insertion",
    "autre": "Autre",
}


class Network(TimestampMixin, db.Model):
    __tablename__ = "network"
    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    coordinator_org: Mapped[str] = mapped_column(sa.String(200), default="")
    departement: Mapped[str] = mapped_column(sa.String(3), default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")


class NetworkTenant(TenantToNetwork, TimestampMixin, db.Model):
    """Membership of a tenant in a network. Only the platform administrator changes it."""

    __tablename__ = "network_tenant"
    __platform_managed__ = True
    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)

    tenant = relationship("Tenant")
    network = relationship("Network")

    __table_args__ = (sa.UniqueConstraint("network_id", "tenant_id", name="uq_network_tenant"),)


class NetworkRole(NetworkScoped, TimestampMixin, db.Model):
    __tablename__ = "network_role"
    __personal_readable__ = True
    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(sa.String(40), default="network_coordinator")

    user = relationship("User")

    __table_args__ = (
        sa.UniqueConstraint("network_id", "user_id", "role", name="uq_network_role_once"),
        sa.CheckConstraint("role in ('network_coordinator')", name="known_role"),
    )

    @property
    def label(self) -> str:
        return NETWORK_ROLES.get(self.role, self.role)


class Organisation(NetworkScoped, TimestampMixin, db.Model):
    """A partner organisation in the network's directory (CAF, MSA, PMI, DREETS…)."""

    __tablename__ = "organisation"
    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[str] = mapped_column(sa.String(20), default="autre")
    email: Mapped[str] = mapped_column(sa.String(254), default="")
    phone: Mapped[str] = mapped_column(sa.String(40), default="")
    website: Mapped[str] = mapped_column(sa.String(300), default="")
    address: Mapped[str] = mapped_column(sa.Text, default="")
    notes: Mapped[str] = mapped_column(sa.Text, default="")

    contacts: Mapped[list[OrganisationContact]] = relationship(
        back_populates="organisation", order_by="OrganisationContact.full_name",
        cascade="all, delete-orphan",
    )

    @property
    def kind_label(self) -> str:
        return ORGANISATION_KINDS.get(self.kind, self.kind)


class OrganisationContact(NetworkScoped, TimestampMixin, db.Model):
    """A person at a partner organisation; has no account (invited to forums by e-mail)."""

    __tablename__ = "organisation_contact"
    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    full_name: Mapped[str] = mapped_column(sa.String(200))
    position: Mapped[str] = mapped_column(sa.String(200), default="")
    email: Mapped[str] = mapped_column(sa.String(254))
    phone: Mapped[str] = mapped_column(sa.String(40), default="")

    organisation: Mapped[Organisation] = relationship(back_populates="contacts")
