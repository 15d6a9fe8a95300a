"""The coordinator's side of training: catalogue, sessions and their sittings, quotas,
cancelling a whole session, attendance and the yearly indicators.

Registrations themselves (seats, waiting list, promotion) stay in `services`. Everything
here runs in the network's space: it sees every registration to the network's sessions,
and nothing of another network. Functions flush; the view commits once."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

import sqlalchemy as sa

from app.core import audit, mail
from app.core.models import User
from app.extensions import db
from app.networks.models import NetworkTenant, Organisation
from app.tenants.models import Tenant
from app.training import services
from app.training.models import (
    Attendance,
    FeedbackAnswer,
    Registration,
    Seat,
    SessionQuota,
    TrainingModule,
    TrainingNeed,
    TrainingSession,
    TrainingSitting,
)

MODULE_FIELDS = ("title", "kind", "objectives", "programme", "audience", "duration_hours",
                 "provider_organisation_id", "provider_name", "prerequisites", "status")
SESSION_FIELDS = ("place_address", "room", "remote_link", "capacity", "registration_opens_at",
                  "registration_closes_at", "cancellation_deadline", "state")


# --------------------------------------------------------------------------- look-ups

def organisations() -> list[Organisation]:
    return list(db.session.scalars(sa.select(Organisation).order_by(Organisation.name)))


def member_tenants() -> list[Tenant]:
    """The network's member tenants (membership rows are visible in the network space;
    tenant names are public)."""
    return list(db.session.scalars(
        sa.select(Tenant).join(NetworkTenant, NetworkTenant.tenant_id == Tenant.id)
        .order_by(Tenant.name)))


def session_counts(module_ids: list[int]) -> dict[int, int]:
    if not module_ids:
        return {}
    return dict(db.session.execute(
        sa.select(TrainingSession.module_id, sa.func.count(TrainingSession.id))
        .where(TrainingSession.module_id.in_(module_ids))
        .group_by(TrainingSession.module_id)).all())


# --------------------------------------------------------------------------- catalogue

def save_module(module: TrainingModule | None, values: dict) -> TrainingModule:
    created = module is None
    if created:
        module = TrainingModule()
        db.session.add(module)
    for name in MODULE_FIELDS:
        setattr(module, name, values[name])
    if module.provider_organisation_id is not None:
        module.provider_name = module.provider_name or ""
    db.session.flush()
    audit.record("training.module_created" if created else "training.module_updated",
                 f"module {module.id}", title=module.title, status=module.status)
    return module


# --------------------------------------------------------------------------- sessions

def save_session(session: TrainingSession | None, module: TrainingModule, values: dict,
                 sittings: list[tuple[datetime, datetime]],
                 quotas: dict[int, int]) -> TrainingSession:
    """Create or update a session, its sittings (kept in date order, existing rows reused so
    attendance stays attached) and its quotas. More seats → the waiting list is promoted."""
    created = session is None
    previous_capacity = 0 if created else session.capacity
    if created:
        session = TrainingSession(module_id=module.id)
        db.session.add(session)
    else:
        services.lock_session(session.id)
    for name in SESSION_FIELDS:
        setattr(session, name, values[name])
    db.session.flush()

    existing = list(session.sittings)
    for index, (starts_at, ends_at) in enumerate(sittings):
        if index < len(existing):
            existing[index].starts_at, existing[index].ends_at = starts_at, ends_at
        else:
            session.sittings.append(TrainingSitting(starts_at=starts_at, ends_at=ends_at))
    for extra in existing[len(sittings):]:
        session.sittings.remove(extra)

    rows = {q.quota_tenant_id: q for q in db.session.scalars(
        sa.select(SessionQuota).where(SessionQuota.session_id == session.id))}
    for tenant_id, seats in quotas.items():
        if tenant_id in rows:
            rows.pop(tenant_id).seats = seats
        else:
            db.session.add(SessionQuota(session_id=session.id, quota_tenant_id=tenant_id,
                                        seats=seats))
    for row in rows.values():
        db.session.delete(row)
    db.session.flush()

    audit.record("training.session_created" if created else "training.session_updated",
                 f"session {session.id}", module=module.title, capacity=session.capacity,
                 state=session.state, sittings=len(sittings), quotas=len(quotas))
    if not created and session.capacity > previous_capacity:
        services.schedule_promotion(session)
    return session


def quotas_of(session: TrainingSession) -> dict[int, int]:
    return dict(db.session.execute(
        sa.select(SessionQuota.quota_tenant_id, SessionQuota.seats)
        .where(SessionQuota.session_id == session.id)).all())


@dataclass
class Roster:
    confirmed: list[Registration] = field(default_factory=list)
    waiting: list[tuple[int, Registration]] = field(default_factory=list)  # (position, reg)
    cancelled: list[Registration] = field(default_factory=list)


def roster(session: TrainingSession) -> Roster:
    """Every registration to the session, grouped, people loaded in the same query."""
    from sqlalchemy.orm import joinedload

    result = Roster()
    rows = db.session.scalars(
        sa.select(Registration).options(joinedload(Registration.user))
        .where(Registration.session_id == session.id).order_by(Registration.ticket)).all()
    for registration in rows:
        if registration.status == "confirmed":
            result.confirmed.append(registration)
        elif registration.status == "waiting":
            result.waiting.append((len(result.waiting) + 1, registration))
        else:
            result.cancelled.append(registration)
    return result


def cancel_session(session: TrainingSession) -> int:
    """Cancel the session and every live registration; tell each person by e-mail."""
    services.lock_session(session.id)
    now = datetime.now(UTC)
    live = db.session.scalars(
        sa.select(Registration).where(Registration.session_id == session.id,
                                      Registration.status != "cancelled")
        .order_by(Registration.ticket)).all()
    people = {u.id: u for u in db.session.scalars(
        sa.select(User).where(User.id.in_([r.user_id for r in live])))} if live else {}
    session.state = "cancelled"
    for registration in live:
        registration.status, registration.cancelled_at = "cancelled", now
    db.session.execute(sa.update(Seat).where(Seat.session_id == session.id,
                                             Seat.status != "cancelled")
                       .values(status="cancelled"))
    first = session.sittings[0].starts_at if session.sittings else None
    from app.core.ui import date_fr

    when = f" du {date_fr(first)}" if first else ""
    for registration in live:
        person = people[registration.user_id]
        mail.send(
            to=person.email, kind="training_session_cancelled",
            subject=f"Maillage : session annulée — {session.module.title}",
            body=(f"Bonjour {person.full_name},\n\nLa session « {session.module.title} »"
                  f"{when} est annulée par la coordination du réseau. Votre inscription "
                  f"est donc annulée, vous n’avez rien à faire.\n\nRetrouvez les autres "
                  f"sessions proposées sur Maillage :\n"
                  f"{services.tenant_link(registration.tenant_id, '')}\n\n— Maillage\n"))
    db.session.flush()
    audit.record("training.session_cancelled", f"session {session.id}",
                 module=session.module.title, registrations=len(live))
    return len(live)


# --------------------------------------------------------------------------- attendance

def attendance_map(session: TrainingSession) -> dict[tuple[int, int], bool]:
    """(registration id, sitting id) → present, for the session's marked rows."""
    return {(a.registration_id, a.sitting_id): a.present for a in db.session.scalars(
        sa.select(Attendance).join(Registration, Registration.id == Attendance.registration_id)
        .where(Registration.session_id == session.id))}


def save_attendance(session: TrainingSession, confirmed: list[Registration],
                    present: set[tuple[int, int]], by: User) -> int:
    """Mark every confirmed person × sitting present or absent (one row each, updated in
    place when it exists). Returns the number of presences."""
    services.lock_session(session.id)
    rows = {(a.registration_id, a.sitting_id): a for a in db.session.scalars(
        sa.select(Attendance).where(Attendance.registration_id.in_(
            [r.id for r in confirmed])))} if confirmed else {}
    now = datetime.now(UTC)
    for registration in confirmed:
        for sitting in session.sittings:
            key = (registration.id, sitting.id)
            is_present = key in present
            row = rows.get(key)
            if row is None:
                db.session.add(Attendance(
                    registration_id=registration.id, sitting_id=sitting.id,
                    present=is_present, marked_by_id=by.id, marked_at=now,
                    tenant_id=registration.tenant_id, network_id=registration.network_id))
            elif row.present != is_present:
                row.present, row.marked_by_id, row.marked_at = is_present, by.id, now
    db.session.flush()
    audit.record("training.attendance_marked", f"session {session.id}",
                 presences=len(present), people=len(confirmed))
    return len(present)


def sitting_hours(sitting: TrainingSitting) -> Decimal:
    seconds = (sitting.ends_at - sitting.starts_at).total_seconds()
    return (Decimal(seconds) / Decimal(3600)).quantize(Decimal("0.1"))


def attendance_csv(session: TrainingSession, confirmed: list[Registration],
                   tenants: dict[int, str]) -> str:
    """Semicolon-separated, with a BOM so that Excel reads the accents."""
    from app.core.ui import date_fr

    marks = attendance_map(session)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["Personne", "E-mail", "Territoire"]
                    + [f"Séance du {date_fr(s.starts_at)}" for s in session.sittings]
                    + ["Heures"])
    for registration in confirmed:
        hours = Decimal("0")
        cells = []
        for sitting in session.sittings:
            here = marks.get((registration.id, sitting.id), False)
            cells.append("présent" if here else "absent")
            if here:
                hours += sitting_hours(sitting)
        writer.writerow([registration.user.full_name, registration.user.email,
                         tenants.get(registration.tenant_id, "")] + cells
                        + [str(hours).replace(".", ",")])
    return out.getvalue()


# --------------------------------------------------------------------------- indicators

@dataclass
class TenantFigures:
    tenant: Tenant
    people: int = 0
    hours: Decimal = Decimal("0")
    present: int = 0
    expected: int = 0
    satisfaction: float | None = None

    @property
    def attendance_rate(self) -> float | None:
        return self.present / self.expected if self.expected else None


@dataclass
class Indicators:
    year: int
    rows: list[TenantFigures]
    total: TenantFigures
    needs: list[tuple[str, int, int]]  # (topic, declarations, people)


def indicators(year: int) -> Indicators:
    """Figures per member tenant for the sessions whose sittings fall in `year`, in a
    fixed number of queries whatever the number of tenants or sessions."""
    start = datetime(year, 1, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC)
    in_year = sa.and_(TrainingSitting.starts_at >= start, TrainingSitting.starts_at < end)

    tenants = member_tenants()
    rows = {t.id: TenantFigures(t) for t in tenants}

    present_rows = (
        sa.select(Registration.id.label("registration_id"), Registration.tenant_id,
                  Registration.user_id, Registration.session_id)
        .join(Attendance, Attendance.registration_id == Registration.id)
        .join(TrainingSitting, TrainingSitting.id == Attendance.sitting_id)
        .where(Attendance.present, in_year)
        .distinct().subquery())
    for tenant_id, people in db.session.execute(
            sa.select(present_rows.c.tenant_id,
                      sa.func.count(sa.distinct(present_rows.c.user_id)))
            .group_by(present_rows.c.tenant_id)):
        if tenant_id in rows:
            rows[tenant_id].people = people
    for tenant_id, hours in db.session.execute(
            sa.select(present_rows.c.tenant_id, sa.func.sum(TrainingModule.duration_hours))
            .join(TrainingSession, TrainingSession.id == present_rows.c.session_id)
            .join(TrainingModule, TrainingModule.id == TrainingSession.module_id)
            .group_by(present_rows.c.tenant_id)):
        if tenant_id in rows:
            rows[tenant_id].hours = hours or Decimal("0")

    for tenant_id, present in db.session.execute(
            sa.select(Registration.tenant_id, sa.func.count(Attendance.id))
            .join(Attendance, Attendance.registration_id == Registration.id)
            .join(TrainingSitting, TrainingSitting.id == Attendance.sitting_id)
            .where(Attendance.present, Registration.status == "confirmed", in_year)
            .group_by(Registration.tenant_id)):
        if tenant_id in rows:
            rows[tenant_id].present = present
    for tenant_id, expected in db.session.execute(
            sa.select(Registration.tenant_id, sa.func.count())
            .join(TrainingSitting, TrainingSitting.session_id == Registration.session_id)
            .where(Registration.status == "confirmed", in_year)
            .group_by(Registration.tenant_id)):
        if tenant_id in rows:
            rows[tenant_id].expected = expected

    sessions_in_year = sa.select(TrainingSitting.session_id).where(in_year)
    for tenant_id, average in db.session.execute(
            sa.select(FeedbackAnswer.tenant_id, sa.func.avg(FeedbackAnswer.satisfaction))
            .where(FeedbackAnswer.session_id.in_(sessions_in_year))
            .group_by(FeedbackAnswer.tenant_id)):
        if tenant_id in rows and average is not None:
            rows[tenant_id].satisfaction = float(average)
    overall = db.session.scalar(
        sa.select(sa.func.avg(FeedbackAnswer.satisfaction))
        .where(FeedbackAnswer.session_id.in_(sessions_in_year)))

    needs = [(topic, count, people) for topic, count, people in db.session.execute(
        sa.select(TrainingNeed.topic, sa.func.count(TrainingNeed.id),
                  sa.func.count(sa.distinct(TrainingNeed.user_id)))
        .where(TrainingNeed.created_at >= start, TrainingNeed.created_at < end)
        .group_by(TrainingNeed.topic)
        .order_by(sa.func.count(TrainingNeed.id).desc(), TrainingNeed.topic))]

    figures = list(rows.values())
    total = TenantFigures(tenant=None,  # type: ignore[arg-type]
                          people=sum(f.people for f in figures),
                          hours=sum((f.hours for f in figures), Decimal("0")),
                          present=sum(f.present for f in figures),
                          expected=sum(f.expected for f in figures),
                          satisfaction=float(overall) if overall is not None else None)
    return Indicators(year=year, rows=figures, total=total, needs=needs)
