"""Telling readers what changed: an e-mail digest (background job) and « Nouveautés »."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from app.core import mail, tenancy
from app.core.jobs import defer_after_commit, space_task
from app.core.models import User
from app.extensions import db
from app.networks.fiches.models import Fiche, FicheRevision, ReaderState
from app.networks.models import NetworkTenant
from app.tenants.models import Tenant, TenantRole

FOLLOWER_ROLES = ("reception_agent", "rpe_animator")
NEW_WINDOW = timedelta(days=30)  # what a first-time reader sees as new


def announce(fiche: Fiche, revision: FicheRevision) -> None:
    """Queue the network's digest once the publication commits. Several publications in a
    row give one digest per reader: the job sends everything not yet sent."""
    defer_after_commit(send_digest, network_id=fiche.network_id)


@space_task("maillage.fiche_digest", queueing_lock=None)
def send_digest(network_id: int) -> int:
    """For each member tenant, in that tenant's space, mail each follower the fiches
    published since their last digest. Returns the number of e-mails queued."""
    space = tenancy.require_space()
    member_ids = db.session.scalars(sa.select(NetworkTenant.tenant_id)).all() \
        if space.kind == "network" else [space.tenant_id]
    sent = 0
    for tenant_id in member_ids:
        # In the tenant's space, with all its networks: one digest covers them all, so a
        # publication in another network is never skipped by this one's watermark.
        with tenancy.use_space(tenancy.Space.for_tenant(tenant_id, [network_id]), db.session):
            networks = db.session.scalars(sa.select(NetworkTenant.network_id)).all()
        with tenancy.use_space(tenancy.Space.for_tenant(tenant_id, networks), db.session):
            sent += _digest_for_tenant(tenant_id)
    return sent


def _digest_for_tenant(tenant_id: int) -> int:
    tenant = db.session.get(Tenant, tenant_id)
    rows = db.session.execute(
        sa.select(User, sa.func.min(TenantRole.created_at))
        .join(TenantRole, TenantRole.user_id == User.id)
        .where(TenantRole.role.in_(FOLLOWER_ROLES), User.is_active)
        .group_by(User.id)
    ).all()
    if not rows:
        return 0
    states = {s.user_id: s for s in db.session.scalars(sa.select(ReaderState))}
    fiches = db.session.scalars(
        sa.select(Fiche).where(Fiche.network_id.is_not(None), Fiche.status == "published")
        .order_by(Fiche.published_at.desc())
    ).all()
    sent = 0
    for user, joined_at in rows:
        state = states.get(user.id)
        if state is None:
            state = ReaderState(user_id=user.id, unfollowed_theme_ids=[])
            db.session.add(state)
        since = state.last_digest_at or joined_at
        unfollowed = set(state.unfollowed_theme_ids or [])
        news = [f for f in fiches if f.published_at and f.published_at > since
                and f.theme_id not in unfollowed]
        if not news:
            continue
        link = f"{current_app.config['BASE_URL']}/t/{tenant.slug}/fiches/nouveautes"
        mail.send(
            to=user.email, kind="fiche_digest",
            subject=f"Maillage : {len(news)} fiche{'s' if len(news) > 1 else ''} "
                    f"mise{'s' if len(news) > 1 else ''} à jour",
            body=mail.render("fiches/mail/digest.txt", user=user, fiches=news, link=link),
        )
        # The newest fiche sent, not "now": a fiche published meanwhile is not skipped.
        state.last_digest_at = max(f.published_at for f in news)
        sent += 1
    db.session.flush()
    return sent


def news_for(user, limit: int = 50) -> tuple[list[Fiche], ReaderState | None]:
    """Fiches published since the reader's last visit to « Nouveautés »."""
    state = db.session.scalar(sa.select(ReaderState).where(ReaderState.user_id == user.id))
    since = state.last_seen_at if state and state.last_seen_at else datetime.now(UTC) - NEW_WINDOW
    unfollowed = list(state.unfollowed_theme_ids or []) if state else []
    stmt = (sa.select(Fiche).where(Fiche.status == "published", Fiche.published_at > since)
            .order_by(Fiche.published_at.desc()).limit(limit))
    if unfollowed:
        stmt = stmt.where(sa.or_(Fiche.theme_id.is_(None), Fiche.theme_id.not_in(unfollowed)))
    return list(db.session.scalars(stmt)), state


def news_count(user) -> int:
    state = db.session.scalar(sa.select(ReaderState).where(ReaderState.user_id == user.id))
    since = state.last_seen_at if state and state.last_seen_at else datetime.now(UTC) - NEW_WINDOW
    return db.session.scalar(sa.select(sa.func.count(Fiche.id)).where(
        Fiche.status == "published", Fiche.published_at > since)) or 0
