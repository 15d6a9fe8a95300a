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
    """`send` for a batch (dicts of to, subject, body, kind): one INSERT for all of them."""
    rows = [MailMessage(to_address=m["to"], subject=" ".join(m["subject"].split()),
                        body_text=m["body"], kind=m.get("kind", "")) for m in messages]
    db.session.add_all(rows)
    db.session.flush()
    for message in rows:
        defer_after_commit(deliver, message_id=message.id)
    return rows


# An SMTP server that refuses or is unreachable is tried again five times, over about
# three and a half minutes (20 s + 3^n s between tries).
@space_task("maillage.deliver_mail",
            retry=RetryStrategy(max_attempts=5, wait=20, exponential_wait=3))
def deliver(message_id: int) -> str:
    message = db.session.get(MailMessage, message_id, with_for_update=True)
    if message is None or message.status in ("sent", "outbox"):
        return "skipped"
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        message.status, message.transport = "outbox", "outbox"
        message.sent_at = datetime.now(UTC)
        return "outbox"
    try:
        _smtp_send(config, message)
    except (smtplib.SMTPException, OSError) as exc:
        # While tries remain, the message is still on its way (« en attente d'envoi », with
        # the last error); it is « échec » only when nobody will try again.
        message.error = f"{type(exc).__name__}: {exc}"[:2000]
        if is_last_attempt(deliver):
            message.status = "failed"
        db.session.commit()
        raise
    message.status, message.transport = "sent", "smtp"
    message.sent_at = datetime.now(UTC)
    message.error = ""
    # The body may hold a single-use link: once delivered it has no reason to stay here.
    message.body_text = ""
    if message.kind == EPHEMERAL_KIND:
        message.to_address = "(adresse effacée après envoi)"
    return "sent"


def _smtp_send(config, message: MailMessage) -> None:
    # Headers are not folded (RFC 5322 allows 998 characters): folding a subject with accents
    # can put a space at the seam of two encoded words, where mail readers drop it
    # (« maternel·le àPlérin »).
    email = EmailMessage(policy=email_policy.default.clone(max_line_length=998))
    email["From"] = config["MAIL_FROM"]
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Message-ID"] = make_msgid(domain="maillage")
    email.set_content(message.body_text)
    host, port = config["MAIL_SERVER"], config["MAIL_PORT"]
    smtp_cls = smtplib.SMTP_SSL if config.get("MAIL_USE_SSL") else smtplib.SMTP
    with smtp_cls(host, port, timeout=30) as smtp:
        if config.get("MAIL_USE_TLS") and not config.get("MAIL_USE_SSL"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        smtp.send_message(email)
