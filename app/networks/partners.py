"""The network's partner directory: organisations (CAF, MSA, PMI…) and their contacts.

Routes on the `networks` blueprint (imported at the bottom of `app.networks.views`)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from app.core.forms import load
from app.core.spaces import require_role
from app.core.ui import paginate, render
from app.extensions import db
from app.networks import services
from app.networks.models import ORGANISATION_KINDS
from app.networks.schemas import ContactSchema, NewContactSchema, OrganisationSchema
from app.networks.views import bp

KIND_OPTIONS = list(ORGANISATION_KINDS.items())
ORG_FIELDS = ("name", "kind", "email", "phone", "website", "address", "notes")
CONTACT_FIELDS = ("full_name", "position", "email", "phone")


def _org_or_404(org_id: int, with_contacts: bool = False):
    org = services.find_organisation(org_id, with_contacts=with_contacts)
    if org is None:
        abort(404)
    return org


def _contact_or_404(org_id: int, contact_id: int):
    contact = services.find_contact(org_id, contact_id)
    if contact is None:
        abort(404)
    return contact


def _values_of(obj, names) -> dict:
    return {name: getattr(obj, name) for name in names}


@bp.get("/partenaires")
@require_role("network_coordinator")
def organisations():
    q = request.args.get("q", "").strip()[:100]
    kind = request.args.get("type", "")
    if kind not in ORGANISATION_KINDS:
        kind = ""
    page = paginate(db.session, services.organisations_query(q, kind))
    return render("networks/organisations.html", partial="networks/_organisations_results.html",
                  page=page, counts=services.contact_counts(page.items), q=q, kind=kind,
                  kinds=KIND_OPTIONS)


@bp.route("/partenaires/nouveau", methods=["GET", "POST"])
@require_role("network_coordinator")
def organisation_new():
    values, errors = {"kind": request.args.get("type", "")}, {}
    if request.method == "POST":
        values, errors = load(OrganisationSchema(), request.form)
        if not errors:
            org = services.create_organisation(values)
            db.session.commit()
            flash(f"« {org.name} » est ajouté à l’annuaire. Ajoutez maintenant ses contacts.",
                  "success")
            return redirect(url_for(".organisation", org_id=org.id))
    return render_template("networks/organisation_new.html", values=values, errors=errors,
                           kinds=KIND_OPTIONS), 400 if errors else 200


def _organisation_page(org, values, errors, contact_values, contact_errors, status=200):
    return render_template(
        "networks/organisation.html", org=org, values=values, errors=errors,
        contact_values=contact_values, contact_errors=contact_errors, kinds=KIND_OPTIONS,
    ), status


@bp.route("/partenaires/<int:org_id>", methods=["GET", "POST"])
@require_role("network_coordinator")
def organisation(org_id: int):
    org = _org_or_404(org_id, with_contacts=True)
    values, errors = _values_of(org, ORG_FIELDS), {}
    if request.method == "POST":
        values, errors = load(OrganisationSchema(), request.form)
        if not errors:
            services.update_organisation(org, values)
            db.session.commit()
            flash("Les informations de l’organisation sont enregistrées.", "success")
            return redirect(url_for(".organisation", org_id=org.id))
    return _organisation_page(org, values, errors, {}, {}, 400 if errors else 200)


@bp.post("/partenaires/<int:org_id>/contacts")
@require_role("network_coordinator")
def contact_new(org_id: int):
    org = _org_or_404(org_id, with_contacts=True)
    values, errors = load(NewContactSchema(), request.form)
    if errors:
        return _organisation_page(org, _values_of(org, ORG_FIELDS), {}, values, errors, 400)
    contact = services.add_contact(org, values)
    db.session.commit()
    flash(f"{contact.full_name} est ajouté·e aux contacts de « {org.name} ».", "success")
    return redirect(url_for(".organisation", org_id=org.id) + "#contacts")


@bp.route("/partenaires/<int:org_id>/supprimer", methods=["GET", "POST"])
@require_role("network_coordinator")
def organisation_delete(org_id: int):
    org = _org_or_404(org_id, with_contacts=True)
    if request.method == "POST":
        name = org.name
        services.delete_organisation(org)
        db.session.commit()
        flash(f"« {name} » et ses contacts sont supprimés de l’annuaire.", "success")
        return redirect(url_for(".organisations"))
    return render_template("networks/organisation_delete.html", org=org)


@bp.route("/partenaires/<int:org_id>/contacts/<int:contact_id>", methods=["GET", "POST"])
@require_role("network_coordinator")
def contact_edit(org_id: int, contact_id: int):
    contact = _contact_or_404(org_id, contact_id)
    values, errors = _values_of(contact, CONTACT_FIELDS), {}
    if request.method == "POST":
        values, errors = load(ContactSchema(), request.form)
        if not errors:
            services.update_contact(contact, values)
            db.session.commit()
            flash(f"Le contact {contact.full_name} est enregistré.", "success")
            return redirect(url_for(".organisation", org_id=org_id) + "#contacts")
    return render_template("networks/contact_edit.html", contact=contact,
                           org=contact.organisation, values=values,
                           errors=errors), 400 if errors else 200


@bp.route("/partenaires/<int:org_id>/contacts/<int:contact_id>/supprimer",
          methods=["GET", "POST"])
@require_role("network_coordinator")
def contact_delete(org_id: int, contact_id: int):
    contact = _contact_or_404(org_id, contact_id)
    org = contact.organisation
    if request.method == "POST":
        name = contact.full_name
        services.delete_contact(contact)
        db.session.commit()
        flash(f"{name} est retiré·e des contacts de « {org.name} ».", "success")
        return redirect(url_for(".organisation", org_id=org_id) + "#contacts")
    return render_template("networks/contact_delete.html", contact=contact, org=org)
