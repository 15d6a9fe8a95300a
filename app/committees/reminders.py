"""Overdue actions: every morning, each person in charge of actions whose due date has
passed gets one e-mail listing them all, then again every seven days while they stay open.

`last_reminded_on` (set in the same transaction as the e-mail) makes a run idempotent
within a day, and the rows are locked (skip locked) so that two runs at the same moment
never remind the same action twice.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from app.committees.models import OPEN_ACTION_STATUSES, ActionItem, Committee, Decision
from app.core import mail, tenancy
from app.core.jobs import proc_app, run_in_app
from app.core.ui import PARIS, date_fr
from app.extensions import db

EVERY = timedelta(days=7)


def due(today: date) -> list[ActionItem]:
    """Open actions past their due date, with an address, not reminded in the last week."""
    return list(db.session.scalars(
        sa.select(ActionItem)
        .options(selectinload(ActionItem.decision).selectinload(Decision.event))
        .where(ActionItem.status.in_(OPEN_ACTION_STATUSES),
               ActionItem.due_on < today,
               ActionItem.owner_email != "",
               sa.or_(ActionItem.last_reminded_on.is_(None),
                      ActionItem.last_reminded_on <= today - EVERY))
        .order_by(ActionItem.due_on, ActionItem.id)
        .with_for_update(of=ActionItem, skip_locked=True)))


def _line(action: ActionItem, committees: dict[int, str], today: date) -> str:
    decision = action.decision
    event = decision.event
    late = (today - action.due_on).days
    where = f"réunion « {event.title} »"
    if event.starts_at is not None:
        where += f" du {date_fr(event.starts_at, with_time=False)}"
    if decision.committee_id in committees:
        where += f", {committees[decision.committee_id]}"
    return (f"- {action.title}\n"
            f"  Prévue pour le {date_fr(action.due_on)} (en retard de {late} jour"
            f"{'s' if late > 1 else ''}) — {action.status_label.lower()}\n"
            f"  Décision : {decision.title} ({where})\n")


def _send(email: str, actions: list[ActionItem], committees: dict[int, str],
          today: date) -> None:
    count = len(actions)
    plural = "s" if count > 1 else ""
    base = current_app.config["BASE_URL"].rstrip("/")
    mail.send(
        to=email, kind="action_overdue",
        subject=(f"Maillage : {count} action{plural} en retard" if count > 1
                 else f"Maillage : action en retard — « {actions[0].title[:120]} »"),
        body=(f"Bonjour {actions[0].owner_name},\n\n"
              f"Vous êtes indiqué·e comme responsable de {count} action{plural} décidée"
              f"{plural} en réunion, dont l’échéance est passée :\n\n"
              + "\n".join(_line(a, committees, today) for a in actions)
              + "\nSi c’est fait, ou si l’échéance a changé, prévenez l’organisation du "
              "comité pour qu’elle mette le suivi à jour. Sans nouvelle, ce rappel revient "
              f"dans une semaine.\n\n{base}/\n\n— Maillage\n"))


def remind_overdue(today: date | None = None) -> int:
    """Send the overdue-action reminders of `today` (Europe/Paris); returns how many
    e-mails went out (one per address)."""
    from app.committees.services import today as paris_today

    today = today or paris_today()
    # Unscoped on purpose: the job reads the open actions of every tenant and network to
    # know whom to remind; it writes only `last_reminded_on` and the e-mails.
    with tenancy.unscoped("overdue action reminders", db.session):
        actions = due(today)
        committee_ids = {a.decision.committee_id for a in actions if a.decision.committee_id}
        committees = dict(db.session.execute(
            sa.select(Committee.id, Committee.name).where(Committee.id.in_(committee_ids))
        ).all()) if committee_ids else {}
        by_address: dict[str, list[ActionItem]] = {}
        for action in actions:
            by_address.setdefault(action.owner_email.strip().lower(), []).append(action)
        for email, owned in by_address.items():
            _send(email, owned, committees, today)
            for action in owned:
                action.last_reminded_on = today
        db.session.commit()
    return len(by_address)


@proc_app.periodic(cron="0 7 * * *")
@proc_app.task(name="maillage.overdue_actions", queueing_lock="overdue_actions")
def send_overdue_reminders(timestamp: int) -> int:
    # The schedule's own tick is the clock (its day in Paris): a late run acts for that day.
    return run_in_app(remind_overdue, datetime.fromtimestamp(timestamp, PARIS).date())
