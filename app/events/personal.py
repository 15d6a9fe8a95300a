"""/mes-evenements/<event_id>: one address for "my event", whichever space shows it.

E-mails and the answer link cannot know from which space a person reads an event (a
network's meeting is read from the official's own tenant, or from the network by a
coordinator). This route, for a signed-in person, finds the event in their personal space
(they are invited, or sit on its committee) and sends them to its page in one of their
spaces. Anyone else gets a 404: the route tells nothing about events one cannot see.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, redirect, url_for
from flask_login import current_user

from app.core import tenancy
from app.core.spaces import login_redirect
from app.core.tenancy import Space
from app.events.models import Event
from app.extensions import db

bp = Blueprint("my_events", __name__)


def event_page(user_id: int, event_id: int) -> str | None:
    """The URL of the event's page in one of the person's spaces, or None."""
    from app.networks.models import Network, NetworkRole, NetworkTenant
    from app.tenants.models import Tenant, TenantRole

    with tenancy.use_space(Space.personal(user_id), db.session):
        owner = db.session.execute(sa.select(Event.tenant_id, Event.network_id)
                                   .where(Event.id == event_id)).first()
        if owner is None:
            return None
        tenant_ids = set(db.session.scalars(sa.select(TenantRole.tenant_id)))
        network_ids = set(db.session.scalars(sa.select(NetworkRole.network_id)))
    if owner.network_id is not None and owner.network_id in network_ids:
        slug = db.session.scalar(sa.select(Network.slug).where(Network.id == owner.network_id))
        return url_for("network_events.show", network_slug=slug, event_id=event_id)
    if owner.network_id is not None:
        # Which of the person's tenants belong to the event's network: membership rows are
        # read unscoped, for these tenants and this network only.
        with tenancy.unscoped("member tenants of an event's network", db.session):
            tenant_ids &= set(db.session.scalars(sa.select(NetworkTenant.tenant_id).where(
                NetworkTenant.network_id == owner.network_id,
                NetworkTenant.tenant_id.in_(tenant_ids))))
    elif owner.tenant_id not in tenant_ids:
        return None
    else:
        tenant_ids = {owner.tenant_id}
    slug = db.session.scalar(sa.select(Tenant.slug).where(
        Tenant.id.in_(tenant_ids), Tenant.is_active).order_by(Tenant.name).limit(1))
    if slug is None:
        return None
    return url_for("events.show", tenant_slug=slug, event_id=event_id)


@bp.get("/mes-evenements/<int:event_id>")
def open_event(event_id: int):
    if not current_user.is_authenticated:
        return login_redirect()
    target = event_page(current_user.id, event_id)
    if target is None:
        abort(404)
    return redirect(target)
