"""What became of each invitee's last e-mail, for the organiser's pages (invitations and
answers): « en attente d’envoi », « envoyé », « échec » and why.

`EventInvitation.mail_message_id` points at the last message queued for the invitee (the
invitation, a reminder, the « date fixée » notice…); its `MailMessage.status` is the truth.
An invitee e-mailed before that link existed (`emailed_at` set, no message) is shown as
such: we cannot see whether the message left, so no page says it did.

Two queries per page whatever its size: the summary counts of the whole event (one
`group by`), and the states of the page's rows (one `where id in (…)`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from app.core.models import MailMessage
from app.events.models import Event, EventInvitation
from app.extensions import db

SHORT_ERROR = 90

MAIL_KINDS = {
    "event_invitation": "Invitation",
    "event_reminder": "Relance",
    "event_date_fixed": "Date fixée",
    "event_cancelled": "Annulation",
    "event_minutes": "Compte rendu",
}

# state: (badge text, badge class)
LABELS = {
    "queued": ("En attente d’envoi", ""),
    "sent": ("Envoyé", "badge-ok"),
    "outbox": ("Dans la boîte d’envoi de développement", "badge-ok"),
    "failed": ("Échec", "badge-off"),
    "untracked": ("Envoi non suivi", ""),
    "waiting": ("En attente d’envoi", ""),
    "draft": ("Partira à la publication", ""),
    "unsent": ("Non envoyée", ""),
}


def short_error(text: str, limit: int = SHORT_ERROR) -> str:
    """The first line of an error, cut to `limit` characters."""
    line = (text or "").strip().splitlines()[0] if (text or "").strip() else ""
    return line if len(line) <= limit else line[:limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class Delivery:
    state: str
    kind: str = ""  # what the last message was (« Invitation », « Relance »…)
    at: datetime | None = None  # when it left (sent, outbox) or was queued
    error: str = ""

    @property
    def label(self) -> str:
        return LABELS[self.state][0]

    @property
    def badge(self) -> str:
        return LABELS[self.state][1]

    @property
    def short_error(self) -> str:
        return short_error(self.error)

    @property
    def error_is_cut(self) -> bool:
        return self.short_error != (self.error or "").strip()


def _pending_state(event: Event) -> str:
    """An invitee with no message yet: waits for the publication, for the job, or for
    nothing (the event is cancelled, over, or its answers closed)."""
    from app.events.views import answers_open

    if event.status == "draft":
        return "draft"
    return "waiting" if answers_open(event) else "unsent"


def states(event: Event, rows: list[EventInvitation]) -> dict[int, Delivery]:
    """The delivery state of each invitation of `rows`, by invitation id (one query)."""
    ids = {row.mail_message_id for row in rows if row.mail_message_id is not None}
    messages = {}
    if ids:
        messages = {m.id: m for m in db.session.execute(
            sa.select(MailMessage.id, MailMessage.status, MailMessage.kind,
                      MailMessage.sent_at, MailMessage.created_at, MailMessage.error)
            .where(MailMessage.id.in_(ids))).all()}
    pending = _pending_state(event)
    result = {}
    for row in rows:
        message = messages.get(row.mail_message_id)
        if message is not None and message.status in LABELS:
            result[row.id] = Delivery(
                message.status, MAIL_KINDS.get(message.kind, "E-mail"),
                message.sent_at if message.status in ("sent", "outbox") else message.created_at,
                message.error if message.status == "failed" else "")
        elif row.emailed_at is not None:
            result[row.id] = Delivery("untracked", "Invitation", row.emailed_at)
        else:
            result[row.id] = Delivery(pending)
    return result


@dataclass
class Summary:
    total: int = 0
    by_state: dict[str, int] = field(default_factory=dict)

    def count(self, *names: str) -> int:
        return sum(self.by_state.get(name, 0) for name in names)

    @property
    def parts(self) -> list[tuple[str, int, str]]:
        """(state, count, words) of the non-empty states, most telling first."""
        def plural(n: int, one: str, many: str) -> str:
            return one if n == 1 else many

        n = self.count
        parts = [
            ("sent", n("sent"), plural(n("sent"), "envoyée", "envoyées")),
            ("outbox", n("outbox"), "dans la boîte d’envoi de développement"),
            ("queued", n("queued", "waiting"), "en attente d’envoi"),
            ("failed", n("failed"), "en échec"),
            ("untracked", n("untracked"),
             plural(n("untracked"), "mise en envoi avant le suivi (état inconnu)",
                    "mises en envoi avant le suivi (état inconnu)")),
            ("draft", n("draft"), plural(n("draft"), "partira à la publication",
                                         "partiront à la publication")),
            ("unsent", n("unsent"), plural(n("unsent"), "non envoyée", "non envoyées")),
        ]
        return [part for part in parts if part[1]]

    @property
    def text(self) -> str:
        """« 42 invitations : 40 envoyées, 1 en attente d’envoi, 1 en échec »."""
        head = f"{self.total} invitation{'s' if self.total > 1 else ''}"
        details = ", ".join(f"{count} {words}" for _, count, words in self.parts)
        return f"{head} : {details}" if details else head


def summary(event: Event) -> Summary:
    """Every invitee of the event by the state of their last message (one query)."""
    state = sa.case(
        (MailMessage.status.is_not(None), MailMessage.status),
        (EventInvitation.emailed_at.is_not(None), sa.literal("untracked")),
        else_=sa.literal("pending"))
    rows = db.session.execute(
        sa.select(state, sa.func.count(EventInvitation.id))
        .select_from(EventInvitation)
        .outerjoin(MailMessage, MailMessage.id == EventInvitation.mail_message_id)
        .where(EventInvitation.event_id == event.id).group_by(state)).all()
    result = Summary()
    pending = _pending_state(event)
    for name, number in rows:
        name = pending if name == "pending" else name
        if name not in LABELS:
            name = "queued"  # an unknown status is not a delivery
        result.by_state[name] = result.by_state.get(name, 0) + number
        result.total += number
    return result


def tracking_query(event: Event) -> sa.Select:
    """The invitees for the « Suivi des envois » list: failures first, then what waits,
    then the others by name."""
    order = sa.case(
        (MailMessage.status == "failed", 0),
        (MailMessage.status == "queued", 1),
        (sa.and_(MailMessage.id.is_(None), EventInvitation.emailed_at.is_(None)), 1),
        else_=2)
    return (sa.select(EventInvitation)
            .outerjoin(MailMessage, MailMessage.id == EventInvitation.mail_message_id)
            .where(EventInvitation.event_id == event.id)
            .order_by(order, sa.func.lower(EventInvitation.name), EventInvitation.id))
