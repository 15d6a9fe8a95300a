"""Platform administration of tenants (EPCI): list, creation, edition, first administrators.

Routes on the `platform` blueprint (imported at the bottom of `admin_views`)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.core.forms import load
from app.core.invitations import role_label
from app.core.ui import paginate, render
from app.extensions import db
from app.networks.schemas import InviteSchema
from app.tenants import admin_services as services
from app.tenants.admin_schemas import TenantCreateSchema, TenantEditSchema
from app.tenants.admin_services import FormError
from app.tenants.admin_views import bp
from app.tenants.models import EPCI_KINDS

KIND_OPTIONS = list(EPCI_KINDS.items())


@bp.get("/territoires")
def tenants():
    q = request.args.get("q", "").strip()[:100]
    page = paginate(db.session, services.tenants_query(q))
    return render("tenants/admin/tenants.html", partial="tenants/admin/_tenants_results.html",
                  page=page, q=q)


@bp.route("/territoires/nouveau", methods=["GET", "POST"])
def tenant_new():
    values, errors = {"kind": "CC"}, {}
    if request.method == "POST":
        values, errors = load(TenantCreateSchema(), request.form)
        if not errors:
            try:
                tenant = services.create_tenant(values)
            except FormError as exc:
                db.session.rollback()
                errors = exc.errors
            else:
                db.session.commit()
                flash(f"Le territoire « {tenant.name} » est créé. Invitez maintenant son "
                      "administrateur·rice.", "success")
                return redirect(url_for(".tenant", tenant_id=tenant.id))
    return render_template("tenants/admin/tenant_new.html", values=values, errors=errors,
                           kinds=KIND_OPTIONS), 400 if errors else 200


def _tenant_or_404(tenant_id: int):
    tenant = services.find_tenant(tenant_id)
    if tenant is None:
        abort(404)
    return tenant


def _tenant_page(tenant, values=None, errors=None, invite_values=None, invite_errors=None):
    if values is None:
        values = {"name": tenant.name, "slug": tenant.slug, "is_active": tenant.is_active}
    return render_template(
        "tenants/admin/tenant.html", tenant=tenant, values=values, errors=errors or {},
        networks=services.tenant_networks(tenant), admins=services.tenant_admins(tenant),
        invitations=services.open_invitations(tenant=tenant),
        invite_values=invite_values or {}, invite_errors=invite_errors or {},
        role_label=role_label,
    ), 400 if (errors or invite_errors) else 200


@bp.route("/territoires/<int:tenant_id>", methods=["GET", "POST"])
def tenant(tenant_id: int):
    tenant = _tenant_or_404(tenant_id)
    if request.method == "GET":
        return _tenant_page(tenant)
    values, errors = load(TenantEditSchema(), request.form)
    if not errors:
        try:
            services.update_tenant(tenant, values)
        except FormError as exc:
            db.session.rollback()
            errors = exc.errors
        else:
            db.session.commit()
            flash("Les informations du territoire sont enregistrées.", "success")
            return redirect(url_for(".tenant", tenant_id=tenant.id))
    return _tenant_page(tenant, values=values, errors=errors)


@bp.post("/territoires/<int:tenant_id>/inviter")
def tenant_invite(tenant_id: int):
    tenant = _tenant_or_404(tenant_id)
    values, errors = load(InviteSchema(), request.form)
    if not errors:
        try:
            services.invite_tenant_admin(tenant, values["email"], values["full_name"],
                                         current_user)
        except FormError as exc:
            db.session.rollback()
            errors = exc.errors
        else:
            db.session.commit()
            flash(f"Invitation enregistrée pour administrer « {tenant.name} » : envoi en "
                  f"cours à {values['email']}.", "success")
            return redirect(url_for(".tenant", tenant_id=tenant.id) + "#administration")
    return _tenant_page(tenant, invite_values=values, invite_errors=errors)
