"""The personal calendar feed (/calendrier/<token>.ics) also lists the person's events:
invitations not declined and meetings of the committees where their seat is current.
It is read in the person's personal space: nobody else's events can appear."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from icalendar import Calendar

from app.committees.models import Committee, CommitteeMember
from app.core import tenancy
from app.core.tenancy import Space
from app.core.tokens import new_token
from app.events.models import AgendaItem, EventInvitation
from app.training.calendar import personal_events
from app.training.models import CalendarFeed
from tests import factories
from tests.events.test_rsvp import PARIS, invite, make_event, paris
from tests.training.test_tenant_sessions import make_session, register_as


def feed_for(dbsession, user) -> str:
    token, digest = new_token()
    dbsession.add(CalendarFeed(user_id=user.id, token_hash=digest))
    dbsession.flush()
    return f"/calendrier/{token}.ics"


def vevents(body: bytes) -> dict[str, object]:
    return {str(e["summary"]): e for e in Calendar.from_ical(body).walk("VEVENT")}


def answer(dbsession, invitation: EventInvitation, response: str) -> None:
    with tenancy.use_space(Space.for_network(invitation.network_id), dbsession):
        invitation.response = response
        dbsession.flush()


def seat(dbsession, committee: Committee, user, **mandate) -> CommitteeMember:
    with tenancy.use_space(Space.for_network(committee.network_id), dbsession):
        member = CommitteeMember(committee_id=committee.id, user_id=user.id,
                                 name=user.full_name, email=user.email, **mandate)
        dbsession.add(member)
        dbsession.flush()
    return member


def committee(dbsession, net, name: str) -> Committee:
    with tenancy.use_space(Space.for_network(net.id), dbsession):
        c = Committee(name=name, kind="collectif")
        dbsession.add(c)
        dbsession.flush()
    return c


@pytest.fixture()
def world(dbsession):
    w = factories.two_tenants_world()
    net = w["network"]
    space = Space.for_network(net.id)
    elu = factories.user("elue@example.org", "Élise Élue")
    factories.tenant_role(elu, w["a"], "elected_official")
    other = factories.user("autre.elu@example.org", "Autre Élu")
    factories.tenant_role(other, w["a"], "elected_official")
    w.update(elu=elu, other=other)

    def invited(title, response=None, who=elu, **kw):
        event = make_event(dbsession, space, title, **kw)
        invitation = invite(dbsession, event, who.email, who.full_name)
        assert invitation.user_id == who.id
        if response:
            answer(dbsession, invitation, response)
        return event

    w["yes"] = invited("Forum où je vais", "yes", place="Mairie de Plérin")
    with tenancy.use_space(space, dbsession):
        dbsession.add(AgendaItem(event_id=w["yes"].id, title="Tour de table", position=1))
        dbsession.flush()
    w["pending"] = invited("Table ronde sans réponse", kind="table_ronde", starts=paris(20))
    w["maybe"] = invited("Réunion peut-être", "maybe", kind="information", starts=paris(25))
    w["no"] = invited("Forum refusé", "no")
    w["cancelled"] = invited("Forum annulé", "yes", status="cancelled", starts=paris(12))
    w["draft"] = invited("Brouillon invisible", status="draft", starts=paris(14))
    w["polling"] = invited("Sondage sans date", status="polling")
    w["others"] = invited("Forum d’une autre personne", "yes", who=other)

    collectif = committee(dbsession, net, "Collectif petite enfance")
    seat(dbsession, collectif, elu, mandate_start=date.today() - timedelta(days=30))
    seat(dbsession, collectif, other)
    w["meeting"] = make_event(dbsession, space, "Réunion du collectif", kind="comite",
                              committee_id=collectif.id, starts=paris(40))
    w["declined_meeting"] = make_event(dbsession, space, "Collectif décliné", kind="comite",
                                       committee_id=collectif.id, starts=paris(41))
    answer(dbsession, invite(dbsession, w["declined_meeting"], elu.email), "no")
    w["draft_meeting"] = make_event(dbsession, space, "Collectif en brouillon", kind="comite",
                                    committee_id=collectif.id, status="draft")
    ancien = committee(dbsession, net, "Ancien comité")
    seat(dbsession, ancien, elu, mandate_start=date(2020, 1, 1), mandate_end=date(2023, 12, 31))
    w["old_meeting"] = make_event(dbsession, space, "Réunion d’un mandat terminé",
                                  kind="comite", committee_id=ancien.id, starts=paris(42))
    foreign = committee(dbsession, net, "Comité des financeurs")
    seat(dbsession, foreign, other)
    w["foreign_meeting"] = make_event(dbsession, space, "Comité où je ne siège pas",
                                      kind="comite", committee_id=foreign.id, starts=paris(43))
    tenant_event = make_event(dbsession, Space.for_tenant(w["a"].id), "Réunion de l’agglo",
                              kind="information", starts=paris(50))
    invite(dbsession, tenant_event, elu.email)
    w["tenant_event"] = tenant_event
    return w


EXPECTED = {"Forum où je vais", "Table ronde sans réponse", "Réunion peut-être",
            "Annulé : Forum annulé", "Réunion du collectif", "Réunion de l’agglo"}


def test_feed_lists_my_events_and_committee_meetings_only(app, dbsession, world):
    url = feed_for(dbsession, world["elu"])
    response = app.test_client().get(url)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.data)
    assert str(calendar["x-wr-calname"]) == "Mes formations et réunions (Maillage)"
    found = vevents(response.data)
    assert set(found) == EXPECTED
    cancelled = found["Annulé : Forum annulé"]
    assert str(cancelled["status"]) == "CANCELLED"
    assert str(found["Forum où je vais"]["status"]) == "CONFIRMED"
    start = found["Forum où je vais"].decoded("dtstart")
    assert str(start.tzinfo) == "Europe/Paris" and start == world["yes"].starts_at
    assert start.astimezone(PARIS).hour == 14
    assert str(found["Forum où je vais"]["location"]) == "Mairie de Plérin"
    assert "Tour de table" in str(found["Forum où je vais"]["description"])
    assert str(found["Réunion du collectif"]["uid"]) == f"event-{world['meeting'].id}@maillage"


def test_feed_of_another_person_shows_their_events_not_mine(app, dbsession, world):
    found = vevents(app.test_client().get(feed_for(dbsession, world["other"])).data)
    assert "Forum d’une autre personne" in found
    assert "Réunion du collectif" in found and "Comité où je ne siège pas" in found
    assert not set(found) & (EXPECTED - {"Réunion du collectif"})


def test_someone_invited_to_nothing_gets_an_empty_feed(app, dbsession, world):
    nobody = factories.user("personne@example.org")
    factories.tenant_role(nobody, world["a"], "elected_official")
    response = app.test_client().get(feed_for(dbsession, nobody))
    assert response.status_code == 200
    assert vevents(response.data) == {}


def test_feed_still_includes_trainings(app, dbsession, world):
    session = make_session(dbsession, world["network"], "Atelier éveil musical")
    anim = factories.user("anim.feed@example.org")
    factories.tenant_role(anim, world["a"], "rpe_animator")
    register_as(dbsession, world, "a", anim, session)
    seat(dbsession, committee(dbsession, world["network"], "Copil"), anim)
    with tenancy.use_space(Space.for_network(world["network"].id), dbsession):
        invitation = invite(dbsession, world["yes"], anim.email)
    assert invitation.user_id == anim.id
    found = vevents(app.test_client().get(feed_for(dbsession, anim)).data)
    assert set(found) == {"Atelier éveil musical", "Forum où je vais"}
    assert str(found["Atelier éveil musical"]["uid"]).startswith("sitting-")


def test_personal_events_reads_in_the_personal_space(dbsession, world, monkeypatch):
    spaces = []
    real = tenancy.use_space

    def spy(space, session=None):
        spaces.append(space)
        return real(space, session)

    monkeypatch.setattr(tenancy, "use_space", spy)
    titles = {e.title for e in personal_events(world["elu"].id)}
    assert titles == {t.removeprefix("Annulé : ") for t in EXPECTED}
    assert spaces == [Space.personal(world["elu"].id)]
    assert tenancy.current_space() is None


def test_a_seat_that_has_ended_or_not_started_does_not_count(dbsession, world):
    future = committee(dbsession, world["network"], "Futur comité")
    seat(dbsession, future, world["elu"], mandate_start=date.today() + timedelta(days=10))
    make_event(dbsession, Space.for_network(world["network"].id), "Réunion future",
               kind="comite", committee_id=future.id, starts=paris(60))
    titles = {e.title for e in personal_events(world["elu"].id)}
    assert "Réunion future" not in titles and "Réunion d’un mandat terminé" not in titles
    later = {e.title for e in personal_events(world["elu"].id,
                                              today=date.today() + timedelta(days=11))}
    assert "Réunion future" in later


def test_feed_uses_a_constant_number_of_queries(app, dbsession, world):
    url = feed_for(dbsession, world["elu"])
    statements = []

    def count(*args, **kwargs):
        statements.append(1)

    connection = dbsession.get_bind()
    client = app.test_client()
    sa.event.listen(connection, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
        few = len(statements)
        for n in range(4):
            event = make_event(dbsession, Space.for_network(world["network"].id),
                               f"Forum {n}", starts=paris(70 + n))
            with tenancy.use_space(Space.for_network(world["network"].id), dbsession):
                dbsession.add(AgendaItem(event_id=event.id, title="Point", position=1))
                dbsession.flush()
            invite(dbsession, event, world["elu"].email)
        statements.clear()
        assert client.get(url).status_code == 200
    finally:
        sa.event.remove(connection, "before_cursor_execute", count)
    assert len(statements) == few
