"""Network space: dashboard figures, member tenants, coordinators, partner directory.

Reads run in the current network space (the ORM and row-level security restrict rows);
writes flush and leave the commit to the view. Every write is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.core import audit
from app.core.invitations import InvitationError, InvitationTarget, invite
from app.core.models import Invitation, User
from app.extensions import db
from app.networks.models import (
    Network,
    NetworkRole,
    NetworkTenant,
    Organisation,
    OrganisationContact,
)
from app.tenants.models import Commune, Relais, Tenant

COORDINATOR = "network_coordinator"

# Accent folding without the `unaccent` extension (pgserver lacks it): same-length maps.
_ACCENTED = "àâäáãåçéèêëíìîïñóòôöõúùûüýÿœæ"
_PLAIN = "aaaaaaceeeeiiiinooooouuuuyyoa"


class FormError(ValueError):
    """Field → French message, raised by a service when a business rule refuses the input."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(errors)
        self.errors = errors


def fold(expr):
    """Lower-case, accent-free form of a SQL text expression, for searching."""
    return sa.func.translate(sa.func.lower(expr), _ACCENTED, _PLAIN)


def fold_text(value: str) -> str:
    return value.lower().translate(str.maketrans(_ACCENTED, _PLAIN))


def contains(column, query: str):
    escaped = fold_text(query).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return fold(column).like(f"%{escaped}%", escape="\\")


# --------------------------------------------------------------------------- dashboard

@dataclass
class Dashboard:
    tenants: int
    communes: int
    relais: int
    coordinators: int
    organisations: int


def dashboard() -> Dashboard:
    """Every figure of the coordinator's home page in one query."""

    def count(model):
        return sa.select(sa.func.count()).select_from(model).scalar_subquery()

    row = db.session.execute(sa.select(
        count(NetworkTenant), count(Commune), count(Relais),
        sa.select(sa.func.count()).select_from(NetworkRole)
        .where(NetworkRole.role == COORDINATOR).scalar_subquery(),
        count(Organisation),
    )).one()
    return Dashboard(*row)


# --------------------------------------------------------------------------- members

@dataclass
class MemberRow:
    tenant: Tenant
    communes: int
    relais: int
    joined_at: datetime


def members() -> list[MemberRow]:
    """Member tenants with their numbers of communes and relais: three queries in all."""
    rows = db.session.execute(
        sa.select(Tenant, NetworkTenant.created_at)
        .join(NetworkTenant, NetworkTenant.tenant_id == Tenant.id)
        .order_by(Tenant.name)
    ).all()
    communes = dict(db.session.execute(
        sa.select(Commune.tenant_id, sa.func.count()).group_by(Commune.tenant_id)).all())
    relais = dict(db.session.execute(
        sa.select(Relais.tenant_id, sa.func.count()).group_by(Relais.tenant_id)).all())
    return [MemberRow(t, communes.get(t.id, 0), relais.get(t.id, 0), joined)
            for t, joined in rows]


def member(tenant_id: int) -> Tenant | None:
    """A tenant of this network (None when it is not a member)."""
    return db.session.scalar(
        sa.select(Tenant).join(NetworkTenant, NetworkTenant.tenant_id == Tenant.id)
        .where(Tenant.id == tenant_id)
    )


def member_communes(tenant: Tenant) -> list[Commune]:
    return list(db.session.scalars(
        sa.select(Commune).where(Commune.tenant_id == tenant.id)
        .options(selectinload(Commune.relais)).order_by(Commune.name)
    ))


def member_relais(tenant: Tenant) -> list[Relais]:
    return list(db.session.scalars(
        sa.select(Relais).where(Relais.tenant_id == tenant.id)
        .options(selectinload(Relais.communes)).order_by(Relais.name)
    ))


# --------------------------------------------------------------------------- coordinators

def coordinators() -> list[NetworkRole]:
    return list(db.session.scalars(
        sa.select(NetworkRole).join(User, User.id == NetworkRole.user_id)
        .where(NetworkRole.role == COORDINATOR)
        .options(selectinload(NetworkRole.user)).order_by(User.full_name)
    ))


def pending_invitations() -> list[Invitation]:
    """Invitations of this network not yet accepted nor revoked (expired ones included)."""
    return list(db.session.scalars(
        sa.select(Invitation)
        .where(Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None))
        .order_by(Invitation.created_at.desc())
    ))


def find_role(role_id: int) -> NetworkRole | None:
    return db.session.scalar(
        sa.select(NetworkRole).where(NetworkRole.id == role_id)
        .options(selectinload(NetworkRole.user)))


def find_invitation(invitation_id: int) -> Invitation | None:
    return db.session.scalar(sa.select(Invitation).where(Invitation.id == invitation_id))


def invite_coordinator(network: Network, *, email: str, full_name: str,
                       invited_by) -> Invitation:
    """Invite someone to coordinate `network`; refuses people already in or already invited."""
    email = email.strip().lower()
    already = db.session.scalar(
        sa.select(NetworkRole.id).join(User, User.id == NetworkRole.user_id)
        .where(User.email == email, NetworkRole.network_id == network.id,
               NetworkRole.role == COORDINATOR))
    if already:
        raise FormError({"email": "Cette personne coordonne déjà ce réseau."})
    waiting = db.session.scalar(
        sa.select(Invitation.id).where(
            Invitation.network_id == network.id, Invitation.email == email,
            Invitation.role == COORDINATOR, Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None), Invitation.expires_at > datetime.now(UTC)))
    if waiting:
        raise FormError({"email": "Une invitation est déjà en attente pour cette adresse."})
    try:
        return invite(email=email, full_name=full_name, role=COORDINATOR,
                      target=InvitationTarget("network", network.id, network.name),
                      invited_by=invited_by)
    except InvitationError as exc:
        raise FormError({"email": str(exc)}) from exc


class LastCoordinator(ValueError):
    """A network always keeps at least one coordinator."""


def is_last_coordinator(role: NetworkRole) -> bool:
    # Serialised per network, so two coordinators cannot remove each other at once.
    db.session.execute(sa.text("select pg_advisory_xact_lock(7403, :n)"),
                       {"n": role.network_id})
    others = db.session.scalar(
        sa.select(sa.func.count()).select_from(NetworkRole)
        .where(NetworkRole.role == COORDINATOR, NetworkRole.id != role.id))
    return role.role == COORDINATOR and not others


def remove_coordinator(role: NetworkRole) -> None:
    if is_last_coordinator(role):
        raise LastCoordinator(
            "C’est la dernière personne qui coordonne ce réseau : invitez d’abord "
            "quelqu’un d’autre, puis retirez ce rôle.")
    audit.record("network_role.removed", role.user.email, role=role.role,
                 network_id=role.network_id)
    db.session.delete(role)
    db.session.flush()


def revoke_invitation(invitation: Invitation) -> None:
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = datetime.now(UTC)
        audit.record("invitation.revoked", invitation.email, role=invitation.role,
                     network_id=invitation.network_id)
        db.session.flush()


# --------------------------------------------------------------------------- partners

def organisations_query(q: str = "", kind: str = ""):
    stmt = sa.select(Organisation).order_by(Organisation.name, Organisation.id)
    if kind:
        stmt = stmt.where(Organisation.kind == kind)
    if q:
        in_contacts = sa.select(OrganisationContact.id).where(
            OrganisationContact.organisation_id == Organisation.id,
            sa.or_(contains(OrganisationContact.full_name, q),
                   contains(OrganisationContact.email, q)))
        stmt = stmt.where(sa.or_(contains(Organisation.name, q),
                                 contains(Organisation.email, q), in_contacts.exists()))
    return stmt


def contact_counts(organisations: list[Organisation]) -> dict[int, int]:
    ids = [o.id for o in organisations]
    if not ids:
        return {}
    return dict(db.session.execute(
        sa.select(OrganisationContact.organisation_id, sa.func.count())
        .where(OrganisationContact.organisation_id.in_(ids))
        .group_by(OrganisationContact.organisation_id)).all())


def find_organisation(org_id: int, with_contacts: bool = False) -> Organisation | None:
    stmt = sa.select(Organisation).where(Organisation.id == org_id)
    if with_contacts:
        stmt = stmt.options(selectinload(Organisation.contacts))
    return db.session.scalar(stmt)


def find_contact(org_id: int, contact_id: int) -> OrganisationContact | None:
    return db.session.scalar(sa.select(OrganisationContact).where(
        OrganisationContact.id == contact_id, OrganisationContact.organisation_id == org_id))


def _organisation_values(values: dict) -> dict:
    return {
        "name": values["name"], "kind": values["kind"],
        "email": (values.get("email") or "").lower(), "phone": values.get("phone") or "",
        "website": values.get("website") or "", "address": values.get("address") or "",
        "notes": values.get("notes") or "",
    }


def create_organisation(values: dict) -> Organisation:
    org = Organisation(**_organisation_values(values))
    db.session.add(org)
    db.session.flush()
    audit.record("organisation.created", org.name, organisation_id=org.id)
    return org


def update_organisation(org: Organisation, values: dict) -> None:
    for key, value in _organisation_values(values).items():
        setattr(org, key, value)
    db.session.flush()
    audit.record("organisation.updated", org.name, organisation_id=org.id)


def delete_organisation(org: Organisation) -> None:
    audit.record("organisation.deleted", org.name, organisation_id=org.id)
    db.session.delete(org)
    db.session.flush()


def _contact_values(values: dict) -> dict:
    return {"full_name": values["full_name"], "position": values.get("position") or "",
            "email": values["email"].lower(), "phone": values.get("phone") or ""}


def add_contact(org: Organisation, values: dict) -> OrganisationContact:
    contact = OrganisationContact(organisation_id=org.id, **_contact_values(values))
    db.session.add(contact)
    db.session.flush()
    audit.record("organisation.contact_added", contact.email, organisation=org.name,
                 contact_id=contact.id)
    return contact


def update_contact(contact: OrganisationContact, values: dict) -> None:
    for key, value in _contact_values(values).items():
        setattr(contact, key, value)
    db.session.flush()
    audit.record("organisation.contact_updated", contact.email, contact_id=contact.id)


def delete_contact(contact: OrganisationContact) -> None:
    audit.record("organisation.contact_deleted", contact.email, contact_id=contact.id)
    db.session.delete(contact)
    db.session.flush()
