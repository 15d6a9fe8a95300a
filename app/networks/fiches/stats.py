"""Figures for the authors: communes where a placeholder has no local value, and who has
acknowledged (« J'ai pris connaissance ») the current revision of each fiche.

Every function runs a fixed number of queries, whatever the number of fiches, tenants or
communes. What a space may read decides what is counted:
- in a network space, communes and relais of member tenants are readable, and read
  receipts addressed to the network; tenants' roles and reception points are not, so the
  number of agents of a tenant is unknown there: we count the people who have acknowledged
  at least one fiche of the network (« lecteurs connus ») instead;
- in a tenant space, everything of the tenant is readable.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from app.core import tenancy
from app.core.models import User
from app.extensions import db
from app.networks.fiches.models import Fiche, FicheRead
from app.tenants.models import Commune, ReceptionPoint, Relais, RelaisCommune, Tenant

RELAIS_FIELDS = {"relais.nom": "name", "relais.telephone": "phone", "relais.email": "email",
                 "relais.horaires": "opening_hours", "relais.adresse": "address"}
MAIRIE_FIELDS = {"mairie.horaires": ("desk_hours", "opening_hours"),
                 "mairie.telephone": ("desk_phone", "phone")}


# --------------------------------------------------------------------------- placeholders

def missing_local_values(placeholders) -> dict[str, list[str]]:
    """For each placeholder used, the communes (of the tenant, or of the network's member
    tenants) where it has no value and the reader would see the neutral phrase instead.
    Only placeholders missing somewhere are returned. At most three queries."""
    placeholders = set(placeholders)
    relais_keys = sorted(p for p in placeholders if p in RELAIS_FIELDS)
    mairie_keys = sorted(p for p in placeholders if p in MAIRIE_FIELDS)
    if not relais_keys and not mairie_keys:
        return {}
    missing: dict[str, list[str]] = defaultdict(list)
    if relais_keys:
        # The reader's relais is the first covering relais by name (see local_values).
        rows = db.session.execute(
            sa.select(Commune.id, Commune.name, Relais)
            .outerjoin(RelaisCommune, RelaisCommune.commune_id == Commune.id)
            .outerjoin(Relais, Relais.id == RelaisCommune.relais_id)
            .order_by(Commune.name, Commune.id, Relais.name)
        ).all()
        seen: set[int] = set()
        for commune_id, name, relais in rows:
            if commune_id in seen:
                continue
            seen.add(commune_id)
            for key in relais_keys:
                if relais is None or not (getattr(relais, RELAIS_FIELDS[key]) or "").strip():
                    missing[key].append(name)
    if mairie_keys:
        communes = db.session.execute(
            sa.select(Commune.id, Commune.name, Commune.desk_hours, Commune.desk_phone)
            .order_by(Commune.name, Commune.id)
        ).all()
        desks: dict[int, ReceptionPoint] = {}
        if tenancy.require_space().kind == "tenant":
            # A mairie's desk hours may be kept on its reception point instead; reception
            # points are not readable from a network space.
            for point in db.session.scalars(
                    sa.select(ReceptionPoint).where(ReceptionPoint.kind == "mairie")
                    .order_by(ReceptionPoint.id)):
                desks.setdefault(point.commune_id, point)
        for commune_id, name, desk_hours, desk_phone in communes:
            own = {"desk_hours": desk_hours, "desk_phone": desk_phone}
            desk = desks.get(commune_id)
            for key in mairie_keys:
                commune_field, point_field = MAIRIE_FIELDS[key]
                value = (own[commune_field] or "").strip() or (
                    (getattr(desk, point_field) or "").strip() if desk else "")
                if not value:
                    missing[key].append(name)
    return {key: names for key, names in sorted(missing.items()) if names}


# --------------------------------------------------------------------------- read receipts

@dataclass
class Reader:
    name: str
    read_at: datetime


@dataclass
class PointReads:
    point_id: int | None
    label: str
    readers: list[Reader] = field(default_factory=list)


@dataclass
class TenantReads:
    tenant_id: int
    name: str
    known_readers: int = 0
    readers: int = 0
    points: list[PointReads] = field(default_factory=list)


def member_tenants() -> list[tuple[int, str]]:
    """(id, name) of the network's member tenants, by name. One query."""
    ids = tenancy.require_space().member_tenant_ids
    if not ids:
        return []
    return [tuple(row) for row in db.session.execute(
        sa.select(Tenant.id, Tenant.name).where(Tenant.id.in_(ids)).order_by(Tenant.name))]


def known_readers() -> dict[int, int]:
    """Per tenant, the people who acknowledged at least one fiche visible here. One query."""
    return dict(db.session.execute(
        sa.select(FicheRead.tenant_id, sa.func.count(sa.distinct(FicheRead.user_id)))
        .group_by(FicheRead.tenant_id)).all())


def current_readers(fiche_ids) -> dict[tuple[int, int], int]:
    """(fiche id, tenant id) → readers of the fiche's current revision. One query."""
    fiche_ids = list(fiche_ids)
    if not fiche_ids:
        return {}
    rows = db.session.execute(
        sa.select(FicheRead.fiche_id, FicheRead.tenant_id,
                  sa.func.count(sa.distinct(FicheRead.user_id)))
        .join(Fiche, sa.and_(Fiche.id == FicheRead.fiche_id,
                             Fiche.revision == FicheRead.revision))
        .where(FicheRead.fiche_id.in_(fiche_ids))
        .group_by(FicheRead.fiche_id, FicheRead.tenant_id)).all()
    return {(fiche_id, tenant_id): count for fiche_id, tenant_id, count in rows}


@dataclass
class Overview:
    tenants: list[tuple[int, str]]
    known: dict[int, int]
    counts: dict[tuple[int, int], int]

    def readers(self, fiche_id: int, tenant_id: int) -> int:
        return self.counts.get((fiche_id, tenant_id), 0)

    def total(self, fiche_id: int) -> int:
        return sum(self.readers(fiche_id, tenant_id) for tenant_id, _ in self.tenants)

    @property
    def known_total(self) -> int:
        return sum(self.known.get(tenant_id, 0) for tenant_id, _ in self.tenants)


def overview(fiches) -> Overview:
    """Readers of the current revision of `fiches`, per member tenant. Three queries."""
    return Overview(tenants=member_tenants(), known=known_readers(),
                    counts=current_readers(f.id for f in fiches))


def fiche_reads(fiche: Fiche) -> list[TenantReads]:
    """Who acknowledged the current revision of `fiche`, per member tenant and reception
    point, each tenant with its known readers. Four queries at most."""
    per_tenant = {tenant_id: TenantReads(tenant_id, name) for tenant_id, name in member_tenants()}
    for tenant_id, count in known_readers().items():
        if tenant_id in per_tenant:
            per_tenant[tenant_id].known_readers = count
    rows = db.session.execute(
        sa.select(FicheRead.tenant_id, FicheRead.reception_point_id, FicheRead.read_at,
                  User.full_name)
        .join(User, User.id == FicheRead.user_id)
        .where(FicheRead.fiche_id == fiche.id, FicheRead.revision == fiche.revision)
        .order_by(FicheRead.tenant_id, FicheRead.reception_point_id, User.full_name)).all()
    point_ids = {row.reception_point_id for row in rows if row.reception_point_id}
    names: dict[int, str] = {}
    if point_ids and tenancy.require_space().kind == "tenant":
        names = dict(db.session.execute(
            sa.select(ReceptionPoint.id, ReceptionPoint.name)
            .where(ReceptionPoint.id.in_(point_ids))).all())
    points: dict[tuple[int, int | None], PointReads] = {}
    for row in rows:
        tenant = per_tenant.get(row.tenant_id)
        if tenant is None:  # a tenant that left the network: its reads are history
            continue
        key = (row.tenant_id, row.reception_point_id)
        if key not in points:
            points[key] = PointReads(row.reception_point_id,
                                     _point_label(row.reception_point_id, names))
            tenant.points.append(points[key])
        points[key].readers.append(Reader(row.full_name, row.read_at))
        tenant.readers += 1
    return list(per_tenant.values())


def _point_label(point_id: int | None, names: dict[int, str]) -> str:
    if point_id is None:
        return "Sans point d’accueil indiqué"
    return names.get(point_id) or f"Point d’accueil nº {point_id}"
