"""Invitations: adding invitees to an event and e-mailing them their personal link.

Everything here runs in the event owner's space (the network or the tenant that organises
the event): an invitation belongs to the event's owner, whoever the invitee is.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import selectinload

from app.core import mail
from app.core.jobs import defer_after_commit, space_task
from app.core.tenancy import Space
from app.core.ui import PARIS, date_fr
from app.events import tokens
from app.events.models import Event, EventInvitation
from app.extensions import db


def owner_space(obj) -> Space:
    """The space that owns `obj` (an event or one of its rows)."""
    if obj.tenant_id is not None:
        return Space.for_tenant(obj.tenant_id)
    return Space.for_network(obj.network_id)


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def add_invitation(event: Event, *, name: str, email: str, source: str = "person",
                   user_id: int | None = None, contact_id: int | None = None,
                   committee_member_id: int | None = None,
                   organisation: str = "") -> tuple[EventInvitation, bool]:
    """Invite one person (once per address): returns (invitation, created).

    When the address is a platform account's, the invitation is linked to it, so the
    person also finds it in Maillage once signed in."""
    from app.core.models import User

    email = normalise_email(email)
    existing = db.session.scalar(sa.select(EventInvitation).where(
        EventInvitation.event_id == event.id, EventInvitation.email == email))
    if existing is not None:
        return existing, False
    if user_id is None:
        user_id = db.session.scalar(sa.select(User.id).where(User.email == email,
                                                             User.is_active))
    # The same address invited twice at once (two organisers, two groups): one row.
    created = db.session.scalar(pg_insert(EventInvitation).values(
        event_id=event.id, tenant_id=event.tenant_id, network_id=event.network_id,
        name=(name or email).strip()[:200], email=email, source=source, user_id=user_id,
        contact_id=contact_id, committee_member_id=committee_member_id,
        organisation=(organisation or "")[:200], token_key=tokens.new_key())
        .on_conflict_do_nothing(index_elements=["event_id", "email"])
        .returning(EventInvitation.id))
    invitation = db.session.scalar(sa.select(EventInvitation).where(
        EventInvitation.event_id == event.id, EventInvitation.email == email))
    return invitation, created is not None


def queue_invitation_emails(event: Event) -> None:
    """E-mail, after commit, every invitee who has not been e-mailed yet."""
    if event.status in ("scheduled", "polling"):
        defer_after_commit(send_invitations, space=owner_space(event), event_id=event.id)


def queue_reminders(event: Event) -> None:
    """`asked_at`: people reminded after this moment (by a job of a previous click, say a
    double click) are not reminded again by this one."""
    defer_after_commit(send_reminders, space=owner_space(event), event_id=event.id,
                       asked_at=datetime.now(UTC).isoformat())


# --------------------------------------------------------------------------- e-mails

def when_text(event: Event) -> str:
    if event.starts_at is None:
        return "Date à choisir parmi les propositions (voir le lien)."
    text = date_fr(event.starts_at)
    if event.ends_at is not None:
        end = event.ends_at.astimezone(PARIS)
        if end.date() == event.starts_at.astimezone(PARIS).date():
            text += f", jusqu’à {end.hour} h {end.minute:02d}"
        else:
            text += f", jusqu’au {date_fr(event.ends_at)}"
    return text


def where_text(event: Event) -> str:
    lines = []
    if event.place:
        lines.append(f"Lieu : {event.place}")
    if event.remote_link:
        lines.append(f"À distance : {event.remote_link}")
    return "\n".join(lines) or "Lieu : précisé prochainement."


def agenda_text(event: Event) -> str:
    if not event.agenda:
        return ""
    lines = ["Ordre du jour :"]
    for number, item in enumerate(event.agenda, start=1):
        extra = ", ".join(part for part in (
            item.presenter, f"{item.duration_minutes} min" if item.duration_minutes else "")
            if part)
        lines.append(f"  {number}. {item.title}" + (f" ({extra})" if extra else ""))
    return "\n".join(lines) + "\n\n"


def _invitation_body(event: Event, invitation: EventInvitation, reminder: bool) -> str:
    link = tokens.answer_url(invitation.token_key)
    opening = ("Nous n’avons pas encore reçu votre réponse à l’invitation suivante."
               if reminder else "Vous êtes invité·e à l’événement suivant.")
    if event.status == "polling":
        ask = ("Pour trouver une date commune, cochez les dates qui vous conviennent "
               "(sans vous connecter) :")
    else:
        ask = "Pour répondre (oui, non, peut-être ; sans vous connecter) :"
    return (f"Bonjour {invitation.name},\n\n{opening}\n\n"
            f"{event.kind_label} — {event.title}\n"
            f"Quand : {when_text(event)}\n{where_text(event)}\n\n"
            f"{agenda_text(event)}"
            f"{ask}\n{link}\n\n"
            f"Ce lien est personnel : il ne sert qu’à votre invitation et cesse de "
            f"fonctionner après l’événement.\n\n— Maillage\n")


def _subject(event: Event, reminder: bool) -> str:
    prefix = "Relance — " if reminder else ""
    if event.status == "polling":
        return f"{prefix}Quelle date vous convient ? « {event.title} »"
    return f"{prefix}Invitation : « {event.title} » le {date_fr(event.starts_at)}"


def _load_event(event_id: int) -> Event | None:
    return db.session.scalar(sa.select(Event).options(
        selectinload(Event.agenda), selectinload(Event.date_options))
        .where(Event.id == event_id))


# Invitations and reminders go out in batches, each its own transaction: a batch marks its
# invitees e-mailed in the same commit that queues their messages, then queues the next
# batch. A crash loses nothing (the next run picks up who is left) and sends nothing twice.
BATCH_SIZE = 200


@space_task("maillage.event_invitations")
def send_invitations(event_id: int) -> int:
    """Idempotent: only invitees without `emailed_at` are e-mailed."""
    event = _load_event(event_id)
    if event is None or event.status not in ("scheduled", "polling"):
        return 0
    closes = event.answers_close_at()
    if closes is not None and closes <= datetime.now(UTC):
        return 0  # a link that no longer works: people added after the event get nothing
    pending = db.session.scalars(sa.select(EventInvitation).where(
        EventInvitation.event_id == event_id, EventInvitation.emailed_at.is_(None))
        .order_by(EventInvitation.id).limit(BATCH_SIZE)
        .with_for_update(skip_locked=True)).all()
    now = datetime.now(UTC)
    for invitation in pending:
        message = mail.send(to=invitation.email, subject=_subject(event, reminder=False),
                            body=_invitation_body(event, invitation, reminder=False),
                            kind="event_invitation")
        invitation.emailed_at = now
        invitation.mail_message_id = message.id
    if len(pending) == BATCH_SIZE:
        defer_after_commit(send_invitations, event_id=event_id)
    return len(pending)


def non_responders(event: Event) -> sa.Select:
    """Invitees e-mailed who have not answered (during a poll: who have not ticked)."""
    from app.events.models import DateVote

    query = sa.select(EventInvitation).where(EventInvitation.event_id == event.id,
                                             EventInvitation.emailed_at.is_not(None))
    if event.status == "polling":
        voted = sa.exists().where(DateVote.invitation_id == EventInvitation.id)
        return query.where(~voted)
    return query.where(EventInvitation.response.is_(None))


@space_task("maillage.event_reminders")
def send_reminders(event_id: int, asked_at: str | None = None) -> int:
    """Idempotent per request: invitees reminded since `asked_at` (ISO) are skipped, and rows
    another reminder job is e-mailing right now are left to it."""
    event = _load_event(event_id)
    if event is None or event.status not in ("scheduled", "polling"):
        return 0
    closes = event.answers_close_at()
    now = datetime.now(UTC)
    if closes is not None and closes <= now:
        return 0
    query = non_responders(event)
    if asked_at:
        query = query.where(sa.or_(EventInvitation.reminded_at.is_(None),
                                   EventInvitation.reminded_at < datetime.fromisoformat(asked_at)))
    pending = db.session.scalars(query.order_by(EventInvitation.id).limit(BATCH_SIZE)
                                 .with_for_update(skip_locked=True)).all()
    for invitation in pending:
        message = mail.send(to=invitation.email, subject=_subject(event, reminder=True),
                            body=_invitation_body(event, invitation, reminder=True),
                            kind="event_reminder")
        invitation.reminded_at = now
        invitation.mail_message_id = message.id
    if len(pending) == BATCH_SIZE:
        # Those reminded by this batch have reminded_at = now, after `asked_at`: skipped.
        defer_after_commit(send_reminders, event_id=event_id,
                           asked_at=asked_at or now.isoformat())
    return len(pending)
