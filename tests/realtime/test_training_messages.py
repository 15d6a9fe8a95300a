"""RPE training: the place freed on a waiting list, the session cancelled by the network and
the reminder two days before a sitting, each triggered as a person (or the schedule) does it,
carried by the real worker to the real SMTP server, and its link followed as the recipient.

Each test works on its own demo session (see app/demo/training.py): « Réunion thématique :
accueil de l’enfant en situation de handicap » in 25 days, full with a waiting list; « Le
contrat de travail de l’assistant·e maternel·le » in 45 days; « Pajemploi et déclarations »
by video in 20 days."""

from __future__ import annotations

import re
from datetime import timedelta

TENANT = "saint-brieuc-armor"
NETWORK = "cotes-d-armor"
COORDINATOR = "coordinatrice@demo.maillage.fr"
HANDICAP = "Réunion thématique : accueil de l’enfant en situation de handicap"
CONTRAT = "Le contrat de travail de l’assistant·e maternel·le"
PAJEMPLOI = "Pajemploi et déclarations"


def _upcoming_session(live, title: str) -> int:
    (session_id,), = live.sql(
        "select s.id from training_session s join training_module m on m.id = s.module_id"
        " where m.title = %s and s.state = 'open'"
        " and exists (select 1 from training_sitting t where t.session_id = s.id"
        "             and t.starts_at > now())", (title,))
    return session_id


def _registrations(live, session_id: int, status: str) -> list[tuple[str, str, str]]:
    """(e-mail, full name, tenant slug) of the session's registrations in `status`, in the
    order of their tickets."""
    return live.sql(
        "select u.email, u.full_name, t.slug from training_registration r"
        " join user_account u on u.id = r.user_id join tenant t on t.id = r.tenant_id"
        " where r.session_id = %s and r.status = %s order by r.ticket", (session_id, status))


def _row(page: str, contains: str) -> str:
    """The table row of `page` that holds `contains`."""
    rows = [row for row in re.findall(r"<tr>.*?</tr>", page, re.S) if contains in row]
    assert len(rows) == 1, f"expected one row with « {contains} »"
    return rows[0]


def _only_link(received) -> str:
    links = received.links()
    assert len(links) == 1, f"expected one link in: {received.body}"
    return links[0]


def test_cancelling_a_confirmed_seat_promotes_the_first_waiting_person_who_is_told(
        live, as_user):
    session_id = _upcoming_session(live, HANDICAP)
    confirmed = _registrations(live, session_id, "confirmed")
    waiting = _registrations(live, session_id, "waiting")
    (capacity,), = live.sql("select capacity from training_session where id = %s",
                            (session_id,))
    assert len(confirmed) == capacity and len(waiting) >= 2, "the demo session is full"
    leaving = next(person for person in confirmed if person[2] == TENANT)
    first_email, first_name, first_tenant = waiting[0]

    person = as_user(leaving[0])
    page = f"/t/{TENANT}/formations/sessions/{session_id}/annulation"
    cancelled = person.post(page)
    assert cancelled.status == 200, cancelled
    assert "Votre inscription est annulée" in cancelled.text

    received, = live.inbox.wait_for(first_email, "une place s’est libérée")
    assert received.to == first_email
    assert HANDICAP in received.subject
    assert f"Bonjour {first_name}" in received.body
    assert "votre inscription est confirmée" in received.body
    # Only the first person waiting got the seat.
    assert [row[0] for row in _registrations(live, session_id, "confirmed")].count(
        first_email) == 1
    assert _registrations(live, session_id, "waiting") == waiting[1:]
    for later_email, _name, _tenant in waiting[1:]:
        assert not [m for m in live.inbox.to(later_email) if "place" in m.subject]

    link = _only_link(received)
    assert link == f"{live.base_url}/t/{first_tenant}/formations/parcours"
    promoted = as_user(first_email)
    parcours = promoted.get(link)
    assert parcours.status == 200, parcours
    assert "Mon parcours de formation" in parcours.text
    row = _row(parcours.text, f"/formations/sessions/{session_id}\"")
    assert HANDICAP in row and "Inscrit·e" in row


def test_session_cancelled_by_the_coordinator_tells_a_registered_animator(live, as_user):
    session_id = _upcoming_session(live, CONTRAT)
    registered = _registrations(live, session_id, "confirmed")
    animator_email, animator_name, animator_tenant = next(
        person for person in registered if person[2] == TENANT)

    coordinator = as_user(COORDINATOR)
    page = f"/n/{NETWORK}/formations/sessions/{session_id}/annuler"
    done = coordinator.post(page)
    assert done.status == 200, done
    assert "Session annulée" in done.text

    received, = live.inbox.wait_for(animator_email, "session annulée")
    assert received.to == animator_email
    assert CONTRAT in received.subject
    assert f"Bonjour {animator_name}" in received.body
    assert "est annulée par la coordination du réseau" in received.body
    for email, _name, _tenant in registered:
        live.inbox.wait_for(email, "session annulée")  # everyone registered is told

    link = _only_link(received)
    assert link == f"{live.base_url}/t/{animator_tenant}/formations"
    animator = as_user(animator_email)
    sessions = animator.get(link)
    assert sessions.status == 200, sessions
    assert "Formations" in sessions.text
    assert PAJEMPLOI in sessions.text  # the other sessions still offered
    own = animator.get(f"/t/{animator_tenant}/formations/parcours")
    assert own.status == 200, own
    row = _row(own.text, f"/formations/sessions/{session_id}\"")
    assert CONTRAT in row and "Annulée" in row


def test_reminder_two_days_before_a_sitting_reaches_the_registered_person(live, as_user):
    session_id = _upcoming_session(live, PAJEMPLOI)
    registered = _registrations(live, session_id, "confirmed")
    person_email, person_name, person_tenant = [
        person for person in registered if person[2] == TENANT][-1]
    (starts_at,), = live.sql("select min(starts_at) from training_sitting where session_id = %s",
                             (session_id,))
    # The schedule fires at :00 and :30; this tick is 48 h before the sitting, in the
    # 47–49 h window of app/training/reminders.py.
    tick = starts_at - timedelta(hours=48)
    assert tick.minute in (0, 30)
    live.flask("jobs", "tick", "maillage.training_reminders", "--at", tick.isoformat())

    received, = live.inbox.wait_for(person_email, "rappel")
    assert received.to == person_email
    assert PAJEMPLOI in received.subject
    assert f"Bonjour {person_name}" in received.body
    assert "Lien pour suivre la séance à distance : https://visio.demo.maillage.fr/" \
        in received.body
    for email, _name, _tenant in registered:
        live.inbox.wait_for(email, "rappel")  # every confirmed seat is reminded
    assert live.sql("select count(*) from training_reminder_sent s"
                    " join training_registration r on r.id = s.registration_id"
                    " where r.session_id = %s", (session_id,)) == [(len(registered),)]

    link, = [link for link in received.links() if link.startswith(live.base_url)]
    assert link == f"{live.base_url}/t/{person_tenant}/formations/parcours"
    page = as_user(person_email).get(link)
    assert page.status == 200, page
    assert "Mon parcours de formation" in page.text
    row = _row(page.text, f"/formations/sessions/{session_id}\"")
    assert PAJEMPLOI in row and "Inscrit·e" in row
