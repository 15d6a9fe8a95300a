"""Tenant space: /t/<tenant>/… — the role home pages and the tenant administrator's pages
(communes, relais, reception points, people). Rows come from the current space only:
another tenant's id is simply not found (404)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload

from app.core import invitations, spaces, ui
from app.core.forms import load
from app.core.models import Invitation
from app.core.spaces import require_role
from app.extensions import db
from app.tenants import people as people_services
from app.tenants import services
from app.tenants.models import (
    RECEPTION_KINDS,
    TENANT_ROLES,
    Commune,
    ReceptionPoint,
    Relais,
    TenantRole,
)
from app.tenants.schemas import (
    CommuneDeskSchema,
    InviteSchema,
    ReceptionPointSchema,
    RelaisSchema,
    RoleSchema,
)

bp = spaces.tenant_blueprint("tenants", __name__, url_prefix="/t/<tenant_slug>", template_folder="templates")



@bp.context_processor
def _labels():
    return {"role_labels": TENANT_ROLES, "reception_kinds": RECEPTION_KINDS}


def _get_or_404(model, object_id: int):
    obj = services.find(model, object_id)
    if obj is None:
        abort(404)
    return obj


def _member_or_404(user_id: int):
    user = people_services.member(user_id) if 0 < user_id <= services.MAX_ID else None
    if user is None:
        abort(404)
    return user


def _see_other(endpoint: str, **values):
    return redirect(url_for(endpoint, **values), code=303)


def _form_page(template: str, **context):
    """A page with a form: status 400 when it shows validation errors (input kept)."""
    return render_template(template, **context), 400 if context.get("errors") else 200


def _me():
    return current_user._get_current_object()


# --------------------------------------------------------------------------- home

@bp.get("/")
def home():
    dashboard = services.dashboard() if spaces.has_role("tenant_admin") else None
    return render_template("tenants/home.html", dashboard=dashboard,
                           blocks=services.role_blocks(current_user.id))


# --------------------------------------------------------------------------- communes

@bp.get("/communes")
@require_role("tenant_admin")
def communes():
    q = request.args.get("q", "").strip()[:100]
    page = ui.paginate(db.session, services.communes_query(q))
    return ui.render("tenants/communes.html", "tenants/_communes_results.html", page=page, q=q)


@bp.route("/communes/<int:commune_id>", methods=["GET", "POST"])
@require_role("tenant_admin")
def commune_edit(commune_id: int):
    commune = _get_or_404(Commune, commune_id)
    values, errors = {"desk_phone": commune.desk_phone, "desk_hours": commune.desk_hours}, {}
    if request.method == "POST":
        values, errors = load(CommuneDeskSchema(), request.form)
        if not errors:
            services.update_commune_desk(commune, values)
            db.session.commit()
            flash(f"L’accueil de la mairie de {commune.name} est enregistré.", "success")
            return _see_other("tenants.communes")
    return _form_page("tenants/commune_edit.html", commune=commune, values=values,
                      errors=errors)


# --------------------------------------------------------------------------- relais

@bp.get("/relais")
@require_role("tenant_admin")
def relais_list():
    stmt = (sa.select(Relais).options(selectinload(Relais.communes))
            .order_by(*services.by_name(Relais.name), Relais.id))
    return render_template("tenants/relais_list.html", page=ui.paginate(db.session, stmt))


def _relais_form(relais: Relais | None):
    if relais is None:
        values = {"communes": [], "is_itinerant": False}
    else:
        values = {key: getattr(relais, key) for key in services.RELAIS_FIELDS}
        values["communes"] = [c.id for c in relais.communes]
    errors: dict[str, str] = {}
    if request.method == "POST":
        values, errors = load(RelaisSchema(), request.form)
        if not errors:
            try:
                verb = "créé" if relais is None else "enregistré"
                relais = services.save_relais(relais, values)
                db.session.commit()
                flash(f"Le relais « {relais.name} » est {verb}.", "success")
                return _see_other("tenants.relais_list")
            except services.Refused as exc:
                db.session.rollback()
                errors = exc.as_errors()
    return _form_page("tenants/relais_form.html", relais=relais, values=values,
                      errors=errors, communes=services.tenant_communes())


@bp.route("/relais/nouveau", methods=["GET", "POST"])
@require_role("tenant_admin")
def relais_new():
    return _relais_form(None)


@bp.route("/relais/<int:relais_id>", methods=["GET", "POST"])
@require_role("tenant_admin")
def relais_edit(relais_id: int):
    return _relais_form(_get_or_404(Relais, relais_id))


@bp.route("/relais/<int:relais_id>/supprimer", methods=["GET", "POST"])
@require_role("tenant_admin")
def relais_delete(relais_id: int):
    relais = _get_or_404(Relais, relais_id)
    if request.method == "POST":
        name = relais.name
        services.delete_relais(relais)
        db.session.commit()
        flash(f"Le relais « {name} » est supprimé.", "success")
        return _see_other("tenants.relais_list")
    return render_template("tenants/relais_delete.html", relais=relais,
                           impact=services.relais_delete_impact(relais))


# --------------------------------------------------------------------------- reception points

@bp.get("/points-accueil")
@require_role("tenant_admin")
def reception_points():
    stmt = (sa.select(ReceptionPoint).options(selectinload(ReceptionPoint.commune))
            .order_by(*services.by_name(ReceptionPoint.name), ReceptionPoint.id))
    return render_template("tenants/reception_points.html", page=ui.paginate(db.session, stmt))


def _point_form(point: ReceptionPoint | None):
    if point is None:
        values = {"kind": "mairie"}
    else:
        values = {key: getattr(point, key) for key in services.POINT_FIELDS}
        values["commune_id"] = point.commune_id
    errors: dict[str, str] = {}
    if request.method == "POST":
        values, errors = load(ReceptionPointSchema(), request.form)
        if not errors:
            try:
                verb = "créé" if point is None else "enregistré"
                point = services.save_reception_point(point, values)
                db.session.commit()
                flash(f"Le point d’accueil « {point.name} » est {verb}.", "success")
                return _see_other("tenants.reception_points")
            except services.Refused as exc:
                db.session.rollback()
                errors = exc.as_errors()
    communes = [(c.id, c.name) for c in services.tenant_communes()]
    return _form_page("tenants/reception_point_form.html", point=point, values=values,
                      errors=errors, communes=communes)


@bp.route("/points-accueil/nouveau", methods=["GET", "POST"])
@require_role("tenant_admin")
def reception_point_new():
    return _point_form(None)


@bp.route("/points-accueil/<int:point_id>", methods=["GET", "POST"])
@require_role("tenant_admin")
def reception_point_edit(point_id: int):
    return _point_form(_get_or_404(ReceptionPoint, point_id))


@bp.route("/points-accueil/<int:point_id>/supprimer", methods=["GET", "POST"])
@require_role("tenant_admin")
def reception_point_delete(point_id: int):
    point = _get_or_404(ReceptionPoint, point_id)
    if request.method == "POST":
        name = point.name
        services.delete_reception_point(point)
        db.session.commit()
        flash(f"Le point d’accueil « {name} » est supprimé.", "success")
        return _see_other("tenants.reception_points")
    return render_template("tenants/reception_point_delete.html", point=point,
                           attached=services.people_attached_to_point(point))


# --------------------------------------------------------------------------- people

@bp.get("/personnes")
@require_role("tenant_admin")
def people():
    q = request.args.get("q", "").strip()[:100]
    page = ui.paginate(db.session, people_services.people_query(q))
    return ui.render("tenants/people.html", "tenants/_people_results.html", page=page, q=q,
                     roles=people_services.roles_by_user([u.id for u in page.items]),
                     invitations=people_services.open_invitations(), now=services.now())


@bp.route("/personnes/inviter", methods=["GET", "POST"])
@require_role("tenant_admin")
def people_invite():
    role = request.args.get("role", "")
    values: dict = {"role": role if role in TENANT_ROLES else "reception_agent"}
    errors: dict[str, str] = {}
    if request.method == "POST":
        values, errors = load(InviteSchema(), request.form)
        if not errors:
            try:
                invitation = people_services.invite_person(values, g.tenant, _me())
                db.session.commit()
                flash(f"Invitation enregistrée : envoi en cours à {invitation.email}. Le lien "
                      "reste valable 14 jours et ne sert qu’une fois.", "success")
                return _see_other("tenants.people")
            except services.Refused as exc:
                db.session.rollback()
                errors = exc.as_errors()
            except invitations.InvitationError as exc:
                db.session.rollback()
                errors = {"role": str(exc)}
    return _form_page("tenants/people_invite.html", values=values, errors=errors,
                      choices=people_services.attachment_choices())


def _person_page(user, values=None, errors=None):
    roles = people_services.roles_by_user([user.id])[user.id]
    held = {r.role for r in roles}
    available = [(key, label) for key, label in TENANT_ROLES.items() if key not in held]
    if values is None:
        values = {"role": available[0][0] if available else ""}
    return _form_page("tenants/person.html", person=user, roles=roles, available=available,
                      values=values, errors=errors or {}, choices=people_services.attachment_choices())


@bp.get("/personnes/<int:user_id>")
@require_role("tenant_admin")
def person(user_id: int):
    return _person_page(_member_or_404(user_id))


@bp.post("/personnes/<int:user_id>/roles")
@require_role("tenant_admin")
def person_role_add(user_id: int):
    user = _member_or_404(user_id)
    values, errors = load(RoleSchema(), request.form)
    if not errors:
        try:
            role = people_services.grant_role(user, values)
            db.session.commit()
            flash(f"{user.full_name} est maintenant {role.label.lower()}.", "success")
            return _see_other("tenants.person", user_id=user.id)
        except services.Refused as exc:
            db.session.rollback()
            errors = exc.as_errors()
    return _person_page(user, values, errors)


@bp.post("/personnes/<int:user_id>/roles/<int:role_id>/retirer")
@require_role("tenant_admin")
def person_role_remove(user_id: int, role_id: int):
    user = _member_or_404(user_id)
    role = db.session.scalar(sa.select(TenantRole).where(
        TenantRole.id == role_id, TenantRole.user_id == user.id)) \
        if role_id <= services.MAX_ID else None
    if role is None:
        abort(404)
    label, removed = role.label, role.role
    try:
        people_services.remove_role(role)
        db.session.commit()
        flash(f"Le rôle « {label} » de {user.full_name} est retiré.", "success")
    except services.Refused as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return _see_other("tenants.person", user_id=user.id)
    if user.id == current_user.id and removed == "tenant_admin":
        return _see_other("tenants.home")
    if people_services.member(user.id) is None:
        return _see_other("tenants.people")
    return _see_other("tenants.person", user_id=user.id)


@bp.route("/personnes/<int:user_id>/desactiver", methods=["GET", "POST"])
@require_role("tenant_admin")
def person_disable(user_id: int):
    user = _member_or_404(user_id)
    if request.method == "POST":
        try:
            people_services.set_account_active(user, _me(), active=False)
            db.session.commit()
            flash(f"Le compte de {user.full_name} est désactivé : cette personne ne peut plus "
                  "se connecter.", "success")
        except services.Refused as exc:
            db.session.rollback()
            flash(exc.message, "error")
        return _see_other("tenants.person", user_id=user.id)
    refusal = people_services.account_change_refusal(user, _me(), disabling=True)
    return render_template("tenants/person_disable.html", person=user, refusal=refusal)


@bp.post("/personnes/<int:user_id>/reactiver")
@require_role("tenant_admin")
def person_enable(user_id: int):
    user = _member_or_404(user_id)
    try:
        people_services.set_account_active(user, _me(), active=True)
        db.session.commit()
        flash(f"Le compte de {user.full_name} est réactivé.", "success")
    except services.Refused as exc:
        db.session.rollback()
        flash(exc.message, "error")
    return _see_other("tenants.person", user_id=user.id)


@bp.post("/invitations/<int:invitation_id>/revoquer")
@require_role("tenant_admin")
def invitation_revoke(invitation_id: int):
    invitation = _get_or_404(Invitation, invitation_id)
    try:
        people_services.revoke_invitation(invitation)
        db.session.commit()
        flash(f"L’invitation envoyée à {invitation.email} est révoquée : son lien ne marche "
              "plus.", "success")
    except services.Refused as exc:
        db.session.rollback()
        flash(exc.message, "error")
    return _see_other("tenants.people")
