"""Business rules of the tenant space. Every function acts in the current (tenant) space,
flushes, and leaves the commit to the view. A refused action raises `Refused` before
anything is written."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.core import audit
from app.core.models import Invitation
from app.extensions import db
from app.tenants.models import (
    Commune,
    ReceptionPoint,
    Relais,
    RelaisCommune,
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


def like_pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def communes_query(q: str = ""):
    stmt = sa.select(Commune).options(selectinload(Commune.relais))
    term = fold(q or "")
    if term:
        stmt = stmt.where(sa.or_(folded(Commune.name).like(like_pattern(term), escape="\\"),
                                 Commune.insee.like(like_pattern(term.upper()), escape="\\")))
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


def pending_invitation_filter():
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
        count(Invitation.id, pending_invitation_filter()),
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
