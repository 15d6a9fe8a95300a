"""Committee pages, in a tenant (/t/<tenant>/comites) and in a network (/n/<network>/comites).

Most pages exist in both spaces with the same code (`both`): the space decides what is
found (a committee of another tenant or network is a 404) and who may write (the
coordinator for a network's committees; the tenant administrator, or the chairs for
members, requests and decisions, for a tenant's committees). Requests to join are made
from a tenant. The decisions register and the follow-up live in `app.committees.decisions`.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.committees import membership, services
from app.committees.models import (
    ACTION_STATUSES,
    COMMITTEE_KINDS,
    POSITIONS,
    REQUEST_STATUSES,
)
from app.committees.schemas import (
    AcceptSchema,
    CommitteeSchema,
    DeclineSchema,
    JoinRequestSchema,
    MemberEditSchema,
    MemberNewSchema,
)
from app.committees.services import CommitteeError
from app.core.forms import load
from app.core.spaces import network_blueprint, route_in_both, tenant_blueprint
from app.extensions import db
from app.networks.fiches.text import markdown_to_html

tenant_bp = tenant_blueprint("committees", __name__, url_prefix="/t/<tenant_slug>/comites",
                             template_folder="templates")
network_bp = network_blueprint("network_committees", __name__,
                               url_prefix="/n/<network_slug>/comites",
                               template_folder="templates")
INVALID = 422


# Every view serves both spaces (same endpoint name).
both = route_in_both(tenant_bp, network_bp)


def _context():
    return {"committee_kinds": COMMITTEE_KINDS, "positions": POSITIONS,
            "request_statuses": REQUEST_STATUSES, "action_statuses": ACTION_STATUSES,
            "event_url": services.event_url, "in_network": services.in_network(),
            "markdown": markdown_to_html, "today": services.today()}


tenant_bp.context_processor(_context)
network_bp.context_processor(_context)


# --------------------------------------------------------------------------- helpers

def committee_or_404(committee_id: int):
    committee = services.find_committee(committee_id)
    if committee is None:
        abort(404)
    return committee


def viewable(committee_id: int):
    committee = committee_or_404(committee_id)
    if not services.can_view(committee):
        abort(403)
    return committee


def organised(committee_id: int):
    committee = committee_or_404(committee_id)
    if not services.can_organise(committee):
        abort(403)
    return committee


def managed(committee_id: int):
    committee = committee_or_404(committee_id)
    if not services.can_manage(committee):
        abort(403)
    return committee


def request_or_404(request_id: int, *, lock: bool = False):
    join = services.find_request(request_id, lock=lock)
    if join is None:
        abort(404)
    committee = committee_or_404(join.committee_id)
    return join, committee


def to_committee(committee, anchor: str = ""):
    return redirect(url_for(".show", committee_id=committee.id) + anchor)


# --------------------------------------------------------------------------- committees

@both("")
def index():
    committees = services.visible_committees()
    browse = services.can_browse()
    if not browse:  # reception agents, animators: only the committees they sit on
        committees = [c for c in committees if services.is_member(c)]
    manage = services.can_manage()
    active = [c for c in committees if c.archived_at is None]
    archived = [c for c in committees if c.archived_at is not None and manage]
    organised_ids = [c.id for c in committees if services.can_organise(c)]
    mine = services.my_requests() if not services.in_network() else []
    return render_template(
        "committees/index.html", active=active, archived=archived, manage=manage, browse=browse,
        network_names=services.network_names(committees),
        pending=services.pending_counts(organised_ids), organised_ids=set(organised_ids),
        member_ids={c.id for c in committees if services.is_member(c)},
        my_requests=mine, names={c.id: c.name for c in committees},
        waiting_ids={r.committee_id for r in mine if r.status == "pending"})


def _committee_form(committee):
    errors: dict[str, str] = {}
    if request.method == "POST":
        values, errors = load(CommitteeSchema(), request.form)
        if not errors:
            saved = services.save_committee(committee, values)
            db.session.commit()
            flash("Comité créé." if committee is None else "Comité enregistré.", "success")
            return to_committee(saved)
    elif committee is not None:
        values = {name: getattr(committee, name) for name in services.COMMITTEE_FIELDS}
    else:
        values = {"accepts_requests": True}
    return render_template("committees/form.html", committee=committee, values=values,
                           errors=errors), INVALID if errors else 200


@both("/nouveau", methods=["GET", "POST"])
def new():
    if not services.can_manage():
        abort(403)
    return _committee_form(None)


@both("/<int:committee_id>/modifier", methods=["GET", "POST"])
def edit(committee_id: int):
    return _committee_form(managed(committee_id))


@both("/<int:committee_id>/archiver", methods=["GET", "POST"])
def archive(committee_id: int):
    committee = managed(committee_id)
    if committee.archived_at is not None:
        flash("Ce comité est déjà archivé.", "info")
        return to_committee(committee)
    if request.method == "POST":
        services.set_archived(committee, True)
        db.session.commit()
        flash(f"« {committee.name} » est archivé : il n’est plus proposé aux élu·es et ne "
              "reçoit plus de demandes. Vous pouvez le réactiver à tout moment.", "success")
        return to_committee(committee)
    return render_template("committees/archive.html", committee=committee)


@both("/<int:committee_id>/reactiver", methods=["POST"])
def restore(committee_id: int):
    committee = managed(committee_id)
    services.set_archived(committee, False)
    db.session.commit()
    flash(f"« {committee.name} » est de nouveau actif.", "success")
    return to_committee(committee)


def _show(committee, *, request_values=None, request_errors=None):
    organiser = services.can_organise(committee)
    context = {
        "committee": committee, "organiser": organiser,
        "manage": services.can_manage(committee), "meetings": services.meetings(committee),
        "owner_name": (services.network_names([committee]).get(committee.network_id)
                       if committee.network_id else None),
        "member": services.is_member(committee),
        "request_values": request_values or {}, "request_errors": request_errors or {},
    }
    if organiser:
        requests = services.pending_requests(committee)
        context.update(
            pending=requests,
            requester_tenants=services.tenant_names(r.tenant_id for r in requests),
            history=services.facilitator_history(committee),
            suggestion=services.suggest_facilitator(committee),
            new_meeting_url=services.new_meeting_url(committee))
    else:
        context["decisions"] = services.personal_decisions(committee)
    if services.can_request():
        context["my_requests"] = services.my_requests(committee.id)
        context["refusal"] = membership.request_refusal(committee)
    status = INVALID if request_errors else 200
    return render_template("committees/show.html", **context), status


@both("/<int:committee_id>")
def show(committee_id: int):
    return _show(viewable(committee_id))


# --------------------------------------------------------------------------- members

def _member_choices(committee):
    users = services.tenant_users()
    contacts = services.partner_contacts()
    return users, contacts


@both("/<int:committee_id>/membres/nouveau", methods=["GET", "POST"])
def member_new(committee_id: int):
    committee = organised(committee_id)
    users, contacts = _member_choices(committee)
    values: dict = {"position": "membre"}
    errors: dict[str, str] = {}
    failure = None
    if request.method == "POST":
        values, errors = load(MemberNewSchema(user_ids=[u.id for u in users],
                                              contact_ids=[c.id for c in contacts]),
                              request.form)
        if not errors:
            try:
                member, invited = membership.add_member(committee, values)
            except CommitteeError as exc:
                db.session.rollback()
                failure = str(exc)
                values = request.form.to_dict()
            else:
                db.session.commit()
                extra = (f" Invitation en cours d’envoi pour {invited} réunion"
                         f"{'s' if invited > 1 else ''} à venir." if invited else "")
                flash(f"{member.name} fait partie du comité.{extra}", "success")
                return to_committee(committee, "#membres")
    return render_template("committees/member_form.html", committee=committee, member=None,
                           values=values, errors=errors, failure=failure, users=users,
                           contacts=contacts), INVALID if errors or failure else 200


@both("/<int:committee_id>/membres/<int:member_id>", methods=["GET", "POST"])
def member_edit(committee_id: int, member_id: int):
    committee = committee_or_404(committee_id)
    member = services.find_member(committee, member_id)
    if member is None:
        abort(404)
    if not services.can_organise(committee):
        abort(403)
    errors: dict[str, str] = {}
    if request.method == "POST":
        values, errors = load(MemberEditSchema(), request.form)
        if not errors:
            membership.update_member(member, values)
            db.session.commit()
            flash(f"Siège de {member.name} enregistré.", "success")
            return to_committee(committee, "#membres")
    else:
        values = {name: getattr(member, name)
                  for name in ("position", "represents", "mandate_start", "mandate_end")}
    return render_template("committees/member_form.html", committee=committee, member=member,
                           values=values, errors=errors, failure=None,
                           users=[], contacts=[]), INVALID if errors else 200


@both("/<int:committee_id>/membres/<int:member_id>/retirer", methods=["GET", "POST"])
def member_remove(committee_id: int, member_id: int):
    committee = committee_or_404(committee_id)
    member = services.find_member(committee, member_id)
    if member is None:
        abort(404)
    if not services.can_organise(committee):
        abort(403)
    if request.method == "POST":
        name = member.name
        membership.remove_member(member)
        db.session.commit()
        flash(f"{name} ne fait plus partie du comité.", "success")
        return to_committee(committee, "#membres")
    return render_template("committees/member_remove.html", committee=committee, member=member)


# --------------------------------------------------------------------------- requests

@tenant_bp.post("/<int:committee_id>/demander")
def request_create(committee_id: int):
    committee = viewable(committee_id)
    if not services.can_request():
        abort(403)
    values, errors = load(JoinRequestSchema(), request.form)
    if errors:
        return _show(committee, request_values=values, request_errors=errors)
    try:
        membership.create_request(committee, values["message"])
    except CommitteeError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return to_committee(committee)
    db.session.commit()
    flash("Demande envoyée. Vous recevrez la réponse par e-mail ; elle apparaîtra aussi "
          "sur cette page.", "success")
    return to_committee(committee, "#adhesion")


@tenant_bp.post("/demandes/<int:request_id>/retirer")
def request_withdraw(request_id: int):
    join = services.find_request(request_id, lock=True)
    if join is None or join.user_id != current_user.id:
        abort(404)
    # The committee may have been archived since (a network's is then hidden here): the
    # request is still the person's to withdraw.
    committee = services.find_committee(join.committee_id)
    try:
        membership.withdraw_request(join)
    except CommitteeError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash("Demande retirée.", "success")
    if committee is not None and services.can_view(committee):
        return to_committee(committee, "#adhesion")
    return redirect(url_for(".index"))


def _decide_page(join, committee, values=None, errors=None):
    from app.core.models import User

    requester = db.session.get(User, join.user_id)
    shown = {"position": "membre", "mandate_start": services.today().isoformat()}
    shown.update(values or {})
    return render_template(
        "committees/request.html", join=join, committee=committee, requester=requester,
        tenant_name=services.tenant_names([join.tenant_id]).get(join.tenant_id, ""),
        values=shown, errors=errors or {}), INVALID if errors else 200


def _decidable(request_id: int, *, lock: bool = False):
    join, committee = request_or_404(request_id, lock=lock)
    if not services.can_organise(committee):
        abort(403)
    return join, committee


@both("/demandes/<int:request_id>")
def request_show(request_id: int):
    join, committee = _decidable(request_id)
    return _decide_page(join, committee)


@both("/demandes/<int:request_id>/accepter", methods=["POST"])
def request_accept(request_id: int):
    join, committee = _decidable(request_id, lock=True)
    values, errors = load(AcceptSchema(), request.form)
    if errors:
        return _decide_page(join, committee, values, errors)
    try:
        member, invited = membership.accept_request(join, committee, values)
    except CommitteeError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for(".request_show", request_id=request_id))
    db.session.commit()
    extra = (f" Invitation en cours d’envoi pour {invited} réunion"
             f"{'s' if invited > 1 else ''} à venir." if invited else "")
    flash(f"Demande acceptée : {member.name} fait partie du comité ; l’e-mail qui l’en "
          f"prévient est en cours d’envoi.{extra}", "success")
    return to_committee(committee, "#membres")


@both("/demandes/<int:request_id>/refuser", methods=["POST"])
def request_decline(request_id: int):
    join, committee = _decidable(request_id, lock=True)
    values, errors = load(DeclineSchema(), request.form)
    if errors:
        return _decide_page(join, committee, values, errors)
    try:
        membership.decline_request(join, committee, values["note"])
    except CommitteeError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for(".request_show", request_id=request_id))
    db.session.commit()
    flash("Demande refusée ; l’e-mail qui prévient la personne est en cours d’envoi.",
          "success")
    return to_committee(committee, "#demandes")


from app.committees import decisions  # noqa: E402,F401  (registers the decisions routes)
