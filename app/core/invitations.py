"""Invitations by e-mail to take a role in a tenant or a network."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from app.core import audit, mail, tenancy
from app.core.models import Invitation, User
from app.core.passwords import hash_password
from app.core.tokens import new_token, token_hash
from app.extensions import db


class InvitationError(ValueError):
    """A French message for the person sending or accepting the invitation."""


@dataclass
class InvitationTarget:
    kind: str  # tenant | network
    id: int
    name: str


def role_label(role: str) -> str:
    from app.networks.models import NETWORK_ROLES
    from app.tenants.models import TENANT_ROLES

    return TENANT_ROLES.get(role) or NETWORK_ROLES.get(role) or role


def invite(*, email: str, full_name: str, role: str, target: InvitationTarget, invited_by,
           reception_point_id=None, relais_id=None, commune_id=None) -> Invitation:
    from app.networks.models import NETWORK_ROLES
    from app.tenants.models import TENANT_ROLES

    email = (email or "").strip().lower()
    allowed = TENANT_ROLES if target.kind == "tenant" else NETWORK_ROLES
    if role not in allowed:
        raise InvitationError("Ce rôle n’existe pas dans cet espace.")
    token, digest = new_token()
    days = current_app.config["INVITATION_DAYS"]
    invitation = Invitation(
        email=email, full_name=full_name.strip(), role=role, token_hash=digest,
        invited_by_id=getattr(invited_by, "id", None),
        expires_at=datetime.now(UTC) + timedelta(days=days),
        reception_point_id=reception_point_id, relais_id=relais_id, commune_id=commune_id,
        **({"tenant_id": target.id} if target.kind == "tenant" else {"network_id": target.id}),
    )
    db.session.add(invitation)
    db.session.flush()
    link = f"{current_app.config['BASE_URL']}/invitation/{token}"
    mail.send(
        to=email, kind="invitation",
        subject=f"Maillage : invitation à rejoindre {target.name}",
        body=mail.render("core/mail/invitation.txt", invitation=invitation, target=target,
                         link=link, days=days, role_label=role_label(role),
                         inviter=invited_by),
    )
    audit.record("invitation.sent", email, role=role, space=target.name,
                 tenant_id=target.id if target.kind == "tenant" else None,
                 network_id=target.id if target.kind == "network" else None)
    return invitation


def find_open(token: str) -> Invitation | None:
    """Look an invitation up by its token (the one place invitations are read unscoped)."""
    with tenancy.unscoped("invitation token look-up", db.session):
        invitation = db.session.scalar(
            sa.select(Invitation).where(Invitation.token_hash == token_hash(token))
        )
    if (invitation is None or invitation.accepted_at or invitation.revoked_at
            or invitation.expires_at <= datetime.now(UTC)):
        return None
    return invitation


def target_name(invitation: Invitation) -> str:
    from app.networks.models import Network
    from app.tenants.models import Tenant

    if invitation.tenant_id:
        return db.session.get(Tenant, invitation.tenant_id).name
    return db.session.get(Network, invitation.network_id).name


def accept(token: str, *, user: User | None = None, full_name: str = "",
           password: str = "") -> User:
    """Accept: creates the account if needed, then the role. Single use."""
    from app.networks.models import NetworkRole
    from app.tenants.models import TenantRole

    with tenancy.unscoped("accepting an invitation", db.session):
        invitation = db.session.scalar(
            sa.select(Invitation).where(Invitation.token_hash == token_hash(token))
            .with_for_update()
        )
        if (invitation is None or invitation.accepted_at or invitation.revoked_at
                or invitation.expires_at <= datetime.now(UTC)):
            raise InvitationError("Cette invitation n’est plus valable.")
        existing = db.session.scalar(sa.select(User).where(User.email == invitation.email))
        if user is None:
            if existing is not None:
                raise InvitationError(
                    "Un compte existe déjà pour cette adresse : connectez-vous pour accepter.")
            user = User(email=invitation.email, full_name=full_name.strip() or invitation.full_name,
                        password_hash=hash_password(password))
            db.session.add(user)
            db.session.flush()
        elif user.email != invitation.email:
            raise InvitationError("Cette invitation a été envoyée à une autre adresse e-mail.")
        if invitation.tenant_id:
            exists = db.session.scalar(sa.select(TenantRole.id).where(
                TenantRole.tenant_id == invitation.tenant_id, TenantRole.user_id == user.id,
                TenantRole.role == invitation.role))
            if not exists:
                db.session.add(TenantRole(
                    tenant_id=invitation.tenant_id, user_id=user.id, role=invitation.role,
                    reception_point_id=invitation.reception_point_id,
                    relais_id=invitation.relais_id, commune_id=invitation.commune_id))
        else:
            exists = db.session.scalar(sa.select(NetworkRole.id).where(
                NetworkRole.network_id == invitation.network_id, NetworkRole.user_id == user.id,
                NetworkRole.role == invitation.role))
            if not exists:
                db.session.add(NetworkRole(network_id=invitation.network_id, user_id=user.id,
                                           role=invitation.role))
        invitation.accepted_at = datetime.now(UTC)
        audit.record("invitation.accepted", invitation.email, actor=user, role=invitation.role,
                     tenant_id=invitation.tenant_id, network_id=invitation.network_id)
        db.session.flush()
    return user
