"""Members of a committee and requests to join it: adding, changing and removing seats
(with invitations to the coming meetings), asking, withdrawing, accepting and declining.
Same conventions as `services`: the current space, one unit of work the view commits."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from flask import current_app, g
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app.committees.models import (
    POSITIONS,
    Committee,
    CommitteeMember,
    JoinRequest,
)
from app.committees.schemas import MANDATE_ORDER
from app.committees.services import (
    CommitteeError,
    holds_tenant_role,
    in_network,
    is_member,
    tenant_names,
    today,
)
from app.core import audit, mail
from app.core.models import User
from app.core.ui import date_fr
from app.extensions import db


def _member_exists(committee: Committee, email: str) -> bool:
    return db.session.scalar(sa.select(sa.exists().where(
        CommitteeMember.committee_id == committee.id, CommitteeMember.email == email)))


def _flush_member(member: CommitteeMember) -> None:
    try:
        with db.session.begin_nested():
            db.session.add(member)
    except IntegrityError as exc:
        constraint = getattr(getattr(exc.orig, "diag", None), "constraint_name", "")
        if constraint != "uq_committee_member_email":
            raise
        raise CommitteeError(f"{member.email} est déjà membre de ce comité.") from exc


def invite_to_upcoming(committee: Committee, member: CommitteeMember) -> int:
    """Invite a new member to the committee's meetings still to come (scheduled in the
    future, or looking for a date) that their mandate covers (the meeting's day, or today
    while undated); their invitation e-mails leave after commit."""
    from app.events import invitations
    from app.events.audience import event_day
    from app.events.models import Event

    now = datetime.now(UTC)
    events = db.session.scalars(
        sa.select(Event).where(
            Event.committee_id == committee.id,
            # the meeting and the committee have the same owner: that is where we write
            Event.tenant_id.is_not_distinct_from(committee.tenant_id),
            Event.network_id.is_not_distinct_from(committee.network_id),
            sa.or_(Event.status == "polling",
                   sa.and_(Event.status == "scheduled", Event.starts_at > now)))
        .order_by(Event.id)).all()
    invited = 0
    for event in events:
        if not member.is_current(event_day(event)):
            continue  # as the meeting's own invitations: members whose mandate covers it
        _, created = invitations.add_invitation(
            event, name=member.name, email=member.email, source="committee",
            user_id=member.user_id, committee_member_id=member.id,
            organisation=member.represents)
        if created:
            invitations.queue_invitation_emails(event)
            invited += 1
    return invited


def add_member(committee: Committee, data: dict) -> tuple[CommitteeMember, int]:
    """Add the person named in `data` (validated by MemberNewSchema); returns the member and
    how many upcoming meetings they were invited to."""
    from app.networks.models import OrganisationContact

    represents = data.get("represents") or ""
    user_id = contact_id = None
    if data.get("user_id"):
        user = db.session.get(User, data["user_id"])
        name, email, user_id = user.full_name, user.email, user.id
        represents = represents or g.tenant.name
    elif data.get("contact_id"):
        contact = db.session.scalar(
            sa.select(OrganisationContact).options(joinedload(OrganisationContact.organisation))
            .where(OrganisationContact.id == data["contact_id"]))
        name, email, contact_id = contact.full_name, contact.email.lower(), contact.id
        represents = represents or contact.organisation.name
        user_id = db.session.scalar(sa.select(User.id).where(User.email == email,
                                                             User.is_active))
    else:
        email = data["email"].strip().lower()
        user = db.session.scalar(sa.select(User).where(User.email == email, User.is_active))
        if user is None:
            raise CommitteeError("Aucun compte Maillage n’utilise cette adresse. Vérifiez-la, "
                                 "ou choisissez la personne parmi les contacts partenaires.")
        name, user_id = user.full_name, user.id
        if not represents and not in_network() and holds_tenant_role(user.id):
            represents = g.tenant.name
    if _member_exists(committee, email):
        raise CommitteeError(f"{name} ({email}) est déjà membre de ce comité.")
    member = CommitteeMember(
        committee_id=committee.id, tenant_id=committee.tenant_id,
        network_id=committee.network_id, user_id=user_id, contact_id=contact_id,
        name=name[:200], email=email, represents=represents[:200], position=data["position"],
        mandate_start=data.get("mandate_start"), mandate_end=data.get("mandate_end"))
    _flush_member(member)
    invited = invite_to_upcoming(committee, member)
    audit.record("committee.member_added", f"committee {committee.id}", member=member.email,
                 position=member.position)
    return member, invited


def update_member(member: CommitteeMember, data: dict) -> None:
    for name in ("position", "represents", "mandate_start", "mandate_end"):
        setattr(member, name, data.get(name))
    member.represents = member.represents or ""
    audit.record("committee.member_updated", f"committee {member.committee_id}",
                 member=member.email, position=member.position)


def remove_member(member: CommitteeMember) -> None:
    audit.record("committee.member_removed", f"committee {member.committee_id}",
                 member=member.email)
    db.session.delete(member)


# --------------------------------------------------------------------------- requests

def pending_request_of(committee: Committee) -> JoinRequest | None:
    return db.session.scalar(sa.select(JoinRequest).where(
        JoinRequest.committee_id == committee.id, JoinRequest.user_id == current_user.id,
        JoinRequest.status == "pending"))


def request_refusal(committee: Committee) -> str | None:
    """Why the signed-in person may not ask to join, or None."""
    if committee.archived_at is not None:
        return "Ce comité est archivé."
    if not committee.accepts_requests:
        return "Ce comité ne reçoit pas de demandes d’adhésion."
    if is_member(committee) or any(m.email == current_user.email for m in committee.members):
        return "Vous êtes déjà membre de ce comité."
    return None


def create_request(committee: Committee, message: str) -> JoinRequest:
    refusal = request_refusal(committee)
    if refusal:
        raise CommitteeError(refusal)
    duplicate = "Vous avez déjà une demande en attente pour ce comité."
    if pending_request_of(committee) is not None:
        raise CommitteeError(duplicate)
    join = JoinRequest(committee_id=committee.id, user_id=current_user.id,
                       tenant_id=g.tenant.id, network_id=committee.network_id,
                       message=message or "", decision_note="")
    try:
        # The partial unique index settles two clicks at the same moment.
        with db.session.begin_nested():
            db.session.add(join)
    except IntegrityError as exc:
        raise CommitteeError(duplicate) from exc
    return join


def withdraw_request(join: JoinRequest) -> None:
    if join.status != "pending":
        raise CommitteeError("Cette demande a déjà été traitée : elle ne peut plus être "
                             "retirée.")
    join.status = "withdrawn"
    join.decided_at = datetime.now(UTC)


def _decided(join: JoinRequest, status: str, note: str) -> None:
    if join.status != "pending":
        raise CommitteeError("Cette demande a déjà été traitée.")
    join.status = status
    join.decided_at = datetime.now(UTC)
    join.decided_by_id = current_user.id
    join.decision_note = note or ""


def _committee_link(committee: Committee, tenant_id: int) -> str:
    from app.tenants.models import Tenant

    slug = db.session.scalar(sa.select(Tenant.slug).where(Tenant.id == tenant_id))
    base = current_app.config["BASE_URL"].rstrip("/")
    return f"{base}/t/{slug}/comites/{committee.id}"


def accept_request(join: JoinRequest, committee: Committee, data: dict) -> tuple[
        CommitteeMember, int]:
    """Accept: the requester becomes a member (in the committee owner's space), is invited
    to the meetings to come and told by e-mail."""
    requester = db.session.get(User, join.user_id)
    _decided(join, "accepted", "")
    if _member_exists(committee, requester.email):
        raise CommitteeError(f"{requester.full_name} est déjà membre de ce comité.")
    start = data.get("mandate_start") or today()
    if data.get("mandate_end") and data["mandate_end"] < start:
        raise CommitteeError(MANDATE_ORDER)
    represents = tenant_names([join.tenant_id]).get(join.tenant_id, "")
    member = CommitteeMember(
        committee_id=committee.id, tenant_id=committee.tenant_id,
        network_id=committee.network_id, user_id=requester.id, name=requester.full_name,
        email=requester.email, represents=represents[:200], position=data["position"],
        mandate_start=start, mandate_end=data.get("mandate_end"))
    _flush_member(member)
    invited = invite_to_upcoming(committee, member)
    position = POSITIONS[member.position].lower()
    mail.send(
        to=requester.email, kind="committee_request",
        subject=f"Maillage : votre demande pour « {committee.name} » est acceptée",
        body=(f"Bonjour {requester.full_name},\n\n"
              f"Votre demande pour rejoindre « {committee.name} » a été acceptée : vous en "
              f"êtes désormais {position}, à partir du "
              f"{date_fr(member.mandate_start)}.\n\n"
              + (f"Vous recevrez séparément l’invitation aux {invited} prochaine"
                 f"{'s' if invited > 1 else ''} réunion{'s' if invited > 1 else ''}.\n\n"
                 if invited else "")
              + f"Le comité, ses membres et ses prochaines réunions :\n"
              f"{_committee_link(committee, join.tenant_id)}\n\n— Maillage\n"))
    audit.record("committee.request_accepted", f"committee {committee.id}",
                 request=join.id, member=member.email)
    return member, invited


def decline_request(join: JoinRequest, committee: Committee, note: str) -> None:
    requester = db.session.get(User, join.user_id)
    _decided(join, "declined", note)
    explanation = f"\nMessage de l’organisation :\n{note}\n" if note else ""
    mail.send(
        to=requester.email, kind="committee_request",
        subject=f"Maillage : votre demande pour « {committee.name} »",
        body=(f"Bonjour {requester.full_name},\n\n"
              f"Votre demande pour rejoindre « {committee.name} » n’a pas été retenue.\n"
              f"{explanation}\n"
              f"Vous pouvez consulter les comités de votre territoire ici :\n"
              f"{_committee_link(committee, join.tenant_id).rsplit('/', 1)[0]}\n\n"
              f"— Maillage\n"))
    audit.record("committee.request_declined", f"committee {committee.id}", request=join.id)
