"""People of the tenant space: invitations, roles and their attachment (reception point,
relais, commune), disabling an account. Same conventions as `services`: functions act in
the current (tenant) space, flush, and leave the commit to the view; a refused action
raises `Refused` before anything is written."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.core import audit, invitations, tenancy
from app.core.invitations import InvitationTarget
from app.core.models import Invitation, User
from app.core.sessions import delete_user_sessions
from app.extensions import db
from app.networks.models import NetworkRole
from app.tenants.models import Commune, ReceptionPoint, Relais, Tenant, TenantRole
from app.tenants.services import (
    ATTACHMENT_FIELD,
    ATTACHMENT_MODEL,
    Refused,
    by_name,
    find,
    fold,
    folded,
    like_pattern,
    now,
    pending_invitation_filter,
)


def people_query(q: str = ""):
    """Users holding at least one role in the tenant (the tenant filter comes from the space)."""
    stmt = sa.select(User).where(User.id.in_(sa.select(TenantRole.user_id)))
    term = (q or "").strip().lower()
    if term:
        stmt = stmt.where(sa.or_(folded(User.full_name).like(like_pattern(fold(term)), escape="\\"),
                                 User.email.like(like_pattern(term), escape="\\")))
    return stmt.order_by(*by_name(User.full_name), User.id)


def _role_options():
    return (selectinload(TenantRole.reception_point), selectinload(TenantRole.relais),
            selectinload(TenantRole.commune))


def roles_by_user(user_ids) -> dict[int, list[TenantRole]]:
    result: dict[int, list[TenantRole]] = {uid: [] for uid in user_ids}
    if not result:
        return result
    rows = db.session.scalars(sa.select(TenantRole).where(TenantRole.user_id.in_(result))
                              .options(*_role_options()).order_by(TenantRole.id)).all()
    for role in rows:
        result[role.user_id].append(role)
    return result


def open_invitations() -> list[Invitation]:
    """Invitations neither accepted nor revoked (expired ones included, to be cleaned up)."""
    return list(db.session.scalars(
        sa.select(Invitation).where(Invitation.accepted_at.is_(None),
                                    Invitation.revoked_at.is_(None))
        .order_by(Invitation.created_at.desc(), Invitation.id.desc())).all())


def member(user_id: int) -> User | None:
    """The user if they hold a role in the current tenant, else None (→ 404)."""
    return db.session.scalar(sa.select(User).where(
        User.id == user_id, User.id.in_(sa.select(TenantRole.user_id))))


def attachment_choices() -> dict[str, list[tuple[int, str]]]:
    def options(model):
        return [tuple(row) for row in db.session.execute(
            sa.select(model.id, model.name).order_by(*by_name(model.name))).all()]

    return {"reception_point_id": options(ReceptionPoint), "relais_id": options(Relais),
            "commune_id": options(Commune)}


def resolve_attachment(values: dict) -> dict[str, int | None]:
    """Keep only the attachment that fits the role, and check it belongs to the tenant."""
    attach = {"reception_point_id": None, "relais_id": None, "commune_id": None}
    name = ATTACHMENT_FIELD.get(values["role"])
    if name and values.get(name) is not None:
        if find(ATTACHMENT_MODEL[name], values[name]) is None:
            raise Refused("Choisissez une valeur dans la liste.", name)
        attach[name] = values[name]
    return attach


def invite_person(values: dict, tenant: Tenant, inviter: User) -> Invitation:
    email = values["email"].strip().lower()
    attach = resolve_attachment(values)
    already = db.session.scalar(
        sa.select(TenantRole.role).join(User, User.id == TenantRole.user_id)
        .where(User.email == email, TenantRole.role == values["role"]))
    if already:
        raise Refused("Cette personne a déjà ce rôle dans le territoire.", "email")
    pending = db.session.scalar(sa.select(Invitation.id).where(
        Invitation.email == email, Invitation.role == values["role"],
        pending_invitation_filter()))
    if pending:
        raise Refused("Une invitation pour ce rôle attend déjà une réponse à cette adresse. "
                      "Révoquez-la pour en envoyer une nouvelle.", "email")
    return invitations.invite(
        email=email, full_name=values["full_name"], role=values["role"],
        target=InvitationTarget("tenant", tenant.id, tenant.name), invited_by=inviter,
        **attach)


def revoke_invitation(invitation: Invitation) -> None:
    if invitation.accepted_at is not None:
        raise Refused("Cette invitation a déjà été acceptée : retirez plutôt le rôle.")
    if invitation.revoked_at is not None:
        raise Refused("Cette invitation est déjà révoquée.")
    invitation.revoked_at = now()
    db.session.flush()
    audit.record("invitation.revoked", invitation.email, invitation_id=invitation.id,
                 role=invitation.role)


def grant_role(user: User, values: dict) -> TenantRole:
    attach = resolve_attachment(values)
    exists = db.session.scalar(sa.select(TenantRole.id).where(
        TenantRole.user_id == user.id, TenantRole.role == values["role"]))
    if exists:
        raise Refused("Cette personne a déjà ce rôle. Retirez-le d’abord pour changer son "
                      "rattachement.", "role")
    role = TenantRole(user_id=user.id, role=values["role"], **attach)
    db.session.add(role)
    db.session.flush()
    audit.record("role.granted", user.email, user_id=user.id, role=role.role, **attach)
    return role


def _other_active_admins(excluding_user_id: int) -> int:
    # Serialise the check-then-remove of administrators per tenant: two admins removing
    # each other at the same moment must not both succeed.
    db.session.execute(sa.text("select pg_advisory_xact_lock(7402, :t)"),
                       {"t": tenancy.require_space().tenant_id})
    return db.session.scalar(
        sa.select(sa.func.count(TenantRole.id)).join(User, User.id == TenantRole.user_id)
        .where(TenantRole.role == "tenant_admin", User.is_active,
               TenantRole.user_id != excluding_user_id)) or 0


LAST_ADMIN = ("C’est le dernier administrateur ou la dernière administratrice du territoire : "
              "nommez d’abord une autre personne administratrice.")


def remove_role(role: TenantRole) -> None:
    if role.role == "tenant_admin" and not _other_active_admins(role.user_id):
        raise Refused(LAST_ADMIN)
    user_id, name = role.user_id, role.role
    email = db.session.scalar(sa.select(User.email).where(User.id == user_id)) or ""
    db.session.delete(role)
    db.session.flush()
    audit.record("role.removed", email, user_id=user_id, role=name)


def roles_elsewhere(user: User) -> int:
    """Roles the user holds outside this tenant (other tenants, any network)."""
    tenant_id = tenancy.require_space().tenant_id
    with tenancy.unscoped("count roles elsewhere", db.session):
        return db.session.scalar(sa.select(
            sa.select(sa.func.count(TenantRole.id)).where(
                TenantRole.user_id == user.id, TenantRole.tenant_id != tenant_id)
            .scalar_subquery()
            + sa.select(sa.func.count(NetworkRole.id)).where(NetworkRole.user_id == user.id)
            .scalar_subquery())) or 0


def account_change_refusal(user: User, actor: User, disabling: bool) -> str | None:
    """Why the tenant admin may not disable (or re-enable) this account, or None."""
    if disabling and user.id == actor.id:
        return "Vous ne pouvez pas désactiver votre propre compte."
    if disabling and not user.is_active:
        return "Ce compte est déjà désactivé."
    if not disabling and user.is_active:
        return "Ce compte est déjà actif."
    if user.is_platform_admin:
        return ("Ce compte administre la plateforme : seule l’administration de la plateforme "
                "peut le modifier.")
    if roles_elsewhere(user):
        return ("Cette personne a aussi des rôles dans d’autres territoires ou réseaux : son "
                "compte ne peut pas être " + ("désactivé" if disabling else "réactivé")
                + " d’ici. Retirez plutôt ses rôles dans ce territoire.")
    if disabling:
        is_admin = db.session.scalar(sa.select(TenantRole.id).where(
            TenantRole.user_id == user.id, TenantRole.role == "tenant_admin"))
        if is_admin and not _other_active_admins(user.id):
            return LAST_ADMIN
    return None


def set_account_active(user: User, actor: User, active: bool) -> None:
    """Disable an account (its sessions die with it) or enable it again."""
    refusal = account_change_refusal(user, actor, disabling=not active)
    if refusal:
        raise Refused(refusal)
    user.is_active = active
    db.session.flush()
    if not active:
        delete_user_sessions(user.id)
    audit.record("account.enabled" if active else "account.disabled", user.email,
                 user_id=user.id)
