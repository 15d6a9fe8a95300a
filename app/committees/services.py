"""Committees: who may do what, the reads of a committee page, and the committee's own
writes (each a single unit the view commits). Members and requests to join are in
`membership`.

Everything runs in the request's space: a committee of another tenant or network is simply
not found. The only other space used here is the personal one, to show a member the
decisions of the meetings whose minutes are published (`personal_decisions`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import sqlalchemy as sa
from flask import g, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from app.committees.models import (
    CHAIR_POSITIONS,
    Committee,
    CommitteeMember,
    Decision,
    JoinRequest,
)
from app.core import audit, tenancy
from app.core.models import User
from app.core.spaces import has_role
from app.core.tenancy import Space
from app.core.ui import PARIS
from app.extensions import db

ORGANISER_ROLES = {"tenant": ("tenant_admin",), "network": ("network_coordinator",)}
BROWSER_ROLES = ("elected_official", "tenant_admin")


class CommitteeError(Exception):
    """A refusal to show the user as is (French)."""


def today() -> date:
    return datetime.now(PARIS).date()


# --------------------------------------------------------------------------- the space

def in_network() -> bool:
    return g.get("space_kind") == "network"


def owned_here(obj) -> bool:
    """Whether `obj` (a committee, an event…) belongs to the current space itself, rather
    than being a network's row shown to a member tenant."""
    if in_network():
        return obj.network_id == g.network.id
    return obj.tenant_id == g.tenant.id


def is_admin() -> bool:
    """Coordinator of this network, or administrator of this tenant."""
    return has_role(*ORGANISER_ROLES["network" if in_network() else "tenant"])


def is_chair(committee: Committee) -> bool:
    """The signed-in person holds a chair (président·e, co-pilote) of a tenant committee,
    with a mandate running today (as `app.events.services.chaired_committee_ids`)."""
    if in_network() or not owned_here(committee):
        return False
    on = today()
    return any(m.user_id == current_user.id and m.position in CHAIR_POSITIONS
               and m.is_current(on) for m in committee.members)


def can_manage(committee: Committee | None = None) -> bool:
    """Create, edit, archive: the coordinator (network) or the tenant administrator, for
    committees their space owns."""
    if committee is not None and not owned_here(committee):
        return False
    return is_admin()


def can_organise(committee: Committee) -> bool:
    """Members, requests, decisions: the owner's administrators, and for a tenant
    committee its chairs."""
    return owned_here(committee) and (is_admin() or is_chair(committee))


def is_member(committee: Committee) -> bool:
    return any(m.user_id == current_user.id for m in committee.members)


def can_browse() -> bool:
    """Who browses the committees list of a space."""
    if in_network():
        return has_role("network_coordinator")
    return has_role(*BROWSER_ROLES)


def can_view(committee: Committee) -> bool:
    return can_browse() or is_member(committee) or can_organise(committee)


def can_request() -> bool:
    return not in_network() and has_role(*BROWSER_ROLES)


# --------------------------------------------------------------------------- reads

def find_committee(committee_id: int) -> Committee | None:
    return db.session.scalar(
        sa.select(Committee).options(selectinload(Committee.members))
        .where(Committee.id == committee_id))


def find_member(committee: Committee, member_id: int) -> CommitteeMember | None:
    return db.session.scalar(sa.select(CommitteeMember).where(
        CommitteeMember.id == member_id, CommitteeMember.committee_id == committee.id))


def visible_committees() -> list[Committee]:
    return list(db.session.scalars(
        sa.select(Committee).options(selectinload(Committee.members))
        .order_by(Committee.archived_at.is_not(None), Committee.name, Committee.id)))


def network_names(committees) -> dict[int, str]:
    from app.networks.models import Network

    ids = {c.network_id for c in committees if c.network_id is not None}
    if not ids:
        return {}
    return dict(db.session.execute(sa.select(Network.id, Network.name)
                                   .where(Network.id.in_(ids))).all())


def tenant_names(ids) -> dict[int, str]:
    from app.tenants.models import Tenant

    ids = set(ids)
    if not ids:
        return {}
    return dict(db.session.execute(sa.select(Tenant.id, Tenant.name)
                                   .where(Tenant.id.in_(ids))).all())


def pending_counts(committee_ids) -> dict[int, int]:
    """Pending requests per committee, among those the space may read."""
    if not committee_ids:
        return {}
    return dict(db.session.execute(
        sa.select(JoinRequest.committee_id, sa.func.count(JoinRequest.id))
        .where(JoinRequest.committee_id.in_(committee_ids), JoinRequest.status == "pending")
        .group_by(JoinRequest.committee_id)).all())


def pending_requests(committee: Committee) -> list[JoinRequest]:
    return list(db.session.scalars(
        sa.select(JoinRequest).options(joinedload(JoinRequest.user))
        .where(JoinRequest.committee_id == committee.id, JoinRequest.status == "pending")
        .order_by(JoinRequest.created_at, JoinRequest.id)))


def my_requests(committee_id: int | None = None) -> list[JoinRequest]:
    """The signed-in person's own requests, read in the tenant space."""
    stmt = (sa.select(JoinRequest).where(JoinRequest.user_id == current_user.id)
            .order_by(JoinRequest.created_at.desc(), JoinRequest.id.desc()))
    if committee_id is not None:
        stmt = stmt.where(JoinRequest.committee_id == committee_id)
    return list(db.session.scalars(stmt.limit(50)))


def find_request(request_id: int, *, lock: bool = False) -> JoinRequest | None:
    stmt = sa.select(JoinRequest).where(JoinRequest.id == request_id)
    if lock:
        stmt = stmt.with_for_update()
    return db.session.scalar(stmt)


@dataclass
class Meetings:
    upcoming: list = field(default_factory=list)
    past: list = field(default_factory=list)


def meetings(committee: Committee) -> Meetings:
    """The committee's meetings visible here (out of draft, as the space allows)."""
    from app.events.models import Event

    rows = db.session.scalars(
        sa.select(Event).where(Event.committee_id == committee.id, Event.status != "draft")
        .order_by(Event.starts_at.desc().nulls_first(), Event.id.desc())).all()
    now = datetime.now(UTC)
    result = Meetings()
    for event in rows:
        if event.status == "polling" or (event.starts_at is not None and event.starts_at >= now):
            result.upcoming.append(event)
        else:
            result.past.append(event)
    result.upcoming.reverse()  # soonest first
    return result


def facilitator_history(committee: Committee, limit: int = 10) -> list:
    from app.events.models import Event

    return list(db.session.scalars(
        sa.select(Event).where(
            Event.committee_id == committee.id, Event.status != "cancelled",
            Event.starts_at.is_not(None),
            sa.or_(Event.facilitator_member_id.is_not(None), Event.facilitator_name != ""))
        .order_by(Event.starts_at.desc()).limit(limit)))


def suggest_facilitator(committee: Committee):
    from app.committees import rotation

    return rotation.suggest_facilitator(committee.id, today())


def personal_decisions(committee: Committee) -> list[Decision]:
    """Decisions of this committee the signed-in person may read as a person (published
    minutes of meetings they were invited to or whose committee they sit on), with the
    actions they may see; read in the personal space."""
    from app.events.models import Event

    with tenancy.use_space(Space.personal(current_user.id), db.session):
        return list(db.session.scalars(
            sa.select(Decision)
            .join(Event, Event.id == Decision.event_id)
            .options(selectinload(Decision.actions), joinedload(Decision.event))
            .where(Decision.committee_id == committee.id)
            .order_by(Event.starts_at.desc().nulls_last(), Decision.position, Decision.id)
        ).unique())


def event_url(event) -> str:
    """The event's page in the current space."""
    endpoint = "network_events.show" if in_network() else "events.show"
    return url_for(endpoint, event_id=event.id)


def new_meeting_url(committee: Committee) -> str:
    """The events form, prepared for a meeting of `committee` (place, facilitator)."""
    endpoint = "network_events.new" if in_network() else "events.new"
    return url_for(endpoint, comite=committee.id)


# --------------------------------------------------------------------------- person pickers

def tenant_users() -> list[User]:
    """People holding a role in the current tenant (tenant space only)."""
    from app.tenants.models import TenantRole

    if in_network():
        return []
    return list(db.session.scalars(
        sa.select(User).where(User.id.in_(sa.select(TenantRole.user_id)), User.is_active)
        .order_by(User.full_name, User.id)))


def holds_tenant_role(user_id: int) -> bool:
    from app.tenants.models import TenantRole

    return bool(db.session.scalar(sa.select(sa.exists().where(TenantRole.user_id == user_id))))


def partner_contacts() -> list:
    """Contacts of the network's partner directory (readable from a member tenant too)."""
    from app.networks.models import Organisation, OrganisationContact

    return list(db.session.scalars(
        sa.select(OrganisationContact).join(Organisation)
        .options(joinedload(OrganisationContact.organisation))
        .where(OrganisationContact.email != "")
        .order_by(Organisation.name, OrganisationContact.full_name, OrganisationContact.id)))


# --------------------------------------------------------------------------- committees

COMMITTEE_FIELDS = ("name", "kind", "purpose", "usual_place", "accepts_requests")


def save_committee(committee: Committee | None, data: dict) -> Committee:
    created = committee is None
    if created:
        committee = Committee()
        db.session.add(committee)
    for name in COMMITTEE_FIELDS:
        setattr(committee, name, data[name])
    db.session.flush()
    audit.record("committee.created" if created else "committee.updated",
                 f"committee {committee.id}", name=committee.name)
    return committee


def set_archived(committee: Committee, archived: bool) -> None:
    committee.archived_at = datetime.now(UTC) if archived else None
    audit.record("committee.archived" if archived else "committee.restored",
                 f"committee {committee.id}", name=committee.name)
