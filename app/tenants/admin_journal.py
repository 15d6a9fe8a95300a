"""Platform administration: the e-mail outbox and the audit log (read-only pages).

Routes on the `platform` blueprint (imported at the bottom of `admin_views`)."""

from __future__ import annotations

from flask import abort, render_template, request

from app.core.invitations import role_label
from app.core.ui import paginate, render
from app.extensions import db
from app.tenants import admin_services as services
from app.tenants.admin_views import bp

MAIL_STATUSES = {
    "queued": "En attente d’envoi",
    "sent": "Envoyé (SMTP)",
    "outbox": "Boîte d’envoi de développement",
    "failed": "Échec de l’envoi",
}

# Action codes written with audit.record, in words an administrator reads at a glance.
ACTION_LABELS = {
    "login.succeeded": "Connexion réussie",
    "login.failed": "Échec de connexion",
    "login.throttled": "Connexion bloquée après trop d’échecs",
    "logout": "Déconnexion",
    "password.reset_requested": "Demande de nouveau mot de passe",
    "password.reset": "Mot de passe changé par lien de réinitialisation",
    "invitation.sent": "Invitation créée (courriel mis en envoi)",
    "invitation.accepted": "Invitation acceptée",
    "invitation.revoked": "Invitation révoquée",
    "role.granted": "Rôle attribué",
    "role.removed": "Rôle retiré",
    "network_role.removed": "Rôle de coordination retiré",
    "account.enabled": "Compte réactivé",
    "account.disabled": "Compte désactivé",
    "commune.updated": "Commune modifiée",
    "relais.created": "Relais petite enfance créé",
    "relais.updated": "Relais petite enfance modifié",
    "relais.deleted": "Relais petite enfance supprimé",
    "reception_point.created": "Point d’accueil créé",
    "reception_point.updated": "Point d’accueil modifié",
    "reception_point.deleted": "Point d’accueil supprimé",
    "fiche.created": "Fiche créée",
    "fiche.published": "Fiche publiée",
    "fiche.archived": "Fiche archivée",
    "fiche.restored": "Fiche restaurée",
    "organisation.created": "Organisation partenaire ajoutée",
    "organisation.updated": "Organisation partenaire modifiée",
    "organisation.deleted": "Organisation partenaire supprimée",
    "organisation.contact_added": "Contact de partenaire ajouté",
    "organisation.contact_updated": "Contact de partenaire modifié",
    "organisation.contact_deleted": "Contact de partenaire supprimé",
    "platform.network_created": "Réseau créé",
    "platform.network_updated": "Réseau modifié",
    "platform.network_tenant_added": "Territoire ajouté à un réseau",
    "platform.network_tenant_removed": "Territoire retiré d’un réseau",
    "platform.tenant_created": "Territoire créé",
    "platform.tenant_updated": "Territoire modifié",
    "platform.job_retried": "Tâche en échec relancée",
    "platform.jobs_retried": "Toutes les tâches en échec relancées",
}

# Filter choices, and the family name shown for codes this table does not know yet.
ACTION_PREFIXES = {
    "login.": "Connexions",
    "password.": "Mots de passe",
    "invitation.": "Invitations",
    "role.": "Rôles",
    "network_role.": "Rôles de coordination",
    "account.": "Comptes",
    "commune.": "Communes",
    "relais.": "Relais petite enfance",
    "reception_point.": "Points d’accueil",
    "fiche.": "Fiches",
    "organisation.": "Annuaire des partenaires",
    "platform.": "Administration de la plateforme",
}


FIELD_NAMES = {"name": "nom", "slug": "identifiant d’adresse", "is_active": "activation"}


def action_label(code: str) -> str:
    if code in ACTION_LABELS:
        return ACTION_LABELS[code]
    for prefix, family in ACTION_PREFIXES.items():
        if code.startswith(prefix):
            return family
    return "Action"


def details_text(details: dict | None) -> str:
    """The few details worth a glance (the role concerned, the reason of a failure)."""
    details = details or {}
    parts = []
    if details.get("role"):
        parts.append(f"rôle : {role_label(details['role'])}")
    if details.get("reason") == "disabled":
        parts.append("compte désactivé")
    elif details.get("reason") == "bad_credentials":
        parts.append("identifiants incorrects")
    if details.get("changed"):
        parts.append("modifié : " + ", ".join(FIELD_NAMES.get(f, f) for f in details["changed"]))
    return " · ".join(parts)


@bp.get("/courriels")
def outbox():
    q = request.args.get("q", "").strip()[:100]
    page = paginate(db.session, services.outbox_query(q))
    return render("tenants/admin/outbox.html", partial="tenants/admin/_outbox_results.html",
                  page=page, q=q, statuses=MAIL_STATUSES)


@bp.get("/courriels/<int:message_id>")
def outbox_message(message_id: int):
    message = services.find_message(message_id)
    if message is None:
        abort(404)
    return render_template("tenants/admin/outbox_message.html", message=message,
                           statuses=MAIL_STATUSES)


@bp.get("/journal")
def audit():
    prefix = request.args.get("action", "")
    if prefix not in ACTION_PREFIXES:
        prefix = ""
    space = request.args.get("espace", "")
    page = paginate(db.session, services.audit_query(prefix, space))
    tenant_names, network_names = services.space_names(page.items)
    return render_template(
        "tenants/admin/audit.html", page=page, prefix=prefix, space=space,
        prefixes=ACTION_PREFIXES, space_groups=services.audit_space_options(),
        tenant_names=tenant_names, network_names=network_names,
        action_label=action_label, details_text=details_text)
