"""Inviting people (by address, tenant users, groups, partner contacts), the e-mails,
reminders, answers, attendance and the CSV export."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from app.core import tenancy
from app.events.models import Event
from tests.events.helpers import (
    NET,
    TA,
    invitations_of,
    invite,
    mails,
    make_committee,
    make_event,
    network_space,
    post,
    recipients,
    switch,
    tenant_space,
)
from tests.events.helpers import build as build_world


@pytest.fixture()
def w(dbsession):
    return build_world()


def by_email(rows):
    return {row.email: row for row in rows}


def flashed(client, response) -> str:
    return client.get(response.headers["Location"]).get_data(as_text=True)


def test_invite_by_address_links_platform_accounts(client, login, w):
    event = make_event(tenant_space(w))
    token = switch(client, login, "admin.a@example.org")
    url = f"{TA}/{event.id}/invitations"
    assert client.get(url).status_code == 200
    post(client, url, token, group="email", name="Élise", email="Elu.A@example.org")
    post(client, url, token, group="email", name="Odile Extérieure",
         email="odile@mairie.example.org", organisation="Mairie de Plérin")
    rows = by_email(invitations_of(tenant_space(w), event.id))
    assert rows["elu.a@example.org"].user_id == w["elu_a"].id
    assert rows["odile@mairie.example.org"].user_id is None
    assert rows["odile@mairie.example.org"].organisation == "Mairie de Plérin"
    assert {r.source for r in rows.values()} == {"person"}


def test_bad_address_is_refused_and_nothing_written(client, login, w):
    event = make_event(tenant_space(w))
    token = switch(client, login, "admin.a@example.org")
    response = post(client, f"{TA}/{event.id}/invitations", token, group="email",
                    name="Quelqu’un", email="pas-une-adresse")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Adresse e-mail invalide" in html and 'value="Quelqu’un"' in html
    assert invitations_of(tenant_space(w), event.id) == []


def test_reinviting_is_idempotent_and_says_so(client, login, w):
    event = make_event(tenant_space(w))
    token = switch(client, login, "admin.a@example.org")
    url = f"{TA}/{event.id}/invitations"
    first = post(client, url, token, group="users", ids=[str(w["elu_a"].id)])
    assert "1 invitation ajoutée" in flashed(client, first)
    again = post(client, url, token, group="users",
                 ids=[str(w["elu_a"].id), str(w["anim_a"].id)])
    assert "1 invitation ajoutée ; 1 personne déjà invitée" in flashed(client, again)
    assert len(invitations_of(tenant_space(w), event.id)) == 2
    assert "déjà invité·e" in client.get(url).get_data(as_text=True)


def test_tenant_users_by_checkbox_only_the_tenants(client, login, w):
    event = make_event(tenant_space(w))
    token = switch(client, login, "admin.a@example.org")
    page = client.get(f"{TA}/{event.id}/invitations").get_data(as_text=True)
    assert "Anne Animatrice" in page and "Animateur·rice de RPE" in page
    assert "Bruno Animateur" not in page  # tenant B's user
    post(client, f"{TA}/{event.id}/invitations", token, group="users",
         ids=[str(w["anim_a"].id), str(w["agent_a"].id), str(w["anim_b"].id)])
    rows = by_email(invitations_of(tenant_space(w), event.id))
    assert set(rows) == {"anim.a@example.org", "agent.a@example.org"}
    assert rows["anim.a@example.org"].user_id == w["anim_a"].id


def test_all_relais_in_a_tenant(client, login, w):
    event = make_event(tenant_space(w))
    token = switch(client, login, "admin.a@example.org")
    post(client, f"{TA}/{event.id}/invitations", token, group="relais")
    rows = by_email(invitations_of(tenant_space(w), event.id))
    # The animator's account for her relais; the relais without an account by its address.
    assert set(rows) == {"anim.a@example.org", w["second_relais_email"]}
    assert rows["anim.a@example.org"].user_id == w["anim_a"].id
    assert {r.source for r in rows.values()} == {"relais"}
    assert w["a_relais_email"] not in rows and w["b_relais_email"] not in rows


def test_relais_of_a_member_tenant_from_the_network(client, login, w):
    event = make_event(network_space(w))
    token = switch(client, login, "coord@example.org")
    url = f"{NET}/{event.id}/invitations"
    page = client.get(url).get_data(as_text=True)
    assert "ne sont pas visibles depuis le réseau" in page
    assert "Personnes du territoire" not in page and "Anne Animatrice" not in page
    refused = post(client, url, token, group="relais", tenant_id=str(w["c"].id))
    assert refused.status_code == 422
    assert "Choisissez un territoire" in refused.get_data(as_text=True)
    assert invitations_of(network_space(w), event.id) == []
    post(client, url, token, group="relais", tenant_id=str(w["a"].id))
    rows = by_email(invitations_of(network_space(w), event.id))
    assert set(rows) == {w["a_relais_email"], w["second_relais_email"]}
    assert all(r.user_id is None and r.organisation == "CA Alpha" for r in rows.values())
    # Users of a tenant cannot be picked from the network.
    post(client, url, token, group="users", ids=[str(w["anim_a"].id)])
    assert len(invitations_of(network_space(w), event.id)) == 2


def test_committee_members_group(client, login, w):
    committee = make_committee(network_space(w), members=[
        ("Élise Élue", "elu.a@example.org", w["elu_a"], "president"),
        ("Marc Membre", "marc@mairie.example.org", None, "membre")])
    event = make_event(network_space(w))
    token = switch(client, login, "coord@example.org")
    post(client, f"{NET}/{event.id}/invitations", token, group="committee",
         committee_id=str(committee.id))
    rows = by_email(invitations_of(network_space(w), event.id))
    assert set(rows) == {"elu.a@example.org", "marc@mairie.example.org"}
    assert all(r.source == "committee" and r.committee_member_id for r in rows.values())
    assert rows["elu.a@example.org"].user_id == w["elu_a"].id


def test_committee_meeting_invites_members_and_suggests_a_facilitator(client, login,
                                                                      dbsession, w):
    committee = make_committee(tenant_space(w), members=[
        ("Élise Élue", "elu.a@example.org", w["elu_a"], "president"),
        ("Marc Membre", "marc@mairie.example.org", None, "membre"),
        ("Invitée Permanente", "pmi@example.org", None, "invite")])
    token = switch(client, login, "admin.a@example.org")
    page = client.get(f"{TA}/nouveau?comite={committee.id}").get_data(as_text=True)
    assert "Suggestion : Élise Élue (rotation)" in page
    assert "Mairie de Lamballe" in page  # the committee's usual place
    response = post(client, f"{TA}/nouveau", token, committee_id=str(committee.id),
                    kind="comite", title="Réunion de rentrée", starts_at="2030-09-10T18:00",
                    facilitator_member_id="")
    assert response.status_code == 302
    assert "3 membres du comité invités" in flashed(client, response)
    with tenancy.use_space(tenant_space(w), dbsession):
        event = dbsession.scalar(sa.select(Event).where(Event.title == "Réunion de rentrée"))
        event_id, facilitator = event.id, event.facilitator_member_id
    assert facilitator is None  # left blank on purpose
    rows = by_email(invitations_of(tenant_space(w), event_id))
    assert set(rows) == {"elu.a@example.org", "marc@mairie.example.org", "pmi@example.org"}
    assert {r.source for r in rows.values()} == {"committee"}
    # The organiser picks the facilitator: any member of the committee.
    with tenancy.use_space(tenant_space(w), dbsession):
        from app.committees.models import CommitteeMember

        marc = dbsession.scalar(sa.select(CommitteeMember.id).where(
            CommitteeMember.name == "Marc Membre"))
    post(client, f"{TA}/{event_id}/modifier", token, kind="comite", title="Réunion de rentrée",
         starts_at="2030-09-10T18:00", facilitator_member_id=str(marc))
    dbsession.expire_all()
    with tenancy.use_space(tenant_space(w), dbsession):
        event = dbsession.get(Event, event_id)
        assert (event.facilitator_member_id, event.facilitator_name) == (marc, "Marc Membre")
    bad = post(client, f"{TA}/{event_id}/modifier", token, kind="comite",
               title="Réunion de rentrée", starts_at="2030-09-10T18:00",
               facilitator_member_id="999999")
    assert bad.status_code == 422
    assert "Choisissez une personne du comité" in bad.get_data(as_text=True)


def test_partner_contacts_grouped_by_organisation(client, login, w):
    for space, base, email in ((tenant_space(w), TA, "admin.a@example.org"),
                               (network_space(w), NET, "coord@example.org")):
        event = make_event(space)
        token = switch(client, login, email)
        page = client.get(f"{base}/{event.id}/invitations").get_data(as_text=True)
        assert w["organisation_name"] in page and "Paule Partenaire" in page
        post(client, f"{base}/{event.id}/invitations", token, group="contacts",
             ids=[str(w["contact_id"])])
        (row,) = invitations_of(space, event.id)
        assert (row.email, row.source, row.user_id) == ("paule@caf.example.org", "contact",
                                                         None)
        assert row.contact_id == w["contact_id"]
        assert row.organisation == w["organisation_name"]


def test_emails_go_out_only_once_the_event_is_announced(client, login, w, run_jobs):
    draft = make_event(tenant_space(w), status="draft")
    live = make_event(tenant_space(w), title="Forum annoncé")
    token = switch(client, login, "admin.a@example.org")
    for event in (draft, live):
        post(client, f"{TA}/{event.id}/invitations", token, group="email", name="Odile",
             email="odile@mairie.example.org")
    run_jobs()
    sent = mails("event_invitation")
    assert len(sent) == 1 and sent[0].to_address == "odile@mairie.example.org"
    assert "Forum annoncé" in sent[0].subject
    assert "http://maillage.test/invitation/" in sent[0].body_text
    (row,) = invitations_of(tenant_space(w), live.id)
    assert row.emailed_at is not None
    run_jobs()
    assert len(mails("event_invitation")) == 1  # nobody is e-mailed twice


def test_reminders_only_to_people_without_an_answer(client, login, w, run_jobs):
    event = make_event(network_space(w))
    sent = datetime.now(UTC)
    invite(network_space(w), event, "Oui", "oui@example.org", response="yes", emailed_at=sent)
    invite(network_space(w), event, "Non", "non@example.org", response="no", emailed_at=sent)
    invite(network_space(w), event, "Muet", "muet@example.org", emailed_at=sent)
    token = switch(client, login, "coord@example.org")
    answers = client.get(f"{NET}/{event.id}/reponses").get_data(as_text=True)
    assert "Relancer les personnes sans réponse (1)" in answers
    confirm = client.get(f"{NET}/{event.id}/relancer")
    assert "Envoyer la relance (1)" in confirm.get_data(as_text=True)
    run_jobs()
    assert mails("event_reminder") == []  # the confirmation page sends nothing
    assert post(client, f"{NET}/{event.id}/relancer", token).status_code == 302
    run_jobs()
    assert recipients("event_reminder") == {"muet@example.org"}


def test_answers_counts_attendance_and_csv(client, login, w):
    event = make_event(tenant_space(w))
    space = tenant_space(w)
    when = datetime.now(UTC)
    yes = invite(space, event, "Yann Oui", "yann@example.org", response="yes", party_size=3,
                 responded_at=when, comment="=1+1", organisation="Mairie")
    maybe = invite(space, event, "Pia Peut-être", "pia@example.org", response="maybe")
    invite(space, event, "Noé Non", "noe@example.org", response="no")
    invite(space, event, "Sans Réponse", "sr@example.org")
    token = switch(client, login, "admin.a@example.org")
    page = client.get(f"{TA}/{event.id}/reponses").get_data(as_text=True)
    for text in ("<strong>1</strong> oui", "<strong>1</strong> peut-être",
                 "<strong>1</strong> non", "<strong>1</strong> sans réponse",
                 "<strong>3</strong> personnes attendues", "4 invités"):
        assert text in page
    assert client.get(f"{TA}/{event.id}/presences").status_code == 200
    post(client, f"{TA}/{event.id}/presences", token, present=[str(yes.id), str(maybe.id),
                                                               "999999", "abc"])
    marks = {r.name: r.attended for r in invitations_of(space, event.id)}
    assert marks == {"Yann Oui": True, "Pia Peut-être": True, "Noé Non": False,
                     "Sans Réponse": False}
    response = client.get(f"{TA}/{event.id}/reponses.csv")
    assert response.headers["Content-Disposition"].startswith("attachment;")
    body = response.get_data().decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(body[1:]), delimiter=";"))
    assert [r["Nom"] for r in rows] == ["Yann Oui", "Pia Peut-être", "Sans Réponse", "Noé Non"]
    first = rows[0]
    assert (first["Réponse"], first["Nombre de personnes"], first["Présence"]) == \
        ("Oui", "3", "présent")
    assert first["Commentaire"] == "'=1+1"  # no formula for Excel
    assert first["Organisation"] == "Mairie" and first["Répondu le"]
    assert rows[3]["Présence"] == "absent"


def test_remove_an_invitation_after_confirmation(client, login, w):
    event = make_event(tenant_space(w))
    row = invite(tenant_space(w), event, "Odile", "odile@example.org")
    token = switch(client, login, "admin.a@example.org")
    url = f"{TA}/{event.id}/invitations/{row.id}/retirer"
    assert "Retirer l’invitation de Odile" in client.get(url).get_data(as_text=True)
    assert len(invitations_of(tenant_space(w), event.id)) == 1
    assert post(client, url, token).status_code == 302
    assert invitations_of(tenant_space(w), event.id) == []
    assert client.get(url).status_code == 404
