"""Calendar files for events: one VEVENT per event (also used by the personal calendar
feed). Times are written in Europe/Paris, like the training calendar files."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar
from icalendar import Event as VEvent

from app.events.models import Event

PARIS = ZoneInfo("Europe/Paris")
ICS_MIMETYPE = "text/calendar; charset=utf-8"
DEFAULT_LENGTH = timedelta(hours=2)


def agenda_lines(event: Event) -> list[str]:
    lines = []
    for number, item in enumerate(event.agenda, start=1):
        extra = ", ".join(part for part in (
            item.presenter, f"{item.duration_minutes} min" if item.duration_minutes else "")
            if part)
        lines.append(f"{number}. {item.title}" + (f" ({extra})" if extra else ""))
    return lines


def event_description(event: Event) -> str:
    parts = []
    if event.description:
        parts.append(event.description.strip())
    lines = agenda_lines(event)
    if lines:
        parts.append("Ordre du jour :\n" + "\n".join(lines))
    if event.remote_link:
        parts.append(f"À distance : {event.remote_link}")
    return "\n\n".join(parts)


def event_vevent(event: Event, details: bool = True) -> VEvent | None:
    """The VEVENT of `event`, or None while it has no date (date poll, draft without date).
    Without `details` (someone not invited), only the public part: no description, no
    remote link. `event.agenda` should be loaded (selectinload) when building many events."""
    if event.starts_at is None or event.status == "polling":
        return None
    vevent = VEvent()
    vevent.add("uid", f"event-{event.id}@maillage")
    vevent.add("dtstamp", datetime.now(UTC))
    start = event.starts_at.astimezone(PARIS)
    end = (event.ends_at or event.starts_at + DEFAULT_LENGTH).astimezone(PARIS)
    vevent.add("dtstart", start)
    vevent.add("dtend", end)
    summary = event.title
    if event.status == "cancelled":
        summary = f"Annulé : {summary}"
    vevent.add("summary", summary)
    location = event.place or (event.remote_link if details else "")
    if location:
        vevent.add("location", location)
    if event.remote_link and details:
        vevent.add("url", event.remote_link)
    description = event_description(event) if details else "\n".join(agenda_lines(event))
    if description:
        vevent.add("description", description)
    vevent.add("categories", [event.kind_label])
    vevent.add("status", {"cancelled": "CANCELLED", "draft": "TENTATIVE"}.get(
        event.status, "CONFIRMED"))
    return vevent


def event_calendar(events: Iterable[Event], name: str, details: bool = True) -> bytes:
    """A VCALENDAR with the events that have a date (events being polled are skipped)."""
    cal = Calendar()
    cal.add("prodid", "-//Maillage//Evenements//FR")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Europe/Paris")
    for event in events:
        vevent = event_vevent(event, details)
        if vevent is not None:
            cal.add_component(vevent)
    cal.add_missing_timezones()
    return cal.to_ical()
