"""Forums and meetings: each e-mail they promise, triggered as the organiser does it, carried
by the real worker to the real SMTP server, and its link followed."""

from __future__ import annotations

import html
import re
import urllib.parse
from datetime import datetime, time, timedelta

from app.core.ui import PARIS, date_fr

COORDINATOR = "coordinatrice@demo.maillage.fr"


def _next_forum(live) -> int:
    (event_id,), = live.sql("select id from event where network_id is not null and kind = 'forum'"
                            " and status = 'scheduled' and starts_at > now()"
                            " order by starts_at limit 1")
    return event_id


def test_event_invitation_reaches_an_external_partner_and_its_link_answers(live, as_user):
    event_id = _next_forum(live)
    coordinator = as_user(COORDINATOR)
    page = f"/n/cotes-d-armor/evenements/{event_id}/invitations"
    response = coordinator.post(page, {"group": "email", "name": "Nadia Externe",
                                       "email": "nadia.externe@partenaire.test"})
    assert response.status == 200, response

    received, = live.inbox.wait_for("nadia.externe@partenaire.test", "Invitation")
    assert "Forum des partenaires" in received.subject
    answer_link, = [link for link in received.links() if "/invitation/" in link]
    assert answer_link.startswith(live.base_url)

    guest = live.browser()  # no account, no login: the link alone
    answer_page = guest.get(answer_link)
    assert answer_page.status == 200
    assert "Forum des partenaires" in answer_page.text
    reply = guest.post(answer_link, {"response": "yes", "party_size": "2", "comment": ""})
    assert reply.status == 200
    assert live.sql("select response, party_size from event_invitation where email = %s",
                    ("nadia.externe@partenaire.test",)) == [("yes", 2)]
    assert re.search(r"merci|réponse", reply.text, re.I)


# --------------------------------------------------------------------------- helpers

NETWORK_EVENTS = "/n/cotes-d-armor/evenements"
TENANT_EVENTS = "/t/saint-brieuc-armor/evenements"
TENANT_ADMIN = "admin.sbaa@demo.maillage.fr"
RECEPTION_AGENT = "maelle.legoff@demo.maillage.fr"


def _paris(days: int, hour: int) -> datetime:
    """`days` from today, at `hour` o'clock, Europe/Paris."""
    day = datetime.now(PARIS).date() + timedelta(days=days)
    return datetime.combine(day, time(hour), PARIS)


def _local_input(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M") if moment else ""


def _create_event(browser, events: str, title: str, *, kind: str, starts=None, ends=None
                  ) -> int:
    """The organiser fills in « Nouvel événement »; returns the new (draft) event's id."""
    response = browser.post(f"{events}/nouveau", {
        "kind": kind, "title": title, "starts_at": _local_input(starts),
        "ends_at": _local_input(ends), "place": "Maison de l’enfance, 22000 Saint-Brieuc",
        "remote_link": "", "description": "Rencontre créée par le test temps réel."})
    assert response.status == 200, response
    match = re.search(rf"{events}/(\d+)$", urllib.parse.urlsplit(response.url).path)
    assert match, f"not on the new event's page: {response.url}"
    return int(match.group(1))


def _publish(live, browser, events: str, event_id: int) -> None:
    response = browser.post(f"{events}/{event_id}/publier", csrf_from=f"{events}/{event_id}")
    assert response.status == 200, response
    assert live.sql("select status from event where id = %s", (event_id,)) == [("scheduled",)]


def _invite(browser, events: str, event_id: int, name: str, address: str) -> None:
    response = browser.post(f"{events}/{event_id}/invitations",
                            {"group": "email", "name": name, "email": address,
                             "organisation": ""})
    assert response.status == 200, response


def _answer_link(live, message) -> str:
    link, = [link for link in message.links() if link.endswith("/repondre")]
    assert link.startswith(f"{live.base_url}/invitation/"), link
    return link


def _answer(live, link: str, response: str, party_size: str) -> None:
    reply = live.browser().post(link, {"response": response, "party_size": party_size,
                                       "comment": ""})
    assert reply.status == 200, reply


def _assert_names(message, title: str) -> None:
    """The subject names the event as people read it: « title », spaces included."""
    assert f"« {title} »" in message.subject


def _messages(live, address: str, kind: str) -> int:
    (count,), = live.sql("select count(*) from mail_message where to_address = %s"
                         " and kind = %s", (address, kind))
    return count


# --------------------------------------------------------------------------- reminder

def test_reminder_reaches_those_who_have_not_answered_and_its_link_answers(live, as_user):
    title = "Atelier d’information — accueillir les familles nouvellement arrivées"
    silent, answered = "relance.sans-reponse@partenaire.test", "relance.a-repondu@partenaire.test"
    coordinator = as_user(COORDINATOR)
    # Not a forum: the demo's next forum stays the next one (test above).
    event_id = _create_event(coordinator, NETWORK_EVENTS, title, kind="information",
                             starts=_paris(12, 9), ends=_paris(12, 12))
    _publish(live, coordinator, NETWORK_EVENTS, event_id)
    _invite(coordinator, NETWORK_EVENTS, event_id, "Yannick Sans-Réponse", silent)
    _invite(coordinator, NETWORK_EVENTS, event_id, "Armelle A-Répondu", answered)
    invitation, = live.inbox.wait_for(silent, "Invitation")
    _assert_names(invitation, title)
    _answer(live, _answer_link(live, live.inbox.wait_for(answered, "Invitation")[0]), "no", "0")

    response = coordinator.post(f"{NETWORK_EVENTS}/{event_id}/relancer")
    assert response.status == 200, response

    reminder, = live.inbox.wait_for(silent, "Relance")
    _assert_names(reminder, title)
    assert reminder.to == silent
    link = _answer_link(live, reminder)
    assert link == _answer_link(live, invitation)  # the same personal link, sent again
    answer_page = live.browser().get(link)  # anonymous: the link alone
    assert answer_page.status == 200, answer_page
    assert title in answer_page.text
    assert 'name="response"' in answer_page.text
    _answer(live, link, "yes", "1")
    assert live.sql("select email, response, reminded_at is not null from event_invitation"
                    " where event_id = %s order by email", (event_id,)) == [
        (answered, "no", False), (silent, "yes", True)]
    # The reminders are queued in one transaction with the silent one's: none for the other.
    assert _messages(live, answered, "event_reminder") == 0


# --------------------------------------------------------------------------- date chosen

def _row_with(page_text: str, text: str) -> str:
    row, = [row for row in re.findall(r"<tr>.*?</tr>", page_text, re.S) if text in row]
    return row


def test_date_chosen_in_a_poll_reaches_the_invitees_with_their_answer_link(live, as_user):
    title = "Réunion d’information — devenir assistant·e maternel·le à Plérin"
    address = "date.choisie@partenaire.test"
    first, chosen = _paris(20, 18), _paris(27, 18)
    admin = as_user(TENANT_ADMIN)  # a tenant's event: the job acts in the tenant's space
    event_id = _create_event(admin, TENANT_EVENTS, title, kind="information")
    poll_page = f"{TENANT_EVENTS}/{event_id}/sondage"
    options = {}
    for row, start in enumerate((first, chosen), start=1):
        options.update({f"option_date_{row}": start.date().isoformat(),
                        f"option_start_{row}": "18:00", f"option_end_{row}": "20:00"})
    assert admin.post(poll_page, options).status == 200
    assert live.sql("select status from event where id = %s", (event_id,)) == [("polling",)]
    _invite(admin, TENANT_EVENTS, event_id, "Gwenaëlle Sondée", address)
    invitation, = live.inbox.wait_for(address, "Quelle")
    _assert_names(invitation, title)
    link = _answer_link(live, invitation)

    # The invitee ticks the date that suits her; the organiser retains it.
    guest = live.browser()
    chosen_row = _row_with(admin.get(poll_page).text, date_fr(chosen))
    option_id = re.search(r"/sondage/(\d+)/choisir", chosen_row).group(1)
    assert guest.post(link, {"option": [option_id]}).status == 200
    pick = f"{TENANT_EVENTS}/{event_id}/sondage/{option_id}/choisir"
    assert admin.post(pick).status == 200

    fixed, = live.inbox.wait_for(address, "fixée")
    _assert_names(fixed, title)
    assert date_fr(chosen) in fixed.subject
    assert fixed.to == address
    assert _answer_link(live, fixed) == link
    answer_page = guest.get(link)
    assert answer_page.status == 200, answer_page
    assert title in answer_page.text
    assert 'name="response"' in answer_page.text  # now yes / no / maybe, not the poll
    assert 'name="option"' not in answer_page.text
    calendar_path = html.unescape(re.search(r'href="([^"]*/evenement\.ics)"',
                                            answer_page.text).group(1))
    calendar = guest.get(calendar_path)
    assert calendar.status == 200, calendar
    assert "text/calendar" in calendar.headers["Content-Type"]
    assert title in calendar.text.replace("\r\n ", "")
    assert f"DTSTART;TZID=Europe/Paris:{chosen:%Y%m%dT%H%M%S}" in calendar.text
    assert live.sql("select status, starts_at from event where id = %s", (event_id,)) == [
        ("scheduled", chosen)]


# --------------------------------------------------------------------------- cancelled

def test_cancellation_reaches_invitees_who_had_not_declined_and_closes_their_link(live,
                                                                                  as_user):
    title = "Table ronde des partenaires — l’accueil en horaires atypiques"
    told, declined = "annulation.prevenue@partenaire.test", "annulation.declinee@partenaire.test"
    coordinator = as_user(COORDINATOR)
    event_id = _create_event(coordinator, NETWORK_EVENTS, title, kind="table_ronde",
                             starts=_paris(30, 14), ends=_paris(30, 17))
    _publish(live, coordinator, NETWORK_EVENTS, event_id)
    _invite(coordinator, NETWORK_EVENTS, event_id, "Erwan Prévenu", told)
    _invite(coordinator, NETWORK_EVENTS, event_id, "Léna Déclinée", declined)
    link = _answer_link(live, live.inbox.wait_for(told, "Invitation")[0])
    _answer(live, _answer_link(live, live.inbox.wait_for(declined, "Invitation")[0]), "no", "0")

    response = coordinator.post(f"{NETWORK_EVENTS}/{event_id}/annuler")
    assert response.status == 200, response

    cancelled, = live.inbox.wait_for(told, "Annul")
    _assert_names(cancelled, title)
    assert cancelled.to == told
    assert title in cancelled.body
    # The message has no link of its own: the one the invitee holds now tells the news.
    closed = live.browser().get(link)
    assert closed.status == 410, closed
    assert title in closed.text
    assert live.sql("select status from event where id = %s", (event_id,)) == [("cancelled",)]
    assert _messages(live, declined, "event_cancelled") == 0


# --------------------------------------------------------------------------- minutes

MINUTES = ("## Bilan des permanences d’automne\n\n"
           "Les permanences du mercredi à Plérin ont reçu 42 familles ; elles continuent "
           "jusqu’en juin.")


def test_published_minutes_reach_the_participants_and_their_link_opens_them(live, as_user):
    title = "Réunion d’information des partenaires — bilan des permanences d’automne"
    present, absent = "compte-rendu.present@partenaire.test", "compte-rendu.absent@partenaire.test"
    coordinator = as_user(COORDINATOR)
    event_id = _create_event(coordinator, NETWORK_EVENTS, title, kind="information",
                             starts=_paris(-3, 9), ends=_paris(-3, 11))
    _publish(live, coordinator, NETWORK_EVENTS, event_id)
    for name, address in (("Maëlle Le Goff", RECEPTION_AGENT), ("Tanguy Présent", present),
                          ("Nina Absente", absent)):
        _invite(coordinator, NETWORK_EVENTS, event_id, name, address)

    # On the day: who came.
    attendance = f"{NETWORK_EVENTS}/{event_id}/presences"
    rows = dict((name.strip(), invitation_id) for invitation_id, name in re.findall(
        r'id="p-(\d+)"[^>]*>\s*<label[^>]*>([^<]+)', coordinator.get(attendance).text))
    came = [rows["Maëlle Le Goff"], rows["Tanguy Présent"]]
    assert coordinator.post(attendance, {"present": came}).status == 200
    minutes_page = f"{NETWORK_EVENTS}/{event_id}/compte-rendu"
    assert coordinator.post(minutes_page, {"body": MINUTES, "note": ""}).status == 200
    response = coordinator.post(f"{minutes_page}/publier")
    assert response.status == 200, response

    agent_copy, = live.inbox.wait_for(RECEPTION_AGENT, "Compte")
    guest_copy, = live.inbox.wait_for(present, "Compte")
    assert (agent_copy.to, guest_copy.to) == (RECEPTION_AGENT, present)
    for message in (agent_copy, guest_copy):
        _assert_names(message, title)
        assert f"« {title} »" in message.body
        assert "42 familles" in message.body
    assert not [link for link in guest_copy.links() if "/mes-evenements/" in link]
    link, = [link for link in agent_copy.links() if "/mes-evenements/" in link]
    assert link == f"{live.base_url}/mes-evenements/{event_id}"
    page = as_user(RECEPTION_AGENT).get(link)
    assert page.status == 200, page
    assert urllib.parse.urlsplit(page.url).path.endswith(f"/evenements/{event_id}")
    assert title in page.text and "42 familles" in page.text
    assert live.sql("select status from event_minutes where event_id = %s",
                    (event_id,)) == [("published",)]
    # One job queued every copy: the invitee who did not come got none.
    assert _messages(live, absent, "event_minutes") == 0
