"""The organiser's view of the invitees: answers and their counts, reminders, attendance
on the day and the CSV export. Runs in the event owner's space."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import sqlalchemy as sa

from app.core import audit
from app.core.ui import date_fr
from app.events import delivery, invitations
from app.events.models import INVITATION_SOURCES, Event, EventInvitation
from app.extensions import db

MAX_ATTENDANCE = 1000


@dataclass
class Counts:
    yes: int = 0
    maybe: int = 0
    no: int = 0
    none: int = 0
    people_yes: int = 0
    people_maybe: int = 0

    @property
    def total(self) -> int:
        return self.yes + self.maybe + self.no + self.none


def counts(event: Event) -> Counts:
    """One query: invitations and announced party sizes by answer."""
    result = Counts()
    rows = db.session.execute(
        sa.select(EventInvitation.response, sa.func.count(EventInvitation.id),
                  sa.func.coalesce(sa.func.sum(EventInvitation.party_size), 0))
        .where(EventInvitation.event_id == event.id).group_by(EventInvitation.response)).all()
    for response, number, people in rows:
        setattr(result, response or "none", number)
        if response == "yes":
            result.people_yes = people
        elif response == "maybe":
            result.people_maybe = people
    return result


def attended_count(event: Event) -> tuple[int, bool]:
    """(present, whether attendance was taken)."""
    present, marked = db.session.execute(
        sa.select(sa.func.count().filter(EventInvitation.attended.is_(True)),
                  sa.func.count(EventInvitation.attended))
        .where(EventInvitation.event_id == event.id)).one()
    return present, marked > 0


def answers_query(event: Event) -> sa.Select:
    order = sa.case({"yes": 0, "maybe": 1, "no": 3}, value=EventInvitation.response, else_=2)
    return (sa.select(EventInvitation).where(EventInvitation.event_id == event.id)
            .order_by(order, sa.func.lower(EventInvitation.name), EventInvitation.id))


def reminder_count(event: Event) -> int:
    if event.status not in ("scheduled", "polling"):
        return 0
    return db.session.scalar(sa.select(sa.func.count()).select_from(
        invitations.non_responders(event).subquery())) or 0


def invitation_of(event: Event, invitation_id: int) -> EventInvitation | None:
    return db.session.scalar(sa.select(EventInvitation).where(
        EventInvitation.id == invitation_id, EventInvitation.event_id == event.id))


def remove_invitation(invitation: EventInvitation) -> None:
    audit.record("event.invitation_removed", f"event {invitation.event_id}",
                 email=invitation.email)
    db.session.delete(invitation)
    db.session.flush()


# --------------------------------------------------------------------------- attendance

def attendance_rows(event: Event) -> list[EventInvitation]:
    return list(db.session.scalars(answers_query(event).limit(MAX_ATTENDANCE)))


def save_attendance(event: Event, present_ids: set[int]) -> int:
    """Every invitee of the list is marked present or absent; returns the present count."""
    rows = attendance_rows(event)
    for row in rows:
        row.attended = row.id in present_ids
    db.session.flush()
    present = sum(1 for row in rows if row.attended)
    audit.record("event.attendance", f"event {event.id}", present=present, listed=len(rows))
    return present


# --------------------------------------------------------------------------- CSV

# « mis en envoi » : the message was queued then; whether it left is the « Envoi » column.
HEADERS = ["Nom", "E-mail", "Organisation", "Origine", "Réponse", "Nombre de personnes",
           "Commentaire", "Répondu le", "Présence", "Invitation mise en envoi le",
           "Relance mise en envoi le", "Envoi du dernier e-mail"]


def _presence(row: EventInvitation) -> str:
    if row.attended is None:
        return "non pointé"
    return "présent" if row.attended else "absent"


def _cell(value) -> str:
    """Text cells that Excel would take for a formula are quoted."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def answers_csv(event: Event) -> str:
    """Semicolon-separated, with a BOM so that Excel reads the accents."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADERS)
    rows = list(db.session.scalars(answers_query(event)))
    deliveries = delivery.states(event, rows)
    for row in rows:
        writer.writerow([_cell(value) for value in (
            row.name, row.email, row.organisation,
            INVITATION_SOURCES.get(row.source, row.source), row.response_label,
            row.party_size if row.response in ("yes", "maybe") else "", row.comment,
            date_fr(row.responded_at), _presence(row), date_fr(row.emailed_at),
            date_fr(row.reminded_at), _delivery_text(deliveries[row.id]))])
    return out.getvalue()


def _delivery_text(state: delivery.Delivery) -> str:
    """« Relance : échec (SMTPRecipientsRefused: …) », in one cell."""
    text = f"{state.kind} : {state.label.lower()}" if state.kind else state.label
    if state.state == "untracked":
        text += " (mise en envoi avant le suivi des envois)"
    if state.error:
        text += f" ({state.error.strip()})"
    return text
