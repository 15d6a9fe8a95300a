"""The background-job queue and the outbox as the platform administrator sees them
(« Tâches et envois », /admin/taches): counts by state, failed jobs with their last error,
the oldest message still waiting, and putting failed jobs back in the queue.

procrastinate keeps its jobs in `procrastinate_jobs` (no ORM model: its schema belongs to
the library); the error of a job that raised is in `job_failure` (written by
`app.core.jobs.report_failure`). A retry calls procrastinate's own
`procrastinate_retry_job_v2`, the function its worker and its Django admin use: status back
to « todo », due now, `attempts` + 1, and its trigger records a « retried » event. The
worker picks the job up at its next poll (procrastinate notifies only on insert)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from app.core.models import MailMessage
from app.core.ui import Page
from app.extensions import db

PER_PAGE = 25
FAILED_MAILS = 25
MAIL_TASK = "maillage.deliver_mail"

# procrastinate's statuses, in the order of the page; « aborting » is a legacy state that
# procrastinate 3 no longer writes: counted with « aborted ».
JOB_STATES = {
    "todo": "en attente",
    "doing": "en cours",
    "succeeded": "réussies",
    "failed": "en échec",
    "cancelled": "annulées ou interrompues",
}
_STATE_OF = {"aborted": "cancelled", "aborting": "cancelled"}

MAIL_STATES = {
    "queued": "en attente d’envoi",
    "sent": "envoyés par SMTP",
    "outbox": "dans la boîte d’envoi de développement",
    "failed": "en échec",
}

TASK_LABELS = {
    "maillage.deliver_mail": "Envoi d’un courriel",
    "maillage.event_invitations": "Invitations à un événement",
    "maillage.event_reminders": "Relances d’un événement",
    "maillage.event_date_fixed": "Date fixée d’un événement",
    "maillage.event_cancelled": "Annulation d’un événement",
    "maillage.event_minutes": "Envoi d’un compte rendu",
    "maillage.fiche_digest": "Récapitulatif des fiches publiées",
    "maillage.fiche_digest_tenant": "Récapitulatif des fiches d’un territoire",
    "maillage.training_promote": "Liste d’attente d’une formation",
    "maillage.training_reminders": "Rappels des formations",
    "maillage.overdue_actions": "Rappels des actions en retard",
    "maillage.retry_stalled_jobs": "Reprise des tâches bloquées",
    "maillage.purge_expired": "Nettoyage nocturne",
}

# Job arguments worth showing, in words (the space is not: it is the job's own business).
ARG_LABELS = {"message_id": "courriel", "message_ids": "courriels", "event_id": "événement", "session_id": "session",
              "fiche_id": "fiche", "network_id": "réseau", "tenant_id": "territoire"}


def task_label(name: str) -> str:
    return TASK_LABELS.get(name, name)


def age_fr(seconds: float) -> str:
    """« moins d’une minute », « 3 min », « 2 h 05 », « 3 jours »."""
    minutes = int(seconds // 60)
    if minutes < 1:
        return "moins d’une minute"
    if minutes < 60:
        return f"{minutes} min"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} h {minutes % 60:02d}"
    return f"{hours // 24} jours"


# --------------------------------------------------------------------------- counts

@dataclass
class JobCounts:
    by_state: dict[str, int] = field(default_factory=dict)
    # (task, {state: count}) for the tasks that have jobs not succeeded
    by_task: list[tuple[str, dict[str, int]]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.by_state.values())

    def __getitem__(self, state: str) -> int:
        return self.by_state.get(state, 0)


def job_counts() -> JobCounts:
    """Jobs by state, and by task for those not succeeded (one query)."""
    rows = db.session.execute(sa.text("""
        select task_name, status::text as status, count(*) as n
        from procrastinate_jobs
        group by grouping sets ((status), (task_name, status))
    """)).all()
    counts = JobCounts()
    tasks: dict[str, dict[str, int]] = {}
    for task, status, number in rows:
        state = _STATE_OF.get(status, status)
        if task is None:
            counts.by_state[state] = counts.by_state.get(state, 0) + number
        elif state != "succeeded":
            per_task = tasks.setdefault(task, {})
            per_task[state] = per_task.get(state, 0) + number
    counts.by_task = sorted(tasks.items(), key=lambda item: (-item[1].get("failed", 0),
                                                             task_label(item[0])))
    return counts


@dataclass
class OutboxCounts:
    by_state: dict[str, int] = field(default_factory=dict)
    oldest_waiting: datetime | None = None
    waiting_seconds: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.by_state.values())

    @property
    def waiting_age(self) -> str:
        return age_fr(self.waiting_seconds)

    def __getitem__(self, state: str) -> int:
        return self.by_state.get(state, 0)


def outbox_counts() -> OutboxCounts:
    """Messages by state and the oldest one still queued (one query, on the index
    (status, created_at))."""
    rows = db.session.execute(
        sa.select(MailMessage.status, sa.func.count(), sa.func.min(MailMessage.created_at),
                  sa.func.extract("epoch", sa.func.now() - sa.func.min(MailMessage.created_at)))
        .group_by(MailMessage.status)).all()
    counts = OutboxCounts()
    for status, number, oldest, age in rows:
        counts.by_state[status] = number
        if status == "queued":
            counts.oldest_waiting, counts.waiting_seconds = oldest, max(0.0, float(age or 0))
    return counts


# --------------------------------------------------------------------------- failed jobs

@dataclass
class FailedJob:
    id: int
    task_name: str
    queue_name: str
    attempts: int
    args: dict
    failed_at: datetime | None
    error: str | None

    @property
    def label(self) -> str:
        return task_label(self.task_name)

    @property
    def message_ids(self) -> list[int]:
        return mail_ids_of(self.args)

    @property
    def message_id(self) -> int | None:
        """The message a mail job delivers (the first of its batch)."""
        return self.message_ids[0] if self.message_ids else None

    @property
    def details(self) -> str:
        """« événement n° 12 » — the arguments that say what the job was about."""
        parts = []
        for key, value in (self.args or {}).items():
            if key in ARG_LABELS and isinstance(value, int | str):
                parts.append(f"{ARG_LABELS[key]} n° {value}")
            elif key in ARG_LABELS and isinstance(value, list) and value:
                parts.append(f"{len(value)} {ARG_LABELS[key]} (n° {value[0]}"
                             + (f" à {value[-1]})" if len(value) > 1 else ")"))
        return ", ".join(parts)


def failed_jobs(page: int, total: int) -> Page:
    """One page of failed jobs, newest first, each with its last recorded error (one
    query: the error and the failure time come from lateral joins)."""
    rows = db.session.execute(sa.text("""
        select j.id, j.task_name, j.queue_name, j.attempts, j.args,
               coalesce(f.at, ev.at) as failed_at, f.error
        from procrastinate_jobs j
        left join lateral (
            select jf.error, jf.at from job_failure jf
            where jf.job_id = j.id order by jf.at desc, jf.id desc limit 1) f on true
        left join lateral (
            select e.at from procrastinate_events e
            where e.job_id = j.id and e.type = 'failed' order by e.at desc limit 1) ev on true
        where j.status = 'failed'
        order by j.id desc
        limit :limit offset :offset
    """), {"limit": PER_PAGE, "offset": (page - 1) * PER_PAGE}).all()
    return Page([FailedJob(*row) for row in rows], page, PER_PAGE, total)


def failed_mails() -> list[MailMessage]:
    return list(db.session.scalars(
        sa.select(MailMessage).where(MailMessage.status == "failed")
        .order_by(MailMessage.created_at.desc(), MailMessage.id.desc()).limit(FAILED_MAILS)))


# --------------------------------------------------------------------------- retrying

class RetryConflict(Exception):
    """A job with the same queueing lock entered the queue while retrying."""


@dataclass
class RetryOutcome:
    retried: int = 0
    mails: int = 0  # mail messages put back to « queued »
    skipped: int = 0  # the same periodic job is already waiting (its queueing lock)


def _retry(ids: list[int]) -> None:
    db.session.execute(sa.text("""
        select procrastinate_retry_job_v2(job_id, now(), null, null, null)
        from unnest(cast(:ids as bigint[])) as job_id
    """), {"ids": ids})


def _requeue_mails(message_ids: list[int]) -> int:
    """Failed messages whose delivery job is retried wait again: pages say « en attente
    d’envoi » rather than « échec » while the job has not run."""
    if not message_ids:
        return 0
    return db.session.execute(
        sa.update(MailMessage).where(MailMessage.id.in_(message_ids),
                                     MailMessage.status == "failed")
        .values(status="queued")).rowcount


def _lock_failed(where: str, params: dict) -> list[sa.Row]:
    """The failed jobs matching `where`, locked until the request commits (a second click
    or another administrator waits, then finds them no longer failed)."""
    return db.session.execute(sa.text(f"""
        select id, task_name, queueing_lock, args
        from procrastinate_jobs where status = 'failed' and {where}
        order by id desc for update
    """), params).all()


def _retryable(rows: list[sa.Row]) -> tuple[list[sa.Row], int]:
    """Leave out jobs whose queueing lock is taken by a job already waiting (periodic
    tasks: the next run is queued; procrastinate allows one « todo » job per lock), and
    keep the newest of failed jobs sharing one lock."""
    locks = {row.queueing_lock for row in rows if row.queueing_lock}
    waiting = set()
    if locks:
        waiting = set(db.session.scalars(sa.text(
            "select queueing_lock from procrastinate_jobs"
            " where status = 'todo' and queueing_lock = any(:locks)"), {"locks": list(locks)}))
    keep, seen = [], set(waiting)
    for row in rows:  # newest first
        if row.queueing_lock:
            if row.queueing_lock in seen:
                continue
            seen.add(row.queueing_lock)
        keep.append(row)
    return keep, len(rows) - len(keep)


def _apply(rows: list[sa.Row]) -> RetryOutcome:
    keep, skipped = _retryable(rows)
    outcome = RetryOutcome(skipped=skipped)
    if not keep:
        return outcome
    try:
        with db.session.begin_nested():
            _retry([row.id for row in keep])
    except sa.exc.IntegrityError as exc:
        # A periodic run deferred meanwhile took the queueing lock: nothing is retried.
        raise RetryConflict() from exc
    outcome.retried = len(keep)
    outcome.mails = _requeue_mails([
        message_id for row in keep if row.task_name == MAIL_TASK
        for message_id in mail_ids_of(row.args)])
    return outcome


def mail_ids_of(args: dict | None) -> list[int]:
    """The messages of a delivery job: `message_ids` (a batch), or `message_id` (jobs
    queued before deliveries were batched)."""
    args = args or {}
    ids = args.get("message_ids") or [args.get("message_id")]
    return [i for i in ids if isinstance(i, int)]


def retry_job(job_id: int) -> RetryOutcome | None:
    """Put one failed job back in the queue; None when it is not (or no longer) failed."""
    rows = _lock_failed("id = :id", {"id": job_id})
    if not rows:
        return None
    return _apply(rows)


def retry_all(up_to_id: int) -> RetryOutcome:
    """Every failed job the administrator saw on the confirmation page (id ≤ up_to_id)."""
    return _apply(_lock_failed("id <= :up_to", {"up_to": up_to_id}))


@dataclass
class RetryAllPreview:
    jobs: int
    mails: int
    up_to_id: int


def retry_all_preview() -> RetryAllPreview:
    jobs, mails, up_to = db.session.execute(sa.text("""
        select count(*), count(*) filter (where task_name = :mail_task), coalesce(max(id), 0)
        from procrastinate_jobs where status = 'failed'
    """), {"mail_task": MAIL_TASK}).one()
    return RetryAllPreview(jobs, mails, up_to)
