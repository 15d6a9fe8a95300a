"""Calendar files for training sessions: one .ics per session, and each person's secret
calendar feed (/calendrier/<token>.ics) listing all their live registrations."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Blueprint, Response, abort
from icalendar import Calendar, Event
from sqlalchemy.orm import joinedload

from app.core import tenancy
from app.core.tokens import token_hash
from app.extensions import db
from app.training.models import CalendarFeed, Registration, TrainingSession

PARIS = ZoneInfo("Europe/Paris")
ICS_MIMETYPE = "text/calendar; charset=utf-8"

feed_bp = Blueprint("training_feed", __name__)


def session_location(session: TrainingSession) -> str:
    place = ", ".join(part for part in (session.room, session.place_address) if part)
    return place or session.remote_link


def build_calendar(entries: Iterable[tuple[TrainingSession, str | None]], name: str) -> bytes:
    """A VCALENDAR with one VEVENT per sitting; `entries` pairs a session with the
    registration status of the person (None when the file is not personal)."""
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
    cal.add_missing_timezones()
    return cal.to_ical()


def ics_response(body: bytes, filename: str | None = None) -> Response:
    response = Response(body, content_type=ICS_MIMETYPE)
    if filename:
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@feed_bp.get("/calendrier/<token>.ics")
def feed(token: str):
    """Public by design: the secret token is the credential (revocable, only its hash kept)."""
    row = db.session.scalar(sa.select(CalendarFeed).where(
        CalendarFeed.token_hash == token_hash(token), CalendarFeed.revoked_at.is_(None)))
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
        body = build_calendar(entries, "Mes formations (Maillage)")
    return ics_response(body)
