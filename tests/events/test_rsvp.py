"""The invitee's personal answer link: /invitation/<token>/repondre (no login, one invitation only).

A network organises a forum; a partner contact without an account and a platform user are
invited. The token alone decides which invitation is read and written."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from icalendar import Calendar

from app.core import tenancy
from app.core.tenancy import Space
from app.events import invitations, tokens
from app.events.models import AgendaItem, DateOption, DateVote, Event, EventInvitation, Minutes
from tests import factories
from tests.conftest import csrf_from

PARIS = ZoneInfo("Europe/Paris")
INVALID = "Ce lien n’est pas valide"


def paris(days: int, hour: int = 14) -> datetime:
    day = datetime.now(PARIS) + timedelta(days=days)
    return day.replace(hour=hour, minute=0, second=0, microsecond=0)


def make_event(dbsession, owner_space: Space, title: str, *, status: str = "scheduled",
               starts: datetime | None = None, hours: int = 2, **extra) -> Event:
    with tenancy.use_space(owner_space, dbsession):
        if status != "polling" and starts is None:
            starts = paris(10)
        event = Event(kind=extra.pop("kind", "forum"), title=title, status=status,
                      starts_at=starts if status != "polling" else None,
                      ends_at=starts + timedelta(hours=hours) if starts and status != "polling"
                      else None, **extra)
        dbsession.add(event)
        dbsession.flush()
    return event


def invite(dbsession, event: Event, email: str, name: str = "") -> EventInvitation:
    with tenancy.use_space(invitations.owner_space(event), dbsession):
        invitation, created = invitations.add_invitation(event, name=name or email,
                                                         email=email, source="contact")
        assert created
    return invitation


def link(invitation: EventInvitation, suffix: str = "/repondre") -> str:
    return f"/invitation/{tokens.token_for(invitation.token_key)}{suffix}"


def snapshot(dbsession) -> list[tuple]:
    """Every invitation and vote as stored (read unscoped, fresh from the database)."""
    with tenancy.unscoped("test check", dbsession):
        inv = EventInvitation.__table__
        rows = [tuple(r) for r in dbsession.execute(sa.select(inv).order_by(inv.c.id))]
        vote = DateVote.__table__
        rows += [tuple(r) for r in dbsession.execute(sa.select(vote).order_by(vote.c.id))]
    return rows


def stored(dbsession, invitation: EventInvitation) -> EventInvitation:
    """The invitation as the database has it now (refreshed in the test's session)."""
    with tenancy.unscoped("test check", dbsession):
        return dbsession.scalars(
            sa.select(EventInvitation).where(EventInvitation.id == invitation.id)
            .execution_options(populate_existing=True)).one()


def votes_of(dbsession, invitation: EventInvitation) -> dict[int, bool]:
    with tenancy.unscoped("test check", dbsession):
        return dict(dbsession.execute(
            sa.select(DateVote.option_id, DateVote.available)
            .where(DateVote.invitation_id == invitation.id)).all())


def any_csrf(client) -> str:
    """A CSRF token of the client's session (pages that refuse answers carry no form)."""
    return csrf_from(client.get("/connexion").get_data(as_text=True))


def without_csrf(html: str) -> str:
    return re.sub(r'"X-CSRFToken": "[^"]*"', "", html)


@pytest.fixture()
def world(dbsession):
    w = factories.two_tenants_world()
    net = w["network"]
    w["net_space"] = Space.for_network(net.id)
    forum = make_event(
        dbsession, w["net_space"], "Forum des partenaires de printemps",
        place="Salle des fêtes, 2 rue de la Mairie, Plérin",
        remote_link="https://visio.example.org/forum",
        description="Un moment **important** pour le réseau.\n\n<script>alert(1)</script>")
    with tenancy.use_space(w["net_space"], dbsession):
        dbsession.add_all([
            AgendaItem(event_id=forum.id, position=2, title="Ateliers par commune",
                       presenter="Équipe RPE", duration_minutes=45),
            AgendaItem(event_id=forum.id, position=1, title="Accueil café",
                       duration_minutes=15),
        ])
        dbsession.flush()
    w["forum"] = forum
    w["contact"] = invite(dbsession, forum, "Claire.Partenaire@PMI.example.fr",
                          "Claire Partenaire")
    w["admin"] = invite(dbsession, forum, "admin.a@example.org", "Admin Alpha")
    other = make_event(dbsession, w["net_space"], "Table ronde d’automne", kind="table_ronde",
                       starts=paris(30))
    w["other"] = other
    w["other_inv"] = invite(dbsession, other, "autre@example.org", "Autre Personne")
    return w


# --------------------------------------------------------------------------- answering

def test_page_shows_the_event_and_is_private(client, world):
    response = client.get(link(world["contact"]))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "noindex" in response.headers["X-Robots-Tag"]
    assert "maillage_session=" in response.headers.get("Set-Cookie", "")  # CSRF for anonymous
    assert "<h1>Forum des partenaires de printemps</h1>" in html
    assert "<dt>Organisateur</dt>" in html and "<dd>Réseau Test</dd>" in html
    start = world["forum"].starts_at.astimezone(PARIS)
    assert f"à {start.hour} h 00, jusqu’à {start.hour + 2} h 00" in html
    assert "Salle des fêtes, 2 rue de la Mairie, Plérin" in html
    assert 'href="https://visio.example.org/forum" rel="noopener noreferrer"' in html
    assert "<strong>important</strong>" in html
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)" in html  # shown as text
    assert '<p class="meta rsvp-kind">Forum des partenaires</p>' in html
    assert html.index("Accueil café") < html.index("Ateliers par commune")
    assert "Équipe RPE" in html and "45 min" in html and "15 min" in html
    assert "Bonjour Claire Partenaire" in html
    for value in ("yes", "maybe", "no"):
        assert f'type="radio" id="f-response-{value}" name="response" value="{value}"' in html
    assert 'id="f-party_size" name="party_size" value="1"' in html
    assert "<legend>Serez-vous présent·e ?" in html
    assert link(world["contact"], "/evenement.ics") in html
    assert "Ajouter à mon agenda" in html
    form = html.split('class="rsvp-form"')[1].split("</form>")[0]
    assert form.count('type="hidden"') == 1 and 'name="csrf_token"' in form  # no id carried
    assert "invitation" not in form


def test_external_contact_answers_yes_for_three_then_changes_to_no(client, world, dbsession):
    invitation = world["contact"]
    assert invitation.user_id is None  # a partner contact without an account
    url = link(invitation)
    token = csrf_from(client.get(url).get_data(as_text=True))
    response = client.post(url, data={"csrf_token": token, "response": "yes",
                                      "party_size": "3", "comment": "Nous serons trois."})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(url)
    assert response.headers["Referrer-Policy"] == "no-referrer"
    row = stored(dbsession, invitation)
    assert (row.response, row.party_size, row.comment) == ("yes", 3, "Nous serons trois.")
    assert row.responded_at is not None
    html = client.get(url).get_data(as_text=True)
    assert "Merci, votre réponse est enregistrée : Oui, 3 personnes." in html
    assert "Réponse enregistrée : <strong>Oui, 3 personnes</strong>" in html
    assert 'value="yes" required checked' in html and 'value="3"' in html
    first_time = row.responded_at

    response = client.post(url, data={"csrf_token": token, "response": "no",
                                      "party_size": "0", "comment": ""})
    assert response.status_code == 303
    row = stored(dbsession, invitation)
    assert (row.response, row.party_size, row.comment) == ("no", 0, "")
    assert row.responded_at >= first_time
    html = client.get(url).get_data(as_text=True)
    assert "Merci, votre réponse est enregistrée : Non." in html
    # the other invitee of the same event is untouched
    assert stored(dbsession, world["admin"]).response is None


def test_blank_number_of_people_means_one(client, world, dbsession):
    url = link(world["contact"])
    token = csrf_from(client.get(url).get_data(as_text=True))
    assert client.post(url, data={"csrf_token": token, "response": "maybe",
                                  "party_size": " "}).status_code == 303
    row = stored(dbsession, world["contact"])
    assert (row.response, row.party_size) == ("maybe", 1)


@pytest.mark.parametrize(("form", "field", "message"), [
    ({"response": "peut-etre-pas", "party_size": "1"}, "response",
     "Choisissez « Oui », « Non » ou « Peut-être »."),
    ({"party_size": "2"}, "response", "Choisissez « Oui », « Non » ou « Peut-être »."),
    ({"response": "yes", "party_size": "99"}, "party_size",
     "Indiquez un nombre de personnes entre 1 et 20."),
    ({"response": "yes", "party_size": "trois"}, "party_size",
     "Indiquez un nombre en chiffres, entre 1 et 20."),
    ({"response": "yes", "party_size": "-2"}, "party_size",
     "Indiquez un nombre en chiffres, entre 1 et 20."),
    ({"response": "yes", "party_size": "0"}, "party_size",
     "0 personne n’est possible qu’en répondant « Non »."),
    ({"response": "maybe", "party_size": "2", "comment": "x" * 501}, "comment",
     "500 caractères au maximum."),
])
def test_bad_input_is_refused_in_french_and_nothing_is_written(client, world, dbsession, form,
                                                               field, message):
    url = link(world["contact"])
    token = csrf_from(client.get(url).get_data(as_text=True))
    before = snapshot(dbsession)
    response = client.post(url, data={"csrf_token": token, "comment": "Gardez-moi", **form})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert f'id="f-{field}-error"' in html
    assert "Le formulaire contient 1 erreur" in html
    if "comment" not in form:
        assert ">Gardez-moi</textarea>" in html  # what was typed is kept
    if form.get("party_size") and field == "party_size":
        assert f'value="{form["party_size"]}"' in html
    assert response.headers["Cache-Control"] == "no-store"
    assert snapshot(dbsession) == before


def test_post_without_csrf_token_is_refused(client, world, dbsession):
    url = link(world["contact"])
    client.get(url)
    before = snapshot(dbsession)
    for target in (url, url.replace("/invitation/", "/invitation/x")):  # valid or forged link
        response = client.post(target, data={"response": "yes", "party_size": "1"})
        assert response.status_code == 400  # refused before the view, like every POST
        assert "Formulaire expiré" in response.get_data(as_text=True)
    assert snapshot(dbsession) == before


def test_anonymous_visitor_can_answer_over_https_without_a_referrer(client, world, dbsession):
    """Referrer-Policy: no-referrer means the browser posts the form without a Referer:
    the strict HTTPS check of Flask-WTF must not refuse it (the CSRF token still counts)."""
    url = link(world["contact"])
    page = client.get(url, base_url="https://maillage.test")
    token = csrf_from(page.get_data(as_text=True))
    response = client.post(url, base_url="https://maillage.test",
                           data={"csrf_token": token, "response": "yes", "party_size": "2"})
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    assert stored(dbsession, world["contact"]).party_size == 2
    refused = client.post(url, base_url="https://maillage.test",
                          data={"csrf_token": "faux", "response": "no", "party_size": "0"})
    assert refused.status_code == 400
    assert stored(dbsession, world["contact"]).response == "yes"


def test_a_signed_in_user_answers_only_the_invitation_of_the_link(client, login, world,
                                                                 dbsession):
    login("admin.a@example.org")
    url = link(world["contact"])  # someone else's link: it acts as that invitee
    token = csrf_from(client.get(url).get_data(as_text=True))
    assert client.post(url, data={"csrf_token": token, "response": "maybe",
                                  "party_size": "1"}).status_code == 303
    assert stored(dbsession, world["contact"]).response == "maybe"
    assert stored(dbsession, world["admin"]).response is None


def test_a_tenant_event_is_answered_in_the_tenant_space(client, world, dbsession):
    event = make_event(dbsession, Space.for_tenant(world["a"].id), "Réunion d’information",
                       kind="information")
    invitation = invite(dbsession, event, "parent@example.org", "Un partenaire")
    assert invitation.tenant_id == world["a"].id and invitation.network_id is None
    url = link(invitation)
    html = client.get(url).get_data(as_text=True)
    assert "<dd>CA Alpha</dd>" in html
    token = csrf_from(html)
    assert client.post(url, data={"csrf_token": token, "response": "yes",
                                  "party_size": "1"}).status_code == 303
    assert stored(dbsession, invitation).response == "yes"


def test_published_minutes_are_not_shown_on_the_link(client, world, dbsession):
    with tenancy.use_space(world["net_space"], dbsession):
        dbsession.add(Minutes(event_id=world["forum"].id, body="Contenu secret du compte rendu",
                              status="published", published_at=datetime.now(UTC)))
        dbsession.flush()
    html = client.get(link(world["contact"])).get_data(as_text=True)
    assert "Contenu secret du compte rendu" not in html
    assert "compte rendu" not in html.lower()


# --------------------------------------------------------------------------- forged links

def test_a_token_cannot_answer_another_invitation(client, world, dbsession):
    a, b = world["contact"], world["other_inv"]
    token_a, token_b = tokens.token_for(a.token_key), tokens.token_for(b.token_key)
    key_len = tokens.KEY_LENGTH
    before = snapshot(dbsession)
    mixed = [
        a.token_key + token_b[key_len:],  # A's key with B's MAC
        b.token_key + token_a[key_len:],  # B's key with A's MAC
        token_a[key_len:] + a.token_key,  # halves swapped
    ]
    csrf = any_csrf(client)
    for token in mixed:
        for response in (client.get(f"/invitation/{token}/repondre"),
                         client.post(f"/invitation/{token}/repondre",
                                     data={"csrf_token": csrf, "response": "yes"})):
            assert response.status_code == 404
            assert INVALID in response.get_data(as_text=True)
    assert snapshot(dbsession) == before

    # A's link, with a form that talks about B: only A changes
    url = f"/invitation/{token_a}/repondre"
    token = csrf_from(client.get(url).get_data(as_text=True))
    response = client.post(url, data={
        "csrf_token": token, "response": "yes", "party_size": "2", "invitation_id": b.id,
        "id": b.id, "token": token_b, "event_id": world["other"].id, "email": b.email,
        "token_key": b.token_key})
    assert response.status_code == 303
    assert stored(dbsession, a).response == "yes"
    assert stored(dbsession, a).email == "claire.partenaire@pmi.example.fr"
    row_b = stored(dbsession, b)
    assert row_b.response is None and row_b.responded_at is None
    assert row_b.token_key == b.token_key


def _tampered(token: str) -> dict[str, str]:
    key_len = tokens.KEY_LENGTH

    def flip(char: str) -> str:
        return "A" if char != "A" else "B"

    return {
        "mac changed": token[:-1] + flip(token[-1]),
        "mac changed mid": token[:key_len + 5] + flip(token[key_len + 5]) + token[key_len + 6:],
        "key changed": flip(token[0]) + token[1:],
        "truncated": token[:-3],
        "only the key": token[:key_len],
        "extra chars": token + "xyz",
        "non-ascii": token[:-1] + "é",
        "dots": token[:-2] + "..",
    }


def test_tampered_and_unknown_links_all_get_the_same_404_page(client, world, dbsession):
    reference = client.get(link(world["contact"]).replace(
        tokens.token_for(world["contact"].token_key),
        tokens.token_for(tokens.new_key())))  # a well-formed link of no invitation
    assert reference.status_code == 404
    reference_html = without_csrf(reference.get_data(as_text=True))
    assert f"<h1>{INVALID}</h1>" in reference_html
    assert "e-mail d’invitation" in reference_html
    assert reference.headers["Cache-Control"] == "no-store"
    assert reference.headers["Referrer-Policy"] == "no-referrer"
    before = snapshot(dbsession)
    csrf = any_csrf(client)
    token = tokens.token_for(world["contact"].token_key)
    for name, bad in _tampered(token).items():
        for response in (
                client.get(f"/invitation/{bad}/repondre"),
                client.post(f"/invitation/{bad}/repondre", data={
                    "csrf_token": csrf, "response": "yes", "party_size": "4"}),
                client.get(f"/invitation/{bad}/evenement.ics")):
            assert response.status_code == 404, name
            assert without_csrf(response.get_data(as_text=True)) == reference_html, name
    assert snapshot(dbsession) == before


def test_a_forged_link_is_refused_before_any_database_access(client, world, dbsession):
    token = tokens.token_for(world["contact"].token_key)
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    connection = dbsession.get_bind()
    sa.event.listen(connection, "before_cursor_execute", record)
    try:
        for bad in _tampered(token).values():
            assert client.get(f"/invitation/{bad}/repondre").status_code == 404
        forged = list(statements)
        assert client.get(f"/invitation/{token}/repondre").status_code == 200
    finally:
        sa.event.remove(connection, "before_cursor_execute", record)
    assert not [s for s in forged if "event_invitation" in s]
    # the listener does see the look-up of a genuine link
    assert [s for s in statements[len(forged):] if "event_invitation" in s]


# --------------------------------------------------------------------------- closed links

def test_ended_event_refuses_answers_with_410(client, world, dbsession):
    past = make_event(dbsession, world["net_space"], "Forum passé", starts=paris(-3))
    invitation = invite(dbsession, past, "claire@example.org")
    url = link(invitation)
    response = client.get(url)
    assert response.status_code == 410
    html = response.get_data(as_text=True)
    assert "Ce lien a expiré : l’événement est passé" in html
    assert "Forum passé" in html and "<form" not in html.split("<main")[1]
    before = snapshot(dbsession)
    refused = client.post(url, data={"csrf_token": any_csrf(client), "response": "yes",
                                     "party_size": "1"})
    assert refused.status_code == 410
    assert snapshot(dbsession) == before
    assert client.get(link(invitation, "/evenement.ics")).status_code == 410


def test_event_is_closed_once_it_has_started_when_it_has_no_end(client, world, dbsession):
    with tenancy.use_space(world["net_space"], dbsession):
        started = Event(kind="forum", title="Commencé", status="scheduled",
                        starts_at=datetime.now(UTC) - timedelta(minutes=5))
        dbsession.add(started)
        dbsession.flush()
    invitation = invite(dbsession, started, "claire@example.org")
    assert client.get(link(invitation)).status_code == 410


def test_cancelled_event_says_so_with_410(client, world, dbsession):
    with tenancy.use_space(world["net_space"], dbsession):
        world["forum"].status = "cancelled"
        world["forum"].cancelled_at = datetime.now(UTC)
        dbsession.flush()
    url = link(world["contact"])
    response = client.get(url)
    assert response.status_code == 410
    assert "Cet événement a été annulé" in response.get_data(as_text=True)
    before = snapshot(dbsession)
    refused = client.post(url, data={"csrf_token": any_csrf(client), "response": "yes",
                                     "party_size": "1"})
    assert refused.status_code == 410
    assert snapshot(dbsession) == before
    assert client.get(link(world["contact"], "/evenement.ics")).status_code == 410


def test_draft_event_link_is_not_valid(client, world, dbsession):
    draft = make_event(dbsession, world["net_space"], "Brouillon secret", status="draft")
    invitation = invite(dbsession, draft, "claire@example.org")
    before = snapshot(dbsession)
    for response in (client.get(link(invitation)),
                     client.post(link(invitation), data={"csrf_token": any_csrf(client),
                                                         "response": "yes"}),
                     client.get(link(invitation, "/evenement.ics"))):
        assert response.status_code == 404
        html = response.get_data(as_text=True)
        assert INVALID in html and "Brouillon secret" not in html
    assert snapshot(dbsession) == before


# --------------------------------------------------------------------------- calendar file

def test_ics_by_token_parses_back_in_paris_time(client, world):
    response = client.get(link(world["contact"], "/evenement.ics"))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="evenement.ics"'
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    (vevent,) = Calendar.from_ical(response.data).walk("VEVENT")
    start = vevent.decoded("dtstart")
    assert str(start.tzinfo) == "Europe/Paris" and vevent["dtstart"].params["TZID"] == (
        "Europe/Paris")
    assert start == world["forum"].starts_at and start.hour == 14
    assert str(vevent["summary"]) == "Forum des partenaires de printemps"
    assert str(vevent["location"]) == "Salle des fêtes, 2 rue de la Mairie, Plérin"
    assert "Accueil café" in str(vevent["description"])
    assert b"BEGIN:VTIMEZONE" in response.data


# --------------------------------------------------------------------------- date poll

@pytest.fixture()
def poll(world, dbsession):
    event = make_event(dbsession, world["net_space"], "Comité de pilotage", status="polling",
                       kind="comite")
    with tenancy.use_space(world["net_space"], dbsession):
        options = [DateOption(event_id=event.id, starts_at=paris(days, hour),
                              ends_at=paris(days, hour) + timedelta(hours=2))
                   for days, hour in ((8, 9), (9, 14), (15, 10))]
        dbsession.add_all(options)
        dbsession.flush()
    first = invite(dbsession, event, "elu.un@example.org", "Élu Un")
    second = invite(dbsession, event, "elu.deux@example.org", "Élu Deux")
    return {"event": event, "options": options, "first": first, "second": second}


def test_poll_page_lists_the_candidate_dates(client, poll):
    response = client.get(link(poll["first"]))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.count('type="checkbox"') == 4 and html.count("Cette date me convient") == 3
    assert "Aucune de ces dates ne me convient" in html
    assert "Ajouter à mon agenda" not in html
    first = poll["options"][0].starts_at
    assert f"à {first.hour} h 00, jusqu’à {first.hour + 2} h 00" in html
    assert "<legend>Dates proposées</legend>" in html
    assert " checked" not in html


def post_poll(client, url, options=(), none=False):
    token = csrf_from(client.get(url).get_data(as_text=True))
    data = {"csrf_token": token, "option": [str(o) for o in options]}
    if none:
        data["none"] = "on"
    return client.post(url, data=data)


def test_votes_are_saved_updated_and_shown(client, poll, dbsession):
    o1, o2, o3 = (o.id for o in poll["options"])
    url = link(poll["first"])
    response = post_poll(client, url, [o1, o3])
    assert response.status_code == 303
    assert votes_of(dbsession, poll["first"]) == {o1: True, o2: False, o3: True}
    html = client.get(url).get_data(as_text=True)
    assert "Merci, votre réponse est enregistrée : 2 dates vous conviennent." in html
    assert f'value="{o1}" checked' in html and f'value="{o3}" checked' in html
    assert f'value="{o2}" checked' not in html

    assert post_poll(client, url, [o2]).status_code == 303
    assert votes_of(dbsession, poll["first"]) == {o1: False, o2: True, o3: False}
    assert votes_of(dbsession, poll["second"]) == {}  # only the link's invitation
    with tenancy.unscoped("test check", dbsession):
        assert dbsession.scalar(sa.select(sa.func.count(DateVote.id))) == 3
        assert stored(dbsession, poll["first"]).response is None


@pytest.mark.parametrize("none", [True, False])
def test_no_date_fits_is_recorded_as_all_false(client, poll, dbsession, none):
    url = link(poll["first"])
    assert post_poll(client, url, [], none=none).status_code == 303
    assert votes_of(dbsession, poll["first"]) == {o.id: False for o in poll["options"]}
    html = client.get(url).get_data(as_text=True)
    assert "aucune de ces dates ne vous convient" in html
    assert 'id="f-none" name="none" value="on" checked' in html


def test_poll_refuses_foreign_options_and_contradictions(client, poll, world, dbsession):
    other_poll = make_event(dbsession, world["net_space"], "Autre sondage", status="polling")
    with tenancy.use_space(world["net_space"], dbsession):
        foreign = DateOption(event_id=other_poll.id, starts_at=paris(20),
                             ends_at=paris(20) + timedelta(hours=1))
        dbsession.add(foreign)
        dbsession.flush()
    url = link(poll["first"])
    o1 = poll["options"][0].id
    before = snapshot(dbsession)
    for options, none, message in (
            ([o1, foreign.id], False, "Ce choix de dates n’est pas valide"),
            (["abc"], False, "Ce choix de dates n’est pas valide"),
            ([o1], True, "gardez l’un ou l’autre")):
        response = post_poll(client, url, options, none=none)
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
    assert snapshot(dbsession) == before


def test_past_candidate_dates_cannot_be_ticked(client, world, poll, dbsession):
    with tenancy.use_space(world["net_space"], dbsession):
        past = DateOption(event_id=poll["event"].id, starts_at=paris(-2),
                          ends_at=paris(-2) + timedelta(hours=2))
        dbsession.add(past)
        dbsession.flush()
    url = link(poll["first"])
    html = client.get(url).get_data(as_text=True)
    assert "Date passée" in html and f'value="{past.id}"' not in html
    assert post_poll(client, url, [past.id]).status_code == 422
    assert post_poll(client, url, [poll["options"][0].id]).status_code == 303
    assert past.id not in votes_of(dbsession, poll["first"])


def test_poll_expires_after_the_last_candidate_date(client, world, dbsession):
    event = make_event(dbsession, world["net_space"], "Sondage passé", status="polling")
    with tenancy.use_space(world["net_space"], dbsession):
        dbsession.add_all([DateOption(event_id=event.id, starts_at=paris(d),
                                      ends_at=paris(d) + timedelta(hours=1)) for d in (-5, -1)])
        dbsession.flush()
    invitation = invite(dbsession, event, "elu@example.org")
    url = link(invitation)
    response = client.get(url)
    assert response.status_code == 410
    assert "Ce lien a expiré" in response.get_data(as_text=True)
    before = snapshot(dbsession)
    assert client.post(url, data={"csrf_token": any_csrf(client),
                                  "none": "on"}).status_code == 410
    assert snapshot(dbsession) == before


def test_poll_without_options_yet_and_no_calendar_file(client, world, dbsession):
    event = make_event(dbsession, world["net_space"], "Sondage à venir", status="polling")
    invitation = invite(dbsession, event, "elu@example.org")
    html = client.get(link(invitation)).get_data(as_text=True)
    assert "Aucune date n’est encore proposée" in html
    response = client.get(link(invitation, "/evenement.ics"))
    assert response.status_code == 404
    assert "La date n’est pas encore fixée" in response.get_data(as_text=True)


def test_answer_page_uses_a_constant_number_of_queries(client, world, dbsession):
    from tests.training.test_tenant_sessions import count_queries

    url = link(world["contact"])
    few = count_queries(dbsession, lambda: client.get(url))
    for n in range(5):
        with tenancy.use_space(world["net_space"], dbsession):
            dbsession.add(AgendaItem(event_id=world["forum"].id, position=10 + n,
                                     title=f"Point {n}", presenter=f"P{n}"))
            dbsession.flush()
    assert count_queries(dbsession, lambda: client.get(url)) == few


def test_the_emailed_link_opens_the_answer_page(app, world):
    """tokens.answer_url (used by the invitation and reminder e-mails) must lead here, not
    to the account invitations of `core` that own /invitation/<token>."""
    from urllib.parse import urlsplit

    path = urlsplit(tokens.answer_url(world["contact"].token_key)).path
    endpoint, args = app.url_map.bind("maillage.test").match(path, method="GET")
    assert endpoint == "rsvp.answer", f"{path} is served by {endpoint}"
    assert tokens.key_from(args["token"]) == world["contact"].token_key
