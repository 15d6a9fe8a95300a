"""Follow-up across meetings: a committee's decisions grouped by meeting with filters,
the space's actions (open first, by due date, paginated), overdue said in words, and the
status changed inline without JavaScript."""

from __future__ import annotations

from datetime import timedelta

from app.committees import services
from app.committees.models import ActionItem
from tests.committees.helpers import (
    NET,
    A,
    action,
    committee,
    decision,
    event,
    net_space,
    rows,
    tenant_space,
    text,
)


def world_with_actions(w):
    today = services.today()
    c = committee(net_space(w))
    march = event(net_space(w), c, "Comité de mars", days=-40)
    may = event(net_space(w), c, "Comité de mai", days=-5)
    d1 = decision(net_space(w), march, "Créer un guide des modes d’accueil")
    d2 = decision(net_space(w), may, "Ouvrir une permanence commune")
    late = action(net_space(w), d1, "Rédiger le guide", due_on=today - timedelta(days=3))
    soon = action(net_space(w), d2, "Trouver un local", due_on=today + timedelta(days=10),
                  status="in_progress")
    done = action(net_space(w), d2, "Voter le budget", due_on=today - timedelta(days=9),
                  status="done")
    return c, (march, may), (late, soon, done)


def test_committee_followup_groups_by_meeting_and_filters(w, as_user):
    c, (march, may), (late, soon, done) = world_with_actions(w)
    client, token = as_user("coord@example.org")
    page = text(client.get(f"{NET}/{c.id}/suivi"))
    assert page.index("Comité de mai") < page.index("Comité de mars")  # latest meeting first
    for title in ("Rédiger le guide", "Trouver un local", "Voter le budget"):
        assert title in page
    assert page.count("En retard</span>") == 1  # said in words, not only by colour
    assert "En retard (1)" in page and "Faites (1)" in page and "À faire ou en cours (2)" in page
    overdue = text(client.get(f"{NET}/{c.id}/suivi?filtre=en-retard"))
    assert "Rédiger le guide" in overdue and "Trouver un local" not in overdue
    assert "Comité de mai" not in overdue  # no matching action: the meeting is left out
    finished = text(client.get(f"{NET}/{c.id}/suivi?filtre=faites"))
    assert "Voter le budget" in finished and "Rédiger le guide" not in finished
    opened = text(client.get(f"{NET}/{c.id}/suivi?filtre=ouvertes"))
    assert "Trouver un local" in opened and "Voter le budget" not in opened
    assert client.get(f"{NET}/{c.id}/suivi?filtre=nimporte").status_code == 200

    # Inline status change from the follow-up page comes back to it, filter kept.
    response = client.post(f"{NET}/actions/{late.id}/statut", data={
        "csrf_token": token, "status": "done", "retour": "comite", "filtre": "en-retard"})
    assert response.status_code == 302
    assert response.location.endswith(f"/comites/{c.id}/suivi?filtre=en-retard")
    assert rows(ActionItem, ActionItem.id == late.id)[0].status == "done"


def test_space_followup_lists_open_actions_first_by_due_date(w, as_user):
    c, _, (late, soon, done) = world_with_actions(w)
    client, token = as_user("coord@example.org")
    page = text(client.get(f"{NET}/suivi"))
    assert page.index("Rédiger le guide") < page.index("Trouver un local") < page.index(
        "Voter le budget")
    assert c.name in page and "En retard" in page
    overdue = text(client.get(f"{NET}/suivi?filtre=en-retard"))
    assert "Rédiger le guide" in overdue and "Trouver un local" not in overdue
    response = client.post(f"{NET}/actions/{soon.id}/statut", data={
        "csrf_token": token, "status": "dropped", "retour": "suivi", "filtre": "ouvertes"})
    assert response.location.endswith("/n/reseau-test/comites/suivi?filtre=ouvertes")
    assert rows(ActionItem, ActionItem.id == soon.id)[0].status == "dropped"
    # From page 2 of a long list, the change comes back to page 2.
    response = client.post(f"{NET}/actions/{soon.id}/statut", data={
        "csrf_token": token, "status": "todo", "retour": "suivi", "page": "2"})
    assert response.location.endswith("/n/reseau-test/comites/suivi?page=2")
    response = client.post(f"{NET}/actions/{late.id}/statut", data={
        "csrf_token": token, "status": "todo", "retour": "comite", "filtre": "ouvertes",
        "page": "x"})
    assert response.location.endswith(f"/comites/{c.id}/suivi?filtre=ouvertes")


def test_space_followup_is_paginated(w, as_user):
    c = committee(net_space(w))
    d = decision(net_space(w), event(net_space(w), c, days=-1))
    today = services.today()
    for n in range(30):
        action(net_space(w), d, f"Action numéro {n:02d}", due_on=today + timedelta(days=n))
    client, _ = as_user("coord@example.org")
    first = text(client.get(f"{NET}/suivi"))
    assert "Action numéro 00" in first and "Action numéro 29" not in first
    assert "Page 1 sur 2" in first
    second = text(client.get(f"{NET}/suivi?page=2"))
    assert "Action numéro 29" in second and "Action numéro 00" not in second
    assert '<input type="hidden" name="page" value="2">' in second  # status forms come back
    assert 'name="page"' not in first


def test_followup_is_for_organisers_and_stays_in_its_space(w, as_user):
    c, _, _ = world_with_actions(w)
    local = committee(tenant_space(w), name="Commission locale")
    d = decision(tenant_space(w), event(tenant_space(w), local, "Commission de juin", days=-2))
    action(tenant_space(w), d, "Action du territoire")
    admin, _ = as_user("admin.a@example.org")
    page = text(admin.get(f"{A}/suivi"))
    assert "Action du territoire" in page and "Rédiger le guide" not in page
    assert admin.get(f"{A}/{c.id}/suivi").status_code == 403  # the network's committee
    elu, _ = as_user("elu.a@example.org")
    assert elu.get(f"{A}/suivi").status_code == 403
    assert elu.get(f"{A}/{local.id}/suivi").status_code == 403
    coord, _ = as_user("coord@example.org")
    assert "Action du territoire" not in text(coord.get(f"{NET}/suivi"))
    assert coord.get(f"{NET}/{local.id}/suivi").status_code == 404
