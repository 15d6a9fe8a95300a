"""Organising events: who may organise, creating and editing, the agenda, publishing,
date polls and cancelling. Everything runs in the organiser's space (the network or the
tenant that owns the event). Functions flush; the view commits once."""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa
from flask import abort, g
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from app.committees import rotation
from app.committees.models import CHAIR_POSITIONS, Committee, CommitteeMember
from app.core import audit
from app.core.jobs import defer_after_commit
from app.core.spaces import has_role
from app.events import audience, invitations, notices
from app.events.audience import paris_today
from app.events.models import EVENT_KINDS, AgendaItem, DateOption, Event, EventInvitation
from app.extensions import db

EVENT_FIELDS = ("kind", "title", "starts_at", "ends_at", "place", "remote_link", "description")


# --------------------------------------------------------------------------- who organises

def in_network() -> bool:
    return g.get("space_kind") == "network"


def chaired_committee_ids() -> set[int]:
    """Tenant-owned committees the signed-in user chairs today (a network's committees are
    organised by its coordinator only)."""
    if in_network():
        return set()
    if "events_chaired" not in g:
        today = paris_today()
        rows = db.session.scalars(
            sa.select(CommitteeMember).join(Committee, Committee.id == CommitteeMember.committee_id)
            .where(CommitteeMember.user_id == current_user.id,
                   CommitteeMember.position.in_(CHAIR_POSITIONS),
                   Committee.network_id.is_(None), Committee.archived_at.is_(None))).all()
        g.events_chaired = {m.committee_id for m in rows if m.is_current(today)}
    return g.events_chaired


def is_space_admin() -> bool:
    return has_role("network_coordinator") if in_network() else has_role("tenant_admin")


def can_create() -> bool:
    return is_space_admin() or bool(chaired_committee_ids())


def owned_here(event: Event) -> bool:
    if in_network():
        return event.network_id == g.network.id
    return event.tenant_id == g.tenant.id


def can_organise(event: Event) -> bool:
    if not owned_here(event):
        return False
    return is_space_admin() or (event.committee_id is not None
                                and event.committee_id in chaired_committee_ids())


def get_event(event_id: int, *, manage: bool = False) -> Event:
    """The event in the current space, or 404. Drafts are the organisers' only; with
    `manage`, only organisers pass (a network's event seen from a tenant: 404)."""
    event = db.session.scalar(
        sa.select(Event).options(selectinload(Event.agenda), joinedload(Event.committee))
        .where(Event.id == event_id))
    if event is None:
        abort(404)
    organiser = can_organise(event)
    if not organiser and (manage or event.status == "draft"):
        abort(403 if owned_here(event) and event.status != "draft" else 404)
    g.event_organiser = organiser
    return event


def kind_choices() -> dict[str, str]:
    if is_space_admin():
        return EVENT_KINDS
    return {"comite": EVENT_KINDS["comite"]}


def owner_committees() -> list[Committee]:
    """Committees of the current space's owner that a meeting may be attached to."""
    query = sa.select(Committee).where(Committee.archived_at.is_(None)).order_by(Committee.name)
    if not in_network():
        query = query.where(Committee.network_id.is_(None))
        if not is_space_admin():
            query = query.where(Committee.id.in_(chaired_committee_ids() or {0}))
    return list(db.session.scalars(query))


def committee_or_none(committee_id: int | None) -> Committee | None:
    if committee_id is None:
        return None
    return next((c for c in owner_committees() if c.id == committee_id), None)


def facilitator_suggestion(committee_id: int, on: date) -> CommitteeMember | None:
    return rotation.suggest_facilitator(committee_id, on)


# --------------------------------------------------------------------------- create, edit

def save_event(event: Event | None, values: dict, committee: Committee | None
               ) -> tuple[Event, int]:
    """Create or update; a committee meeting invites the committee's current members.
    Returns (event, number of invitations added)."""
    created = event is None
    if created:
        event = Event(status="draft", created_by_id=current_user.id)
        db.session.add(event)
    for name in EVENT_FIELDS:
        setattr(event, name, values[name])
    if committee is not None:
        event.kind = "comite"
        event.committee_id = committee.id
    member_id = values.get("facilitator_member_id")
    if event.committee_id is not None:
        member = db.session.get(CommitteeMember, member_id) if member_id else None
        if member is not None and member.committee_id != event.committee_id:
            member = None
        event.facilitator_member_id = member.id if member else None
        event.facilitator_name = member.name if member else ""
    db.session.flush()
    added = 0
    if event.committee_id is not None and event.status != "cancelled":
        added = audience.invite_committee(event, event.committee_id).added
    audit.record("event.created" if created else "event.updated", f"event {event.id}",
                 title=event.title, kind=event.kind)
    return event, added


# --------------------------------------------------------------------------- agenda

def _renumber(event: Event) -> None:
    for position, item in enumerate(event.agenda, start=1):
        item.position = position


def add_agenda_item(event: Event, values: dict) -> AgendaItem:
    item = AgendaItem(title=values["title"], presenter=values["presenter"],
                      duration_minutes=values["duration_minutes"],
                      position=len(event.agenda) + 1)
    event.agenda.append(item)
    _renumber(event)
    db.session.flush()
    return item


def update_agenda_item(item: AgendaItem, values: dict) -> None:
    item.title, item.presenter = values["title"], values["presenter"]
    item.duration_minutes = values["duration_minutes"]
    db.session.flush()


def move_agenda_item(event: Event, item: AgendaItem, direction: str) -> bool:
    items = list(event.agenda)
    index = items.index(item)
    other = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= other < len(items):
        return False
    items[index], items[other] = items[other], items[index]
    for position, row in enumerate(items, start=1):
        row.position = position
    db.session.flush()
    db.session.expire(event, ["agenda"])
    return True


def remove_agenda_item(event: Event, item: AgendaItem) -> None:
    event.agenda.remove(item)
    _renumber(event)
    db.session.flush()


def agenda_total(event: Event) -> int:
    return sum(item.duration_minutes or 0 for item in event.agenda)


# --------------------------------------------------------------------------- status

class EventError(Exception):
    """A change the event's state does not allow (message in French, for the user)."""


def lock(event: Event) -> None:
    """Re-read the event's state under a row lock before changing it: of two clicks (or two
    organisers) at once, the second waits here, then sees what the first committed instead
    of acting, and e-mailing everyone, a second time."""
    db.session.refresh(event, ["status", "starts_at", "ends_at", "cancelled_at"],
                       with_for_update=True)


def pending_count(event: Event) -> int:
    return db.session.scalar(sa.select(sa.func.count(EventInvitation.id)).where(
        EventInvitation.event_id == event.id, EventInvitation.emailed_at.is_(None))) or 0


def publish(event: Event) -> int:
    """Draft → scheduled; the invitations not yet e-mailed go out after commit."""
    lock(event)
    if event.status != "draft":
        raise EventError("Seul un brouillon peut être publié.")
    if event.starts_at is None:
        raise EventError("Indiquez d’abord la date et l’heure de début (Modifier), ou "
                         "proposez plusieurs dates aux invités (Trouver une date).")
    event.status = "scheduled"
    db.session.flush()
    invitations.queue_invitation_emails(event)
    audit.record("event.published", f"event {event.id}", title=event.title)
    return pending_count(event)


def cancel(event: Event) -> int:
    """Cancel; invitees already told about the event, who had not declined, are e-mailed.
    Returns how many will be told."""
    lock(event)
    if event.status == "cancelled":
        raise EventError("Cet événement est déjà annulé.")
    told = db.session.scalar(sa.select(sa.func.count(EventInvitation.id)).where(
        *notices.cancellation_criteria(event.id))) or 0
    event.status = "cancelled"
    event.cancelled_at = datetime.now(UTC)
    db.session.flush()
    if told:
        defer_after_commit(notices.send_cancellation, space=invitations.owner_space(event),
                           event_id=event.id)
    audit.record("event.cancelled", f"event {event.id}", title=event.title, told=told)
    return told


def open_poll(event: Event, options: list[tuple[datetime, datetime]]) -> None:
    """Propose candidate dates: the event becomes « date à trouver » (kept options keep
    their votes; removed ones lose them)."""
    lock(event)
    if event.status not in ("draft", "polling"):
        raise EventError("On ne peut proposer des dates que pour un brouillon ou un "
                         "événement dont la date n’est pas encore fixée.")
    wanted = dict(options)
    for option in list(event.date_options):
        if option.starts_at in wanted and wanted[option.starts_at] == option.ends_at:
            del wanted[option.starts_at]
        else:
            event.date_options.remove(option)
    db.session.flush()
    for starts, ends in wanted.items():
        event.date_options.append(DateOption(starts_at=starts, ends_at=ends))
    opened = event.status == "draft"
    event.status, event.starts_at, event.ends_at = "polling", None, None
    db.session.flush()
    invitations.queue_invitation_emails(event)
    audit.record("event.poll_opened" if opened else "event.poll_updated", f"event {event.id}",
                 title=event.title, options=len(event.date_options))


def pick_date(event: Event, option: DateOption) -> None:
    lock(event)
    if event.status != "polling":
        raise EventError("La date de cet événement n’est plus à choisir.")
    event.starts_at, event.ends_at = option.starts_at, option.ends_at
    event.status = "scheduled"
    db.session.flush()
    defer_after_commit(notices.send_date_fixed, space=invitations.owner_space(event),
                       event_id=event.id)
    audit.record("event.date_fixed", f"event {event.id}", title=event.title,
                 starts_at=option.starts_at.isoformat())
