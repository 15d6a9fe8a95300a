"""Requests to join: an elected official asks from their tenant; the network's coordinator
(network committees) or the tenant's administrator or chairs (tenant committees) accept or
decline; acceptance seats the person and invites them to the meetings to come."""

from __future__ import annotations

from app.committees import membership, services
from app.committees.models import CommitteeMember, JoinRequest
from app.core.models import AuditLog
from app.core.ui import date_fr
from tests.committees.helpers import (
    NET,
    OTHER_NET,
    A,
    B,
    G,
    committee,
    count,
    event,
    invitations,
    join_request,
    mails,
    member,
    net_space,
    rows,
    tenant_space,
    text,
)


def test_full_flow_request_accept_and_invitation(w, as_user, run_jobs):
    c = committee(net_space(w), accepts_requests=True)
    meeting = event(net_space(w), c, "Comité de pilotage d’avril")
    elu, token = as_user("elu.a@example.org")
    page = text(elu.get(A))
    assert c.name in page and "Ouvert aux demandes" in page
    assert "Demander à rejoindre" in text(elu.get(f"{A}/{c.id}"))
    response = elu.post(f"{A}/{c.id}/demander", data={"csrf_token": token,
                                                      "message": "Maire adjointe de Plérin."})
    assert response.status_code == 302
    [req] = rows(JoinRequest)
    assert (req.tenant_id, req.network_id, req.user_id, req.status, req.message) == (
        w["a"].id, w["network"].id, w["elu_a"].id, "pending", "Maire adjointe de Plérin.")
    page = text(elu.get(f"{A}/{c.id}"))
    assert f"Demande envoyée le {date_fr(req.created_at, with_time=False)} — en attente" in page
    assert "Demande en attente" in text(elu.get(A))  # also on the list, with « my requests »

    coord, ctoken = as_user("coord@example.org")
    page = text(coord.get(f"{NET}/{c.id}"))
    assert "Élise Martin" in page and "elu.a@example.org" in page and "CA Alpha" in page
    assert "1 demande à examiner" in text(coord.get(NET))
    decide = text(coord.get(f"{NET}/demandes/{req.id}"))
    assert "Maire adjointe de Plérin." in decide and "Accepter la demande" in decide
    response = coord.post(f"{NET}/demandes/{req.id}/accepter",
                          data={"csrf_token": ctoken, "position": "membre",
                                "mandate_start": "", "mandate_end": ""},
                          follow_redirects=True)
    assert "Invitation en cours d’envoi pour 1 réunion à venir." in text(response)
    [req] = rows(JoinRequest)
    assert (req.status, req.decided_by_id) == ("accepted", w["coordinator"].id)
    assert req.decided_at is not None
    [seat] = rows(CommitteeMember)
    assert (seat.user_id, seat.network_id, seat.tenant_id, seat.represents, seat.position) == (
        w["elu_a"].id, w["network"].id, None, "CA Alpha", "membre")
    assert seat.mandate_start == services.today()
    [inv] = invitations(meeting)
    assert (inv.user_id, inv.committee_member_id, inv.source, inv.email) == (
        w["elu_a"].id, seat.id, "committee", "elu.a@example.org")
    [told] = mails("committee_request", "elu.a@example.org")
    assert "acceptée" in told.subject and c.name in told.body_text
    assert f"/t/alpha/comites/{c.id}" in told.body_text
    committee_id = c.id
    run_jobs()  # (expires the test's objects)
    assert len(mails("event_invitation", "elu.a@example.org")) == 1
    assert count(AuditLog, AuditLog.action == "committee.request_accepted") == 1
    # The new member sees it, and may no longer ask.
    page = text(elu.get(f"{A}/{committee_id}"))
    assert "Vous êtes membre" in page and "Demander à rejoindre" not in page


def test_decline_with_a_note_tells_the_requester(w, as_user):
    c = committee(net_space(w))
    req = join_request(w, c, w["elu_a"])
    coord, token = as_user("coord@example.org")
    response = coord.post(f"{NET}/demandes/{req.id}/refuser",
                          data={"csrf_token": token, "note": "Le comité est au complet."})
    assert response.status_code == 302
    [req] = rows(JoinRequest)
    assert (req.status, req.decision_note) == ("declined", "Le comité est au complet.")
    assert count(CommitteeMember) == 0
    [told] = mails("committee_request", "elu.a@example.org")
    assert "n’a pas été retenue" in told.body_text and "Le comité est au complet." in told.body_text
    # Already decided: a second decision is refused.
    again = coord.post(f"{NET}/demandes/{req.id}/accepter",
                       data={"csrf_token": token, "position": "membre"}, follow_redirects=True)
    assert "Cette demande a déjà été traitée." in text(again)
    assert count(CommitteeMember) == 0 and rows(JoinRequest)[0].status == "declined"
    elu, _ = as_user("elu.a@example.org")
    page = text(elu.get(A))
    assert "Refusée" in page and "Le comité est au complet." in page


def test_accept_validates_the_mandate(w, as_user):
    c = committee(net_space(w))
    req = join_request(w, c, w["elu_a"])
    coord, token = as_user("coord@example.org")
    response = coord.post(f"{NET}/demandes/{req.id}/accepter", data={
        "csrf_token": token, "position": "copilote", "mandate_start": "2026-09-01",
        "mandate_end": "2026-01-01"})
    assert response.status_code == 422
    assert "La fin du mandat ne peut pas précéder son début." in text(response)
    assert count(CommitteeMember) == 0 and rows(JoinRequest)[0].status == "pending"
    # A blank start means today: an end already past is refused too.
    response = coord.post(f"{NET}/demandes/{req.id}/accepter", data={
        "csrf_token": token, "position": "membre", "mandate_start": "",
        "mandate_end": "2001-01-01"}, follow_redirects=True)
    assert "La fin du mandat ne peut pas précéder son début." in text(response)
    assert count(CommitteeMember) == 0 and rows(JoinRequest)[0].status == "pending"


def test_withdraw_own_request_only(w, as_user):
    c = committee(net_space(w))
    req = join_request(w, c, w["elu_a"])
    other, otoken = as_user("elu.a2@example.org")  # same tenant, not the requester
    assert other.post(f"{A}/demandes/{req.id}/retirer",
                      data={"csrf_token": otoken}).status_code == 404
    assert rows(JoinRequest)[0].status == "pending"
    elu, token = as_user("elu.a@example.org")
    assert elu.post(f"{A}/demandes/{req.id}/retirer",
                    data={"csrf_token": token}).status_code == 302
    assert rows(JoinRequest)[0].status == "withdrawn"
    coord, _ = as_user("coord@example.org")
    assert "Élise Martin" not in text(coord.get(f"{NET}/{c.id}"))
    # Withdrawn: a new request is possible.
    assert elu.post(f"{A}/{c.id}/demander", data={"csrf_token": token, "message": ""}
                    ).status_code == 302
    assert count(JoinRequest, JoinRequest.status == "pending") == 1


def test_duplicate_pending_request_is_refused(w, as_user, monkeypatch):
    c = committee(net_space(w))
    elu, token = as_user("elu.a@example.org")
    assert elu.post(f"{A}/{c.id}/demander", data={"csrf_token": token}).status_code == 302
    response = elu.post(f"{A}/{c.id}/demander", data={"csrf_token": token},
                        follow_redirects=True)
    assert "Vous avez déjà une demande en attente pour ce comité." in text(response)
    # Two clicks at the same moment: the check passes for both, the index settles it.
    monkeypatch.setattr(membership, "pending_request_of", lambda committee: None)
    response = elu.post(f"{A}/{c.id}/demander", data={"csrf_token": token},
                        follow_redirects=True)
    assert "Vous avez déjà une demande en attente pour ce comité." in text(response)
    assert count(JoinRequest) == 1


def test_no_request_when_closed_or_already_member(w, as_user):
    closed = committee(net_space(w), name="Comité des financeurs", kind="financeurs",
                       accepts_requests=False)
    sitting = committee(net_space(w), name="Association des élus", kind="association_elus")
    member(net_space(w), sitting, w["elu_a"])
    elu, token = as_user("elu.a@example.org")
    assert "ne reçoit pas de demandes" in text(elu.get(f"{A}/{closed.id}"))
    response = elu.post(f"{A}/{closed.id}/demander", data={"csrf_token": token},
                        follow_redirects=True)
    assert "Ce comité ne reçoit pas de demandes d’adhésion." in text(response)
    response = elu.post(f"{A}/{sitting.id}/demander", data={"csrf_token": token},
                        follow_redirects=True)
    assert "Vous êtes déjà membre de ce comité." in text(response)
    assert count(JoinRequest) == 0


def test_message_too_long_is_refused(w, as_user):
    c = committee(net_space(w))
    elu, token = as_user("elu.a@example.org")
    response = elu.post(f"{A}/{c.id}/demander", data={"csrf_token": token,
                                                      "message": "x" * 2001})
    assert response.status_code == 422 and "2000 caractères au maximum." in text(response)
    assert count(JoinRequest) == 0


def test_tenant_committee_requests_are_decided_by_its_chair(w, as_user):
    c = committee(tenant_space(w), name="Collectif local", kind="collectif")
    member(tenant_space(w), c, w["elu_a"], position="president")
    elu2, token2 = as_user("elu.a2@example.org")
    assert elu2.post(f"{A}/{c.id}/demander", data={"csrf_token": token2}).status_code == 302
    [req] = rows(JoinRequest)
    assert (req.tenant_id, req.network_id) == (w["a"].id, None)
    chair, token = as_user("elu.a@example.org")
    assert "Paul Durand" in text(chair.get(f"{A}/{c.id}"))
    response = chair.post(f"{A}/demandes/{req.id}/accepter",
                          data={"csrf_token": token, "position": "membre",
                                "mandate_start": "2026-02-01"})
    assert response.status_code == 302
    seat = rows(CommitteeMember, CommitteeMember.user_id == w["elu_a2"].id)[0]
    assert (seat.tenant_id, seat.represents, str(seat.mandate_start)) == (
        w["a"].id, "CA Alpha", "2026-02-01")
    assert rows(JoinRequest)[0].decided_by_id == w["elu_a"].id


def test_tenant_admin_cannot_decide_a_network_committee_request(w, as_user):
    c = committee(net_space(w))
    req = join_request(w, c, w["elu_a"])
    admin, token = as_user("admin.a@example.org")
    assert admin.get(f"{A}/demandes/{req.id}").status_code == 403
    assert admin.post(f"{A}/demandes/{req.id}/accepter",
                      data={"csrf_token": token, "position": "membre"}).status_code == 403
    assert rows(JoinRequest)[0].status == "pending" and count(CommitteeMember) == 0


def test_other_network_official_cannot_see_or_request(w, as_user):
    c = committee(net_space(w))
    local = committee(tenant_space(w), name="Commission locale")
    for email, prefix in (("elu.g@example.org", G), ("elu.b@example.org", B)):
        elu, token = as_user(email)
        if prefix == G:  # another network: the network's committee does not exist here
            assert c.name not in text(elu.get(prefix))
            assert elu.get(f"{prefix}/{c.id}").status_code == 404
            assert elu.post(f"{prefix}/{c.id}/demander",
                            data={"csrf_token": token}).status_code == 404
        # tenant alpha's committee is invisible to beta and gamma
        assert local.name not in text(elu.get(prefix))
        assert elu.get(f"{prefix}/{local.id}").status_code == 404
        assert elu.post(f"{prefix}/{local.id}/demander",
                        data={"csrf_token": token}).status_code == 404
    assert count(JoinRequest) == 0


def test_requests_of_a_tenant_stay_with_it_and_its_network(w, as_user):
    c = committee(net_space(w))
    req = join_request(w, c, w["elu_a"])
    # Tenant beta (same network) sees neither the request nor its requester on its pages.
    elu_b, token_b = as_user("elu.b@example.org")
    page = text(elu_b.get(f"{B}/{c.id}"))
    assert "Élise Martin" not in page and "Demande envoyée" not in page
    assert elu_b.post(f"{B}/demandes/{req.id}/retirer",
                      data={"csrf_token": token_b}).status_code == 404
    admin_b, token = as_user("admin.b@example.org")
    assert admin_b.get(f"{B}/demandes/{req.id}").status_code == 404
    assert admin_b.post(f"{B}/demandes/{req.id}/refuser",
                        data={"csrf_token": token}).status_code == 404
    # Another network's coordinator neither.
    other, otoken = as_user("coord.autre@example.org")
    assert other.get(f"{OTHER_NET}/demandes/{req.id}").status_code == 404
    for verb in ("accepter", "refuser"):
        assert other.post(f"{OTHER_NET}/demandes/{req.id}/{verb}",
                          data={"csrf_token": otoken, "position": "membre"}).status_code == 404
    assert "Élise Martin" not in text(other.get(OTHER_NET))
    [req] = rows(JoinRequest)
    assert req.status == "pending" and count(CommitteeMember) == 0
