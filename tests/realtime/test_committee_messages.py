"""Committees: the e-mails of join requests (accepted, declined) and of the daily overdue-
actions job, triggered as people do it (an elected official asks, the coordinator decides;
the schedule fires), carried by the real worker to the real SMTP server, links followed."""

from __future__ import annotations

import re
import urllib.parse
from datetime import date, datetime, time, timedelta

from app.core.ui import PARIS, date_fr

COORDINATOR = "coordinatrice@demo.maillage.fr"
ASSOCIATION = "Association des élus du réseau petite enfance"
TENANT = "/t/saint-brieuc-armor"
NETWORK = "/n/cotes-d-armor"


def _assert_names(message, name: str) -> None:
    """The subject names the committee as people read it: « name », spaces included."""
    assert f"« {name} »" in message.subject


def _association(live) -> int:
    (committee_id,), = live.sql("select id from committee where name = %s", (ASSOCIATION,))
    return committee_id


def _ask_to_join(as_user, committee_id: int, official: str, message: str) -> None:
    """The elected official, on the committee's page in their territory, asks to join."""
    page = f"{TENANT}/comites/{committee_id}"
    response = as_user(official).post(f"{page}/demander", {"message": message}, csrf_from=page)
    assert response.status == 200, response


def _request_page(coordinator, committee_id: int, official: str) -> str:
    """The coordinator finds the pending request on the committee's page: its « Examiner »
    link."""
    page = coordinator.get(f"{NETWORK}/comites/{committee_id}")
    assert page.status == 200, page
    row, = [row for row in re.findall(r"<tr>.*?</tr>", page.text, re.S) if official in row]
    return re.search(r'href="([^"]*/comites/demandes/\d+)"', row).group(1)


def _link_to(live, message, path: str) -> str:
    link, = [link for link in message.links() if link == f"{live.base_url}{path}"]
    return link


# --------------------------------------------------------------------------- join requests

def test_accepted_join_request_tells_the_official_and_invites_him_to_the_next_meeting(
        live, as_user):
    official = "elu.langueux@demo.maillage.fr"
    committee_id = _association(live)
    (meeting_id, meeting_title), = live.sql(
        "select id, title from event where committee_id = %s and status = 'scheduled'"
        " and starts_at > now() order by starts_at limit 1", (committee_id,))
    _ask_to_join(as_user, committee_id, official,
                 "Adjoint à la petite enfance de Langueux, je souhaite rejoindre l’association.")
    coordinator = as_user(COORDINATOR)
    decide = _request_page(coordinator, committee_id, official)
    today = datetime.now(PARIS).date()
    response = coordinator.post(f"{decide}/accepter", {
        "position": "membre", "mandate_start": today.isoformat(), "mandate_end": ""},
        csrf_from=decide)
    assert response.status == 200, response

    accepted, = live.inbox.wait_for(official, "accept")
    assert accepted.to == official
    _assert_names(accepted, ASSOCIATION)
    assert date_fr(today) in accepted.body
    him = as_user(official)
    committee_page = him.get(_link_to(live, accepted, f"{TENANT}/comites/{committee_id}"))
    assert committee_page.status == 200, committee_page
    assert ASSOCIATION in committee_page.text
    assert "Vous êtes membre" in committee_page.text

    invitation, = live.inbox.wait_for(official, "Invitation")
    _assert_names(invitation, meeting_title)
    answer_link, = [link for link in invitation.links() if link.endswith("/repondre")]
    assert answer_link.startswith(f"{live.base_url}/invitation/")
    answer_page = live.browser().get(answer_link)  # the personal link needs no account
    assert answer_page.status == 200, answer_page
    assert meeting_title in answer_page.text
    assert 'name="response"' in answer_page.text
    # Signed in, the meeting is his too (« Mes invitations »).
    meeting_page = him.get(f"/mes-evenements/{meeting_id}")
    assert meeting_page.status == 200, meeting_page
    assert meeting_title in meeting_page.text

    assert live.sql(
        "select r.status, m.position from committee_join_request r"
        " join user_account u on u.id = r.user_id"
        " join committee_member m on m.committee_id = r.committee_id and m.user_id = u.id"
        " where u.email = %s and r.committee_id = %s", (official, committee_id)) == [
        ("accepted", "membre")]
    assert live.sql("select emailed_at is not null from event_invitation"
                    " where event_id = %s and email = %s", (meeting_id, official)) == [(True,)]


def test_declined_join_request_tells_the_official_with_the_coordinators_message(live, as_user):
    official = "elue.pordic@demo.maillage.fr"
    note = "L’association réunit les élu·es délégué·es par chaque agglomération : voyez-le " \
           "avec Saint-Brieuc Armor Agglomération."
    committee_id = _association(live)
    _ask_to_join(as_user, committee_id, official, "Adjointe aux solidarités de Pordic.")
    coordinator = as_user(COORDINATOR)
    decide = _request_page(coordinator, committee_id, official)
    response = coordinator.post(f"{decide}/refuser", {"note": note}, csrf_from=decide)
    assert response.status == 200, response

    declined, = live.inbox.wait_for(official, "demande")
    assert declined.to == official
    _assert_names(declined, ASSOCIATION)
    assert "acceptée" not in declined.subject
    assert note in declined.body
    committees = as_user(official).get(_link_to(live, declined, f"{TENANT}/comites"))
    assert committees.status == 200, committees
    assert urllib.parse.urlsplit(committees.url).path == f"{TENANT}/comites"
    assert ASSOCIATION in committees.text
    assert live.sql(
        "select r.status, r.decision_note from committee_join_request r"
        " join user_account u on u.id = r.user_id where u.email = %s", (official,)) == [
        ("declined", note)]
    assert live.sql("select count(*) from committee_member where email = %s",
                    (official,)) == [(0,)]


# --------------------------------------------------------------------------- overdue actions

# Due dates in the demo are offsets from the day it was loaded (app/demo/events_data.py).
WITNESSES = "Réunir trois témoignages d’assistantes maternelles"  # today + 20
CHARTER = "Relire la charte avec les assistantes maternelles de l’association"  # today + 25
LANNION = "Recueillir les disponibilités des relais de Lannion-Trégor"  # today - 10


def _action(live, title: str) -> tuple[str, date]:
    (owner_email, due_on), = live.sql("select owner_email, due_on from action_item"
                                      " where title = %s", (title,))
    return owner_email, due_on


def test_overdue_actions_reach_each_owner_with_the_list_of_theirs(live, as_user):
    partner, charter_due = _action(live, CHARTER)
    assert _action(live, WITNESSES)[0] == partner
    tenant_admin, lannion_due = _action(live, LANNION)
    # The schedule fires at 7:00 (Paris) on the first morning both of the partner's actions
    # are late: 26 days after the demo's day, a day no other test of the lane uses (the
    # reminder of an action comes back only seven days after the last one).
    day = charter_due + timedelta(days=1)
    moment = datetime.combine(day, time(7), PARIS)
    live.flask("jobs", "tick", "maillage.overdue_actions", "--at", moment.isoformat())

    listed, = live.inbox.wait_for(partner, "retard")
    assert listed.to == partner
    assert "2 actions en retard" in listed.subject
    lines = listed.body.splitlines()
    assert f"- {WITNESSES}" in lines and f"- {CHARTER}" in lines
    assert "(en retard de 6 jours)" in listed.body and "(en retard de 1 jour)" in listed.body
    home = live.browser().get(_link_to(live, listed, "/"))
    assert home.status == 200, home

    single, = live.inbox.wait_for(tenant_admin, "retard")
    assert single.to == tenant_admin
    _assert_names(single, LANNION)
    assert f"- {LANNION}" in single.body.splitlines()
    assert f"en retard de {(day - lannion_due).days} jours" in single.body
    signed_in = as_user(tenant_admin).get(_link_to(live, single, "/"))
    assert signed_in.status == 200, signed_in
    assert urllib.parse.urlsplit(signed_in.url).path.startswith("/t/lannion-tregor")

    reminded = dict(live.sql("select title, last_reminded_on from action_item"
                             " where title in (%s, %s, %s)", (CHARTER, LANNION, WITNESSES)))
    assert reminded == {CHARTER: day, LANNION: day, WITNESSES: day}
