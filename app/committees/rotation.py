"""Who facilitates the next meeting: committees like the collectif petite enfance change
facilitator at each meeting. The suggestion is the member after the last facilitator, in
the order members joined, among members whose mandate covers the meeting date."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from app.committees.models import CommitteeMember
from app.extensions import db


def suggest_facilitator(committee_id: int, on: date) -> CommitteeMember | None:
    from app.events.models import Event

    members = [m for m in db.session.scalars(
        sa.select(CommitteeMember).where(CommitteeMember.committee_id == committee_id)
        .order_by(CommitteeMember.id)).all() if m.is_current(on) and m.position != "invite"]
    if not members:
        return None
    last = db.session.scalar(
        sa.select(Event.facilitator_member_id)
        .where(Event.committee_id == committee_id, Event.facilitator_member_id.is_not(None),
               Event.status != "cancelled", Event.starts_at.is_not(None))
        .order_by(Event.starts_at.desc()).limit(1))
    if last is None:
        return members[0]
    after = [m for m in members if m.id > last]
    return after[0] if after else members[0]
