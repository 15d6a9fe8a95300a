"""E-mail: every message is stored, then delivered by a background job.

With MAIL_SERVER set, the job sends it through SMTP; otherwise it stays in the development
outbox, readable by the platform administrator (/admin/courriels) and `flask mail outbox`.
"""

from __future__ import annotations

import smtplib
from datetime import UTC, datetime
from email import policy as email_policy
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app, render_template
from procrastinate import RetryStrategy

from app.core.jobs import defer_after_commit, is_last_attempt, space_task
from app.core.models import MailMessage
from app.extensions import db

# Messages to people who are not users (a parent at the desk): once delivered by SMTP, the
# address and the text are erased; only the fact that a message went out remains.
EPHEMERAL_KIND = "to_family"


def render(template: str, **context) -> str:
    return render_template(template, **context)


def send(*, to: str, subject: str, body: str, kind: str = "") -> MailMessage:
    """Store the message in the current transaction and queue its delivery after commit.
    The subject is made one line: a title typed with a line break (an event's, say) would
    otherwise make the header unsendable."""
    return send_many([{"to": to, "subject": subject, "body": body, "kind": kind}])[0]


def send_many(messages: list[dict]) -> list[MailMessage]:
    """`send` for a batch (dicts of to, subject, body, kind): one INSERT for all of them,
    and one delivery job per DELIVERY_BATCH messages."""
    rows = [MailMessage(to_address=m["to"], subject=" ".join(m["subject"].split()),
                        body_text=m["body"], kind=m.get("kind", "")) for m in messages]
    db.session.add_all(rows)
    db.session.flush()
    ids = [message.id for message in rows]
    for start in range(0, len(ids), DELIVERY_BATCH):
        defer_after_commit(deliver, message_ids=ids[start:start + DELIVERY_BATCH])
    return rows


# Messages queued together (a digest to a tenant's readers, an event's invitations) leave
# together: one job and one SMTP connection for up to 50 of them, each message its own
# transaction, so a crash in the middle resends nothing that had left.
DELIVERY_BATCH = 50
# Errors of the connection (refused, dropped, timed out, login): the rest of the batch
# waits for the job's next try. Other SMTP errors concern one message (an address refused).
CONNECTION_SMTP_ERRORS = (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError,
                          smtplib.SMTPHeloError, smtplib.SMTPAuthenticationError)


def _is_connection_error(exc: Exception) -> bool:
    # SMTPException is an OSError too: a plain OSError is the network's, not a refusal.
    return isinstance(exc, CONNECTION_SMTP_ERRORS) or not isinstance(exc, smtplib.SMTPException)


# An SMTP server that refuses or is unreachable is tried again five times, over about
# three and a half minutes (20 s + 3^n s between tries).
@space_task("maillage.deliver_mail",
            retry=RetryStrategy(max_attempts=5, wait=20, exponential_wait=3))
def deliver(message_ids: list[int] | None = None, message_id: int | None = None) -> dict:
    """Deliver those of `message_ids` still waiting (`message_id`: jobs queued before
    batches). Returns how many were sent, put in the outbox, skipped and refused."""
    ids = list(message_ids or []) + ([message_id] if message_id is not None else [])
    outcome = {"sent": 0, "outbox": 0, "skipped": 0, "refused": 0}
    refused: Exception | None = None
    with _SmtpConnection(current_app.config) as smtp:
        for one_id in ids:
            message = db.session.get(MailMessage, one_id, with_for_update=True)
            if message is None or message.status in ("sent", "outbox"):
                outcome["skipped"] += 1
            elif smtp.config.get("MAIL_SERVER"):
                try:
                    smtp.send(message)
                except OSError as exc:
                    _note_failure(message, exc)
                    if _is_connection_error(exc):
                        db.session.commit()
                        raise  # the remaining messages wait for the next try, unsent
                    refused, outcome["refused"] = exc, outcome["refused"] + 1
                else:
                    _mark_sent(message)
                    outcome["sent"] += 1
            else:
                message.status, message.transport = "outbox", "outbox"
                message.sent_at = datetime.now(UTC)
                outcome["outbox"] += 1
            db.session.commit()
    if refused is not None:
        raise refused  # tried again later for the refused ones only; the others are done
    return outcome


def _note_failure(message: MailMessage, exc: Exception) -> None:
    # While tries remain, the message is still on its way (« en attente d'envoi », with
    # the last error); it is « échec » only when nobody will try again.
    message.error = f"{type(exc).__name__}: {exc}"[:2000]
    if is_last_attempt(deliver):
        message.status = "failed"


def _mark_sent(message: MailMessage) -> None:
    message.status, message.transport = "sent", "smtp"
    message.sent_at = datetime.now(UTC)
    message.error = ""
    # The body may hold a single-use link: once delivered it has no reason to stay here.
    message.body_text = ""
    if message.kind == EPHEMERAL_KIND:
        message.to_address = "(adresse effacée après envoi)"


class _SmtpConnection:
    """One SMTP session for a batch, opened at the first message that needs it."""

    def __init__(self, config):
        self.config = config
        self._smtp = None

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                self._smtp.close()

    def _open(self):
        config = self.config
        smtp_cls = smtplib.SMTP_SSL if config.get("MAIL_USE_SSL") else smtplib.SMTP
        smtp = smtp_cls(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30)
        if config.get("MAIL_USE_TLS") and not config.get("MAIL_USE_SSL"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        return smtp

    def send(self, message: MailMessage) -> None:
        if self._smtp is None:
            self._smtp = self._open()
        self._smtp.send_message(_as_email(self.config, message))


def _as_email(config, message: MailMessage) -> EmailMessage:
    # Headers are not folded (RFC 5322 allows 998 characters): folding a subject with accents
    # can put a space at the seam of two encoded words, where mail readers drop it
    # (« maternel·le àPlérin »).
    email = EmailMessage(policy=email_policy.default.clone(max_line_length=998))
    email["From"] = config["MAIL_FROM"]
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Message-ID"] = make_msgid(domain="maillage")
    email.set_content(message.body_text)
    return email
