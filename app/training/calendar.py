"""Calendar files for training sessions: one .ics per session, and each person's secret
calendar feed (/calendrier/<token>.ics) listing all their live registrations and the events
they are expected at (invitations not declined, meetings of the committees they sit on)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Blueprint, Response, abort
from icalendar import Calendar, Event
from sqlalchemy.orm import joinedload, selectinload

from app.core import tenancy
from app.core.tenancy import Space
from app.core.tokens import token_hash
from app.extensions import db
from app.training.models import CalendarFeed, Registration, TrainingSession

PARIS = ZoneInfo("Europe/Paris")
ICS_MIMETYPE = "text/calendar; charset=utf-8"

feed_bp = Blueprint("training_feed", __name__)


def session_location(session: TrainingSession) -> str:
    place = ", ".join(part for part in (session.room, session.place_address) if part)
    return place or session.remote_link


def build_calendar(entries: Iterable[tuple[TrainingSession, str | None]], name: str,
                   events: Iterable = ()) -> bytes:
    """A VCALENDAR with one VEVENT per sitting; `entries` pairs a session with the
    registration status of the person (None when the file is not personal). `events`
    (app.events Event rows, agenda loaded) are added as they are in the events' own files."""
    cal = Calendar()
    cal.add("prodid", "-//Maillage//Formations RPE//FR")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Europe/Paris")
    stamp = datetime.now(UTC)
    for session, status in entries:
        location = session_location(session)
        for sitting in session.sittings:
            event = Event()
            event.add("uid", f"sitting-{sitting.id}@maillage")
            event.add("dtstamp", stamp)
            event.add("dtstart", sitting.starts_at.astimezone(PARIS))
            event.add("dtend", sitting.ends_at.astimezone(PARIS))
            summary = session.module.title
            if status == "waiting":
                summary += " (liste d’attente)"
            event.add("summary", summary)
            if location:
                event.add("location", location)
            if session.remote_link:
                event.add("url", session.remote_link)
            event.add("status", "TENTATIVE" if status == "waiting" else "CONFIRMED")
            cal.add_component(event)
    if events:
        from app.events.ics import event_vevent

        for meeting in events:
            vevent = event_vevent(meeting)
            if vevent is not None:
                cal.add_component(vevent)
    cal.add_missing_timezones()
    return cal.to_ical()


def personal_events(user_id: int, today: date | None = None) -> list:
    """The events `user_id` is expected at, read in their personal space (which holds only
    what is addressed to them): events with a date (scheduled, or cancelled: shown as
    such) where they are invited and have not answered "no", and meetings of committees
    where their seat is current, unless they declined that meeting's invitation."""
    from app.committees.models import CommitteeMember
    from app.events.models import Event as Meeting
    from app.events.models import EventInvitation

    today = today or datetime.now(PARIS).date()
    with tenancy.use_space(Space.personal(user_id), db.session):
        answers: dict[int, set[str | None]] = {}
        for event_id, response in db.session.execute(
                sa.select(EventInvitation.event_id, EventInvitation.response)).all():
            answers.setdefault(event_id, set()).add(response)
        invited = {eid for eid, responses in answers.items() if responses != {"no"}}
        declined = {eid for eid, responses in answers.items() if responses == {"no"}}
        seats = db.session.scalars(sa.select(CommitteeMember)).all()
        committees = {seat.committee_id for seat in seats if seat.is_current(today)}
        return list(db.session.scalars(
            sa.select(Meeting).options(selectinload(Meeting.agenda))
            .where(Meeting.status.in_(("scheduled", "cancelled")),
                   Meeting.starts_at.is_not(None),
                   sa.or_(Meeting.id.in_(invited),
                          sa.and_(Meeting.committee_id.in_(committees),
                                  Meeting.id.not_in(declined))))
            .order_by(Meeting.starts_at, Meeting.id)))


def ics_response(body: bytes, filename: str | None = None) -> Response:
    response = Response(body, content_type=ICS_MIMETYPE)
    if filename:
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@feed_bp.get("/calendrier/<token>.ics")
def feed(token: str):
    """Public by design: the secret token is the credential (revocable, only its hash kept).
    A disabled account's feed stops with its sessions (it lists meetings' links)."""
    from app.core.models import User

    row = db.session.scalar(sa.select(CalendarFeed).join(User, User.id == CalendarFeed.user_id)
                            .where(CalendarFeed.token_hash == token_hash(token),
                                   CalendarFeed.revoked_at.is_(None), User.is_active))
    if row is None:
        abort(404)
    with tenancy.unscoped("personal calendar feed", db.session):
        registrations = db.session.scalars(
            sa.select(Registration)
            .options(joinedload(Registration.session).joinedload(TrainingSession.module),
                     joinedload(Registration.session).selectinload(TrainingSession.sittings))
            .where(Registration.user_id == row.user_id, Registration.status != "cancelled")
            .order_by(Registration.id)).unique().all()
        entries = [(r.session, r.status) for r in registrations
                   if r.session.state != "cancelled"]
    events = personal_events(row.user_id)
    body = build_calendar(entries, "Mes formations et réunions (Maillage)", events)
    return ics_response(body)
