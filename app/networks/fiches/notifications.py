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


# A national network has some 1,255 member tenants and 38,000 readers: the digest fans out
# to one job per tenant, and each tenant's readers are mailed in batches, each batch its own
# transaction. A reader's watermark moves in the same commit that queues their message.
READER_BATCH = 200


def announce(fiche: Fiche, revision: FicheRevision) -> None:
    """Queue the network's digest once the publication commits. Several publications in a
    row give one digest per reader: the job sends everything not yet sent."""
    defer_after_commit(send_digest, network_id=fiche.network_id)


@space_task("maillage.fiche_digest", queueing_lock=None)
def send_digest(network_id: int) -> int:
    """Queue one digest job per member tenant (all in one statement). From a tenant's own
    space, digest that tenant only. Returns the number of tenant jobs queued."""
    space = tenancy.require_space()
    member_ids = db.session.scalars(sa.select(NetworkTenant.tenant_id)).all() \
        if space.kind == "network" else [space.tenant_id]
    for tenant_id in member_ids:
        _queue_tenant_digest(tenant_id, network_id, after_user_id=0)
    return len(member_ids)


def _queue_tenant_digest(tenant_id: int, network_id: int, after_user_id: int) -> None:
    # One lock per tenant: two publications in a row never digest the same readers at once.
    defer_after_commit(send_tenant_digest, space=tenancy.Space.for_tenant(tenant_id, [network_id]),
                       lock=f"fiche-digest-tenant-{tenant_id}", tenant_id=tenant_id,
                       network_id=network_id, after_user_id=after_user_id)


@space_task("maillage.fiche_digest_tenant")
def send_tenant_digest(tenant_id: int, network_id: int, after_user_id: int = 0) -> int:
    """Mail one batch of the tenant's followers (user ids after `after_user_id`) the fiches
    published since their last digest, then queue the next batch. Returns e-mails queued."""
    # In the tenant's space, with all its networks: one digest covers them all, so a
    # publication in another network is never skipped by this one's watermark.
    networks = db.session.scalars(sa.select(NetworkTenant.network_id)).all()
    with tenancy.use_space(tenancy.Space.for_tenant(tenant_id, networks), db.session):
        sent, last_user_id = _digest_batch(tenant_id, after_user_id)
    if last_user_id is not None:
        _queue_tenant_digest(tenant_id, network_id, after_user_id=last_user_id)
    return sent


def _digest_batch(tenant_id: int, after_user_id: int) -> tuple[int, int | None]:
    """(e-mails queued, the last user id of a full batch, or None when this was the last)."""
    tenant = db.session.get(Tenant, tenant_id)
    rows = db.session.execute(
        sa.select(User, sa.func.min(TenantRole.created_at))
        .join(TenantRole, TenantRole.user_id == User.id)
        .where(TenantRole.role.in_(FOLLOWER_ROLES), User.is_active, User.id > after_user_id)
        .group_by(User.id).order_by(User.id).limit(READER_BATCH)
    ).all()
    if not rows:
        return 0, None
    user_ids = [user.id for user, _ in rows]
    states = {s.user_id: s for s in db.session.scalars(
        sa.select(ReaderState).where(ReaderState.user_id.in_(user_ids))
        .with_for_update())}
    since_by_user = {}
    for user, joined_at in rows:
        state = states.get(user.id)
        since_by_user[user.id] = (state.last_digest_at if state and state.last_digest_at
                                  else joined_at)
    fiches = db.session.scalars(
        sa.select(Fiche).where(Fiche.network_id.is_not(None), Fiche.status == "published",
                               Fiche.published_at > min(since_by_user.values()))
        .order_by(Fiche.published_at.desc())
    ).all()
    link = f"{current_app.config['BASE_URL']}/t/{tenant.slug}/fiches/nouveautes"
    outgoing = []
    for user, _joined_at in rows:
        state = states.get(user.id)
        since = since_by_user[user.id]
        unfollowed = set(state.unfollowed_theme_ids or []) if state else set()
        news = [f for f in fiches if f.published_at > since and f.theme_id not in unfollowed]
        if not news:
            continue
        if state is None:
            state = ReaderState(user_id=user.id, unfollowed_theme_ids=[])
            db.session.add(state)
        outgoing.append({
            "to": user.email, "kind": "fiche_digest",
            "subject": f"Maillage : {len(news)} fiche{'s' if len(news) > 1 else ''} "
                       f"mise{'s' if len(news) > 1 else ''} à jour",
            "body": mail.render("fiches/mail/digest.txt", user=user, fiches=news, link=link),
        })
        # The newest fiche sent, not "now": a fiche published meanwhile is not skipped.
        state.last_digest_at = max(f.published_at for f in news)
    # The messages and the watermarks commit together, with the messages' delivery jobs.
    mail.send_many(outgoing)
    sent = len(outgoing)
    db.session.flush()
    return sent, (user_ids[-1] if len(rows) == READER_BATCH else None)


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
