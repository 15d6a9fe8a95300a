"""Business rules of the tenant space. Every function acts in the current (tenant) space,
flushes, and leaves the commit to the view. A refused action raises `Refused` before
anything is written."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.core import audit, invitations, tenancy
from app.core.invitations import InvitationTarget
from app.core.models import Invitation, User
from app.core.sessions import delete_user_sessions
from app.extensions import db
from app.networks.models import NetworkRole
from app.tenants.models import (
    Commune,
    ReceptionPoint,
    Relais,
    RelaisCommune,
    Tenant,
    TenantRole,
)

# Which attachment each role may carry (the tenant admin has none).
ATTACHMENT_FIELD = {
    "reception_agent": "reception_point_id",
    "rpe_animator": "relais_id",
    "elected_official": "commune_id",
}
ATTACHMENT_MODEL = {"reception_point_id": ReceptionPoint, "relais_id": Relais,
                    "commune_id": Commune}


class Refused(Exception):
    """A business rule refused the action. `message` is French, shown to the user;
    `field` names the form field it belongs to, if any."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    def as_errors(self) -> dict[str, str]:
        return {self.field: self.message} if self.field else {}


def now() -> datetime:
    return datetime.now(UTC)


MAX_ID = 2**63 - 1  # bigint: a larger id in a URL or a form is simply not found


def find(model, object_id: int | None):
    """The row of the current space with this id, or None (another tenant's id: None)."""
    if object_id is None or not 0 < object_id <= MAX_ID:
        return None
    return db.session.scalar(sa.select(model).where(model.id == object_id))


# --------------------------------------------------------------------------- search

_FOLD_FROM = "àâäáãåçéèêëíìîïñóòôöõúùûüýÿÀÂÄÁÃÅÇÉÈÊËÍÌÎÏÑÓÒÔÖÕÚÙÛÜÝŸ-'’"
_FOLD_TO = "aaaaaaceeeeiiiinooooouuuuyyaaaaaaceeeeiiiinooooouuuuyy   "
_LIGATURES = (("œ", "oe"), ("Œ", "oe"), ("æ", "ae"), ("Æ", "ae"))


def fold(value: str) -> str:
    """Lower case, no accents, hyphens and apostrophes as spaces (Saint-Brieuc → saint brieuc)."""
    for ligature, letters in _LIGATURES:
        value = value.replace(ligature, letters)
    value = unicodedata.normalize("NFKD", value.lower())
    value = "".join(c for c in value if not unicodedata.combining(c))
    for char in "-'’":
        value = value.replace(char, " ")
    return " ".join(value.split())


def folded(column):
    """The SQL twin of `fold` for a column, with built-in functions only (no extension)."""
    expr = sa.func.translate(column, _FOLD_FROM, _FOLD_TO)
    for ligature, letters in _LIGATURES:
        expr = sa.func.replace(expr, ligature, letters)
    return sa.func.lower(expr)


def by_name(column):
    """Alphabetical order as a French reader expects it (« Étables » among the E), whatever
    the database collation."""
    return folded(column), column


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def communes_query(q: str = ""):
    stmt = sa.select(Commune).options(selectinload(Commune.relais))
    term = fold(q or "")
    if term:
        stmt = stmt.where(sa.or_(folded(Commune.name).like(_like(term), escape="\\"),
                                 Commune.insee.like(_like(term.upper()), escape="\\")))
    return stmt.order_by(*by_name(Commune.name), Commune.id)


# --------------------------------------------------------------------------- dashboard

@dataclass
class Dashboard:
    communes: int
    relais: int
    reception_points: int
    people: int
    pending_invitations: int
    uncovered: list[Commune]
    uncovered_total: int


def _pending_invitation_filter():
    return sa.and_(Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None),
                   Invitation.expires_at > now())


def _uncovered_filter():
    return ~sa.exists().where(RelaisCommune.commune_id == Commune.id)


def dashboard(uncovered_limit: int = 12) -> Dashboard:
    def count(column, *where):
        return sa.select(sa.func.count(column)).where(*where).scalar_subquery()

    row = db.session.execute(sa.select(
        count(Commune.id), count(Relais.id), count(ReceptionPoint.id),
        count(sa.distinct(TenantRole.user_id)),
        count(Invitation.id, _pending_invitation_filter()),
        count(Commune.id, _uncovered_filter()),
    )).one()
    uncovered = db.session.scalars(
        sa.select(Commune).where(_uncovered_filter()).order_by(*by_name(Commune.name))
        .limit(uncovered_limit)).all()
    return Dashboard(communes=row[0], relais=row[1], reception_points=row[2], people=row[3],
                     pending_invitations=row[4], uncovered=list(uncovered),
                     uncovered_total=row[5])


# --------------------------------------------------------------------------- role homes

@dataclass
class RoleBlock:
    role: TenantRole
    commune: Commune | None = None
    relais: list[Relais] = field(default_factory=list)


def role_blocks(user_id: int) -> dict[str, RoleBlock]:
    """What each of the user's roles needs on the home page, in a fixed number of queries.
    A user holds each role at most once per tenant."""
    roles = db.session.scalars(
        sa.select(TenantRole).where(TenantRole.user_id == user_id).options(
            selectinload(TenantRole.reception_point).selectinload(ReceptionPoint.commune),
            selectinload(TenantRole.relais).selectinload(Relais.communes),
            selectinload(TenantRole.commune),
        )).all()
    blocks: dict[str, RoleBlock] = {}
    for role in roles:
        commune = role.commune
        if commune is None and role.reception_point is not None:
            commune = role.reception_point.commune
        blocks[role.role] = RoleBlock(role=role, commune=commune)
    covering = relais_covering({b.commune.id for b in blocks.values() if b.commune})
    for block in blocks.values():
        if block.commune is not None:
            block.relais = covering.get(block.commune.id, [])
    return blocks


def relais_covering(commune_ids) -> dict[int, list[Relais]]:
    if not commune_ids:
        return {}
    rows = db.session.execute(
        sa.select(RelaisCommune.commune_id, Relais)
        .join(Relais, Relais.id == RelaisCommune.relais_id)
        .where(RelaisCommune.commune_id.in_(commune_ids))
        .order_by(*by_name(Relais.name))).all()
    result: dict[int, list[Relais]] = {}
    for commune_id, relais in rows:
        result.setdefault(commune_id, []).append(relais)
    return result


# --------------------------------------------------------------------------- communes

def update_commune_desk(commune: Commune, values: dict) -> None:
    commune.desk_phone = values["desk_phone"]
    commune.desk_hours = values["desk_hours"]
    db.session.flush()
    audit.record("commune.updated", commune.name, commune_id=commune.id)


def tenant_communes() -> list[Commune]:
    return list(db.session.scalars(sa.select(Commune).order_by(*by_name(Commune.name))).all())


def communes_by_ids(ids) -> list[Commune]:
    """The tenant's communes with these ids; an id the tenant does not own is refused."""
    wanted = set(ids or ())
    if not wanted:
        return []
    found = db.session.scalars(sa.select(Commune).where(
        Commune.id.in_({i for i in wanted if 0 < i <= MAX_ID}))).all()
    if len(found) != len(wanted):
        raise Refused("Une des communes choisies ne fait pas partie du territoire.", "communes")
    return sorted(found, key=lambda c: fold(c.name))


# --------------------------------------------------------------------------- relais

RELAIS_FIELDS = ("name", "address", "phone", "email", "opening_hours", "is_itinerant")


def save_relais(relais: Relais | None, values: dict) -> Relais:
    """Create (relais=None) or update a relais with the communes it covers."""
    communes = communes_by_ids(values["communes"])
    action = "relais.created" if relais is None else "relais.updated"
    if relais is None:
        relais = Relais()
        db.session.add(relais)
    for key in RELAIS_FIELDS:
        setattr(relais, key, values[key])
    db.session.flush()
    _set_relais_communes(relais, communes)
    audit.record(action, relais.name, relais_id=relais.id, communes=[c.id for c in communes])
    return relais


def _set_relais_communes(relais: Relais, communes: list[Commune]) -> None:
    """Relais.communes is read-only: coverage is written as RelaisCommune rows."""
    wanted = {c.id for c in communes}
    current = set(db.session.scalars(
        sa.select(RelaisCommune.commune_id).where(RelaisCommune.relais_id == relais.id)).all())
    if current - wanted:
        db.session.execute(sa.delete(RelaisCommune).where(
            RelaisCommune.relais_id == relais.id,
            RelaisCommune.commune_id.in_(current - wanted)))
    for commune_id in sorted(wanted - current):
        db.session.add(RelaisCommune(relais_id=relais.id, commune_id=commune_id))
    db.session.flush()
    db.session.expire(relais, ["communes"])


@dataclass
class RelaisImpact:
    left_uncovered: list[Commune]
    attached_people: int


def relais_delete_impact(relais: Relais) -> RelaisImpact:
    """What deleting the relais would leave behind: communes no other relais covers."""
    other = sa.exists().where(RelaisCommune.commune_id == Commune.id,
                              RelaisCommune.relais_id != relais.id)
    mine = sa.exists().where(RelaisCommune.commune_id == Commune.id,
                             RelaisCommune.relais_id == relais.id)
    left = db.session.scalars(
        sa.select(Commune).where(mine, ~other).order_by(*by_name(Commune.name))).all()
    people = db.session.scalar(
        sa.select(sa.func.count(TenantRole.id)).where(TenantRole.relais_id == relais.id))
    return RelaisImpact(left_uncovered=list(left), attached_people=people or 0)


def delete_relais(relais: Relais) -> None:
    name, relais_id = relais.name, relais.id
    db.session.execute(sa.delete(RelaisCommune).where(RelaisCommune.relais_id == relais_id))
    db.session.delete(relais)
    db.session.flush()
    audit.record("relais.deleted", name, relais_id=relais_id)


# --------------------------------------------------------------------------- reception points

POINT_FIELDS = ("name", "kind", "address", "phone", "opening_hours")


def _commune_for_point(commune_id: int | None) -> int | None:
    if commune_id is None:
        return None
    if find(Commune, commune_id) is None:
        raise Refused("Choisissez une commune du territoire.", "commune_id")
    return commune_id


def save_reception_point(point: ReceptionPoint | None, values: dict) -> ReceptionPoint:
    """Create (point=None) or update a reception point."""
    commune_id = _commune_for_point(values.get("commune_id"))
    action = "reception_point.created" if point is None else "reception_point.updated"
    if point is None:
        point = ReceptionPoint()
        db.session.add(point)
    point.commune_id = commune_id
    for key in POINT_FIELDS:
        setattr(point, key, values[key])
    db.session.flush()
    db.session.expire(point, ["commune"])
    audit.record(action, point.name, point_id=point.id)
    return point


def people_attached_to_point(point: ReceptionPoint) -> int:
    return db.session.scalar(sa.select(sa.func.count(TenantRole.id))
                             .where(TenantRole.reception_point_id == point.id)) or 0


def delete_reception_point(point: ReceptionPoint) -> None:
    name, point_id = point.name, point.id
    db.session.delete(point)
    db.session.flush()
    audit.record("reception_point.deleted", name, point_id=point_id)


# --------------------------------------------------------------------------- people

def people_query(q: str = ""):
    """Users holding at least one role in the tenant (the tenant filter comes from the space)."""
    stmt = sa.select(User).where(User.id.in_(sa.select(TenantRole.user_id)))
    term = (q or "").strip().lower()
    if term:
        stmt = stmt.where(sa.or_(folded(User.full_name).like(_like(fold(term)), escape="\\"),
                                 User.email.like(_like(term), escape="\\")))
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
        _pending_invitation_filter()))
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
