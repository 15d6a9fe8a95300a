"""/mes-evenements/<id>: the address e-mails and answer pages give people with an account.
It leads to the event's page in one of the person's spaces, or to a 404 for anybody the
event is not addressed to."""

from __future__ import annotations

import pytest

from app.events import tokens
from app.events.models import EventInvitation
from app.extensions import db
from tests.events.helpers import (
    acting,
    build,
    invite,
    mails,
    make_committee,
    make_event,
    network_space,
    post,
    switch,
    tenant_space,
)


@pytest.fixture()
def w(dbsession):
    return build()


def _target(client, event_id: int) -> tuple[int, str]:
    response = client.get(f"/mes-evenements/{event_id}")
    return response.status_code, response.headers.get("Location", "")


def test_an_invited_elected_official_is_sent_to_the_event_in_their_tenant(client, login, w):
    event = make_event(network_space(w), "Forum du réseau")
    invite(network_space(w), event, "Élise", "elu.a@example.org", user=w["elu_a"])
    login("elu.a@example.org")
    assert _target(client, event.id) == (302, f"/t/alpha/evenements/{event.id}")
    assert client.get(f"/t/alpha/evenements/{event.id}").status_code == 200


def test_a_committee_member_without_invitation_is_sent_there_too(client, login, w):
    committee = make_committee(network_space(w), members=[
        ("Élise", "elu.a@example.org", w["elu_a"], "membre")])
    meeting = make_event(network_space(w), "Réunion du collectif", kind="comite",
                         committee_id=committee.id)
    login("elu.a@example.org")
    assert _target(client, meeting.id) == (302, f"/t/alpha/evenements/{meeting.id}")


def test_an_invited_coordinator_is_sent_to_the_network_page(client, login, w):
    event = make_event(network_space(w), "Forum du réseau")
    invite(network_space(w), event, "Coordination", "coord@example.org", user=w["coordinator"])
    login("coord@example.org")
    assert _target(client, event.id) == (302, f"/n/reseau-test/evenements/{event.id}")


def test_a_tenant_event_leads_to_that_tenant(client, login, w):
    event = make_event(tenant_space(w), "Table ronde d’Alpha", kind="table_ronde")
    invite(tenant_space(w), event, "Anne", "anim.a@example.org", user=w["anim_a"])
    login("anim.a@example.org")
    assert _target(client, event.id) == (302, f"/t/alpha/evenements/{event.id}")


def test_nobody_else_learns_anything(client, login, w):
    event = make_event(network_space(w), "Forum du réseau")
    draft = make_event(network_space(w), "Brouillon", status="draft")
    invite(network_space(w), draft, "Élise", "elu.a@example.org", user=w["elu_a"])
    switch(client, login, "agent.a@example.org")  # same tenant, not invited
    assert _target(client, event.id)[0] == 404
    assert _target(client, 10**12)[0] == 404
    switch(client, login, "elu.a@example.org")  # invited to a draft only
    assert _target(client, draft.id)[0] == 404
    # A tenant outside the network, invited by the network by e-mail: the event is in
    # none of their spaces.
    invite(network_space(w), event, "Admin C", "admin.c@example.org", user=w["c_admin"])
    switch(client, login, "admin.c@example.org")
    assert _target(client, event.id)[0] == 404


def test_an_invitation_written_by_another_owner_opens_nothing(client, login, w):
    event = make_event(network_space(w), "Forum du réseau")
    with acting(tenant_space(w, "b")):
        db.session.add(EventInvitation(event_id=event.id, user_id=w["anim_b"].id, name="B",
                                       email="anim.b@example.org", token_key=tokens.new_key()))
    login("anim.b@example.org")
    assert _target(client, event.id)[0] == 404


def test_anonymous_visitors_are_asked_to_sign_in(client, w):
    event = make_event(network_space(w), "Forum du réseau")
    status, location = _target(client, event.id)
    assert status == 302 and location.startswith("/connexion")


def test_the_answer_pages_offer_the_address_to_account_holders_only(client, w):
    event = make_event(network_space(w), "Forum du réseau")
    member = invite(network_space(w), event, "Élise", "elu.a@example.org", user=w["elu_a"])
    partner = invite(network_space(w), event, "Paule", "paule@caf.example.org")
    page = client.get(f"/invitation/{tokens.token_for(member.token_key)}/repondre")
    assert f'href="/mes-evenements/{event.id}"' in page.get_data(as_text=True)
    page = client.get(f"/invitation/{tokens.token_for(partner.token_key)}/repondre")
    assert "/mes-evenements/" not in page.get_data(as_text=True)


def test_after_the_event_the_expired_link_still_leads_members_to_the_minutes(client, w):
    past = make_event(network_space(w), "Forum passé", days=-3)
    member = invite(network_space(w), past, "Élise", "elu.a@example.org", user=w["elu_a"])
    response = client.get(f"/invitation/{tokens.token_for(member.token_key)}/repondre")
    assert response.status_code == 410
    assert f'href="/mes-evenements/{past.id}"' in response.get_data(as_text=True)


def test_minutes_e_mails_link_accounts_to_their_event(client, login, w, run_jobs):
    past = make_event(network_space(w), "Forum passé", days=-3)
    invite(network_space(w), past, "Élise", "elu.a@example.org", user=w["elu_a"],
           response="yes")
    invite(network_space(w), past, "Paule", "paule@caf.example.org", response="yes")
    token = login("coord@example.org")
    url = f"/n/reseau-test/evenements/{past.id}/compte-rendu"
    post(client, url, token, body="Le forum a eu lieu.")
    assert post(client, f"{url}/publier", token).status_code == 302
    run_jobs()
    bodies = {m.to_address: m.body_text for m in mails("event_minutes")}
    assert f"http://maillage.test/mes-evenements/{past.id}" in bodies["elu.a@example.org"]
    assert "/mes-evenements/" not in bodies["paule@caf.example.org"]


def test_nobody_is_e_mailed_a_link_to_an_event_that_is_over(client, login, w, run_jobs):
    past = make_event(network_space(w), "Forum passé", days=-3)
    token = login("coord@example.org")
    response = post(client, f"/n/reseau-test/evenements/{past.id}/invitations", token,
                    group="email", name="Paule", email="paule@caf.example.org")
    assert response.status_code == 302
    with acting(network_space(w)):
        assert [i.email for i in db.session.query(EventInvitation).filter_by(
            event_id=past.id)] == ["paule@caf.example.org"]
    run_jobs()
    assert mails("event_invitation") == []


def test_older_meetings_stay_reachable_through_their_minutes(client, login, w):
    from app.events.models import Minutes

    old = make_event(network_space(w), "Forum du printemps", days=-90)
    invite(network_space(w), old, "Élise", "elu.a@example.org", user=w["elu_a"],
           response="yes")
    with acting(network_space(w)):
        db.session.add(Minutes(event_id=old.id, body="Relevé", status="published"))
    switch(client, login, "elu.a@example.org")
    page = client.get("/t/alpha/evenements").get_data(as_text=True)
    assert "Comptes rendus de mes réunions" in page
    assert f'href="/t/alpha/evenements/{old.id}#minutes-title"' in page
    switch(client, login, "agent.a@example.org")  # same tenant, not invited
    page = client.get("/t/alpha/evenements").get_data(as_text=True)
    assert "Comptes rendus de mes réunions" not in page and "Forum du printemps" not in page
