"""Network space: /n/<network>/… (dashboard, member tenants, coordination).

The partner directory lives in `app.networks.partners`, on the same blueprint."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import (
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from app.core import spaces
from app.core.forms import load
from app.core.spaces import require_role
from app.extensions import db
from app.networks import services
from app.networks.schemas import InviteSchema

bp = spaces.network_blueprint("networks", __name__, url_prefix="/n/<network_slug>", template_folder="templates")



@bp.get("/")
@require_role("network_coordinator")
def home():
    # Features built in their own packages show a link once their pages exist.
    ready = {name for name in ("fiches_admin.index",) if name in current_app.view_functions}
    return render_template("networks/home.html", figures=services.dashboard(), ready=ready)


# --------------------------------------------------------------------------- members

@bp.get("/territoires")
@require_role("network_coordinator")
def members():
    return render_template("networks/members.html", rows=services.members())


@bp.get("/territoires/<int:tenant_id>")
@require_role("network_coordinator")
def member(tenant_id: int):
    tenant = services.member(tenant_id)
    if tenant is None:
        abort(404)
    return render_template("networks/member.html", tenant=tenant,
                           communes=services.member_communes(tenant),
                           relais=services.member_relais(tenant))


# --------------------------------------------------------------------------- coordination

@bp.get("/coordination")
@require_role("network_coordinator")
def coordinators():
    return render_template("networks/coordinators.html", roles=services.coordinators(),
                           invitations=services.pending_invitations(),
                           now=datetime.now(UTC))


@bp.route("/coordination/inviter", methods=["GET", "POST"])
@require_role("network_coordinator")
def coordinator_invite():
    values, errors = {}, {}
    if request.method == "POST":
        values, errors = load(InviteSchema(), request.form)
        if not errors:
            try:
                services.invite_coordinator(g.network, email=values["email"],
                                            full_name=values["full_name"],
                                            invited_by=current_user)
            except services.FormError as exc:
                db.session.rollback()
                errors = exc.errors
            else:
                db.session.commit()
                days = current_app.config["INVITATION_DAYS"]
                flash(f"Invitation enregistrée : envoi en cours à {values['email']}. Le lien "
                      f"sera valable {days} jours ; vous pouvez révoquer l’invitation depuis "
                      "cette page.", "success")
                return redirect(url_for(".coordinators"))
    return render_template("networks/coordinator_invite.html", values=values,
                           errors=errors), 400 if errors else 200


@bp.route("/coordination/<int:role_id>/retirer", methods=["GET", "POST"])
@require_role("network_coordinator")
def coordinator_remove(role_id: int):
    role = services.find_role(role_id)
    if role is None:
        abort(404)
    last = services.is_last_coordinator(role)
    failure = None
    if request.method == "POST":
        try:
            removed_self = role.user_id == current_user.id
            name = role.user.full_name
            services.remove_coordinator(role)
        except services.LastCoordinator as exc:
            db.session.rollback()
            failure = str(exc)
        else:
            db.session.commit()
            flash(f"{name} ne coordonne plus ce réseau.", "success")
            if removed_self:
                spaces.remember_spaces(current_user)
                return redirect(url_for("core.index"))
            return redirect(url_for(".coordinators"))
    return render_template("networks/coordinator_remove.html", role=role, last=last,
                           failure=failure), 400 if failure else 200


@bp.post("/invitations/<int:invitation_id>/revoquer")
@require_role("network_coordinator")
def invitation_revoke(invitation_id: int):
    invitation = services.find_invitation(invitation_id)
    if invitation is None:
        abort(404)
    services.revoke_invitation(invitation)
    db.session.commit()
    flash(f"L’invitation envoyée à {invitation.email} est révoquée : son lien ne fonctionne "
          "plus.", "success")
    return redirect(url_for(".coordinators"))


from app.networks import partners  # noqa: E402,F401  (registers the directory's routes)
