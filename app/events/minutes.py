"""Minutes (compte rendu) of an event: every save is a revision; publishing makes them
readable by participants and members (personal space) and e-mails them with the
decisions. Organiser's side, in the event owner's space."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from flask_login import current_user
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import joinedload, selectinload

from app.core import audit
from app.core.jobs import defer_after_commit
from app.core.ui import date_fr
from app.events import invitations, notices
from app.events.models import Event, Minutes, MinutesRevision
from app.extensions import db


def minutes_of(event: Event) -> Minutes | None:
    return db.session.scalar(sa.select(Minutes).where(Minutes.event_id == event.id))


def save(event: Event, body: str, note: str) -> tuple[Minutes, bool]:
    """A new revision (and the minutes' current text). Returns (minutes, changed)."""
    minutes = minutes_of(event)
    if minutes is None:
        # Two organisers saving the first version at once: one row, two revisions.
        db.session.execute(pg_insert(Minutes).values(
            event_id=event.id, tenant_id=event.tenant_id, network_id=event.network_id,
            body="", status="draft").on_conflict_do_nothing(index_elements=["event_id"]))
        minutes = minutes_of(event)
    elif minutes.body == body and not note:
        return minutes, False
    minutes.body = body
    minutes.updated_at = datetime.now(UTC)
    db.session.add(MinutesRevision(minutes_id=minutes.id, body=body, note=note,
                                   author_id=current_user.id))
    db.session.flush()
    audit.record("event.minutes_saved", f"event {event.id}", status=minutes.status)
    return minutes, True


def revisions_query(minutes: Minutes) -> sa.Select:
    return (sa.select(MinutesRevision).options(joinedload(MinutesRevision.author))
            .where(MinutesRevision.minutes_id == minutes.id)
            .order_by(MinutesRevision.id.desc()))


def revision_of(minutes: Minutes, revision_id: int) -> MinutesRevision | None:
    return db.session.scalar(revisions_query(minutes).where(MinutesRevision.id == revision_id))


def restore(event: Event, revision: MinutesRevision) -> Minutes:
    minutes, _ = save(event, revision.body,
                      f"Retour à la version du {date_fr(revision.created_at)}"[:200])
    return minutes


def publish(event: Event, minutes: Minutes, resend: bool) -> bool:
    """Publish (or publish again); e-mails the participants the first time, and again
    only when asked. Returns whether e-mails will go out."""
    # Under a row lock: of two clicks at once, the second sees the first's publication.
    db.session.refresh(minutes, ["status"], with_for_update=True)
    first = minutes.status != "published"
    minutes.status = "published"
    minutes.published_at = datetime.now(UTC)
    minutes.published_by_id = current_user.id
    db.session.flush()
    send = first or resend
    if send:
        defer_after_commit(notices.send_minutes, space=invitations.owner_space(event),
                           event_id=event.id)
    audit.record("event.minutes_published", f"event {event.id}", first=first, emailed=send)
    return send


def decisions_of(event: Event) -> list:
    """The event's decisions and their actions, in the current space."""
    from app.committees.models import Decision

    return list(db.session.scalars(
        sa.select(Decision).options(selectinload(Decision.actions))
        .where(Decision.event_id == event.id).order_by(Decision.position, Decision.id)))
