"""Who can be invited, from the organiser's space, and inviting them by group.

- a tenant invites its platform users (its role rows), its relais (animators' accounts,
  else the relais' address), a committee's members and the partner contacts of its networks;
- a network invites the relais of a member tenant by their address (the tenants' role rows
  are not readable from a network), a committee's members and its partner contacts.
Every add goes through `invitations.add_invitation` (one invitation per address)."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from app.committees.models import CommitteeMember
from app.core.models import User
from app.core.ui import PARIS
from app.events import invitations
from app.events.models import Event, EventInvitation
from app.extensions import db
from app.networks.models import NetworkTenant, Organisation, OrganisationContact
from app.tenants.models import TENANT_ROLES, Relais, Tenant, TenantRole

MAX_PEOPLE = 500
MAX_ORGANISATIONS = 200


def paris_today() -> date:
    return datetime.now(PARIS).date()


def event_day(event: Event | None, starts_at: datetime | None = None) -> date:
    """The day whose committee members count (the meeting's, or today while undated)."""
    when = starts_at or (event.starts_at if event is not None else None)
    return when.astimezone(PARIS).date() if when else paris_today()


@dataclass
class Seat:
    member: CommitteeMember
    email: str


def current_members(committee_id: int, on: date) -> list[Seat]:
    """Members whose mandate covers `on`, with an address (theirs, or their account's)."""
    rows = db.session.execute(
        sa.select(CommitteeMember, User.email).outerjoin(User, User.id == CommitteeMember.user_id)
        .where(CommitteeMember.committee_id == committee_id)
        .order_by(CommitteeMember.id)).all()
    return [Seat(member, (member.email or user_email or "").strip().lower())
            for member, user_email in rows
            if member.is_current(on) and (member.email or user_email)]


@dataclass
class Outcome:
    added: int = 0
    already: int = 0

    def count(self, created: bool) -> None:
        if created:
            self.added += 1
        else:
            self.already += 1

    @property
    def message(self) -> str:
        parts = [f"{self.added} invitation{'s' if self.added > 1 else ''} "
                 f"ajoutée{'s' if self.added > 1 else ''}"]
        if self.already:
            parts.append(f"{self.already} personne{'s' if self.already > 1 else ''} déjà "
                         f"invitée{'s' if self.already > 1 else ''}")
        return " ; ".join(parts) + "."


def invited(event: Event) -> tuple[set[str], set[int]]:
    """Addresses and accounts already invited (to mark them on the page)."""
    rows = db.session.execute(sa.select(EventInvitation.email, EventInvitation.user_id).where(
        EventInvitation.event_id == event.id)).all()
    return {email for email, _ in rows}, {uid for _, uid in rows if uid is not None}


def _finish(event: Event, outcome: Outcome) -> Outcome:
    if outcome.added:
        invitations.queue_invitation_emails(event)
    return outcome


# --------------------------------------------------------------------------- tenant users

@dataclass
class Person:
    user: User
    roles: list[str] = field(default_factory=list)

    @property
    def roles_text(self) -> str:
        return ", ".join(TENANT_ROLES.get(r, r) for r in self.roles)


def tenant_people() -> list[Person]:
    """The tenant's active platform users with their roles (tenant space)."""
    rows = db.session.scalars(
        sa.select(TenantRole).join(User, User.id == TenantRole.user_id)
        .options(joinedload(TenantRole.user)).where(User.is_active)
        .order_by(User.full_name, User.id, TenantRole.role).limit(MAX_PEOPLE * 2)).all()
    people: OrderedDict[int, Person] = OrderedDict()
    for row in rows:
        people.setdefault(row.user_id, Person(row.user)).roles.append(row.role)
    return list(people.values())[:MAX_PEOPLE]


def invite_users(event: Event, user_ids: list[int]) -> Outcome:
    outcome = Outcome()
    wanted = set(user_ids)
    for person in tenant_people():
        if person.user.id in wanted:
            _, created = invitations.add_invitation(
                event, name=person.user.full_name, email=person.user.email,
                user_id=person.user.id, source="person")
            outcome.count(created)
    return _finish(event, outcome)


# --------------------------------------------------------------------------- relais

def invite_tenant_relais(event: Event) -> Outcome:
    """Animators' accounts, plus the address of each relais without an animator account."""
    outcome = Outcome()
    animators = db.session.scalars(
        sa.select(TenantRole).join(User, User.id == TenantRole.user_id)
        .options(joinedload(TenantRole.user), joinedload(TenantRole.relais))
        .where(TenantRole.role == "rpe_animator", User.is_active)
        .order_by(TenantRole.id)).all()
    covered = {role.relais_id for role in animators if role.relais_id is not None}
    for role in animators:
        _, created = invitations.add_invitation(
            event, name=role.user.full_name, email=role.user.email, user_id=role.user_id,
            source="relais", organisation=role.relais.name if role.relais else "")
        outcome.count(created)
    for relais in db.session.scalars(sa.select(Relais).order_by(Relais.name)):
        if relais.id not in covered and relais.email:
            _, created = invitations.add_invitation(
                event, name=relais.name, email=relais.email, source="relais",
                organisation=relais.name)
            outcome.count(created)
    return _finish(event, outcome)


def member_tenants() -> list[Tenant]:
    """The network's member tenants (network space)."""
    return list(db.session.scalars(
        sa.select(Tenant).join(NetworkTenant, NetworkTenant.tenant_id == Tenant.id)
        .order_by(Tenant.name)))


def invite_network_relais(event: Event, tenant_id: int) -> Outcome | None:
    """The relais addresses of one member tenant (None: not a member)."""
    tenant = next((t for t in member_tenants() if t.id == tenant_id), None)
    if tenant is None:
        return None
    outcome = Outcome()
    for relais in db.session.scalars(sa.select(Relais).where(Relais.tenant_id == tenant.id)
                                     .order_by(Relais.name)):
        if relais.email:
            _, created = invitations.add_invitation(
                event, name=relais.name, email=relais.email, source="relais",
                organisation=tenant.name)
            outcome.count(created)
    return _finish(event, outcome)


# --------------------------------------------------------------------------- committees

def invite_committee(event: Event, committee_id: int) -> Outcome:
    outcome = Outcome()
    for seat in current_members(committee_id, event_day(event)):
        _, created = invitations.add_invitation(
            event, name=seat.member.name, email=seat.email, source="committee",
            user_id=seat.member.user_id, committee_member_id=seat.member.id,
            organisation=seat.member.represents)
        outcome.count(created)
    return _finish(event, outcome)


# --------------------------------------------------------------------------- contacts

def directory() -> list[Organisation]:
    """Partner organisations with at least one contact, and their contacts."""
    has_contact = sa.exists().where(OrganisationContact.organisation_id == Organisation.id)
    return list(db.session.scalars(
        sa.select(Organisation).options(selectinload(Organisation.contacts))
        .where(has_contact).order_by(Organisation.name).limit(MAX_ORGANISATIONS)))


def invite_contacts(event: Event, contact_ids: list[int]) -> Outcome:
    outcome = Outcome()
    if not contact_ids:
        return outcome
    contacts = db.session.scalars(
        sa.select(OrganisationContact).options(joinedload(OrganisationContact.organisation))
        .where(OrganisationContact.id.in_(set(contact_ids)))
        .order_by(OrganisationContact.full_name)).all()
    for contact in contacts:
        if not contact.email:
            continue
        _, created = invitations.add_invitation(
            event, name=contact.full_name, email=contact.email, source="contact",
            contact_id=contact.id, organisation=contact.organisation.name)
        outcome.count(created)
    return _finish(event, outcome)


def invite_one(event: Event, values: dict) -> Outcome:
    outcome = Outcome()
    _, created = invitations.add_invitation(event, name=values["name"], email=values["email"],
                                            organisation=values["organisation"])
    outcome.count(created)
    return _finish(event, outcome)
