"""The local values that fill a fiche's placeholders for one commune."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import g

from app.extensions import db
from app.tenants.models import Commune, ReceptionPoint, Relais, RelaisCommune


@dataclass
class LocalContext:
    commune: Commune | None
    relais: Relais | None
    mairie: ReceptionPoint | None

    def values(self) -> dict[str, str]:
        c, r, m = self.commune, self.relais, self.mairie
        return {
            "commune.nom": c.name if c else "",
            "relais.nom": r.name if r else "",
            "relais.telephone": r.phone if r else "",
            "relais.email": r.email if r else "",
            "relais.horaires": r.opening_hours if r else "",
            "relais.adresse": r.address if r else "",
            "mairie.horaires": (c.desk_hours if c and c.desk_hours else
                                (m.opening_hours if m else "")),
            "mairie.telephone": (c.desk_phone if c and c.desk_phone else (m.phone if m else "")),
        }


def default_commune_id() -> int | None:
    """The reader's own commune: the one of their role, desk or relais."""
    for role in g.get("role_rows", []):
        if role.commune_id:
            return role.commune_id
        if role.reception_point is not None and role.reception_point.commune_id:
            return role.reception_point.commune_id
    for role in g.get("role_rows", []):
        if role.relais_id:
            return db.session.scalar(
                sa.select(RelaisCommune.commune_id).where(RelaisCommune.relais_id == role.relais_id)
                .join(Commune, Commune.id == RelaisCommune.commune_id).order_by(Commune.name)
                .limit(1))
    return None


def context_for(commune_id: int | None) -> LocalContext:
    """Two queries: the commune with its covering relais, then its mairie desk."""
    if commune_id is None:
        return LocalContext(None, None, None)
    row = db.session.execute(
        sa.select(Commune, Relais)
        .outerjoin(RelaisCommune, RelaisCommune.commune_id == Commune.id)
        .outerjoin(Relais, Relais.id == RelaisCommune.relais_id)
        .where(Commune.id == commune_id)
        .order_by(Relais.name).limit(1)
    ).first()
    if row is None:
        return LocalContext(None, None, None)
    mairie = db.session.scalar(
        sa.select(ReceptionPoint).where(ReceptionPoint.commune_id == commune_id,
                                        ReceptionPoint.kind == "mairie").limit(1))
    return LocalContext(row[0], row[1], mairie)


def contexts_for_all() -> dict[int, LocalContext]:
    """Every commune of the tenant with its relais and mairie (for the binder): 2 queries."""
    rows = db.session.execute(
        sa.select(Commune, Relais)
        .outerjoin(RelaisCommune, RelaisCommune.commune_id == Commune.id)
        .outerjoin(Relais, Relais.id == RelaisCommune.relais_id)
        .order_by(Commune.name, Relais.name)
    ).all()
    mairies = {p.commune_id: p for p in db.session.scalars(
        sa.select(ReceptionPoint).where(ReceptionPoint.kind == "mairie"))}
    result: dict[int, LocalContext] = {}
    for commune, relais in rows:
        if commune.id not in result:
            result[commune.id] = LocalContext(commune, relais, mairies.get(commune.id))
    return result
