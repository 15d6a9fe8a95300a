"""Events and committees objects for the cross-tenant matrix: one complete set per owner
(a committee with a member and a join request, one of its meetings with an agenda item, a
candidate date, an invitation, minutes with a revision, a decision and an action)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from app.committees.models import ActionItem, Committee, CommitteeMember, Decision, JoinRequest
from app.core import tenancy
from app.events import tokens
from app.events.models import (
    AgendaItem,
    DateOption,
    Event,
    EventInvitation,
    Minutes,
    MinutesRevision,
)


def event_objects(dbsession, owner: tenancy.Space, label: str, member, requester,
                  requester_space: tenancy.Space, request_network_id: int | None) -> dict:
    """Ids of a full set of objects owned by `owner`, named after `label` (so that a leak
    shows in page text). `requester` asks to join the committee from `requester_space`."""
    start = datetime.now(UTC) + timedelta(days=10)
    with tenancy.use_space(owner, dbsession):
        committee = Committee(name=f"Comité {label}", kind="collectif")
        dbsession.add(committee)
        dbsession.flush()
        seat = CommitteeMember(committee_id=committee.id, user_id=member.id,
                               name=member.full_name, email=member.email,
                               position="copilote", mandate_start=date.today())
        event = Event(kind="comite", title=f"Réunion {label}", status="scheduled",
                      starts_at=start, ends_at=start + timedelta(hours=2),
                      committee_id=committee.id)
        dbsession.add_all([seat, event])
        dbsession.flush()
        item = AgendaItem(event_id=event.id, title=f"Point {label}", position=1)
        option = DateOption(event_id=event.id, starts_at=start + timedelta(days=1),
                            ends_at=start + timedelta(days=1, hours=2))
        guest = EventInvitation(event_id=event.id, name=f"Invité {label}",
                                email=f"invite.{label.lower().replace(' ', '.')}@example.org",
                                token_key=tokens.new_key(), source="person")
        minutes = Minutes(event_id=event.id, body=f"Compte rendu {label}", status="draft")
        dbsession.add_all([item, option, guest, minutes])
        dbsession.flush()
        revision = MinutesRevision(minutes_id=minutes.id, body=f"Compte rendu {label}")
        decision = Decision(event_id=event.id, committee_id=committee.id,
                            title=f"Décision {label}")
        dbsession.add_all([revision, decision])
        dbsession.flush()
        action = ActionItem(decision_id=decision.id, title=f"Action {label}",
                            owner_name=member.full_name, owner_email=member.email,
                            due_on=date.today() + timedelta(days=30))
        dbsession.add(action)
        dbsession.flush()
    with tenancy.use_space(requester_space, dbsession):
        request = JoinRequest(committee_id=committee.id, user_id=requester.id,
                              network_id=request_network_id, message=f"Demande {label}")
        dbsession.add(request)
        dbsession.flush()
    return {
        "committee_id": committee.id, "member_id": seat.id, "request_id": request.id,
        "event_id": event.id, "item_id": item.id, "option_id": option.id,
        "guest_id": guest.id, "revision_id": revision.id, "decision_id": decision.id,
        "action_id": action.id,
    }


def pair(a: dict, b: dict) -> dict:
    """argument name -> (A's id, B's id)"""
    return {name: (a[name], b[name]) for name in a}
