"""Finding a date (poll), and minutes: revisions, publication, who receives and who reads."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from app.committees.models import ActionItem, Decision
from app.core import tenancy
from app.core.tenancy import Space
from app.events import tokens
from app.events.models import DateOption, DateVote, Minutes, MinutesRevision
from tests.events.helpers import (
    NET,
    TA,
    acting,
    event_in,
    invitations_of,
    invite,
    mails,
    make_committee,
    make_event,
    network_space,
    post,
    switch,
    tenant_space,
)
from tests.events.helpers import build as build_world


@pytest.fixture()
def w(dbsession):
    return build_world()


# --------------------------------------------------------------------------- date poll

def _options(**rows):
    data = {}
    for row, (day, start, end) in rows.items():
        data.update({f"option_date_{row}": day, f"option_start_{row}": start,
                     f"option_end_{row}": end})
    return data


def test_date_poll_from_proposals_to_the_chosen_date(client, login, dbsession, w, run_jobs):
    space = network_space(w)
    event = make_event(space, status="draft", starts_at=None, ends_at=None)
    first = invite(space, event, "Élise", "elu.a@example.org", user=w["elu_a"])
    second = invite(space, event, "Odile", "odile@example.org")
    token = switch(client, login, "coord@example.org")
    url = f"{NET}/{event.id}/sondage"
    assert "Ouvrir le sondage" in client.get(url).get_data(as_text=True)
    one = post(client, url, token, **_options(**{"1": ("2030-03-03", "14:00", "16:00")}))
    assert one.status_code == 422
    assert "Proposez au moins 2 dates" in one.get_data(as_text=True)
    bad = post(client, url, token, **_options(**{"1": ("2030-03-03", "14:00", "13:00"),
                                                 "2": ("2030-03-04", "14:00", "16:00")}))
    assert "l’heure de fin doit suivre" in bad.get_data(as_text=True)
    assert event_in(space, event.id).status == "draft"
    response = post(client, url, token, **_options(**{
        "1": ("2030-03-03", "14:00", "16:00"), "2": ("2030-03-05", "09:30", "11:00")}))
    assert response.status_code == 302
    run_jobs()
    polled = event_in(space, event.id)
    assert polled.status == "polling" and polled.starts_at is None
    with tenancy.use_space(space, dbsession):
        options = dbsession.scalars(sa.select(DateOption).where(
            DateOption.event_id == event.id).order_by(DateOption.starts_at)).all()
        assert len(options) == 2
        chosen_id, other_id = options[1].id, options[0].id
        chosen_start = options[1].starts_at
    poll_mails = mails("event_invitation")
    assert {m.to_address for m in poll_mails} == {"elu.a@example.org", "odile@example.org"}
    assert all("Quelle date vous convient" in m.subject for m in poll_mails)
    with acting(space):
        dbsession.add_all([
            DateVote(invitation_id=first.id, option_id=chosen_id, available=True),
            DateVote(invitation_id=first.id, option_id=other_id, available=False),
            DateVote(invitation_id=second.id, option_id=chosen_id, available=True)])
    results = client.get(url).get_data(as_text=True)
    assert "2 invités ont répondu" in results and "Élise, Odile" in results
    pick = f"{NET}/{event.id}/sondage/{chosen_id}/choisir"
    assert "2 personnes se sont dites disponibles" in client.get(pick).get_data(as_text=True)
    assert event_in(space, event.id).status == "polling"
    assert post(client, pick, token).status_code == 302
    run_jobs()
    fixed = event_in(space, event.id)
    assert fixed.status == "scheduled" and fixed.starts_at == chosen_start
    with tenancy.use_space(space, dbsession):
        assert dbsession.scalar(sa.select(sa.func.count(DateOption.id)).where(
            DateOption.event_id == event.id)) == 2  # kept for history
    fixed_mails = {m.to_address: m for m in mails("event_date_fixed")}
    assert set(fixed_mails) == {"elu.a@example.org", "odile@example.org"}
    assert tokens.answer_url(first.token_key) in fixed_mails["elu.a@example.org"].body_text
    # No second pick, and no new poll once the date is fixed.
    assert post(client, f"{NET}/{event.id}/sondage/{other_id}/choisir", token).status_code == 302
    assert event_in(space, event.id).starts_at == chosen_start
    post(client, url, token, **_options(**{"1": ("2031-03-03", "14:00", "16:00"),
                                           "2": ("2031-03-05", "09:30", "11:00")}))
    assert event_in(space, event.id).status == "scheduled"


def test_poll_is_not_offered_on_a_scheduled_event(client, login, w):
    event = make_event(tenant_space(w))
    token = switch(client, login, "admin.a@example.org")
    post(client, f"{TA}/{event.id}/sondage", token, **_options(**{
        "1": ("2030-03-03", "14:00", "16:00"), "2": ("2030-03-05", "09:30", "11:00")}))
    assert event_in(tenant_space(w), event.id).status == "scheduled"


# --------------------------------------------------------------------------- minutes

@pytest.fixture()
def meeting(w, dbsession):
    """A network committee's meeting, a week ago: Élise (member, invited, yes), Marc
    (member without account), Anne (member, not invited), Yann yes, Pia maybe, Noé no,
    Sam no answer."""
    space = network_space(w)
    committee = make_committee(space, members=[
        ("Élise Élue", "elu.a@example.org", w["elu_a"], "president"),
        ("Marc Membre", "marc@mairie.example.org", None, "membre"),
        ("Anne Animatrice", "anim.a@example.org", w["anim_a"], "membre")])
    event = make_event(space, title="Réunion du collectif", kind="comite", days=-7,
                       committee_id=committee.id)
    rows = {"elise": invite(space, event, "Élise Élue", "elu.a@example.org", user=w["elu_a"],
                            response="yes", source="committee"),
            "yann": invite(space, event, "Yann", "yann@example.org", response="yes"),
            "pia": invite(space, event, "Pia", "pia@example.org", response="maybe"),
            "noe": invite(space, event, "Noé", "noe@example.org", response="no"),
            "sam": invite(space, event, "Sam", "sam@example.org")}
    with acting(space):
        decision = Decision(event_id=event.id, committee_id=committee.id,
                            title="Créer un guide des modes d’accueil")
        dbsession.add(decision)
        dbsession.flush()
        dbsession.add(ActionItem(decision_id=decision.id, title="Rédiger le guide",
                                 owner_name="Marc Membre", due_on=date(2030, 6, 30)))
    return {"event": event, "rows": rows, "committee": committee}


def _revisions(dbsession, w, event_id):
    dbsession.expire_all()
    with tenancy.use_space(network_space(w), dbsession):
        return dbsession.execute(sa.select(MinutesRevision.id, MinutesRevision.body)
                                 .join(Minutes).where(Minutes.event_id == event_id)
                                 .order_by(MinutesRevision.id)).all()


def test_minutes_revisions_and_restore(client, login, dbsession, w, meeting):
    event_id = meeting["event"].id
    token = switch(client, login, "coord@example.org")
    url = f"{NET}/{event_id}/compte-rendu"
    assert client.get(url).status_code == 200
    assert client.get(f"{url}/versions").status_code == 404  # nothing saved yet
    empty = post(client, url, token, body="", note="")
    assert empty.status_code == 422 and "Ce champ est obligatoire." in \
        empty.get_data(as_text=True)
    assert _revisions(dbsession, w, event_id) == []
    post(client, url, token, body="Première version", note="brouillon")
    post(client, url, token, body="Deuxième version", note="")
    post(client, url, token, body="Deuxième version", note="")  # unchanged: no revision
    revisions = _revisions(dbsession, w, event_id)
    assert [body for _, body in revisions] == ["Première version", "Deuxième version"]
    history = client.get(f"{url}/versions").get_data(as_text=True)
    assert "2 versions" in history and "brouillon" in history
    old = revisions[0][0]
    page = client.get(f"{url}/versions/{old}").get_data(as_text=True)
    assert "Première version" in page and "<ins>" in page
    post(client, f"{url}/versions/{old}/restaurer", token)
    revisions = _revisions(dbsession, w, event_id)
    assert [body for _, body in revisions][-1] == "Première version" and len(revisions) == 3
    with tenancy.use_space(network_space(w), dbsession):
        minutes = dbsession.scalar(sa.select(Minutes).where(Minutes.event_id == event_id))
        assert (minutes.body, minutes.status) == ("Première version", "draft")


def test_publish_minutes_to_participants_and_members_only(client, login, dbsession, w,
                                                          meeting, run_jobs):
    event_id, rows = meeting["event"].id, meeting["rows"]
    token = switch(client, login, "coord@example.org")
    url = f"{NET}/{event_id}/compte-rendu"
    post(client, url, token, body="## Relevé\n\nLe collectif a **validé** le guide.")
    confirm = client.get(f"{url}/publier").get_data(as_text=True)
    assert "Marc Membre" in confirm and "Noé" not in confirm
    run_jobs()
    assert mails("event_minutes") == []
    assert post(client, f"{url}/publier", token).status_code == 302
    run_jobs()
    sent = {m.to_address: m for m in mails("event_minutes")}
    # Attendance not taken: yes and maybe answers, plus the committee's members.
    assert set(sent) == {"elu.a@example.org", "yann@example.org", "pia@example.org",
                         "marc@mairie.example.org", "anim.a@example.org"}
    body = sent["elu.a@example.org"].body_text
    assert "Le collectif a **validé** le guide." in body
    assert "Créer un guide des modes d’accueil" in body
    assert "Rédiger le guide (Marc Membre, pour le dimanche 30 juin 2030)" in body
    assert "Vous avez un compte Maillage" in body
    assert "Vous avez un compte Maillage" not in sent["yann@example.org"].body_text
    marks = {r.email: r.minutes_sent_at for r in invitations_of(network_space(w), event_id)}
    assert marks["yann@example.org"] and marks["elu.a@example.org"]
    assert marks["noe@example.org"] is None and marks["sam@example.org"] is None
    # Attendance taken, edit, republish: only when asked, and to those present.
    post(client, f"{NET}/{event_id}/presences", token,
         present=[str(rows["yann"].id), str(rows["sam"].id)])
    post(client, url, token, body="Relevé corrigé")
    post(client, f"{url}/publier", token)
    run_jobs()
    assert len(mails("event_minutes")) == 5
    post(client, f"{url}/publier", token, resend="on")
    run_jobs()
    again = [m.to_address for m in mails("event_minutes")][5:]
    assert set(again) == {"yann@example.org", "sam@example.org", "elu.a@example.org",
                          "marc@mairie.example.org", "anim.a@example.org"}
    assert len(again) == 5  # one per address


def _publish(dbsession, w, event_id, status="published"):
    with acting(network_space(w)):
        dbsession.add(Minutes(event_id=event_id, body="Compte rendu confidentiel",
                              status=status, published_at=datetime.now(UTC)))


def test_minutes_and_decisions_readable_by_participants_and_members_only(
        client, login, dbsession, w, meeting):
    event_id = meeting["event"].id
    _publish(dbsession, w, event_id)
    for email in ("elu.a@example.org", "anim.a@example.org"):  # invited; member not invited
        switch(client, login, email)
        page = client.get(f"{TA}/{event_id}").get_data(as_text=True)
        assert "Compte rendu confidentiel" in page, email
        assert "Créer un guide des modes d’accueil" in page and "Rédiger le guide" in page
    switch(client, login, "agent.a@example.org")  # same tenant, neither invited nor member
    page = client.get(f"{TA}/{event_id}").get_data(as_text=True)
    assert "Réunion du collectif" in page
    assert "Compte rendu confidentiel" not in page and "Créer un guide" not in page
    with tenancy.use_space(Space.personal(w["agent_a"].id), dbsession):
        assert dbsession.scalar(sa.select(sa.func.count(Minutes.id))) == 0
        assert dbsession.scalar(sa.select(sa.func.count(Decision.id))) == 0
        assert dbsession.scalar(sa.select(sa.func.count(ActionItem.id))) == 0
    with tenancy.use_space(Space.personal(w["anim_a"].id), dbsession):
        assert dbsession.scalar(sa.select(sa.func.count(Minutes.id))) == 1


def test_draft_minutes_stay_with_the_organisers(client, login, dbsession, w, meeting):
    event_id = meeting["event"].id
    _publish(dbsession, w, event_id, status="draft")
    switch(client, login, "elu.a@example.org")
    page = client.get(f"{TA}/{event_id}").get_data(as_text=True)
    assert "Compte rendu confidentiel" not in page and "Créer un guide" not in page
    switch(client, login, "coord@example.org")
    page = client.get(f"{NET}/{event_id}").get_data(as_text=True)
    assert "Compte rendu confidentiel" in page and "Brouillon" in page


def test_answer_link_offered_until_the_event_ends(client, login, dbsession, w):
    space = network_space(w)
    soon = make_event(space, title="Bientôt")
    past = make_event(space, title="Passé", days=-1)
    for event in (soon, past):
        invite(space, event, "Élise", "elu.a@example.org", user=w["elu_a"], response="yes")
    switch(client, login, "elu.a@example.org")
    assert "Changer ma réponse" in client.get(f"{TA}/{soon.id}").get_data(as_text=True)
    page = client.get(f"{TA}/{past.id}").get_data(as_text=True)
    assert "Ma réponse" in page and "Changer ma réponse" not in page
