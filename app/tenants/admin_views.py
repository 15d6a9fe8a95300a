"""Platform administration: /admin/… (networks, tenants, first administrators, outbox, audit,
jobs).

Networks are here; tenants in `admin_tenants`, outbox and audit log in `admin_journal`,
« Tâches et envois » in `admin_jobs`, all on the same blueprint (imported at the bottom)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.core import spaces
from app.core.forms import load
from app.extensions import db
from app.networks.schemas import InviteSchema, NetworkSchema
from app.tenants import admin_services as services
from app.tenants.admin_services import FormError

bp = Blueprint("platform", __name__, url_prefix="/admin", template_folder="templates")

NETWORK_FIELDS = ("name", "slug", "coordinator_org", "departement", "description")


@bp.before_request
def _enter():
    return spaces.enter_platform()


@bp.get("/")
def home():
    return render_template("tenants/admin/home.html", figures=services.figures())


# --------------------------------------------------------------------------- networks

@bp.get("/reseaux")
def networks():
    return render_template("tenants/admin/networks.html",
                           rows=services.networks_with_counts())


@bp.route("/reseaux/nouveau", methods=["GET", "POST"])
def network_new():
    values, errors = {}, {}
    if request.method == "POST":
        values, errors = load(NetworkSchema(), request.form)
        if not errors:
            try:
                network = services.create_network(values)
            except FormError as exc:
                db.session.rollback()
                errors = exc.errors
            else:
                db.session.commit()
                flash(f"Le réseau « {network.name} » est créé. Ajoutez ses territoires membres "
                      "et invitez sa première personne de coordination.", "success")
                return redirect(url_for(".network", network_id=network.id))
    return render_template("tenants/admin/network_new.html", values=values,
                           errors=errors), 400 if errors else 200


def _network_or_404(network_id: int):
    network = services.find_network(network_id)
    if network is None:
        abort(404)
    return network


def _network_page(network, values=None, errors=None, member_errors=None,
                  invite_values=None, invite_errors=None):
    values = values if values is not None else {k: getattr(network, k) for k in NETWORK_FIELDS}
    failed = bool(errors or member_errors or invite_errors)
    return render_template(
        "tenants/admin/network.html", network=network, values=values, errors=errors or {},
        members=services.network_members(network),
        candidates=services.candidate_tenants(network), member_errors=member_errors or {},
        coordinators=services.network_coordinators(network),
        invitations=services.open_invitations(network=network),
        invite_values=invite_values or {}, invite_errors=invite_errors or {},
    ), 400 if failed else 200


@bp.route("/reseaux/<int:network_id>", methods=["GET", "POST"])
def network(network_id: int):
    network = _network_or_404(network_id)
    if request.method == "GET":
        return _network_page(network)
    values, errors = load(NetworkSchema(), request.form)
    if not errors:
        try:
            services.update_network(network, values)
        except FormError as exc:
            db.session.rollback()
            errors = exc.errors
        else:
            db.session.commit()
            flash("Les informations du réseau sont enregistrées.", "success")
            return redirect(url_for(".network", network_id=network.id))
    return _network_page(network, values=values, errors=errors)


@bp.post("/reseaux/<int:network_id>/territoires")
def network_member_add(network_id: int):
    network = _network_or_404(network_id)
    raw = request.form.get("tenant_id", "")
    try:
        tenant = services.add_member(network, int(raw) if raw.isdigit() else None)
    except FormError as exc:
        db.session.rollback()
        return _network_page(network, member_errors=exc.errors)
    db.session.commit()
    flash(f"{tenant.name} est maintenant membre de « {network.name} ».", "success")
    return redirect(url_for(".network", network_id=network.id) + "#membres")


@bp.route("/reseaux/<int:network_id>/territoires/<int:tenant_id>/retirer",
          methods=["GET", "POST"])
def network_member_remove(network_id: int, tenant_id: int):
    network = _network_or_404(network_id)
    membership = services.find_membership(network, tenant_id)
    if membership is None:
        abort(404)
    if request.method == "POST":
        name = membership.tenant.name
        services.remove_member(membership)
        db.session.commit()
        flash(f"{name} ne fait plus partie de « {network.name} ».", "success")
        return redirect(url_for(".network", network_id=network.id) + "#membres")
    return render_template("tenants/admin/network_member_remove.html", network=network,
                           tenant=membership.tenant)


@bp.post("/reseaux/<int:network_id>/inviter")
def network_invite(network_id: int):
    network = _network_or_404(network_id)
    values, errors = load(InviteSchema(), request.form)
    if not errors:
        try:
            services.invite_coordinator(network, values["email"], values["full_name"],
                                        current_user)
        except FormError as exc:
            db.session.rollback()
            errors = exc.errors
        else:
            db.session.commit()
            flash(f"Invitation enregistrée pour coordonner « {network.name} » : envoi en "
                  f"cours à {values['email']}.", "success")
            return redirect(url_for(".network", network_id=network.id) + "#coordination")
    return _network_page(network, invite_values=values, invite_errors=errors)


# Importing them registers their routes.
from app.tenants import admin_jobs, admin_journal, admin_tenants  # noqa: E402,F401
