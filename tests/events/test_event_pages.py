"""Creating, editing, publishing and cancelling events, their agenda, and who sees what."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.core import tenancy
from app.core.models import AuditLog
from app.core.tenancy import Space
from app.events.models import AgendaItem, Event
from tests.events.helpers import (
    NET,
    TA,
    TB,
    event_in,
    invite,
    later,
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


def _local(dt):
    from app.events.schemas import to_local_input

    return to_local_input(dt)


def count_events(dbsession, space) -> int:
    dbsession.expire_all()
    with tenancy.use_space(space, dbsession):
        return dbsession.scalar(sa.select(sa.func.count(Event.id)))


# --------------------------------------------------------------------------- create

def test_tenant_admin_creates_a_draft_event(client, login, dbsession, w):
    token = switch(client, login, "admin.a@example.org")
    page = client.get(f"{TA}/nouveau")
    assert page.status_code == 200
    assert "Nouvel événement" in page.get_data(as_text=True)
    start = later(20)
    response = post(client, f"{TA}/nouveau", token, kind="table_ronde",
                    title="Table ronde accueil", starts_at=_local(start),
                    ends_at=_local(start + timedelta(hours=2)), place="Salle des fêtes",
                    remote_link="https://visio.example.org/x", description="**Bienvenue**")
    assert response.status_code == 302
    event_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    event = event_in(tenant_space(w), event_id)
    assert event.tenant_id == w["a"].id and event.network_id is None
    assert event.status == "draft" and event.kind == "table_ronde"
    assert event.starts_at == start
    shown = client.get(f"{TA}/{event_id}").get_data(as_text=True)
    assert "<strong>Bienvenue</strong>" in shown and "Publier" in shown
    with tenancy.use_space(tenant_space(w), dbsession):
        assert dbsession.scalar(sa.select(sa.func.count(AuditLog.id)).where(
            AuditLog.action == "event.created")) == 1


def test_coordinator_creates_a_network_event(client, login, dbsession, w):
    token = switch(client, login, "coord@example.org")
    assert client.get(NET).status_code == 200
    response = post(client, f"{NET}/nouveau", token, kind="forum", title="Forum 2027",
                    starts_at=_local(later(30)))
    assert response.status_code == 302
    with tenancy.use_space(network_space(w), dbsession):
        event = dbsession.scalar(sa.select(Event).where(Event.title == "Forum 2027"))
    assert event.network_id == w["network"].id and event.tenant_id is None


@pytest.mark.parametrize("data, field, message", [
    ({"title": ""}, "title", "Ce champ est obligatoire."),
    ({"kind": "fete"}, "kind", "Choisissez une valeur dans la liste."),
    ({"starts_at": "demain"}, "starts_at", "Date et heure invalides"),
    ({"ends_at": "2026-01-01T10:00"}, "starts_at", "Indiquez aussi le début."),
    ({"starts_at": "2027-01-01T10:00", "ends_at": "2027-01-01T09:00"}, "ends_at",
     "La fin doit suivre le début."),
    ({"remote_link": "visio.example.org"}, "remote_link", "https://"),
])
def test_invalid_event_is_refused_in_french_and_nothing_is_written(
        client, login, dbsession, w, data, field, message):
    token = switch(client, login, "admin.a@example.org")
    form = {"kind": "forum", "title": "Forum", **data}
    before = count_events(dbsession, tenant_space(w))
    response = post(client, f"{TA}/nouveau", token, **form)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html and f'id="f-{field}-error"' in html
    assert 'value="' + (form.get("title") or "") in html  # what was typed is kept
    assert count_events(dbsession, tenant_space(w)) == before


def test_non_admin_cannot_create_and_sees_no_new_button(client, login, w):
    token = switch(client, login, "agent.a@example.org")
    assert "Nouvel événement" not in client.get(TA).get_data(as_text=True)
    assert client.get(f"{TA}/nouveau").status_code == 403
    assert post(client, f"{TA}/nouveau", token, kind="forum", title="X").status_code == 403


def test_edit_keeps_date_required_once_scheduled(client, login, dbsession, w):
    event = make_event(tenant_space(w))
    token = switch(client, login, "admin.a@example.org")
    assert client.get(f"{TA}/{event.id}/modifier").status_code == 200
    response = post(client, f"{TA}/{event.id}/modifier", token, kind="forum", title="Nouveau",
                    starts_at="")
    assert response.status_code == 422
    assert event_in(tenant_space(w), event.id).title == "Forum des partenaires"
    response = post(client, f"{TA}/{event.id}/modifier", token, kind="forum", title="Nouveau",
                    starts_at=_local(later(5)))
    assert response.status_code == 302
    assert event_in(tenant_space(w), event.id).title == "Nouveau"


# --------------------------------------------------------------------------- agenda

def test_agenda_add_edit_reorder_remove(client, login, dbsession, w):
    event = make_event(network_space(w))
    token = switch(client, login, "coord@example.org")
    base = f"{NET}/{event.id}/ordre-du-jour"
    bad = post(client, base, token, title="", duration_minutes="vingt")
    assert bad.status_code == 422
    assert "Indiquez une durée en minutes" in bad.get_data(as_text=True)
    for title, minutes in (("Tour de table", "30"), ("Bilan", "")):
        assert post(client, base, token, title=title, presenter="Coord",
                    duration_minutes=minutes).status_code == 302

    def titles():
        dbsession.expire_all()
        with tenancy.use_space(network_space(w), dbsession):
            return list(dbsession.scalars(sa.select(AgendaItem.title).where(
                AgendaItem.event_id == event.id).order_by(AgendaItem.position)))

    assert titles() == ["Accueil", "Tour de table", "Bilan"]
    with tenancy.use_space(network_space(w), dbsession):
        ids = dict(dbsession.execute(sa.select(AgendaItem.title, AgendaItem.id).where(
            AgendaItem.event_id == event.id)).all())
    post(client, f"{base}/{ids['Bilan']}/deplacer", token, sens="up")
    assert titles() == ["Accueil", "Bilan", "Tour de table"]
    post(client, f"{base}/{ids['Accueil']}/deplacer", token, sens="down")
    assert titles() == ["Bilan", "Accueil", "Tour de table"]
    post(client, f"{base}/{ids['Bilan']}/deplacer", token, sens="up")  # already first
    assert titles() == ["Bilan", "Accueil", "Tour de table"]
    assert post(client, f"{base}/{ids['Accueil']}", token, title="Café d’accueil",
                duration_minutes="10").status_code == 302
    post(client, f"{base}/{ids['Bilan']}/supprimer", token)
    assert titles() == ["Café d’accueil", "Tour de table"]
    page = client.get(f"{NET}/{event.id}").get_data(as_text=True)
    assert page.index("Café d’accueil") < page.index("Tour de table")
    assert "Durée prévue : 40 min" in page


# --------------------------------------------------------------------------- publish, cancel

def test_publishing_a_draft_sends_the_pending_invitations(client, login, dbsession, w,
                                                          run_jobs):
    event = make_event(tenant_space(w), status="draft")
    invite(tenant_space(w), event, "Élise", "elu.a@example.org", user=w["elu_a"])
    token = switch(client, login, "admin.a@example.org")
    run_jobs()
    assert mails("event_invitation") == []
    response = post(client, f"{TA}/{event.id}/publier", token)
    assert response.status_code == 302
    run_jobs()
    assert event_in(tenant_space(w), event.id).status == "scheduled"
    sent = mails("event_invitation")
    assert [m.to_address for m in sent] == ["elu.a@example.org"]
    assert "/invitation/" in sent[0].body_text


def test_publishing_without_a_date_is_refused(client, login, dbsession, w):
    event = make_event(tenant_space(w), status="draft", starts_at=None, ends_at=None)
    token = switch(client, login, "admin.a@example.org")
    response = post(client, f"{TA}/{event.id}/publier", token)
    assert response.status_code == 302
    assert "Indiquez d’abord la date" in client.get(response.headers["Location"]).get_data(
        as_text=True)
    assert event_in(tenant_space(w), event.id).status == "draft"


def test_cancel_asks_confirmation_then_tells_those_who_had_not_declined(
        client, login, dbsession, w, run_jobs):
    event = make_event(network_space(w))
    now = later(-1)
    invite(network_space(w), event, "Oui", "oui@example.org", response="yes", emailed_at=now)
    invite(network_space(w), event, "Non", "non@example.org", response="no", emailed_at=now)
    invite(network_space(w), event, "Muet", "muet@example.org", emailed_at=now)
    invite(network_space(w), event, "Jamais prévenu", "jamais@example.org")
    token = switch(client, login, "coord@example.org")
    page = client.get(f"{NET}/{event.id}/annuler")
    assert page.status_code == 200
    assert "2 personnes invitées" in page.get_data(as_text=True)
    assert event_in(network_space(w), event.id).status == "scheduled"  # GET changes nothing
    assert post(client, f"{NET}/{event.id}/annuler", token).status_code == 302
    run_jobs()
    cancelled = event_in(network_space(w), event.id)
    assert cancelled.status == "cancelled" and cancelled.cancelled_at is not None
    assert recipients("event_cancelled") == {"oui@example.org", "muet@example.org"}
    # A cancelled event can no longer be edited.
    assert client.get(f"{NET}/{event.id}/modifier").status_code == 302


# --------------------------------------------------------------------------- visibility

def test_network_events_in_member_tenants_but_not_drafts_nor_other_networks(
        client, login, w):
    make_event(network_space(w), title="Forum publié")
    make_event(network_space(w), title="Forum en préparation", status="draft")
    make_event(tenant_space(w, "b"), title="Réunion de Bêta")
    switch(client, login, "agent.a@example.org")
    agenda = client.get(TA).get_data(as_text=True)
    assert "Forum publié" in agenda
    assert "Forum en préparation" not in agenda and "Réunion de Bêta" not in agenda
    switch(client, login, "admin.c@example.org")
    assert "Forum publié" not in client.get("/t/gamma/evenements").get_data(as_text=True)


def test_tenant_drafts_are_for_organisers_only(client, login, w):
    draft = make_event(tenant_space(w), title="Brouillon du territoire", status="draft")
    switch(client, login, "agent.a@example.org")
    assert "Brouillon du territoire" not in client.get(TA).get_data(as_text=True)
    assert client.get(f"{TA}/{draft.id}").status_code == 404
    switch(client, login, "admin.a@example.org")
    assert "Brouillon du territoire" in client.get(TA).get_data(as_text=True)
    assert client.get(f"{TA}/{draft.id}").status_code == 200


def test_public_part_only_for_people_not_invited(client, login, w):
    event = make_event(network_space(w), title="Forum", description="Secret du programme",
                       remote_link="https://visio.example.org/forum", place="Saint-Brieuc")
    invite(network_space(w), event, "Élise", "elu.a@example.org", user=w["elu_a"])
    switch(client, login, "agent.a@example.org")
    page = client.get(f"{TA}/{event.id}").get_data(as_text=True)
    assert "Saint-Brieuc" in page and "Accueil" in page
    assert "Secret du programme" not in page and "visio.example.org" not in page
    assert "Vous n’êtes pas invité·e" in page
    assert "Ordre du jour" in page and "Modifier" not in page
    assert client.get(f"{TA}/{event.id}/reponses").status_code == 404  # network's event
    ics = client.get(f"{TA}/{event.id}.ics").get_data(as_text=True)
    assert "visio.example.org" not in ics and "UID:event-" in ics
    switch(client, login, "elu.a@example.org")
    page = client.get(f"{TA}/{event.id}").get_data(as_text=True)
    assert "Secret du programme" in page and "visio.example.org" in page
    assert "Répondre" in page and "/invitation/" in page
    ics = client.get(f"{TA}/{event.id}.ics")
    assert ics.headers["Content-Type"].startswith("text/calendar")
    assert "visio.example.org" in ics.get_data(as_text=True)


def test_my_invitations_read_in_the_personal_space(client, login, w):
    mine = make_event(network_space(w), title="Forum où je suis invitée")
    other = make_event(tenant_space(w), title="Réunion où je ne suis pas")
    invite(network_space(w), mine, "Élise", "elu.a@example.org", user=w["elu_a"],
           response="maybe")
    invite(tenant_space(w), other, "Anne", "anim.a@example.org", user=w["anim_a"])
    switch(client, login, "elu.a@example.org")
    page = client.get(TA).get_data(as_text=True)
    section = page[page.index("Mes invitations"):page.index("Agenda du territoire")]
    assert "Forum où je suis invitée" in section and "Peut-être" in section
    assert "Changer ma réponse" in section
    assert "Réunion où je ne suis pas" not in section


def test_committee_chair_organises_their_committee_meetings_only(client, login, dbsession,
                                                                 w):
    committee = make_committee(tenant_space(w), members=[
        ("Élise Élue", "elu.a@example.org", w["elu_a"], "president"),
        ("Anne Animatrice", "anim.a@example.org", w["anim_a"], "membre")])
    other = make_committee(tenant_space(w), name="Commission finances")
    network_committee = make_committee(network_space(w), name="Comité du réseau", members=[
        ("Élise Élue", "elu.a@example.org", w["elu_a"], "president")])
    token = switch(client, login, "elu.a@example.org")
    page = client.get(f"{TA}/nouveau").get_data(as_text=True)
    assert "Collectif petite enfance" in page
    assert "Commission finances" not in page and "Comité du réseau" not in page
    assert client.get(f"{TA}/nouveau?comite={other.id}").status_code == 404
    assert client.get(f"{TA}/nouveau?comite={network_committee.id}").status_code == 404
    assert post(client, f"{TA}/nouveau", token, kind="forum", title="Forum").status_code == 403
    response = post(client, f"{TA}/nouveau", token, committee_id=str(committee.id),
                    kind="comite", title="Réunion de rentrée", starts_at=_local(later(15)))
    assert response.status_code == 302
    with tenancy.use_space(tenant_space(w), dbsession):
        event = dbsession.scalar(sa.select(Event).where(Event.title == "Réunion de rentrée"))
    assert event.committee_id == committee.id and event.kind == "comite"
    assert client.get(f"{TA}/{event.id}/reponses").status_code == 200
    unrelated = make_event(tenant_space(w), title="Forum du territoire")
    assert client.get(f"{TA}/{unrelated.id}/reponses").status_code == 403


def test_edit_page_of_other_roles_is_forbidden(client, login, w):
    event = make_event(tenant_space(w))
    token = switch(client, login, "anim.a@example.org")
    assert client.get(f"{TA}/{event.id}").status_code == 200
    assert client.get(f"{TA}/{event.id}/modifier").status_code == 403
    assert post(client, f"{TA}/{event.id}/annuler", token).status_code == 403


def test_tenant_b_admin_sees_nothing_of_tenant_a(client, login, dbsession, w):
    event = make_event(tenant_space(w), title="Réunion d’Alpha")
    switch(client, login, "admin.b@example.org")
    assert client.get(f"{TB}/{event.id}").status_code == 404
    assert "Réunion d’Alpha" not in client.get(TB).get_data(as_text=True)


def test_personal_space_query_hides_uninvited_events(dbsession, w):
    event = make_event(tenant_space(w), title="Réunion")
    invite(tenant_space(w), event, "Élise", "elu.a@example.org", user=w["elu_a"])
    with tenancy.use_space(Space.personal(w["agent_a"].id), dbsession):
        assert dbsession.scalar(sa.select(sa.func.count(Event.id))) == 0
    with tenancy.use_space(Space.personal(w["elu_a"].id), dbsession):
        assert dbsession.scalar(sa.select(sa.func.count(Event.id))) == 1


def test_network_index_by_period_and_kind(client, login, w):
    make_event(network_space(w), title="Forum à venir")
    make_event(network_space(w), title="Table ronde à venir", kind="table_ronde")
    make_event(network_space(w), title="Forum passé", days=-20)
    switch(client, login, "coord@example.org")
    upcoming = client.get(NET).get_data(as_text=True)
    assert "Forum à venir" in upcoming and "Table ronde à venir" in upcoming
    assert "Forum passé" not in upcoming
    filtered = client.get(f"{NET}?type=table_ronde").get_data(as_text=True)
    assert "Table ronde à venir" in filtered and "Forum à venir" not in filtered
    past = client.get(f"{NET}?quand=passes").get_data(as_text=True)
    assert "Forum passé" in past and "Forum à venir" not in past
    assert client.get(f"{NET}?type=inconnu").status_code == 200


def test_ics_file_of_an_event(client, login, w):
    from icalendar import Calendar

    event = make_event(network_space(w), title="Forum", place="Saint-Brieuc",
                       remote_link="https://visio.example.org/f")
    cancelled = make_event(network_space(w), title="Forum annulé", status="cancelled")
    polled = make_event(network_space(w), title="Forum à dater", status="polling")
    switch(client, login, "coord@example.org")
    response = client.get(f"{NET}/{event.id}.ics")
    assert response.headers["Content-Disposition"].startswith("attachment;")
    (vevent,) = Calendar.from_ical(response.get_data()).walk("VEVENT")
    assert str(vevent["UID"]) == f"event-{event.id}@maillage"
    assert str(vevent["SUMMARY"]) == "Forum" and str(vevent["STATUS"]) == "CONFIRMED"
    assert str(vevent["LOCATION"]) == "Saint-Brieuc"
    assert str(vevent["URL"]) == "https://visio.example.org/f"
    assert "1. Accueil (15 min)" in str(vevent["DESCRIPTION"])
    assert str(vevent["DTSTART"].params["TZID"]) == "Europe/Paris"
    (vevent,) = Calendar.from_ical(client.get(f"{NET}/{cancelled.id}.ics").get_data()).walk(
        "VEVENT")
    assert str(vevent["STATUS"]) == "CANCELLED"
    assert client.get(f"{NET}/{polled.id}.ics").status_code == 404


def test_organised_list_for_admins(client, login, w):
    make_event(tenant_space(w), title="Ancienne réunion", days=-60)
    make_event(tenant_space(w), title="Brouillon", status="draft")
    switch(client, login, "admin.a@example.org")
    page = client.get(f"{TA}/organises").get_data(as_text=True)
    assert "Ancienne réunion" in page and "Brouillon" in page
    switch(client, login, "agent.a@example.org")
    assert client.get(f"{TA}/organises").status_code == 403
