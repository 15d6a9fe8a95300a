"""E-mails sent by jobs after an organiser's action: the date chosen by a poll, a
cancellation, the published minutes. Each job runs in the event owner's space.

This module defines tasks: it must be listed in `import_paths` of `app.core.jobs.proc_app`
and imported by `_import_models` (app/__init__.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from app.core import mail
from app.core.jobs import space_task
from app.core.ui import date_fr
from app.events import audience, tokens
from app.events.invitations import agenda_text, when_text, where_text
from app.events.models import Event, EventInvitation, Minutes
from app.extensions import db


def _sign_off() -> str:
    return "\n— Maillage\n"


def _load_event(event_id: int) -> Event | None:
    return db.session.scalar(sa.select(Event).options(selectinload(Event.agenda))
                             .where(Event.id == event_id))


def event_link(event: Event) -> str:
    """Where a person with an account reads the event once signed in: /mes-evenements/<id>
    finds the right space for them (`app.events.personal`). Jobs have no request: the path
    is written out."""
    base = current_app.config["BASE_URL"].rstrip("/")
    return f"{base}/mes-evenements/{event.id}"


# --------------------------------------------------------------------------- date fixed

def _date_fixed_body(event: Event, invitation: EventInvitation) -> str:
    return (f"Bonjour {invitation.name},\n\n"
            f"La date de « {event.title} » est fixée.\n\n"
            f"{event.kind_label} — {event.title}\n"
            f"Quand : {when_text(event)}\n{where_text(event)}\n\n"
            f"{agenda_text(event)}"
            "Merci d’indiquer si vous serez présent·e (oui, non, peut-être ; sans vous "
            f"connecter) :\n{tokens.answer_url(invitation.token_key)}\n\n"
            "Ce lien est personnel : il ne sert qu’à votre invitation." + "\n" + _sign_off())


@space_task("maillage.event_date_fixed")
def send_date_fixed(event_id: int) -> int:
    """Every invitee learns the chosen date, with their personal answer link."""
    event = _load_event(event_id)
    if event is None or event.status != "scheduled" or event.starts_at is None:
        return 0
    rows = db.session.scalars(sa.select(EventInvitation).where(
        EventInvitation.event_id == event_id).order_by(EventInvitation.id)).all()
    now = datetime.now(UTC)
    subject = f"Date fixée : « {event.title} » le {date_fr(event.starts_at)}"
    for invitation in rows:
        message = mail.send(to=invitation.email, subject=subject,
                            body=_date_fixed_body(event, invitation), kind="event_date_fixed")
        invitation.emailed_at = invitation.emailed_at or now
        invitation.mail_message_id = message.id
    return len(rows)


# --------------------------------------------------------------------------- cancelled

def cancellation_criteria(event_id: int) -> tuple:
    """Invitees already told about the event who had not declined."""
    return (EventInvitation.event_id == event_id, EventInvitation.emailed_at.is_not(None),
            sa.or_(EventInvitation.response.is_(None), EventInvitation.response != "no"))


@space_task("maillage.event_cancelled")
def send_cancellation(event_id: int) -> int:
    event = _load_event(event_id)
    if event is None or event.status != "cancelled":
        return 0
    rows = db.session.scalars(sa.select(EventInvitation).where(
        *cancellation_criteria(event_id)).order_by(EventInvitation.id)).all()
    when = when_text(event) if event.starts_at else "date qui restait à fixer"
    for invitation in rows:
        message = mail.send(
            to=invitation.email, subject=f"Annulé : « {event.title} »",
            body=(f"Bonjour {invitation.name},\n\n"
                  f"L’événement « {event.title} » ({event.kind_label}, {when}) est "
                  "annulé. Vous n’avez rien à faire ; votre lien de réponse ne "
                  "fonctionne plus.\n\nMerci de votre compréhension." + "\n" + _sign_off()),
            kind="event_cancelled")
        invitation.mail_message_id = message.id
    return len(rows)


# --------------------------------------------------------------------------- minutes

@dataclass
class Recipient:
    name: str
    email: str
    user_id: int | None
    invitation: EventInvitation | None


def minutes_recipients(event: Event) -> list[Recipient]:
    """Participants and members: invitees who attended (or, when attendance was never
    taken, who answered yes or maybe) and, for a committee meeting, the committee's current
    members; one message per address."""
    rows = db.session.scalars(sa.select(EventInvitation).where(
        EventInvitation.event_id == event.id).order_by(EventInvitation.id)).all()
    taken = any(row.attended is not None for row in rows)
    found: dict[str, Recipient] = {}
    for row in rows:
        if row.attended if taken else row.response in ("yes", "maybe"):
            found.setdefault(row.email, Recipient(row.name, row.email, row.user_id, row))
    if event.committee_id is not None:
        by_email = {row.email: row for row in rows}
        for seat in audience.current_members(event.committee_id, audience.event_day(event)):
            found.setdefault(seat.email, Recipient(seat.member.name, seat.email,
                                                   seat.member.user_id,
                                                   by_email.get(seat.email)))
    return list(found.values())


def decisions_text(event: Event) -> str:
    from app.committees.models import Decision

    decisions = db.session.scalars(
        sa.select(Decision).options(selectinload(Decision.actions))
        .where(Decision.event_id == event.id).order_by(Decision.position, Decision.id)).all()
    if not decisions:
        return ""
    lines = ["Décisions :"]
    for number, decision in enumerate(decisions, start=1):
        lines.append(f"  {number}. {decision.title}")
        for action in decision.actions:
            due = f", pour le {date_fr(action.due_on)}" if action.due_on else ""
            lines.append(f"     – {action.title} ({action.owner_name}{due})")
    return "\n".join(lines) + "\n\n"


def _minutes_body(event: Event, minutes: Minutes, recipient: Recipient, decisions: str,
                  link: str) -> str:
    where = ("\nVous avez un compte Maillage : vous pouvez aussi lire ce compte rendu et "
             "les décisions dans Maillage (rubrique Événements de votre espace) :\n"
             f"{link}\n" if recipient.user_id else "")
    when = f" du {date_fr(event.starts_at)}" if event.starts_at else ""
    return (f"Bonjour {recipient.name},\n\n"
            f"Voici le compte rendu de « {event.title} »{when}.\n\n"
            "———\n"
            f"{minutes.body.strip()}\n"
            "———\n\n"
            f"{decisions}{where}" + _sign_off())


@space_task("maillage.event_minutes")
def send_minutes(event_id: int) -> int:
    """E-mail the published minutes (and the decisions with their actions)."""
    event = _load_event(event_id)
    minutes = db.session.scalar(sa.select(Minutes).where(Minutes.event_id == event_id))
    if event is None or minutes is None or minutes.status != "published":
        return 0
    decisions = decisions_text(event)
    link = event_link(event)
    now = datetime.now(UTC)
    recipients = minutes_recipients(event)
    for recipient in recipients:
        mail.send(to=recipient.email, subject=f"Compte rendu : « {event.title} »",
                  body=_minutes_body(event, minutes, recipient, decisions, link),
                  kind="event_minutes")
        if recipient.invitation is not None:
            recipient.invitation.minutes_sent_at = now
    return len(recipients)
