"""Isolation: another tenant's or network's event ids give 404 on every route (GET and
POST) and nothing is written; sub-objects of another event are not found either; pages
keep a constant number of queries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.core import tenancy
from app.core.models import AuditLog, MailMessage
from app.core.tenancy import Space
from app.events.models import (
    AgendaItem,
    DateOption,
    Event,
    EventInvitation,
    Minutes,
    MinutesRevision,
)
from tests.events.helpers import (
    NET,
    OTHER_NET,
    TA,
    TB,
    acting,
    invite,
    later,
    make_committee,
    make_event,
    network_space,
    switch,
    tenant_space,
)
from tests.events.helpers import build as build_world


def full_event(dbsession, space, title):
    """An event with one of every sub-object: agenda item, invitation, date option,
    minutes and a revision."""
    event = make_event(space, title=title)
    invitation = invite(space, event, "Invité", f"invite.{event.id}@example.org")
    with acting(space):
        item = dbsession.scalar(sa.select(AgendaItem.id).where(AgendaItem.event_id == event.id))
        option = DateOption(event_id=event.id, starts_at=later(40),
                            ends_at=later(40) + timedelta(hours=1))
        minutes = Minutes(event_id=event.id, body="Texte", status="draft")
        dbsession.add_all([option, minutes])
        dbsession.flush()
        revision = MinutesRevision(minutes_id=minutes.id, body="Texte")
        dbsession.add(revision)
        dbsession.flush()
    return {"event": event.id, "item": item, "invitation": invitation.id,
            "option": option.id, "revision": revision.id}


def routes(ids):
    e, item, inv = ids["event"], ids["item"], ids["invitation"]
    option, rev = ids["option"], ids["revision"]
    gets = [f"/{e}", f"/{e}.ics", f"/{e}/modifier", f"/{e}/annuler", f"/{e}/ordre-du-jour",
            f"/{e}/ordre-du-jour/{item}", f"/{e}/invitations", f"/{e}/reponses",
            f"/{e}/reponses.csv", f"/{e}/invitations/{inv}/retirer", f"/{e}/relancer",
            f"/{e}/presences", f"/{e}/sondage", f"/{e}/sondage/{option}/choisir",
            f"/{e}/compte-rendu", f"/{e}/compte-rendu/versions",
            f"/{e}/compte-rendu/versions/{rev}", f"/{e}/compte-rendu/publier"]
    posts = [f"/{e}/modifier", f"/{e}/publier", f"/{e}/annuler", f"/{e}/ordre-du-jour",
             f"/{e}/ordre-du-jour/{item}", f"/{e}/ordre-du-jour/{item}/deplacer",
             f"/{e}/ordre-du-jour/{item}/supprimer", f"/{e}/invitations",
             f"/{e}/invitations/{inv}/retirer", f"/{e}/relancer", f"/{e}/presences",
             f"/{e}/sondage", f"/{e}/sondage/{option}/choisir", f"/{e}/compte-rendu",
             f"/{e}/compte-rendu/versions/{rev}/restaurer", f"/{e}/compte-rendu/publier"]
    return gets, posts


def form(token, ids):
    return {"csrf_token": token, "kind": "forum", "title": "Piraté", "place": "Ailleurs",
            "sens": "down", "group": "email", "name": "Pirate", "email": "pirate@example.org",
            "present": str(ids["invitation"]), "body": "Piraté", "resend": "on",
            "duration_minutes": "5", "option_date_1": "2031-01-01", "option_start_1": "10:00",
            "option_end_1": "11:00", "option_date_2": "2031-01-02",
            "option_start_2": "10:00", "option_end_2": "11:00"}


def snapshot(dbsession):
    dbsession.expire_all()
    with tenancy.unscoped("test snapshot", dbsession):
        return (
            dbsession.execute(sa.select(Event.id, Event.title, Event.status, Event.place)
                              .order_by(Event.id)).all(),
            dbsession.execute(sa.select(AgendaItem.id, AgendaItem.title, AgendaItem.position)
                              .order_by(AgendaItem.id)).all(),
            dbsession.execute(sa.select(EventInvitation.id, EventInvitation.attended,
                                        EventInvitation.reminded_at)
                              .order_by(EventInvitation.id)).all(),
            dbsession.execute(sa.select(DateOption.id).order_by(DateOption.id)).all(),
            dbsession.execute(sa.select(Minutes.id, Minutes.body, Minutes.status)).all(),
            dbsession.scalar(sa.select(sa.func.count(MinutesRevision.id))),
            dbsession.scalar(sa.select(sa.func.count(AuditLog.id)).where(
                AuditLog.action.like("event.%"))),
            dbsession.scalar(sa.select(sa.func.count(MailMessage.id))),
        )


@pytest.fixture()
def world(dbsession):
    w = build_world()
    w["tenant_event"] = full_event(dbsession, tenant_space(w), "Réunion d’Alpha")
    w["network_event"] = full_event(dbsession, network_space(w), "Forum du réseau")
    draft = make_event(network_space(w), title="Forum en brouillon", status="draft")
    w["network_draft"] = draft.id
    return w


def assert_all_404(client, token, prefix, ids):
    gets, posts = routes(ids)
    for path in gets:
        assert client.get(prefix + path).status_code == 404, prefix + path
    for path in posts:
        assert client.post(prefix + path, data=form(token, ids)).status_code == 404, \
            prefix + path


def test_other_tenant_gets_404_everywhere(client, login, dbsession, world, run_jobs):
    before = snapshot(dbsession)
    token = switch(client, login, "admin.b@example.org")
    assert_all_404(client, token, TB, world["tenant_event"])
    assert "Réunion d’Alpha" not in client.get(TB).get_data(as_text=True)
    run_jobs()
    assert snapshot(dbsession) == before


def test_member_tenant_reads_the_network_event_but_manages_nothing(client, login, dbsession,
                                                                   world, run_jobs):
    before = snapshot(dbsession)
    token = switch(client, login, "admin.a@example.org")
    ids = world["network_event"]
    assert client.get(f"{TA}/{ids['event']}").status_code == 200
    assert client.get(f"{TA}/{ids['event']}.ics").status_code == 200
    assert client.get(f"{TA}/{world['network_draft']}").status_code == 404
    gets, posts = routes(ids)
    for path in gets[2:]:
        assert client.get(TA + path).status_code == 404, path
    for path in posts:
        assert client.post(TA + path, data=form(token, ids)).status_code == 404, path
    run_jobs()
    assert snapshot(dbsession) == before


def test_other_network_gets_404_everywhere(client, login, dbsession, world, run_jobs):
    before = snapshot(dbsession)
    token = switch(client, login, "coord.autre@example.org")
    assert client.get(OTHER_NET).status_code == 200
    assert "Forum du réseau" not in client.get(OTHER_NET).get_data(as_text=True)
    assert_all_404(client, token, OTHER_NET, world["network_event"])
    assert_all_404(client, token, OTHER_NET, world["tenant_event"])
    assert client.get(f"{NET}/{world['network_event']['event']}").status_code == 404
    # A tenant of the other network sees nothing of this network's events.
    token = switch(client, login, "admin.c@example.org")
    assert_all_404(client, token, "/t/gamma/evenements", world["network_event"])
    assert "Forum du réseau" not in client.get("/t/gamma/evenements").get_data(as_text=True)
    run_jobs()
    assert snapshot(dbsession) == before


def test_tenant_ids_are_not_found_in_the_network_space(client, login, dbsession, world):
    before = snapshot(dbsession)
    token = switch(client, login, "coord@example.org")
    assert_all_404(client, token, NET, world["tenant_event"])
    assert snapshot(dbsession) == before


def test_sub_objects_of_another_event_are_not_found(client, login, dbsession, world):
    mine = full_event(dbsession, tenant_space(world), "Autre réunion d’Alpha")
    before = snapshot(dbsession)
    token = switch(client, login, "admin.a@example.org")
    other = world["tenant_event"]
    mixed = {**other, "event": mine["event"]}  # own event, the other event's sub-objects
    gets, posts = routes(mixed)
    keys = [str(mixed[k]) for k in ("item", "invitation", "option", "revision")]

    def with_sub(paths):
        return [p for p in paths if any(k in p.split("/")[2:] for k in keys)]

    assert (len(with_sub(gets)), len(with_sub(posts))) == (4, 6)
    for path in with_sub(gets):
        assert client.get(TA + path).status_code == 404, path
    for path in with_sub(posts):
        assert client.post(TA + path, data=form(token, mixed)).status_code == 404, path
    assert snapshot(dbsession) == before


def test_other_network_committee_is_not_offered_nor_accepted(client, login, dbsession, world):
    other_space = Space.for_network(world["other_network"].id, [world["c"].id])
    foreign = make_committee(other_space, name="Comité d’ailleurs")
    event = make_event(network_space(world))
    token = switch(client, login, "coord@example.org")
    page = client.get(f"{NET}/{event.id}/invitations").get_data(as_text=True)
    assert "Comité d’ailleurs" not in page
    response = client.post(f"{NET}/{event.id}/invitations", data={
        "csrf_token": token, "group": "committee", "committee_id": str(foreign.id)})
    assert response.status_code == 422
    assert client.get(f"{NET}/nouveau?comite={foreign.id}").status_code == 404


# --------------------------------------------------------------------------- queries

def count_queries(dbsession, client, url) -> int:
    statements = []

    def count(*args, **kwargs):
        statements.append(1)

    bind = dbsession.get_bind()
    sa.event.listen(bind, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200, url
    finally:
        sa.event.remove(bind, "before_cursor_execute", count)
    return len(statements)


def test_pages_use_a_constant_number_of_queries(client, login, dbsession, world):
    space = network_space(world)
    event = make_event(space, title="Grand forum")
    committee = make_committee(space, members=[
        ("Élise Élue", "elu.a@example.org", world["elu_a"], "president")])

    serial = iter(range(1000))

    def grow(n):
        for _ in range(n):
            i = next(serial)
            make_event(space, title=f"Forum {i}")
            invite(space, event, f"P{i}", f"p{i}@example.org", response="yes",
                   responded_at=datetime.now(UTC), attended=True)
            invite(space, event, f"Q{i}", f"q{i}@example.org")

    pages = [NET, f"{NET}/{event.id}", f"{NET}/{event.id}/reponses",
             f"{NET}/{event.id}/invitations", f"{NET}/{event.id}/presences"]
    tenant_pages = [TA, f"{TA}/{event.id}"]
    assert committee
    switch(client, login, "coord@example.org")
    grow(1)
    before = [count_queries(dbsession, client, url) for url in pages]
    grow(3)
    after = [count_queries(dbsession, client, url) for url in pages]
    assert before == after
    switch(client, login, "elu.a@example.org")
    invite(space, event, "Élise", "elu.a@example.org", user=world["elu_a"])
    polled = make_event(space, title="Forum à dater", status="polling")
    invite(space, polled, "Élise", "elu.a@example.org", user=world["elu_a"])
    before = [count_queries(dbsession, client, url) for url in tenant_pages]
    grow(3)
    for status in ("scheduled", "polling"):
        other = make_event(space, title=f"Encore un forum ({status})", status=status)
        invite(space, other, "Élise", "elu.a@example.org", user=world["elu_a"])
    after = [count_queries(dbsession, client, url) for url in tenant_pages]
    assert before == after
