"""Platform administration: networks, tenants, their memberships and first administrators,
plus the read side of the outbox and the audit log.

The platform space is unscoped (explicit opt-out set by `spaces.enter_platform`): queries see
every row, so each function names the network or tenant it works on. Writes flush, the view
commits; every write is audited with the tenant/network it concerns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.core import audit
from app.core.invitations import InvitationError, InvitationTarget, invite
from app.core.models import AuditLog, Invitation, MailMessage, User
from app.extensions import db
from app.networks import services as network_services
from app.networks.models import Network, NetworkRole, NetworkTenant
from app.networks.services import FormError, contains
from app.tenants.models import Commune, Tenant, TenantRole

TAKEN_SLUG = "Cet identifiant d’adresse est déjà pris : choisissez-en un autre."


# --------------------------------------------------------------------------- home

@dataclass
class PlatformFigures:
    networks: int
    tenants: int
    active_tenants: int
    users: int
    open_invitations: int
    outbox: int
    failed_logins: int


def figures() -> PlatformFigures:
    """The home page's figures in one query."""
    now = datetime.now(UTC)

    def count(model, *where):
        return sa.select(sa.func.count()).select_from(model).where(*where).scalar_subquery()

    row = db.session.execute(sa.select(
        count(Network), count(Tenant), count(Tenant, Tenant.is_active), count(User),
        count(Invitation, Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None),
              Invitation.expires_at > now),
        count(MailMessage, MailMessage.status == "outbox"),
        count(AuditLog, AuditLog.action == "login.failed",
              AuditLog.at > now - timedelta(days=1)),
    )).one()
    return PlatformFigures(*row)


# --------------------------------------------------------------------------- networks

def networks_with_counts() -> list[tuple[Network, int, int]]:
    """(network, member tenants, coordinators) for every network: three queries."""
    nets = db.session.scalars(sa.select(Network).order_by(Network.name)).all()
    members = dict(db.session.execute(
        sa.select(NetworkTenant.network_id, sa.func.count())
        .group_by(NetworkTenant.network_id)).all())
    coordinators = dict(db.session.execute(
        sa.select(NetworkRole.network_id, sa.func.count())
        .group_by(NetworkRole.network_id)).all())
    return [(n, members.get(n.id, 0), coordinators.get(n.id, 0)) for n in nets]


def find_network(network_id: int) -> Network | None:
    return db.session.get(Network, network_id)


def _slug_taken(model, slug: str, exclude_id: int | None = None) -> bool:
    stmt = sa.select(model.id).where(model.slug == slug)
    if exclude_id is not None:
        stmt = stmt.where(model.id != exclude_id)
    return db.session.scalar(stmt) is not None


def _network_values(values: dict) -> dict:
    return {"name": values["name"], "slug": values["slug"],
            "coordinator_org": values.get("coordinator_org") or "",
            "departement": (values.get("departement") or "").upper(),
            "description": values.get("description") or ""}


def create_network(values: dict) -> Network:
    if _slug_taken(Network, values["slug"]):
        raise FormError({"slug": TAKEN_SLUG})
    network = Network(**_network_values(values))
    db.session.add(network)
    db.session.flush()
    audit.record("platform.network_created", network.name, network_id=network.id,
                 slug=network.slug)
    return network


def update_network(network: Network, values: dict) -> None:
    if _slug_taken(Network, values["slug"], exclude_id=network.id):
        raise FormError({"slug": TAKEN_SLUG})
    for key, value in _network_values(values).items():
        setattr(network, key, value)
    db.session.flush()
    audit.record("platform.network_updated", network.name, network_id=network.id,
                 slug=network.slug)


def network_members(network: Network) -> list[tuple[Tenant, int]]:
    """Member tenants of `network` with their numbers of communes: two queries."""
    tenants = db.session.scalars(
        sa.select(Tenant).join(NetworkTenant, NetworkTenant.tenant_id == Tenant.id)
        .where(NetworkTenant.network_id == network.id).order_by(Tenant.name)).all()
    communes = dict(db.session.execute(
        sa.select(Commune.tenant_id, sa.func.count())
        .where(Commune.tenant_id.in_([t.id for t in tenants]))
        .group_by(Commune.tenant_id)).all()) if tenants else {}
    return [(t, communes.get(t.id, 0)) for t in tenants]


def _member_ids(network: Network):
    return sa.select(NetworkTenant.tenant_id).where(NetworkTenant.network_id == network.id)


def candidate_tenants(network: Network) -> list[Tenant]:
    """Active tenants that are not yet members of `network`."""
    return list(db.session.scalars(
        sa.select(Tenant).where(Tenant.is_active, Tenant.id.not_in(_member_ids(network)))
        .order_by(Tenant.name)))


def add_member(network: Network, tenant_id: int | None) -> Tenant:
    tenant = db.session.get(Tenant, tenant_id) if tenant_id else None
    if tenant is None:
        raise FormError({"tenant_id": "Choisissez un territoire dans la liste."})
    if db.session.scalar(_member_ids(network).where(NetworkTenant.tenant_id == tenant.id)):
        raise FormError({"tenant_id": f"{tenant.name} est déjà membre de ce réseau."})
    db.session.add(NetworkTenant(network_id=network.id, tenant_id=tenant.id))
    db.session.flush()
    audit.record("platform.network_tenant_added", tenant.name, network_id=network.id,
                 tenant=tenant.name, tenant_ref=tenant.id)
    return tenant


def find_membership(network: Network, tenant_id: int) -> NetworkTenant | None:
    return db.session.scalar(
        sa.select(NetworkTenant).where(NetworkTenant.network_id == network.id,
                                       NetworkTenant.tenant_id == tenant_id)
        .options(selectinload(NetworkTenant.tenant)))


def remove_member(membership: NetworkTenant) -> None:
    audit.record("platform.network_tenant_removed", membership.tenant.name,
                 network_id=membership.network_id, tenant=membership.tenant.name,
                 tenant_ref=membership.tenant_id)
    db.session.delete(membership)
    db.session.flush()


def network_coordinators(network: Network) -> list[NetworkRole]:
    return list(db.session.scalars(
        sa.select(NetworkRole).where(NetworkRole.network_id == network.id)
        .options(selectinload(NetworkRole.user)).order_by(NetworkRole.created_at)))


def open_invitations(*, network: Network | None = None,
                     tenant: Tenant | None = None) -> list[Invitation]:
    owner = (Invitation.network_id == network.id if network is not None
             else Invitation.tenant_id == tenant.id)
    return list(db.session.scalars(
        sa.select(Invitation).where(owner, Invitation.accepted_at.is_(None),
                                    Invitation.revoked_at.is_(None))
        .order_by(Invitation.created_at.desc())))


def invite_coordinator(network: Network, email: str, full_name: str, invited_by) -> Invitation:
    return network_services.invite_coordinator(network, email=email, full_name=full_name,
                                               invited_by=invited_by)


# --------------------------------------------------------------------------- tenants

def tenants_query(q: str = ""):
    stmt = sa.select(Tenant).order_by(Tenant.name, Tenant.id)
    if q:
        stmt = stmt.where(sa.or_(contains(Tenant.name, q), Tenant.siren == q.replace(" ", ""),
                                 contains(Tenant.slug, q)))
    return stmt


def find_tenant(tenant_id: int) -> Tenant | None:
    return db.session.get(Tenant, tenant_id)


def create_tenant(values: dict) -> Tenant:
    errors = {}
    if db.session.scalar(sa.select(Tenant.id).where(Tenant.siren == values["siren"])):
        errors["siren"] = "Un territoire existe déjà avec ce SIREN."
    if _slug_taken(Tenant, values["slug"]):
        errors["slug"] = TAKEN_SLUG
    if errors:
        raise FormError(errors)
    tenant = Tenant(name=values["name"], siren=values["siren"], slug=values["slug"],
                    kind=values["kind"])
    db.session.add(tenant)
    db.session.flush()
    audit.record("platform.tenant_created", tenant.name, tenant_id=tenant.id,
                 siren=tenant.siren, slug=tenant.slug)
    return tenant


def update_tenant(tenant: Tenant, values: dict) -> None:
    if _slug_taken(Tenant, values["slug"], exclude_id=tenant.id):
        raise FormError({"slug": TAKEN_SLUG})
    changes = {key: values[key] for key in ("name", "slug", "is_active")
               if getattr(tenant, key) != values[key]}
    for key, value in changes.items():
        setattr(tenant, key, value)
    db.session.flush()
    audit.record("platform.tenant_updated", tenant.name, tenant_id=tenant.id,
                 changed=sorted(changes))


def tenant_networks(tenant: Tenant) -> list[Network]:
    return list(db.session.scalars(
        sa.select(Network).join(NetworkTenant, NetworkTenant.network_id == Network.id)
        .where(NetworkTenant.tenant_id == tenant.id).order_by(Network.name)))


def tenant_admins(tenant: Tenant) -> list[TenantRole]:
    return list(db.session.scalars(
        sa.select(TenantRole).where(TenantRole.tenant_id == tenant.id,
                                    TenantRole.role == "tenant_admin")
        .options(selectinload(TenantRole.user)).order_by(TenantRole.created_at)))


def invite_tenant_admin(tenant: Tenant, email: str, full_name: str, invited_by) -> Invitation:
    email = email.strip().lower()
    if db.session.scalar(
            sa.select(TenantRole.id).join(User, User.id == TenantRole.user_id)
            .where(TenantRole.tenant_id == tenant.id, TenantRole.role == "tenant_admin",
                   User.email == email)):
        raise FormError({"email": "Cette personne administre déjà ce territoire."})
    if db.session.scalar(
            sa.select(Invitation.id).where(
                Invitation.tenant_id == tenant.id, Invitation.email == email,
                Invitation.role == "tenant_admin", Invitation.accepted_at.is_(None),
                Invitation.revoked_at.is_(None), Invitation.expires_at > datetime.now(UTC))):
        raise FormError({"email": "Une invitation est déjà en attente pour cette adresse."})
    try:
        return invite(email=email, full_name=full_name, role="tenant_admin",
                      target=InvitationTarget("tenant", tenant.id, tenant.name),
                      invited_by=invited_by)
    except InvitationError as exc:
        raise FormError({"email": str(exc)}) from exc


# --------------------------------------------------------------------------- outbox & audit

def outbox_query(q: str = ""):
    stmt = sa.select(MailMessage).order_by(MailMessage.created_at.desc(), MailMessage.id.desc())
    if q:
        stmt = stmt.where(sa.or_(contains(MailMessage.to_address, q),
                                 contains(MailMessage.subject, q)))
    return stmt


def find_message(message_id: int) -> MailMessage | None:
    return db.session.get(MailMessage, message_id)


def audit_query(prefix: str = "", space: str = ""):
    """Entries, newest first; `prefix` like "login." and `space` like "t12", "n3" or "none"."""
    stmt = sa.select(AuditLog).order_by(AuditLog.at.desc(), AuditLog.id.desc())
    if prefix:
        stmt = stmt.where(AuditLog.action.startswith(prefix, autoescape=True))
    if space == "none":
        stmt = stmt.where(AuditLog.tenant_id.is_(None), AuditLog.network_id.is_(None))
    elif space[:1] == "t" and space[1:].isdigit():
        stmt = stmt.where(AuditLog.tenant_id == int(space[1:]))
    elif space[:1] == "n" and space[1:].isdigit():
        stmt = stmt.where(AuditLog.network_id == int(space[1:]))
    return stmt


def space_names(entries: list[AuditLog]) -> tuple[dict[int, str], dict[int, str]]:
    """Names of the tenants and networks the entries of one page refer to (two queries)."""
    tenant_ids = {e.tenant_id for e in entries if e.tenant_id}
    network_ids = {e.network_id for e in entries if e.network_id}
    tenants = dict(db.session.execute(
        sa.select(Tenant.id, Tenant.name).where(Tenant.id.in_(tenant_ids))).all()) \
        if tenant_ids else {}
    networks = dict(db.session.execute(
        sa.select(Network.id, Network.name).where(Network.id.in_(network_ids))).all()) \
        if network_ids else {}
    return tenants, networks


def audit_space_options() -> list[tuple[str, list[tuple[str, str]]]]:
    """Spaces to filter the log by: every network, and the tenants that have entries."""
    networks = db.session.execute(sa.select(Network.id, Network.name).order_by(Network.name))
    tenants = db.session.execute(
        sa.select(Tenant.id, Tenant.name)
        .where(sa.select(AuditLog.id).where(AuditLog.tenant_id == Tenant.id).exists())
        .order_by(Tenant.name))
    return [("Réseaux", [(f"n{i}", name) for i, name in networks]),
            ("Territoires", [(f"t{i}", name) for i, name in tenants])]
