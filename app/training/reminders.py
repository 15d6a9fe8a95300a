"""Reminder e-mail two days before each sitting, to everyone whose seat is confirmed.

A periodic job runs every half hour and picks sittings starting between 47 and 49 hours
from now: the two-hour window overlaps consecutive runs, so a late or skipped run still
catches every sitting, and the `training_reminder_sent` row (inserted before the e-mail,
in the same transaction) makes sure nobody is reminded twice of the same sitting.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import joinedload

from app.core import mail, tenancy
from app.core.jobs import proc_app, run_in_app
from app.core.ui import PARIS, date_fr
from app.extensions import db
from app.training.models import Registration, ReminderSent, TrainingSession, TrainingSitting
from app.training.services import parcours_link

WINDOW_START = timedelta(hours=47)
WINDOW_END = timedelta(hours=49)


def due(now: datetime) -> list[tuple[Registration, TrainingSitting]]:
    """Confirmed registrations × sittings in the window, not yet reminded (one query)."""
    reminded = sa.exists().where(ReminderSent.registration_id == Registration.id,
                                 ReminderSent.sitting_id == TrainingSitting.id)
    rows = db.session.execute(
        sa.select(Registration, TrainingSitting)
        .join(TrainingSitting, TrainingSitting.session_id == Registration.session_id)
        .join(TrainingSession, TrainingSession.id == Registration.session_id)
        .options(joinedload(Registration.user),
                 joinedload(Registration.session).joinedload(TrainingSession.module))
        .where(TrainingSitting.starts_at >= now + WINDOW_START,
               TrainingSitting.starts_at < now + WINDOW_END,
               TrainingSession.state != "cancelled",
               Registration.status == "confirmed",
               ~reminded)
        .order_by(TrainingSitting.starts_at, Registration.id)).all()
    return [(registration, sitting) for registration, sitting in rows]


def _claim(registration: Registration, sitting: TrainingSitting) -> bool:
    """Record the reminder; False if another run recorded it first."""
    inserted = db.session.execute(
        insert(ReminderSent).values(registration_id=registration.id, sitting_id=sitting.id)
        .on_conflict_do_nothing().returning(ReminderSent.registration_id)).first()
    return inserted is not None


def _where(session: TrainingSession) -> str:
    lines = []
    place = ", ".join(part for part in (session.room, session.place_address) if part)
    if place:
        lines.append(f"Lieu : {place}")
    if session.remote_link:
        lines.append(f"Lien pour suivre la séance à distance : {session.remote_link}")
    return "\n".join(lines) or "Le lieu vous sera précisé par la coordination du réseau."


def _send(registration: Registration, sitting: TrainingSitting) -> None:
    session = registration.session
    title = session.module.title
    user = registration.user
    end = sitting.ends_at.astimezone(PARIS)
    mail.send(
        to=user.email, kind="training_reminder",
        subject=f"Maillage : rappel — « {title} » le {date_fr(sitting.starts_at)}",
        body=(f"Bonjour {user.full_name},\n\n"
              f"Petit rappel : vous êtes inscrit·e à la formation « {title} ».\n"
              f"La séance a lieu le {date_fr(sitting.starts_at)} "
              f"(fin prévue à {end.hour} h {end.minute:02d}).\n\n"
              f"{_where(session)}\n\n"
              f"Si vous ne pouvez plus venir, annulez votre inscription depuis votre parcours "
              f"de formation pour laisser la place à une autre personne :\n"
              f"{parcours_link(registration.tenant_id)}\n\n"
              f"— Maillage\n"),
    )


def remind_due(now: datetime | None = None) -> int:
    """Send the reminders due at `now`; returns how many were sent."""
    now = now or datetime.now(UTC)
    # Unscoped on purpose: the job reads the sittings and registrations of every network and
    # tenant to know whom to remind; it writes nothing but ReminderSent rows and e-mails.
    with tenancy.unscoped("training reminders", db.session):
        sent = 0
        for registration, sitting in due(now):
            if _claim(registration, sitting):
                _send(registration, sitting)
                sent += 1
        db.session.commit()
    return sent


@proc_app.periodic(cron="*/30 * * * *")
@proc_app.task(name="maillage.training_reminders", queueing_lock="training_reminders")
def send_reminders(timestamp: int) -> int:
    # The schedule's own tick is the clock: a late run acts for the moment it was due.
    return run_in_app(remind_due, datetime.fromtimestamp(timestamp, UTC))
