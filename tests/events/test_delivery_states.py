"""Organisers see what became of each invitee's last e-mail (en attente d’envoi, envoyé,
échec and why), with a summary; the pages load the states in a constant number of
statements; and no message claims « envoyé » for what is only queued."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from app.core.models import MailMessage
from app.extensions import db
from tests.events.helpers import (
    NET,
    TA,
    invitations_of,
    invite,
    make_event,
    network_space,
    post,
    switch,
    tenant_space,
)
from tests.events.helpers import build as build_world

LONG_ERROR = ("SMTPRecipientsRefused: 550 5.1.1 adresse inconnue du serveur de la mairie, "
              "vérifiez l’orthographe de la boîte aux lettres du destinataire avant de "
              "réessayer l’envoi")


@pytest.fixture()
def w(dbsession):
    return build_world()


def message(status: str, kind: str = "event_invitation", error: str = "",
            to: str = "x@example.org") -> int:
    row = MailMessage(to_address=to, subject="Invitation", body_text="Bonjour", kind=kind,
                      status=status, error=error,
                      sent_at=datetime.now(UTC) if status in ("sent", "outbox") else None)
    db.session.add(row)
    db.session.flush()
    return row.id


def invite_with(space, event, name: str, email: str, status: str | None, **kw):
    """An invitee whose last message is in `status` (None: no message)."""
    mail_id = message(status, to=email, **kw) if status else None
    return invite(space, event, name, email, mail_message_id=mail_id,
                  emailed_at=datetime.now(UTC) if status else None)


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_invitations_page_shows_each_state_and_the_summary(client, login, w):
    space = tenant_space(w)
    event = make_event(space)
    invite_with(space, event, "Quentin Queued", "queued@example.org", "queued")
    invite_with(space, event, "Sophie Sent", "sent@example.org", "sent")
    invite_with(space, event, "Fabien Failed", "failed@example.org", "failed",
                error=LONG_ERROR)
    invite_with(space, event, "Rémi Relance", "relance@example.org", "failed",
                kind="event_reminder", error="SMTPServerDisconnected: fermé")
    invite(space, event, "Ancien Envoi", "ancien@example.org", emailed_at=datetime.now(UTC))
    invite(space, event, "Nouvelle Venue", "nouvelle@example.org")
    switch(client, login, "admin.a@example.org")
    html = page(client, f"{TA}/{event.id}/invitations")
    assert ("6 invitations : 1 envoyée, 2 en attente d’envoi, 2 en échec, "
            "1 mise en envoi avant le suivi (état inconnu)") in html
    assert '<a href="#envois">Suivi des envois</a> (2 en échec)' in html
    section = html[html.index('id="envois"'):]
    # failures first, then what waits, then the rest
    order = [section.index(name) for name in ("Fabien Failed", "Rémi Relance",
                                              "Nouvelle Venue", "Quentin Queued",
                                              "Ancien Envoi", "Sophie Sent")]
    assert order == sorted(order)
    assert "Échec</span>" in section and "En attente d’envoi</span>" in section
    assert '<span class="badge badge-ok">Envoyé</span>' in section
    # the reason, shortened, with the full text one click away (no JavaScript)
    assert "<details class=\"delivery-error meta\"><summary>SMTPRecipientsRefused: 550 5.1.1" in section
    assert LONG_ERROR in section
    assert "Relance :</span> <span class=\"badge badge-off\">Échec</span>" in section
    assert "SMTPServerDisconnected: fermé" in section
    # sent before tracking: no claim that it left
    assert "Envoi non suivi" in section and "on ne sait pas si elle est partie" in section


def test_answers_page_shows_the_states_too(client, login, w):
    space = network_space(w)
    event = make_event(space)
    invite_with(space, event, "Olive Outbox", "outbox@example.org", "outbox")
    invite_with(space, event, "Fabien Failed", "failed@example.org", "failed",
                error="SMTPRecipientsRefused: 550 inconnu")
    switch(client, login, "coord@example.org")
    html = page(client, f"{NET}/{event.id}/reponses")
    assert ("2 invitations : 1 dans la boîte d’envoi de développement, 1 en échec") in html
    assert "Dans la boîte d’envoi de développement</span>" in html
    assert "SMTPRecipientsRefused: 550 inconnu" in html
    assert '<th scope="col">Envoi</th>' in html
    csv_body = client.get(f"{NET}/{event.id}/reponses.csv").get_data().decode("utf-8")
    rows = {r["Nom"]: r for r in csv.DictReader(io.StringIO(csv_body[1:]), delimiter=";")}
    assert rows["Fabien Failed"]["Envoi du dernier e-mail"] == \
        "Invitation : échec (SMTPRecipientsRefused: 550 inconnu)"
    assert rows["Olive Outbox"]["Envoi du dernier e-mail"] == \
        "Invitation : dans la boîte d’envoi de développement"


def test_draft_invitees_wait_for_the_publication(client, login, w):
    space = tenant_space(w)
    event = make_event(space, status="draft")
    invite(space, event, "Odile", "odile@example.org")
    switch(client, login, "admin.a@example.org")
    html = page(client, f"{TA}/{event.id}/invitations")
    assert "1 invitation : 1 partira à la publication" in html
    assert "Partira à la publication</span>" in html


def test_empty_list_says_so(client, login, w):
    event = make_event(tenant_space(w))
    switch(client, login, "admin.a@example.org")
    html = page(client, f"{TA}/{event.id}/invitations")
    assert "Personne n’est encore invité : l’état de chaque e-mail s’affichera ici." in html


def test_from_invitation_to_the_outbox_the_page_follows(client, login, w, run_jobs):
    """Invite, then the jobs run: the page goes from « en attente » to the outbox state,
    and the flash says the invitation is queued, not sent."""
    event = make_event(tenant_space(w))
    token = switch(client, login, "admin.a@example.org")
    url = f"{TA}/{event.id}/invitations"
    response = post(client, url, token, group="email", name="Odile",
                    email="odile@mairie.example.org")
    flashed = page(client, response.headers["Location"])
    assert "1 invitation ajoutée. Invitation enregistrée : envoi en cours" in flashed
    assert "Invitation envoyée" not in flashed and "partent par e-mail" not in flashed
    assert "1 invitation : 1 en attente d’envoi" in flashed
    run_jobs()
    (row,) = invitations_of(tenant_space(w), event.id)
    assert row.mail_message_id is not None
    html = page(client, url)
    assert "1 invitation : 1 dans la boîte d’envoi de développement" in html


def test_reminders_flash_says_they_are_on_their_way(client, login, w):
    event = make_event(network_space(w))
    invite(network_space(w), event, "Muet", "muet@example.org", emailed_at=datetime.now(UTC))
    invite(network_space(w), event, "Muette", "muette@example.org",
           emailed_at=datetime.now(UTC))
    token = switch(client, login, "coord@example.org")
    confirm = page(client, f"{NET}/{event.id}/relancer")
    assert "2 personnes ont été invitées sans répondre" in confirm
    response = post(client, f"{NET}/{event.id}/relancer", token)
    html = page(client, response.headers["Location"])
    assert "2 relances en cours d’envoi" in html
    assert "Relance envoyée" not in html


def _count_statements(connection, fetch) -> int:
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(connection, "before_cursor_execute", record)
    try:
        assert fetch().status_code == 200
    finally:
        sa.event.remove(connection, "before_cursor_execute", record)
    return len(statements)


@pytest.mark.parametrize("base", ["invitations", "reponses"])
def test_pages_run_a_constant_number_of_statements(client, login, w, connection, base):
    space = tenant_space(w)
    event = make_event(space)
    states = ["queued", "sent", "failed", "outbox", None]

    def add(count: int, start: int) -> None:
        for i in range(start, start + count):
            invite_with(space, event, f"Invité {i:02d}", f"invite{i}@example.org",
                        states[i % len(states)], error="SMTPDataError" if i % 5 == 2 else "")

    add(3, 0)
    switch(client, login, "admin.a@example.org")
    url = f"{TA}/{event.id}/{base}"
    client.get(url)  # warm-up: the first request of a session loads caches
    few = _count_statements(connection, lambda: client.get(url))
    add(12, 3)
    many = _count_statements(connection, lambda: client.get(url))
    assert page(client, url).count("Invité ") >= 15
    assert many == few


def test_no_page_claims_an_invitation_was_sent_when_it_was_queued(client, login, w):
    """The invitations page of a fresh event, with queued invitees, never says envoyé."""
    space = tenant_space(w)
    event = make_event(space)
    for i in range(3):
        invite_with(space, event, f"Attente {i}", f"attente{i}@example.org", "queued")
    switch(client, login, "admin.a@example.org")
    for url in (f"{TA}/{event.id}/invitations", f"{TA}/{event.id}/reponses"):
        html = page(client, url)
        main = html[html.index("<main"):html.index("</main>")]
        assert ">Envoyé<" not in main and "envoyée" not in main.lower(), url
        assert "3 invitations : 3 en attente d’envoi" in main


def test_statement_count_helper_sees_the_states_query(client, login, w, connection):
    """The states are one `where id in (…)` for the whole page, not one per row."""
    space = tenant_space(w)
    event = make_event(space)
    for i in range(6):
        invite_with(space, event, f"Invité {i}", f"i{i}@example.org", "sent")
    switch(client, login, "admin.a@example.org")
    url = f"{TA}/{event.id}/invitations"
    client.get(url)
    seen = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    sa.event.listen(connection, "before_cursor_execute", record)
    try:
        client.get(url)
    finally:
        sa.event.remove(connection, "before_cursor_execute", record)
    on_messages = [s for s in seen if "FROM mail_message" in s and "IN (" in s.upper()]
    assert len(on_messages) == 1
