"""Review of the committees area: regressions found in review (one test per problem)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from app.committees import membership, services
from app.committees.models import Committee, CommitteeMember, Decision, JoinRequest
from app.events.models import EventInvitation
from app.extensions import db
from tests import factories
from tests.committees.helpers import (
    NET,
    A,
    action,
    committee,
    count,
    decision,
    event,
    in_space,
    invitations,
    join_request,
    mails,
    member,
    net_space,
    publish_minutes,
    rows,
    tenant_space,
    text,
)


def member_form(token, **extra):
    base = {"csrf_token": token, "user_id": "", "email": "", "contact_id": "",
            "position": "membre", "represents": "", "mandate_start": "", "mandate_end": ""}
    base.update(extra)
    return base


def count_queries(dbsession, client, url) -> int:
    statements = []

    def count(*args, **kwargs):
        statements.append(args[2] if len(args) > 2 else "")

    bind = dbsession.get_bind()
    sa.event.listen(bind, "before_cursor_execute", count)
    try:
        response = client.get(url)
        assert response.status_code == 200, url
    finally:
        sa.event.remove(bind, "before_cursor_execute", count)
    return len(statements)


def test_pages_use_a_constant_number_of_queries(w, as_user, dbsession):
    space = net_space(w)
    c = committee(space)
    member(space, c, w["elu_a"], position="president")
    today = services.today()
    serial = iter(range(1000))

    def grow(n):
        for _ in range(n):
            i = next(serial)
            u = factories.user(f"m{i}@example.org", f"Membre {i}")
            factories.tenant_role(u, w["a"], "elected_official")
            member(space, c, u)
            join_request(w, c, u)
            e = event(space, c, f"Réunion {i}", days=-i - 2, facilitator_member_id=None)
            publish_minutes(space, e)
            d = decision(space, e, f"Décision {i}")
            action(space, d, f"Action {i}", due_on=today - timedelta(days=1))
            action(space, d, f"Action bis {i}", due_on=today + timedelta(days=1))

    grow(1)
    e0 = event(space, c, "Réunion fixe", days=-1)
    decision(space, e0, "Fixe")
    coord, _ = as_user("coord@example.org")
    elu, _ = as_user("elu.a@example.org")
    coord_pages = [NET, f"{NET}/{c.id}", f"{NET}/{c.id}/suivi", f"{NET}/suivi",
                   f"{NET}/reunions/{e0.id}/decisions"]
    elu_pages = [A, f"{A}/{c.id}"]
    before = ([count_queries(dbsession, coord, u) for u in coord_pages],
              [count_queries(dbsession, elu, u) for u in elu_pages])
    grow(4)
    after = ([count_queries(dbsession, coord, u) for u in coord_pages],
             [count_queries(dbsession, elu, u) for u in elu_pages])
    assert before == after


# --------------------------------------------------------------------------- authorization

def test_a_chair_whose_mandate_ended_no_longer_organises(w, as_user):
    """An ex-président·e keeps a seat row (history) but not the chair's powers, as the
    events side (`chaired_committee_ids`) already says."""
    today = services.today()
    c = committee(tenant_space(w), name="Collectif local", kind="collectif")
    seat = member(tenant_space(w), c, w["elu_a"], position="president",
                  mandate_start=today - timedelta(days=400),
                  mandate_end=today - timedelta(days=1))
    req = join_request(w, c, w["elu_a2"])
    meeting = event(tenant_space(w), c, "Collectif de mars", days=-3)
    ex, token = as_user("elu.a@example.org")
    page = text(ex.get(f"{A}/{c.id}"))
    assert "Ajouter un membre" not in page and "Suivi des actions" not in page
    assert ex.get(f"{A}/demandes/{req.id}").status_code == 403
    assert ex.post(f"{A}/demandes/{req.id}/accepter", data={
        "csrf_token": token, "position": "membre"}).status_code == 403
    assert ex.get(f"{A}/{c.id}/membres/nouveau").status_code == 403
    assert ex.post(f"{A}/{c.id}/membres/{seat.id}", data={
        "csrf_token": token, "position": "president", "represents": "",
        "mandate_start": "", "mandate_end": ""}).status_code == 403
    assert ex.post(f"{A}/reunions/{meeting.id}/decisions", data={
        "csrf_token": token, "title": "Décision", "details": ""}).status_code == 403
    assert rows(JoinRequest)[0].status == "pending"
    assert rows(CommitteeMember)[0].mandate_end == today - timedelta(days=1)
    assert count(Decision) == 0
    # A chair whose mandate runs today does organise.
    with in_space(tenant_space(w)):
        db.session.get(CommitteeMember, seat.id).mandate_end = None
        db.session.flush()
    assert ex.get(f"{A}/demandes/{req.id}").status_code == 200


# --------------------------------------------------------------------------- mandates

def test_members_outside_their_mandate_are_not_invited(w, as_user):
    today = services.today()
    c = committee(net_space(w))
    next_week = event(net_space(w), c, "Comité de la semaine prochaine", days=7)
    polling = event(net_space(w), c, "Comité à dater", status="polling")
    coord, token = as_user("coord@example.org")
    soon = (today + timedelta(days=3)).isoformat()
    later = (today + timedelta(days=30)).isoformat()
    # Mandate starting in three days: next week's meeting, not the poll (undated meetings
    # count today, as when the meeting's own invitations are sent).
    assert coord.post(f"{NET}/{c.id}/membres/nouveau", data=member_form(
        token, email="elu.b@example.org", mandate_start=soon)).status_code == 302
    # Mandate already over: no invitation at all.
    assert coord.post(f"{NET}/{c.id}/membres/nouveau", data=member_form(
        token, email="elu.a2@example.org", mandate_start="2020-01-01",
        mandate_end=(today - timedelta(days=1)).isoformat())).status_code == 302
    # An accepted request whose mandate starts in a month: nothing yet.
    req = join_request(w, c, w["elu_a"])
    response = coord.post(f"{NET}/demandes/{req.id}/accepter", data={
        "csrf_token": token, "position": "membre", "mandate_start": later, "mandate_end": ""})
    assert response.status_code == 302
    # A seat with no dates: invited to both (the control).
    assert coord.post(f"{NET}/{c.id}/membres/nouveau", data=member_form(
        token, email="admin.b@example.org")).status_code == 302
    assert {i.email for i in invitations(next_week)} == {"admin.b@example.org",
                                                         "elu.b@example.org"}
    assert {i.email for i in invitations(polling)} == {"admin.b@example.org"}
    [told] = mails("committee_request", "elu.a@example.org")
    assert "acceptée" in told.body_text and "invitation aux" not in told.body_text


# --------------------------------------------------------------------------- requests

def test_a_request_can_be_withdrawn_after_the_committee_was_archived(w, as_user):
    c = committee(net_space(w))
    req = join_request(w, c, w["elu_a"])
    with in_space(net_space(w)):
        db.session.get(Committee, c.id).archived_at = datetime.now(UTC)
        db.session.flush()
    elu, token = as_user("elu.a@example.org")
    page = text(elu.get(A))
    assert "Comité archivé" in page and "Retirer" in page
    response = elu.post(f"{A}/demandes/{req.id}/retirer", data={"csrf_token": token})
    assert response.status_code == 302 and response.location.endswith("/t/alpha/comites")
    assert rows(JoinRequest)[0].status == "withdrawn"
    # Still nobody else's to withdraw.
    other, otoken = as_user("elu.a2@example.org")
    assert other.post(f"{A}/demandes/{req.id}/retirer",
                      data={"csrf_token": otoken}).status_code == 404


def test_accept_racing_a_direct_addition_says_so_and_writes_nothing(w, as_user, monkeypatch):
    """Both pass the « already a member? » check; the unique index settles it."""
    c = committee(net_space(w))
    event(net_space(w), c, "Comité de juin", days=10)
    req = join_request(w, c, w["elu_a"])
    member(net_space(w), c, w["elu_a"])  # added by hand meanwhile
    monkeypatch.setattr(membership, "_member_exists", lambda committee, email: False)
    coord, token = as_user("coord@example.org")
    response = coord.post(f"{NET}/demandes/{req.id}/accepter", data={
        "csrf_token": token, "position": "membre", "mandate_start": "", "mandate_end": ""},
        follow_redirects=True)
    assert response.status_code == 200
    assert "elu.a@example.org est déjà membre de ce comité." in text(response)
    assert rows(JoinRequest)[0].status == "pending"
    assert count(CommitteeMember) == 1 and count(EventInvitation) == 0
    assert mails("committee_request") == []


# --------------------------------------------------------------------------- follow-up

def test_committee_followup_is_paginated_by_decision(w, as_user):
    today = services.today()
    c = committee(net_space(w))
    for n in range(30):
        meeting = event(net_space(w), c, f"Comité numéro {n:02d}", days=-60 + n)
        d = decision(net_space(w), meeting, f"Décision numéro {n:02d}")
        action(net_space(w), d, f"Action numéro {n:02d}", due_on=today - timedelta(days=1),
               status="done" if n % 2 else "todo")
    coord, _ = as_user("coord@example.org")
    first = text(coord.get(f"{NET}/{c.id}/suivi"))
    assert "Décision numéro 29" in first and "Décision numéro 00" not in first  # latest first
    assert "Page 1 sur 2" in first
    assert "Toutes (30)" in first and "Faites (15)" in first and "En retard (15)" in first
    second = text(coord.get(f"{NET}/{c.id}/suivi?page=2"))
    assert "Décision numéro 00" in second and "Décision numéro 29" not in second
    # A filter paginates what it keeps; the links keep the filter.
    late = text(coord.get(f"{NET}/{c.id}/suivi?filtre=en-retard"))
    assert "Page 1 sur 2" not in late and "Action numéro 28" in late
    assert "Action numéro 29" not in late and "Décision numéro 29" not in late


def test_an_elected_official_cannot_decide_their_own_request(w, as_user):
    c = committee(tenant_space(w), name="Collectif local", kind="collectif")
    req = join_request(w, c, w["elu_a"])
    elu, token = as_user("elu.a@example.org")
    assert elu.get(f"{A}/demandes/{req.id}").status_code == 403
    for verb in ("accepter", "refuser"):
        assert elu.post(f"{A}/demandes/{req.id}/{verb}", data={
            "csrf_token": token, "position": "president"}).status_code == 403
    assert elu.get(f"{A}/{c.id}/modifier").status_code == 403
    assert rows(JoinRequest)[0].status == "pending" and count(CommitteeMember) == 0
