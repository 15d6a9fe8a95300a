"""The coordinator's side of training, under /n/<network>/formations: catalogue, sessions,
registrations, cancellation, attendance and indicators. Thin views: parse, fetch in the
network's space (another network's id is simply not found), call a service, commit once."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from app.core import spaces
from app.core.form_dates import to_local_input
from app.core.forms import load
from app.core.spaces import require_role
from app.core.ui import PARIS, paginate
from app.extensions import db
from app.training import coordination, services
from app.training.models import (
    MODULE_KINDS,
    REGISTRATION_STATUSES,
    SESSION_STATES,
    Registration,
    TrainingModule,
    TrainingSession,
)
from app.training.schemas import (
    EDITABLE_STATES,
    MAX_SITTINGS,
    MODULE_STATUSES,
    ModuleSchema,
    SessionSchema,
    parse_quotas,
    parse_sittings,
)

bp = spaces.network_blueprint("training_admin", __name__, url_prefix="/n/<network_slug>/formations",
               template_folder="templates")



@bp.context_processor
def _labels():
    return {"module_kinds": MODULE_KINDS, "module_statuses": MODULE_STATUSES,
            "session_states": SESSION_STATES, "registration_statuses": REGISTRATION_STATUSES,
            "hour_fr": hour_fr}


def hour_fr(value: datetime) -> str:
    """« 12 h 30 », in Europe/Paris."""
    local = value.astimezone(PARIS)
    return f"{local.hour} h {local.minute:02d}"


# --------------------------------------------------------------------------- helpers

def module_or_404(module_id: int) -> TrainingModule:
    module = db.session.scalar(sa.select(TrainingModule).where(TrainingModule.id == module_id))
    if module is None:
        abort(404)
    return module


def session_or_404(session_id: int) -> TrainingSession:
    session = db.session.scalar(
        sa.select(TrainingSession)
        .options(joinedload(TrainingSession.module), selectinload(TrainingSession.sittings))
        .where(TrainingSession.id == session_id))
    if session is None:
        abort(404)
    return session


def tenant_names() -> dict[int, str]:
    return {t.id: t.name for t in coordination.member_tenants()}


# --------------------------------------------------------------------------- catalogue

@bp.get("")
@require_role("network_coordinator")
def index():
    page = paginate(db.session, sa.select(TrainingModule)
                    .order_by(TrainingModule.status.desc(), TrainingModule.title))
    counts = coordination.session_counts([m.id for m in page.items])
    return render_template("training/network/index.html", page=page, counts=counts)


def _module_form(module: TrainingModule | None):
    orgs = coordination.organisations()
    values: dict = {}
    errors: dict[str, str] = {}
    if request.method == "POST":
        values, errors = load(ModuleSchema(organisation_ids=[o.id for o in orgs]), request.form)
        if not errors:
            saved = coordination.save_module(module, values)
            db.session.commit()
            flash("Module créé." if module is None else "Module enregistré.", "success")
            return redirect(url_for(".module_edit", module_id=saved.id))
    elif module is not None:
        values = {name: getattr(module, name) for name in coordination.MODULE_FIELDS}
        values["duration_hours"] = str(module.duration_hours).replace(".", ",")
    else:
        values = {"status": "draft", "duration_hours": ""}
    sessions = []
    if module is not None:
        sessions = db.session.scalars(
            sa.select(TrainingSession).options(selectinload(TrainingSession.sittings))
            .where(TrainingSession.module_id == module.id)
            .order_by(TrainingSession.id.desc())).all()
    return render_template("training/network/module_form.html", module=module,
                           values=values, errors=errors, organisations=orgs,
                           sessions=sessions), 400 if errors else 200


@bp.route("/modules/nouveau", methods=["GET", "POST"])
@require_role("network_coordinator")
def module_new():
    return _module_form(None)


@bp.route("/modules/<int:module_id>", methods=["GET", "POST"])
@require_role("network_coordinator")
def module_edit(module_id: int):
    return _module_form(module_or_404(module_id))


# --------------------------------------------------------------------------- sessions

def _session_form(module: TrainingModule, session: TrainingSession | None):
    tenants = coordination.member_tenants()
    errors: dict[str, str] = {}
    if request.method == "POST":
        values, errors = load(SessionSchema(), request.form)
        sittings, sitting_errors = parse_sittings(request.form)
        quotas, quota_errors = parse_quotas(request.form, [t.id for t in tenants])
        errors = {**errors, **sitting_errors, **quota_errors}
        if not errors:
            saved = coordination.save_session(session, module, values, sittings, quotas)
            db.session.commit()
            flash("Session créée." if session is None else "Session enregistrée.", "success")
            return redirect(url_for(".session", session_id=saved.id))
        values = request.form.to_dict()
    elif session is not None:
        values = {name: getattr(session, name) for name in coordination.SESSION_FIELDS}
        for name in ("registration_opens_at", "registration_closes_at",
                     "cancellation_deadline"):
            values[name] = to_local_input(values[name])
        for row, sitting in enumerate(session.sittings, start=1):
            local_start = to_local_input(sitting.starts_at)
            values[f"sitting_date_{row}"] = local_start[:10]
            values[f"sitting_start_{row}"] = local_start[11:]
            values[f"sitting_end_{row}"] = to_local_input(sitting.ends_at)[11:]
        for tenant_id, seats in coordination.quotas_of(session).items():
            values[f"quota_{tenant_id}"] = seats
    else:
        values = {"state": "planned"}
    return render_template("training/network/session_form.html", module=module,
                           session=session, values=values, errors=errors, tenants=tenants,
                           rows=range(1, MAX_SITTINGS + 1),
                           states=EDITABLE_STATES), 400 if errors else 200


@bp.route("/modules/<int:module_id>/sessions/nouvelle", methods=["GET", "POST"])
@require_role("network_coordinator")
def session_new(module_id: int):
    return _session_form(module_or_404(module_id), None)


@bp.route("/sessions/<int:session_id>/modifier", methods=["GET", "POST"])
@require_role("network_coordinator")
def session_edit(session_id: int):
    session = session_or_404(session_id)
    if session.state == "cancelled":
        flash("Cette session est annulée : elle ne peut plus être modifiée.", "error")
        return redirect(url_for(".session", session_id=session.id))
    return _session_form(session.module, session)


@bp.get("/sessions/<int:session_id>")
@require_role("network_coordinator")
def session(session_id: int):
    current = session_or_404(session_id)
    siblings = db.session.scalars(
        sa.select(TrainingSession).options(selectinload(TrainingSession.sittings))
        .where(TrainingSession.module_id == current.module_id,
                                         TrainingSession.id != current.id,
                                         TrainingSession.state.in_(("planned", "open")))
        .order_by(TrainingSession.id)).all()
    return render_template("training/network/session.html", session=current,
                           roster=coordination.roster(current), tenants=tenant_names(),
                           quotas=coordination.quotas_of(current), siblings=siblings)


@bp.post("/inscriptions/<int:registration_id>/deplacer")
@require_role("network_coordinator")
def registration_move(registration_id: int):
    registration = db.session.scalar(
        sa.select(Registration).options(joinedload(Registration.user))
        .where(Registration.id == registration_id))
    target_id = request.form.get("target", "")
    target = (db.session.get(TrainingSession, int(target_id))
              if target_id.isascii() and target_id.isdigit() and len(target_id) < 16 else None)
    if registration is None or target is None:
        abort(404)
    try:
        outcome = services.move(registration, target, current_user)
    except services.RegistrationError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for(".session", session_id=registration.session_id))
    db.session.commit()
    where = ("inscrite" if outcome.position is None
             else f"en liste d’attente (position {outcome.position})")
    flash(f"{registration.user.full_name} est déplacée vers l’autre session : {where}.",
          "success")
    return redirect(url_for(".session", session_id=target.id))


@bp.post("/inscriptions/<int:registration_id>/annuler")
@require_role("network_coordinator")
def registration_cancel(registration_id: int):
    registration = db.session.scalar(
        sa.select(Registration).options(joinedload(Registration.user))
        .where(Registration.id == registration_id))
    if registration is None:
        abort(404)
    services.cancel(registration, current_user, as_coordinator=True)
    db.session.commit()
    flash(f"Inscription de {registration.user.full_name} annulée. Si une place s’est "
          "libérée, la première personne en liste d’attente va la recevoir.", "success")
    return redirect(url_for(".session", session_id=registration.session_id))


@bp.post("/sessions/<int:session_id>/promouvoir")
@require_role("network_coordinator")
def promote(session_id: int):
    current = session_or_404(session_id)
    promoted = services.promote_now(current.id)
    if promoted:
        from app.core import audit

        audit.record("training.promoted_now", f"session {current.id}", promoted=promoted)
    db.session.commit()
    if promoted:
        flash(f"{promoted} personne{'s' if promoted > 1 else ''} passée"
              f"{'s' if promoted > 1 else ''} de la liste d’attente aux inscrits.", "success")
    else:
        flash("Aucune place libre à attribuer (ou quotas atteints).", "info")
    return redirect(url_for(".session", session_id=current.id))


@bp.route("/sessions/<int:session_id>/annuler", methods=["GET", "POST"])
@require_role("network_coordinator")
def session_cancel(session_id: int):
    current = session_or_404(session_id)
    if current.state == "cancelled":
        flash("Cette session est déjà annulée.", "info")
        return redirect(url_for(".session", session_id=current.id))
    if request.method == "POST":
        told = coordination.cancel_session(current)
        db.session.commit()
        flash(f"Session annulée ; l’e-mail qui prévient {told} personne"
              f"{'s' if told > 1 else ''} est en cours d’envoi." if told else
              "Session annulée ; personne n’était à prévenir par e-mail.", "success")
        return redirect(url_for(".session", session_id=current.id))
    live = db.session.scalar(sa.select(sa.func.count(Registration.id)).where(
        Registration.session_id == current.id, Registration.status != "cancelled"))
    return render_template("training/network/session_cancel.html", session=current,
                           live=live or 0)


# --------------------------------------------------------------------------- attendance

@bp.route("/sessions/<int:session_id>/presences", methods=["GET", "POST"])
@require_role("network_coordinator")
def attendance(session_id: int):
    current = session_or_404(session_id)
    confirmed = coordination.roster(current).confirmed
    if request.method == "POST":
        present: set[tuple[int, int]] = set()
        known = {(r.id, s.id) for r in confirmed for s in current.sittings}
        for raw in request.form.getlist("present"):
            parts = raw.split("-")
            if len(parts) == 2 and all(p.isdigit() for p in parts):
                key = (int(parts[0]), int(parts[1]))
                if key in known:
                    present.add(key)
        coordination.save_attendance(current, confirmed, present, current_user)
        db.session.commit()
        flash("Présences enregistrées.", "success")
        return redirect(url_for(".attendance", session_id=current.id))
    return render_template("training/network/attendance.html", session=current,
                           confirmed=confirmed, marks=coordination.attendance_map(current),
                           tenants=tenant_names())


@bp.get("/sessions/<int:session_id>/presences.csv")
@require_role("network_coordinator")
def attendance_csv(session_id: int):
    current = session_or_404(session_id)
    confirmed = coordination.roster(current).confirmed
    body = coordination.attendance_csv(current, confirmed, tenant_names())
    filename = f"presences-session-{current.id}.csv"
    return Response(body.encode("utf-8"), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


# --------------------------------------------------------------------------- indicators

@bp.get("/indicateurs")
@require_role("network_coordinator")
def indicators():
    this_year = datetime.now(UTC).year
    try:
        year = int(request.args.get("annee", this_year))
    except ValueError:
        year = this_year
    if not 2000 <= year <= 2100:
        year = this_year
    return render_template("training/network/indicators.html",
                           figures=coordination.indicators(year),
                           years=range(this_year + 1, this_year - 6, -1))
