"""Registrations: seats, waiting list, cancellations and promotions, safe under concurrency.

Every change to a session's seats happens under a PostgreSQL advisory lock on that session
(held until the transaction ends), so two people taking the last seat are served one after
the other. A unique index on live registrations refuses a second registration of the same
person whatever the timing. Promotion runs as a job in the network's space, because only
the network sees every tenant's registrations.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from app.core import audit, mail, tenancy
from app.core.jobs import defer_after_commit, space_task
from app.core.models import User
from app.extensions import db
from app.tenants.models import Tenant
from app.training.models import TICKETS, Registration, Seat, SessionQuota, TrainingSession

LOCK_NAMESPACE = 7401  # pg_advisory_xact_lock(namespace, session id)


class RegistrationError(ValueError):
    """A French message for the person registering."""


class AlreadyRegistered(RegistrationError):
    def __init__(self, registration: Registration | None = None):
        super().__init__("Vous êtes déjà inscrit·e à cette session (ou en liste d’attente).")
        self.registration = registration


@dataclass
class Outcome:
    registration: Registration
    position: int | None  # waiting-list position, None when confirmed


def lock_session(session_id: int) -> None:
    db.session.execute(sa.text("select pg_advisory_xact_lock(:ns, :id)"),
                       {"ns": LOCK_NAMESPACE, "id": session_id})


def confirmed_count(session_id: int) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Seat).where(
        Seat.session_id == session_id, Seat.status == "confirmed")) or 0


def waiting_position(registration: Registration) -> int | None:
    if registration.status != "waiting":
        return None
    ahead = db.session.scalar(sa.select(sa.func.count()).select_from(Seat).where(
        Seat.session_id == registration.session_id, Seat.status == "waiting",
        Seat.ticket < registration.ticket)) or 0
    return ahead + 1


def registration_open(session: TrainingSession, now: datetime | None = None) -> str | None:
    """None if one may register now, else the French reason why not."""
    now = now or datetime.now(UTC)
    if session.state != "open":
        return "Les inscriptions à cette session ne sont pas ouvertes."
    if session.registration_opens_at and now < session.registration_opens_at:
        return "Les inscriptions ne sont pas encore ouvertes."
    if session.registration_closes_at and now > session.registration_closes_at:
        return "Les inscriptions à cette session sont closes."
    return None


def register(session: TrainingSession, user: User, registered_by: User | None = None,
             tenant_id: int | None = None) -> Outcome:
    """Register `user` (a person of the current tenant): a confirmed seat if one is left
    (within the tenant's quota), else a place on the waiting list."""
    space = tenancy.require_space()
    tenant_id = tenant_id or space.tenant_id
    lock_session(session.id)
    reason = registration_open(session)
    if reason:
        raise RegistrationError(reason)
    existing = db.session.scalar(sa.select(Registration).where(
        Registration.session_id == session.id, Registration.user_id == user.id,
        Registration.status != "cancelled"))
    if existing is not None:
        raise AlreadyRegistered(existing)
    status = "confirmed" if confirmed_count(session.id) < session.capacity else "waiting"
    if status == "confirmed" and _tenant_quota_full(session.id, tenant_id):
        status = "waiting"
    ticket = db.session.scalar(sa.select(TICKETS.next_value()))
    registration = Registration(session_id=session.id, user_id=user.id, status=status,
                                ticket=ticket, network_id=session.network_id,
                                tenant_id=tenant_id,
                                registered_by_id=getattr(registered_by or user, "id", None))
    try:
        with db.session.begin_nested():
            db.session.add(registration)
            db.session.flush()
            db.session.add(Seat(registration_id=registration.id, session_id=session.id,
                                ticket=ticket, status=status))
            db.session.flush()
    except IntegrityError as exc:  # the same person, registered meanwhile from elsewhere
        raise AlreadyRegistered() from exc
    audit.record("training.registered", f"session {session.id}", status=status,
                 user=user.email)
    return Outcome(registration, waiting_position(registration))


def _tenant_quota_full(session_id: int, tenant_id: int) -> bool:
    quota = db.session.scalar(sa.select(SessionQuota.seats).where(
        SessionQuota.session_id == session_id, SessionQuota.quota_tenant_id == tenant_id))
    if quota is None:
        return False
    taken = db.session.scalar(sa.select(sa.func.count(Registration.id)).where(
        Registration.session_id == session_id, Registration.tenant_id == tenant_id,
        Registration.status == "confirmed")) or 0
    return taken >= quota


def cancel(registration: Registration, by: User, *, as_coordinator: bool = False) -> None:
    """Cancel a registration; a freed seat goes to the waiting list (job, network space)."""
    session = db.session.get(TrainingSession, registration.session_id)
    lock_session(session.id)
    db.session.refresh(registration)
    if registration.status == "cancelled":
        return
    now = datetime.now(UTC)
    if (not as_coordinator and session.cancellation_deadline
            and now > session.cancellation_deadline):
        raise RegistrationError("La date limite d’annulation est passée : contactez la "
                                "coordination du réseau.")
    was_confirmed = registration.status == "confirmed"
    registration.status, registration.cancelled_at = "cancelled", now
    db.session.execute(sa.update(Seat).where(Seat.registration_id == registration.id)
                       .values(status="cancelled"))
    audit.record("training.cancelled", f"session {session.id}", user_id=registration.user_id,
                 by=by.email)
    if was_confirmed:
        schedule_promotion(session)


def schedule_promotion(session: TrainingSession) -> None:
    defer_after_commit(promote_waiting, space=tenancy.Space.for_network(session.network_id),
                       session_id=session.id)


@space_task("maillage.training_promote")
def promote_waiting(session_id: int) -> int:
    """Give freed seats to the first people waiting (respecting tenant quotas). Idempotent:
    it recounts under the session's lock, so running it twice promotes nobody twice."""
    return promote_now(session_id)


def promote_now(session_id: int) -> int:
    lock_session(session_id)
    session = db.session.get(TrainingSession, session_id)
    if session is None or session.state in ("cancelled", "done"):
        return 0
    free = session.capacity - confirmed_count(session_id)
    if free <= 0:
        return 0
    quotas = dict(db.session.execute(sa.select(SessionQuota.quota_tenant_id, SessionQuota.seats)
                                     .where(SessionQuota.session_id == session_id)).all())
    taken = dict(db.session.execute(
        sa.select(Registration.tenant_id, sa.func.count(Registration.id))
        .where(Registration.session_id == session_id, Registration.status == "confirmed")
        .group_by(Registration.tenant_id)).all())
    waiting = db.session.scalars(
        sa.select(Registration).where(Registration.session_id == session_id,
                                      Registration.status == "waiting")
        .order_by(Registration.ticket)).all()
    promoted = 0
    now = datetime.now(UTC)
    for registration in waiting:
        if promoted >= free:
            break
        tenant = registration.tenant_id
        if tenant in quotas and taken.get(tenant, 0) >= quotas[tenant]:
            continue
        registration.status, registration.promoted_at = "confirmed", now
        db.session.execute(sa.update(Seat).where(Seat.registration_id == registration.id)
                           .values(status="confirmed"))
        taken[tenant] = taken.get(tenant, 0) + 1
        promoted += 1
        _tell_promoted(registration, session)
    db.session.flush()
    return promoted


def tenant_link(tenant_id: int, path: str) -> str:
    """Absolute link, for e-mails, to `path` of the training pages of the tenant a person
    registered from (/t/<tenant>/formations…)."""
    base = current_app.config["BASE_URL"].rstrip("/")
    return f"{base}/t/{db.session.get(Tenant, tenant_id).slug}/formations{path}"


def parcours_link(tenant_id: int) -> str:
    return tenant_link(tenant_id, "/parcours")


def _tell_promoted(registration: Registration, session: TrainingSession) -> None:
    user = db.session.get(User, registration.user_id)
    mail.send(
        to=user.email, kind="training_promoted",
        subject=f"Maillage : une place s’est libérée — {session.module.title}",
        body=(f"Bonjour {user.full_name},\n\nUne place s’est libérée pour la session "
              f"« {session.module.title} » : votre inscription est confirmée.\n\n"
              f"Si vous ne pouvez plus venir, annulez-la depuis votre parcours de formation "
              f"pour laisser la place à la personne suivante :\n"
              f"{parcours_link(registration.tenant_id)}\n\n— Maillage\n"),
    )
    audit.record("training.promoted", f"session {session.id}", user=user.email,
                 tenant_id=registration.tenant_id)


def move(registration: Registration, target: TrainingSession, by: User) -> Outcome:
    """The coordinator moves someone to another session of the same module: the seat left
    behind goes to the waiting list, and the person takes a seat (or a waiting place) in
    the target session as if registering now."""
    if target.id == registration.session_id:
        raise RegistrationError("La personne est déjà inscrite à cette session.")
    source = db.session.get(TrainingSession, registration.session_id)
    if target.module_id != source.module_id:
        raise RegistrationError("On ne peut déplacer une inscription que vers une session "
                                "du même module.")
    if registration.status == "cancelled":
        raise RegistrationError("Cette inscription est annulée.")
    person = db.session.get(User, registration.user_id)
    outcome = register(target, person, registered_by=by, tenant_id=registration.tenant_id)
    cancel(registration, by, as_coordinator=True)
    audit.record("training.moved", f"session {source.id} → {target.id}", user=person.email,
                 tenant_id=registration.tenant_id)
    return outcome
