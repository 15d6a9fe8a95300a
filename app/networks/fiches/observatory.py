"""What families ask, where: the contacts logged at the desks of member tenants, counted
for the network's coordinators (never any data about a family)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import render_template, request

from app.core.spaces import require_role
from app.extensions import db
from app.networks.fiches.authoring import network_bp
from app.networks.fiches.models import CHANNELS, ContactLog, FicheTheme
from app.tenants.models import Commune, Tenant

PERIODS = {"3": 90, "6": 182, "12": 365}


@network_bp.get("/contacts")
@require_role("network_coordinator")
def contacts():
    period = request.args.get("periode", "12")
    days = PERIODS.get(period, 365)
    since = datetime.now(UTC) - timedelta(days=days)
    recent = ContactLog.at >= since
    total = db.session.scalar(sa.select(sa.func.count(ContactLog.id)).where(recent)) or 0
    theme_names = dict(db.session.execute(sa.select(FicheTheme.slug, FicheTheme.name)).all())
    by_theme = db.session.execute(
        sa.select(ContactLog.theme_slug, sa.func.count(ContactLog.id).label("n"))
        .where(recent).group_by(ContactLog.theme_slug).order_by(sa.desc("n"))).all()
    by_tenant = db.session.execute(
        sa.select(Tenant.name, ContactLog.channel, sa.func.count(ContactLog.id))
        .join(Tenant, Tenant.id == ContactLog.tenant_id)
        .where(recent).group_by(Tenant.name, ContactLog.channel).order_by(Tenant.name)).all()
    tenants: dict[str, dict[str, int]] = {}
    for name, channel, n in by_tenant:
        tenants.setdefault(name, {})[channel] = n
    by_commune = db.session.execute(
        sa.select(Commune.name, sa.func.count(ContactLog.id).label("n"))
        .join(Commune, Commune.id == ContactLog.commune_id)
        .where(recent).group_by(Commune.name).order_by(sa.desc("n"), Commune.name).limit(15)
    ).all()
    month = sa.func.date_trunc("month", sa.func.timezone("Europe/Paris", ContactLog.at))
    by_month = db.session.execute(
        sa.select(month.label("m"), sa.func.count(ContactLog.id))
        .where(recent).group_by("m").order_by("m")).all()
    return render_template(
        "fiches/author/contacts.html", total=total, period=period, periods=PERIODS,
        by_theme=[(theme_names.get(slug, slug or "Sans thème"), n) for slug, n in by_theme],
        tenants=tenants, channels=CHANNELS, by_commune=by_commune, by_month=by_month)
