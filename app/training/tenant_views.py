"""The tenant's side of RPE training, for animators and tenant administrators:
/t/<tenant>/formations/… (browse sessions, register, cancel, training record, needs)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy.orm import aliased, joinedload, selectinload

from app.core import audit, spaces, tenancy
from app.core.forms import FormSchema, choice, load, text
from app.core.models import User
from app.core.tokens import new_token
from app.core.ui import paginate, render
from app.extensions import db
from app.networks.models import Network
from app.tenants.models import TenantRole
from app.training import services
from app.training.calendar import build_calendar, ics_response, session_location
from app.training.models import (
    MODULE_KINDS,
    REGISTRATION_STATUSES,
    Attendance,
    CalendarFeed,
    Registration,
    Seat,
    TrainingModule,
    TrainingNeed,
    TrainingSession,
    TrainingSitting,
)

PARIS = ZoneInfo("Europe/Paris")
PARTICIPANTS = ("rpe_animator", "tenant_admin")
NEED_TOPICS = {**MODULE_KINDS, "autre": "Autre sujet"}

bp = spaces.tenant_blueprint("training", __name__, url_prefix="/t/<tenant_slug>/formations",
               template_folder="templates")



# --------------------------------------------------------------------------- helpers

def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 16 else None


def _month_bounds(value: str) -> tuple[datetime, datetime] | None:
    """'2026-03' → [1 March, 1 April) in Europe/Paris; None if not a month."""
    try:
        year, month = (int(part) for part in value.split("-"))
        start = datetime(year, month, 1, tzinfo=PARIS)
    except ValueError:
        return None
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=PARIS)
    return start, end


def _like(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _confirmed_counts(session_ids: list[int]) -> dict[int, int]:
    if not session_ids:
        return {}
    return dict(db.session.execute(
        sa.select(Seat.session_id, sa.func.count())
        .where(Seat.session_id.in_(session_ids), Seat.status == "confirmed")
        .group_by(Seat.session_id)).all())


def _own_registrations(session_ids: list[int]) -> dict[int, Registration]:
    if not session_ids:
        return {}
    rows = db.session.scalars(sa.select(Registration).where(
        Registration.session_id.in_(session_ids), Registration.user_id == current_user.id,
        Registration.status != "cancelled"))
    return {r.session_id: r for r in rows}


def _waiting_positions(registrations: list[Registration]) -> dict[int, int]:
    """Waiting-list position of each registration, in one query (same rule as
    services.waiting_position: waiting seats with an earlier ticket, plus one)."""
    waiting = [r.id for r in registrations if r.status == "waiting"]
    if not waiting:
        return {}
    ahead = aliased(Seat)
    rows = db.session.execute(
        sa.select(Seat.registration_id, sa.func.count(ahead.registration_id))
        .join(ahead, sa.and_(ahead.session_id == Seat.session_id, ahead.status == "waiting",
                             ahead.ticket <= Seat.ticket))
        .where(Seat.registration_id.in_(waiting))
        .group_by(Seat.registration_id)).all()
    return dict(rows)


def _visible_session(session_id: int) -> TrainingSession:
    """A session the tenant may see (open/closed/…, published module, own network)."""
    session = db.session.scalar(
        sa.select(TrainingSession).join(TrainingSession.module)
        .options(joinedload(TrainingSession.module), selectinload(TrainingSession.sittings))
        .where(TrainingSession.id == session_id))
    if session is None:
        abort(404)
    return session


def _live_registration(session_id: int, user_id: int) -> Registration | None:
    return db.session.scalar(sa.select(Registration).where(
        Registration.session_id == session_id, Registration.user_id == user_id,
        Registration.status != "cancelled"))


def _cancellable(session: TrainingSession) -> bool:
    deadline = session.cancellation_deadline
    return deadline is None or datetime.now(UTC) <= deadline


# --------------------------------------------------------------------------- browsing

@bp.get("")
def index():
    now = datetime.now(UTC)
    filters = {"kind": request.args.get("kind", ""), "month": request.args.get("month", ""),
               "place": request.args.get("place", "").strip()[:200],
               "seats_left": request.args.get("seats_left", "")}
    first_start = (sa.select(sa.func.min(TrainingSitting.starts_at))
                   .where(TrainingSitting.session_id == TrainingSession.id)
                   .correlate(TrainingSession).scalar_subquery())
    confirmed = (sa.select(sa.func.count()).select_from(Seat)
                 .where(Seat.session_id == TrainingSession.id, Seat.status == "confirmed")
                 .correlate(TrainingSession).scalar_subquery())
    stmt = (sa.select(TrainingSession).join(TrainingSession.module)
            .options(joinedload(TrainingSession.module), selectinload(TrainingSession.sittings))
            .where(TrainingSession.state.in_(("open", "closed")),
                   sa.exists().where(TrainingSitting.session_id == TrainingSession.id,
                                     TrainingSitting.starts_at > now))
            .order_by(first_start, TrainingSession.id))
    if filters["kind"] in MODULE_KINDS:
        stmt = stmt.where(TrainingModule.kind == filters["kind"])
    else:
        filters["kind"] = ""
    bounds = _month_bounds(filters["month"]) if filters["month"] else None
    if bounds:
        stmt = stmt.where(first_start >= bounds[0], first_start < bounds[1])
    else:
        filters["month"] = ""
    if filters["place"]:
        pattern = _like(filters["place"])
        stmt = stmt.where(sa.or_(TrainingSession.place_address.ilike(pattern, escape="\\"),
                                 TrainingSession.room.ilike(pattern, escape="\\")))
    if filters["seats_left"]:
        stmt = stmt.where(TrainingSession.capacity > confirmed)
    page = paginate(db.session, stmt)
    ids = [s.id for s in page.items]
    counts = _confirmed_counts(ids)
    mine = _own_registrations(ids)
    positions = _waiting_positions(list(mine.values()))
    seats_left = {s.id: max(0, s.capacity - counts.get(s.id, 0)) for s in page.items}
    return render("training/tenant/index.html", page=page, filters=filters,
                  kinds=MODULE_KINDS, seats_left=seats_left, mine=mine, positions=positions,
                  filtered=any(filters.values()))


@bp.get("/sessions/<int:session_id>")
def session(session_id: int):
    training = _visible_session(session_id)
    registration = _live_registration(training.id, current_user.id)
    position = services.waiting_position(registration) if registration else None
    seats_left = max(0, training.capacity - services.confirmed_count(training.id))
    return render("training/tenant/session.html", training=training,
                  registration=registration, position=position, seats_left=seats_left,
                  closed_reason=services.registration_open(training),
                  cancellable=_cancellable(training), location=session_location(training),
                  may_register=spaces.has_role(*PARTICIPANTS))


@bp.get("/sessions/<int:session_id>.ics")
def session_ics(session_id: int):
    training = _visible_session(session_id)
    body = build_calendar([(training, None)], training.module.title)
    return ics_response(body, f"formation-{training.id}.ics")


# --------------------------------------------------------------------------- registering

@bp.post("/sessions/<int:session_id>/inscription")
@spaces.require_role(*PARTICIPANTS)
def register(session_id: int):
    training = _visible_session(session_id)
    try:
        outcome = services.register(training, current_user)
    except services.RegistrationError as err:
        db.session.rollback()
        flash(str(err), "error")
        return redirect(url_for(".session", session_id=session_id))
    db.session.commit()
    if outcome.position is None:
        flash("Inscription confirmée.", "success")
    else:
        flash(f"Vous êtes en liste d’attente (position {outcome.position}).", "info")
    return redirect(url_for(".session", session_id=session_id))


@bp.route("/sessions/<int:session_id>/annulation", methods=["GET", "POST"])
@spaces.require_role(*PARTICIPANTS)
def cancel(session_id: int):
    training = _visible_session(session_id)
    registration = _live_registration(training.id, current_user.id)
    if registration is None:
        abort(404)
    if request.method == "GET":
        return render("training/tenant/cancel.html", training=training,
                      registration=registration, cancellable=_cancellable(training))
    try:
        services.cancel(registration, current_user)
    except services.RegistrationError as err:
        db.session.rollback()
        flash(str(err), "error")
        return redirect(url_for(".session", session_id=session_id))
    db.session.commit()
    flash("Votre inscription est annulée.", "success")
    return redirect(url_for(".session", session_id=session_id))


# --------------------------------------------------------------------------- record

def _hours(duration: Decimal, sittings: int, present: int) -> Decimal:
    """Module hours if present at every sitting, else in proportion of sittings attended."""
    if sittings <= 0 or present <= 0:
        return Decimal("0")
    share = Decimal(duration) * min(present, sittings) / sittings
    return share.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _attended(user_id: int) -> dict[int, tuple[Decimal, datetime]]:
    """registration id → (hours attended, first sitting) for every registration of
    `user_id` with at least one sitting marked present; one query."""
    present = (sa.select(Attendance.registration_id, sa.func.count().label("n"))
               .where(Attendance.present.is_(True))
               .group_by(Attendance.registration_id).subquery())
    sittings = (sa.select(TrainingSitting.session_id, sa.func.count().label("n"),
                          sa.func.min(TrainingSitting.starts_at).label("first"))
                .group_by(TrainingSitting.session_id).subquery())
    rows = db.session.execute(
        sa.select(Registration.id, TrainingModule.duration_hours, sittings.c.n, present.c.n,
                  sittings.c.first)
        .join(TrainingSession, TrainingSession.id == Registration.session_id)
        .join(TrainingModule, TrainingModule.id == TrainingSession.module_id)
        .join(sittings, sittings.c.session_id == Registration.session_id)
        .join(present, present.c.registration_id == Registration.id)
        .where(Registration.user_id == user_id)).all()
    return {rid: (_hours(duration, n_sittings, n_present), first)
            for rid, duration, n_sittings, n_present, first in rows}


@bp.get("/parcours")
@spaces.require_role(*PARTICIPANTS)
def parcours():
    stmt = (sa.select(Registration)
            .options(joinedload(Registration.session).joinedload(TrainingSession.module),
                     joinedload(Registration.session).selectinload(TrainingSession.sittings))
            .where(Registration.user_id == current_user.id)
            .order_by(Registration.created_at.desc(), Registration.id.desc()))
    page = paginate(db.session, stmt)
    attended = _attended(current_user.id)
    year = datetime.now(PARIS).year
    year_hours = sum((hours for hours, first in attended.values()
                      if first.astimezone(PARIS).year == year), Decimal("0"))
    positions = _waiting_positions(page.items)
    active_feed = db.session.scalar(sa.select(sa.func.count(CalendarFeed.id)).where(
        CalendarFeed.user_id == current_user.id, CalendarFeed.revoked_at.is_(None)))
    return render("training/tenant/parcours.html", page=page, attended=attended,
                  year=year, year_hours=year_hours, positions=positions,
                  statuses=REGISTRATION_STATUSES, has_feed=bool(active_feed), feed_url=None)


@bp.get("/parcours/<int:registration_id>/attestation")
@spaces.require_role(*PARTICIPANTS)
def certificate(registration_id: int):
    registration = db.session.scalar(
        sa.select(Registration)
        .options(joinedload(Registration.session).joinedload(TrainingSession.module),
                 joinedload(Registration.user))
        .where(Registration.id == registration_id))
    if registration is None or not (registration.user_id == current_user.id
                                    or spaces.has_role("tenant_admin")):
        abort(404)
    sittings = db.session.scalars(
        sa.select(TrainingSitting)
        .join(Attendance, Attendance.sitting_id == TrainingSitting.id)
        .where(Attendance.registration_id == registration.id, Attendance.present.is_(True))
        .order_by(TrainingSitting.starts_at)).all()
    if not sittings:
        abort(404)
    total = db.session.scalar(sa.select(sa.func.count(TrainingSitting.id)).where(
        TrainingSitting.session_id == registration.session_id)) or 0
    training = registration.session
    network = db.session.get(Network, registration.network_id)
    return render("training/tenant/certificate.html", registration=registration,
                  training=training, sittings=sittings, network=network,
                  hours=_hours(training.module.duration_hours, total, len(sittings)),
                  issued=date.today())


# --------------------------------------------------------------------------- calendar feed

@bp.post("/parcours/calendrier")
@spaces.require_role(*PARTICIPANTS)
def feed():
    now = datetime.now(UTC)
    db.session.execute(sa.update(CalendarFeed).where(
        CalendarFeed.user_id == current_user.id, CalendarFeed.revoked_at.is_(None))
        .values(revoked_at=now))
    token, hashed = new_token()
    db.session.add(CalendarFeed(user_id=current_user.id, token_hash=hashed))
    audit.record("training.calendar_feed_created", f"user {current_user.id}")
    db.session.commit()
    return render("training/tenant/feed.html",
                  feed_url=current_app.config["BASE_URL"].rstrip("/")
                  + url_for("training_feed.feed", token=token))


@bp.post("/parcours/calendrier/revoquer")
@spaces.require_role(*PARTICIPANTS)
def revoke_feed():
    db.session.execute(sa.update(CalendarFeed).where(
        CalendarFeed.user_id == current_user.id, CalendarFeed.revoked_at.is_(None))
        .values(revoked_at=datetime.now(UTC)))
    audit.record("training.calendar_feed_revoked", f"user {current_user.id}")
    db.session.commit()
    flash("L’adresse de votre calendrier est désactivée : les agendas abonnés ne seront "
          "plus mis à jour.", "success")
    return redirect(url_for(".parcours"))


# --------------------------------------------------------------------------- needs

class NeedForm(FormSchema):
    topic = choice(NEED_TOPICS)
    details = text(max_length=2000)


@bp.route("/besoins", methods=["GET", "POST"])
@spaces.require_role(*PARTICIPANTS)
def needs():
    space = tenancy.require_space()
    values, errors, status = {}, {}, 200
    if request.method == "POST":
        if not space.network_ids:
            abort(404)
        values, errors = load(NeedForm(), request.form)
        if not errors:
            db.session.add(TrainingNeed(user_id=current_user.id, topic=values["topic"],
                                        details=values["details"],
                                        network_id=space.network_ids[0]))
            db.session.commit()
            flash("Merci : votre besoin de formation est transmis à la coordination du "
                  "réseau.", "success")
            return redirect(url_for(".needs"))
        status = 400
    declared = db.session.scalars(
        sa.select(TrainingNeed).where(TrainingNeed.user_id == current_user.id)
        .order_by(TrainingNeed.created_at.desc(), TrainingNeed.id.desc()).limit(50)).all()
    return render("training/tenant/needs.html", values=values, errors=errors,
                  topics=NEED_TOPICS, declared=declared,
                  has_network=bool(space.network_ids)), status


# --------------------------------------------------------------------------- staff

class StaffForm(FormSchema):
    user_id = text(required=True, max_length=20)
    session_id = text(required=True, max_length=20)


def _animators() -> list[User]:
    return list(db.session.scalars(
        sa.select(User).join(TenantRole, TenantRole.user_id == User.id)
        .where(TenantRole.role == "rpe_animator", User.is_active)
        .order_by(User.full_name).distinct()))


def _open_sessions() -> list[TrainingSession]:
    now = datetime.now(UTC)
    return list(db.session.scalars(
        sa.select(TrainingSession).join(TrainingSession.module)
        .options(joinedload(TrainingSession.module), selectinload(TrainingSession.sittings))
        .where(TrainingSession.state == "open",
               sa.exists().where(TrainingSitting.session_id == TrainingSession.id,
                                 TrainingSitting.starts_at > now))
        .order_by(TrainingModule.title, TrainingSession.id)))


def _pick(options, raw: str):
    return next((o for o in options if str(o.id) == raw), None)


@bp.route("/inscriptions", methods=["GET", "POST"])
@spaces.require_role("tenant_admin")
def staff():
    people, sessions = _animators(), _open_sessions()
    values, errors, failure, status = {}, {}, None, 200
    if request.method == "POST":
        values, errors = load(StaffForm(), request.form)
        person = _pick(people, values.get("user_id") or "")
        training = _pick(sessions, values.get("session_id") or "")
        if not errors and person is None:
            errors["user_id"] = "Choisissez une personne dans la liste."
        if not errors and training is None:
            errors["session_id"] = "Choisissez une session dans la liste."
        if not errors:
            try:
                outcome = services.register(training, person, registered_by=current_user)
            except services.RegistrationError as err:
                db.session.rollback()
                failure = str(err)
            else:
                db.session.commit()
                if outcome.position is None:
                    flash(f"{person.full_name} est inscrit·e à « {training.module.title} ».",
                          "success")
                else:
                    flash(f"{person.full_name} est en liste d’attente pour "
                          f"« {training.module.title} » (position {outcome.position}).", "info")
                return redirect(url_for(".staff"))
        status = 400
    stmt = (sa.select(Registration)
            .options(joinedload(Registration.user),
                     joinedload(Registration.session).joinedload(TrainingSession.module),
                     joinedload(Registration.session).selectinload(TrainingSession.sittings))
            .order_by(Registration.created_at.desc(), Registration.id.desc()))
    page = paginate(db.session, stmt)
    positions = _waiting_positions(page.items)
    return render("training/tenant/staff.html", page=page, positions=positions,
                  people=people, sessions=sessions, values=values, errors=errors,
                  failure=failure, statuses=REGISTRATION_STATUSES), status


@bp.get("/indicateurs")
@spaces.require_role("tenant_admin")
def indicators():
    """The network's indicators, computed in the tenant's space: the same queries only see
    the tenant's own registrations, attendance, answers and needs."""
    from app.training import coordination
    from app.training.models import MODULE_KINDS

    this_year = datetime.now(UTC).year
    year = request.args.get("annee", "")
    year = int(year) if year.isascii() and year.isdigit() and 2000 <= int(year) <= 2100 \
        else this_year
    return render_template("training/network/indicators.html", tenant_scope=True,
                           figures=coordination.indicators(year), module_kinds=MODULE_KINDS,
                           years=range(this_year + 1, this_year - 6, -1))
