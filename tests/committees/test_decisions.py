"""The decisions register of a meeting: decisions and their actions, written by the
organisers in the event owner's space, with French validation and confirmation before
removal."""

from __future__ import annotations

from datetime import date

from app.committees import services
from app.committees.models import ActionItem, Decision
from tests.committees.helpers import (
    NET,
    A,
    action,
    committee,
    count,
    decision,
    event,
    member,
    net_space,
    rows,
    tenant_space,
    text,
)


def action_form(token, **extra):
    data = {"csrf_token": token, "title": "Réserver la salle", "owner_member_id": "",
            "owner_name": "", "owner_email": "", "due_on": "2026-05-01", "status": "todo"}
    data.update(extra)
    return data


def test_coordinator_records_decisions_and_actions(w, as_user):
    c = committee(net_space(w))
    seat = member(net_space(w), c, w["elu_a"], represents="CA Alpha")
    e = event(net_space(w), c, "Comité de mars", days=-2)
    client, token = as_user("coord@example.org")
    url = f"{NET}/reunions/{e.id}/decisions"
    assert "Aucune décision enregistrée" in text(client.get(url))
    bad = client.post(url, data={"csrf_token": token, "title": "", "details": "x"})
    assert bad.status_code == 422 and "Ce champ est obligatoire." in text(bad)
    assert count(Decision) == 0
    assert client.post(url, data={"csrf_token": token, "title": "Lancer une matinée d’éveil",
                                  "details": "À la médiathèque."}).status_code == 302
    [d] = rows(Decision)
    assert (d.event_id, d.committee_id, d.network_id, d.tenant_id, d.position) == (
        e.id, c.id, w["network"].id, None, 1)

    # An action for a member of the committee, another for someone outside it.
    assert client.post(f"{NET}/decisions/{d.id}/actions/nouvelle", data=action_form(
        token, owner_member_id=str(seat.id))).status_code == 302
    assert client.post(f"{NET}/decisions/{d.id}/actions/nouvelle", data=action_form(
        token, title="Prévenir la PMI", owner_name="Service PMI",
        owner_email="ELU.B@example.org", due_on="")).status_code == 302
    first, second = rows(ActionItem)
    assert (first.owner_name, first.owner_email, first.owner_user_id, first.network_id) == (
        "Élise Martin", "elu.a@example.org", w["elu_a"].id, w["network"].id)
    assert first.due_on == date(2026, 5, 1)
    assert (second.owner_name, second.owner_email, second.owner_user_id, second.due_on) == (
        "Service PMI", "elu.b@example.org", w["elu_b"].id, None)
    page = text(client.get(url))
    assert "Lancer une matinée d’éveil" in page and "Réserver la salle" in page
    assert "Prévenir la PMI" in page and "Sans échéance" in page

    # Edit the decision, then the action (a new due date forgets the last reminder).
    assert client.post(f"{NET}/decisions/{d.id}", data={
        "csrf_token": token, "title": "Organiser une matinée d’éveil", "details": ""}
    ).status_code == 302
    assert rows(Decision)[0].title == "Organiser une matinée d’éveil"
    with_reminder = rows(ActionItem)[0]
    from app.core import tenancy
    from app.extensions import db

    with tenancy.use_space(net_space(w), db.session):
        with_reminder.last_reminded_on = date(2026, 5, 2)
        db.session.flush()
    assert client.post(f"{NET}/actions/{first.id}", data=action_form(
        token, owner_member_id=str(seat.id), due_on="2026-06-15", status="in_progress")
    ).status_code == 302
    first = rows(ActionItem, ActionItem.id == first.id)[0]
    assert (first.due_on, first.status, first.last_reminded_on) == (
        date(2026, 6, 15), "in_progress", None)

    # Inline status: done sets the day it was done; reopened clears it.
    response = client.post(f"{NET}/actions/{first.id}/statut",
                           data={"csrf_token": token, "status": "done", "retour": "reunion"})
    assert response.status_code == 302 and f"/reunions/{e.id}/decisions" in response.location
    first = rows(ActionItem, ActionItem.id == first.id)[0]
    assert (first.status, first.done_on) == ("done", services.today())
    client.post(f"{NET}/actions/{first.id}/statut", data={"csrf_token": token,
                                                          "status": "todo"})
    first = rows(ActionItem, ActionItem.id == first.id)[0]
    assert (first.status, first.done_on) == ("todo", None)

    # Removal asks first.
    assert "Supprimer l’action" in text(client.get(f"{NET}/actions/{second.id}/supprimer"))
    assert count(ActionItem) == 2
    assert client.post(f"{NET}/actions/{second.id}/supprimer",
                       data={"csrf_token": token}).status_code == 302
    assert count(ActionItem) == 1
    assert "avec ses 1 action" in text(client.get(f"{NET}/decisions/{d.id}/supprimer"))
    assert client.post(f"{NET}/decisions/{d.id}/supprimer",
                       data={"csrf_token": token}).status_code == 302
    assert count(Decision) == 0 and count(ActionItem) == 0


def test_bad_action_input_is_refused_in_french(w, as_user):
    c = committee(net_space(w))
    other = committee(net_space(w), name="Autre comité")
    stranger = member(net_space(w), other, w["elu_b"])
    e = event(net_space(w), c, days=-1)
    d = decision(net_space(w), e)
    client, token = as_user("coord@example.org")
    url = f"{NET}/decisions/{d.id}/actions/nouvelle"
    cases = [
        (action_form(token, title=""), "Ce champ est obligatoire."),
        (action_form(token), "Indiquez qui s’en charge"),
        (action_form(token, owner_name="X", due_on="2026-13-01"), "Date invalide"),
        (action_form(token, owner_name="X", owner_email="pas-une-adresse"),
         "Adresse e-mail invalide"),
        (action_form(token, owner_member_id=str(stranger.id)),
         "Choisissez une valeur dans la liste."),
        (action_form(token, owner_name="X", status="fini"), "Choisissez une valeur dans la liste."),
    ]
    for form, message in cases:
        response = client.post(url, data=form)
        assert response.status_code == 422, message
        assert message in text(response), message
    bad_status = client.post(f"{NET}/decisions/{d.id}/actions/nouvelle",
                             data=action_form(token, owner_name="Y"))
    assert bad_status.status_code == 302
    [a] = rows(ActionItem)
    response = client.post(f"{NET}/actions/{a.id}/statut",
                           data={"csrf_token": token, "status": "n-importe"},
                           follow_redirects=True)
    assert "Choisissez un état dans la liste." in text(response)
    assert rows(ActionItem)[0].status == "todo"


def test_forum_without_committee_has_decisions_too(w, as_user):
    forum = event(tenant_space(w), None, "Forum des partenaires", kind="forum", days=-3)
    client, token = as_user("admin.a@example.org")
    url = f"{A}/reunions/{forum.id}/decisions"
    assert client.get(url).status_code == 200
    assert client.post(url, data={"csrf_token": token, "title": "Créer un annuaire",
                                  "details": ""}).status_code == 302
    [d] = rows(Decision)
    assert (d.tenant_id, d.network_id, d.committee_id) == (w["a"].id, None, None)
    page = text(client.get(f"{A}/decisions/{d.id}/actions/nouvelle"))
    assert "Un membre du comité" not in page  # no committee: a free name
    assert client.post(f"{A}/decisions/{d.id}/actions/nouvelle", data=action_form(
        token, owner_name="Relais de Plérin")).status_code == 302
    assert rows(ActionItem)[0].tenant_id == w["a"].id


def test_who_may_write_decisions(w, as_user):
    local = committee(tenant_space(w), name="Collectif local", kind="collectif")
    member(tenant_space(w), local, w["elu_a"], position="copilote")
    member(tenant_space(w), local, w["elu_a2"])
    meeting = event(tenant_space(w), local, "Collectif d’avril", days=-1)
    forum = event(tenant_space(w), None, "Forum", kind="forum", days=-1)
    network_meeting = event(net_space(w), committee(net_space(w)), "Copil réseau", days=-1)
    chair, token = as_user("elu.a@example.org")
    assert chair.post(f"{A}/reunions/{meeting.id}/decisions", data={
        "csrf_token": token, "title": "Décision du collectif"}).status_code == 302
    assert chair.get(f"{A}/reunions/{forum.id}/decisions").status_code == 403  # not theirs
    plain, token2 = as_user("elu.a2@example.org")
    assert plain.get(f"{A}/reunions/{meeting.id}/decisions").status_code == 403
    assert plain.post(f"{A}/reunions/{meeting.id}/decisions", data={
        "csrf_token": token2, "title": "Pirate"}).status_code == 403
    [d] = rows(Decision)
    assert plain.post(f"{A}/decisions/{d.id}", data={
        "csrf_token": token2, "title": "Pirate"}).status_code == 403
    # A network's meeting, seen from a member tenant: its decisions are the network's.
    admin, token3 = as_user("admin.a@example.org")
    assert admin.get(f"{A}/reunions/{network_meeting.id}/decisions").status_code == 404
    assert admin.post(f"{A}/reunions/{network_meeting.id}/decisions", data={
        "csrf_token": token3, "title": "Pirate"}).status_code == 404
    assert [x.title for x in rows(Decision)] == ["Décision du collectif"]
    # The action inline form stays with the committee's organisers.
    a = action(tenant_space(w), d)
    assert plain.post(f"{A}/actions/{a.id}/statut", data={
        "csrf_token": token2, "status": "done"}).status_code == 403
    assert rows(ActionItem)[0].status == "todo"
