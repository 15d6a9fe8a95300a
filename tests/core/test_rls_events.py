"""Who reads invitations, minutes and decisions: raw SQL on the app role's connection (RLS),
then the same questions through the ORM (criteria), in the personal and tenant spaces.

A network holds: a scheduled forum where Inès is invited (published minutes, a decision,
an action owned by Olivier who was not invited), a draft event where Inès is invited too,
and a committee meeting (published minutes) of a committee where Marc sits. Nina is in the
same tenant as everybody, invited to nothing.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.committees.models import ActionItem, Committee, CommitteeMember, Decision
from app.core import tenancy
from app.core.tenancy import Space
from app.events.models import AgendaItem, Event, EventInvitation, Minutes
from tests import factories
from tests.core.test_rls import count, set_settings


def _event(title: str, status: str = "scheduled", committee_id=None) -> Event:
    start = datetime.now(UTC) - timedelta(days=3)
    return Event(kind="comite" if committee_id else "forum", title=title, status=status,
                 starts_at=start, ends_at=start + timedelta(hours=2), committee_id=committee_id)


def _published(db, event: Event, text: str) -> None:
    db.add(Minutes(event_id=event.id, body=text, status="published",
                   published_at=datetime.now(UTC)))


@pytest.fixture()
def world(dbsession):
    w = factories.two_tenants_world()
    net = w["network"]
    for key in ("ines", "marc", "nina", "olivier"):
        person = factories.user(f"{key}@example.org", name=key.capitalize())
        factories.tenant_role(person, w["a"], "elected_official")
        w[key] = person
    with tenancy.use_space(Space.for_network(net.id), dbsession):
        forum = _event("Forum confidentiel")
        draft = _event("Brouillon confidentiel", status="draft")
        committee = Committee(name="Collectif", kind="collectif")
        dbsession.add_all([forum, draft, committee])
        dbsession.flush()
        dbsession.add(CommitteeMember(committee_id=committee.id, user_id=w["marc"].id,
                                      name="Marc", email="marc@example.org",
                                      mandate_start=date.today()))
        meeting = _event("Réunion du collectif", committee_id=committee.id)
        dbsession.add(meeting)
        dbsession.flush()
        for event in (forum, draft):
            dbsession.add(EventInvitation(event_id=event.id, user_id=w["ines"].id, name="Inès",
                                          email="ines@example.org", token_key=f"k{event.id}"))
        dbsession.add(AgendaItem(event_id=forum.id, title="Accueil", position=1))
        _published(dbsession, forum, "Compte rendu du forum")
        _published(dbsession, meeting, "Compte rendu du collectif")
        decision = Decision(event_id=forum.id, title="Décision du forum")
        meeting_decision = Decision(event_id=meeting.id, committee_id=committee.id,
                                    title="Décision du collectif")
        dbsession.add_all([decision, meeting_decision])
        dbsession.flush()
        dbsession.add(ActionItem(decision_id=decision.id, title="Relancer la PMI",
                                 owner_name="Olivier", owner_user_id=w["olivier"].id,
                                 owner_email="olivier@example.org"))
        dbsession.flush()
    w.update(forum=forum, draft=draft, meeting=meeting, committee=committee)
    return w


def _titles(connection, table: str, column: str = "title") -> set[str]:
    return set(connection.execute(sa.text(f'select {column} from "{table}"')).scalars())


def test_rls_personal_space_shows_an_invitee_their_events_minutes_and_decisions(
        connection, world):
    set_settings(connection, user_id=world["ines"].id)
    assert _titles(connection, "event") == {"Forum confidentiel"}  # not the draft
    assert _titles(connection, "event_minutes", "body") == {"Compte rendu du forum"}
    assert _titles(connection, "decision") == {"Décision du forum"}
    assert _titles(connection, "action_item") == {"Relancer la PMI"}
    assert _titles(connection, "event_agenda_item") == {"Accueil"}
    assert count(connection, "event_invitation") == 2  # her own two, draft included
    assert count(connection, "committee") == 0


def test_rls_personal_space_shows_a_member_the_committee_meetings(connection, world):
    set_settings(connection, user_id=world["marc"].id)
    assert _titles(connection, "event") == {"Réunion du collectif"}
    assert _titles(connection, "event_minutes", "body") == {"Compte rendu du collectif"}
    assert _titles(connection, "decision") == {"Décision du collectif"}
    assert _titles(connection, "committee", "name") == {"Collectif"}
    assert count(connection, "committee_member") == 1
    assert count(connection, "event_invitation") == 0


def test_rls_an_action_owner_sees_the_action_but_not_the_minutes(connection, world):
    set_settings(connection, user_id=world["olivier"].id)
    assert _titles(connection, "action_item") == {"Relancer la PMI"}
    assert count(connection, "event_minutes") == 0
    assert count(connection, "decision") == 0


def test_rls_someone_invited_to_nothing_sees_nothing_personal(connection, world):
    set_settings(connection, user_id=world["nina"].id)
    for table in ("event", "event_minutes", "decision", "action_item", "event_invitation",
                  "event_agenda_item", "committee", "committee_member"):
        assert count(connection, table) == 0, table


def test_rls_draft_minutes_stay_with_the_organisers(connection, world):
    set_settings(connection, unscoped="on")
    connection.execute(sa.text("update event_minutes set status = 'draft'"))
    set_settings(connection, user_id=world["ines"].id)
    assert count(connection, "event_minutes") == 0
    assert count(connection, "decision") == 0


def test_rls_the_personal_space_cannot_write_an_invitation(connection, world):
    set_settings(connection, user_id=world["ines"].id)
    changed = connection.execute(sa.text(
        "update event_invitation set response = 'yes'")).rowcount
    assert changed == 0
    set_settings(connection, unscoped="on")
    assert count(connection, "event_invitation", "response is not null") == 0


def test_rls_a_member_tenant_sees_the_network_events_but_not_minutes_or_answers(
        connection, world):
    set_settings(connection, tenant_id=world["a"].id, network_ids=world["network"].id)
    assert _titles(connection, "event") == {"Forum confidentiel", "Réunion du collectif"}
    assert _titles(connection, "committee", "name") == {"Collectif"}
    for table in ("event_minutes", "decision", "action_item", "event_invitation"):
        assert count(connection, table) == 0, table


def test_rls_a_tenant_outside_the_network_sees_nothing(connection, world):
    other = factories.tenant("Ailleurs")
    set_settings(connection, tenant_id=other.id)
    for table in ("event", "committee", "committee_member", "event_agenda_item"):
        assert count(connection, table) == 0, table


def test_orm_personal_space_matches_the_policies(dbsession, world):
    def titles(user, model, column):
        with tenancy.use_space(Space.personal(user.id), dbsession):
            return set(dbsession.scalars(sa.select(column)).all())

    assert titles(world["ines"], Event, Event.title) == {"Forum confidentiel"}
    assert titles(world["marc"], Event, Event.title) == {"Réunion du collectif"}
    assert titles(world["nina"], Event, Event.title) == set()
    assert titles(world["ines"], Minutes, Minutes.body) == {"Compte rendu du forum"}
    assert titles(world["marc"], Decision, Decision.title) == {"Décision du collectif"}
    assert titles(world["olivier"], ActionItem, ActionItem.title) == {"Relancer la PMI"}
    assert titles(world["olivier"], Decision, Decision.title) == set()
    assert titles(world["marc"], Committee, Committee.name) == {"Collectif"}
    assert titles(world["nina"], Committee, Committee.name) == set()


@pytest.fixture()
def foreign_rows(dbsession, world):
    """Tenant alpha writes, in its own space, an invitation for Nina and a seat for Nina
    that point at the network's forum and committee (no route does this; the database
    accepts it): neither may open the network's rows to her."""
    with tenancy.use_space(Space.for_tenant(world["a"].id, [world["network"].id]), dbsession):
        dbsession.add(EventInvitation(event_id=world["forum"].id, user_id=world["nina"].id,
                                      name="Nina", email="nina@example.org", token_key="kx"))
        dbsession.add(CommitteeMember(committee_id=world["committee"].id,
                                      user_id=world["nina"].id, name="Nina",
                                      email="nina@example.org"))
        dbsession.flush()
    return world


def test_rls_rows_written_by_another_owner_open_nothing(connection, foreign_rows):
    set_settings(connection, user_id=foreign_rows["nina"].id)
    assert count(connection, "event_invitation") == 1  # her row, owned by alpha
    for table in ("event", "event_minutes", "decision", "action_item", "event_agenda_item",
                  "committee"):
        assert count(connection, table) == 0, table


def test_orm_rows_written_by_another_owner_open_nothing(dbsession, foreign_rows):
    with tenancy.use_space(Space.personal(foreign_rows["nina"].id), dbsession):
        for model in (Event, Minutes, Decision, ActionItem, AgendaItem, Committee):
            assert dbsession.scalars(sa.select(model)).all() == [], model.__name__


def test_a_network_draft_keeps_its_agenda_from_member_tenants(connection, dbsession, world):
    with tenancy.use_space(Space.for_network(world["network"].id), dbsession):
        dbsession.add(AgendaItem(event_id=world["draft"].id, title="Point du brouillon"))
        dbsession.flush()
    set_settings(connection, tenant_id=world["a"].id, network_ids=world["network"].id)
    assert _titles(connection, "event_agenda_item") == {"Accueil"}
    space = Space.for_tenant(world["a"].id, [world["network"].id])
    with tenancy.use_space(space, dbsession):
        assert set(dbsession.scalars(sa.select(AgendaItem.title))) == {"Accueil"}
