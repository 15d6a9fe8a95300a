"""Demo forums, meetings and committees: a past forum with minutes, decisions and overdue
actions, the next forum half answered, a date poll, two committees with their meetings,
nothing e-mailed by the load, and elu.langueux@ left free to ask to join the elected
officials' association (a browser test does it)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from app import demo
from app.committees.models import (
    ActionItem,
    Committee,
    CommitteeMember,
    Decision,
    JoinRequest,
)
from app.core import tenancy
from app.core.models import MailMessage, User
from app.demo import events as events_demo
from app.events.models import (
    DateOption,
    DateVote,
    Event,
    EventInvitation,
    Minutes,
    MinutesRevision,
)
from app.networks.models import Network, Organisation
from app.tenants.models import Commune, Tenant, TenantRole

PARIS = ZoneInfo("Europe/Paris")
COLLECTIF = "Collectif petite enfance des Côtes-d’Armor"
ASSOCIATION = "Association des élus du réseau petite enfance"
LANGUEUX = "elu.langueux@demo.maillage.fr"


@pytest.fixture()
def session(dbsession, unscoped):
    with unscoped("demo events tests"):
        yield dbsession


@pytest.fixture()
def loaded(session):
    assert demo.load() is True
    return session


def _count(session, model, *where) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def _network(session) -> Network:
    return session.scalar(sa.select(Network).where(Network.slug == "cotes-d-armor"))


def _forums(session) -> tuple[Event, Event]:
    now = datetime.now(UTC)
    forums = session.scalars(sa.select(Event).where(Event.kind == "forum")
                             .order_by(Event.starts_at)).all()
    assert len(forums) == 2
    past, coming = forums
    assert past.ends_at < now < coming.starts_at
    return past, coming


def _committee(session, name: str) -> Committee:
    return session.scalar(sa.select(Committee).where(Committee.name == name))


def _invitations(session, event: Event) -> list[EventInvitation]:
    return list(session.scalars(sa.select(EventInvitation).where(
        EventInvitation.event_id == event.id).order_by(EventInvitation.id)))


def _today():
    return datetime.now(UTC).astimezone(PARIS).date()


# --------------------------------------------------------------------------- forums

def test_past_forum_has_agenda_answers_attendance_and_published_minutes(loaded):
    network = _network(loaded)
    past, _ = _forums(loaded)
    assert past.network_id == network.id and past.tenant_id is None
    assert past.status == "scheduled" and past.title.startswith(
        "Forum des partenaires petite enfance — ")
    assert "Saint-Brieuc" in past.place and "démonstration" in past.description
    assert 50 <= (datetime.now(UTC) - past.starts_at).days <= 80
    assert 4 <= len(past.agenda) <= 6
    assert all(item.presenter and item.duration_minutes for item in past.agenda)

    invitations = _invitations(loaded, past)
    assert 22 <= len(invitations) <= 28
    responses = [i.response for i in invitations]
    assert responses.count("yes") > len(invitations) / 2
    assert {"no", "maybe", None} <= set(responses)
    assert {i.source for i in invitations} == {"contact", "relais", "person"}
    assert sum(i.user_id is not None for i in invitations) >= 5
    assert all(i.contact_id for i in invitations if i.source == "contact")
    assert all(i.attended is not None for i in invitations)
    assert any(i.attended for i in invitations) and any(not i.attended for i in invitations)
    assert all(i.emailed_at and i.emailed_at < past.starts_at for i in invitations)
    answered = [i for i in invitations if i.response]
    assert all(i.emailed_at < i.responded_at < past.starts_at for i in answered)

    minutes = loaded.scalar(sa.select(Minutes).where(Minutes.event_id == past.id))
    assert minutes.status == "published" and minutes.network_id == network.id
    assert past.ends_at < minutes.published_at < datetime.now(UTC)
    assert 300 <= len(minutes.body.split()) <= 600
    assert "démonstration" in minutes.body and "## " in minutes.body
    revisions = loaded.scalars(sa.select(MinutesRevision).where(
        MinutesRevision.minutes_id == minutes.id).order_by(MinutesRevision.id)).all()
    assert len(revisions) == 2
    assert revisions[-1].body == minutes.body != revisions[0].body
    assert all(r.note and r.author_id for r in revisions)


def test_past_forum_decisions_have_actions_some_overdue(loaded):
    past, _ = _forums(loaded)
    today = _today()
    decisions = loaded.scalars(sa.select(Decision).where(Decision.event_id == past.id)
                               .order_by(Decision.position)).all()
    assert 3 <= len(decisions) <= 4
    actions = [a for d in decisions for a in d.actions]
    assert all(a.owner_name and a.due_on for a in actions)
    overdue = [a for a in actions if a.is_overdue(today)]
    assert len(overdue) >= 2
    assert {a.status for a in overdue} <= {"todo", "in_progress"}
    done = [a for a in actions if a.status == "done"]
    assert done and all(a.done_on and a.done_on <= today for a in done)
    assert any(a.owner_user_id for a in actions) and any(not a.owner_user_id for a in actions)
    assert any(a.due_on > today for a in actions)


def test_next_forum_is_half_answered(loaded):
    _, coming = _forums(loaded)
    assert 14 <= (coming.starts_at - datetime.now(UTC)).days <= 35
    assert coming.place and coming.remote_link.startswith("https://")
    assert 4 <= len(coming.agenda) <= 6
    invitations = _invitations(loaded, coming)
    assert 18 <= len(invitations) <= 22
    answered = [i for i in invitations if i.response]
    pending = [i for i in invitations if i.response is None]
    assert len(answered) >= 6 and len(pending) >= 6
    assert {"yes", "maybe", "no"} == {i.response for i in answered}
    assert any(i.party_size > 1 for i in answered if i.response == "yes")
    assert all(i.comment for i in answered if i.response == "no")
    assert all(i.emailed_at for i in invitations)
    assert all(i.attended is None for i in invitations)


# --------------------------------------------------------------------------- date poll

def test_round_table_is_a_tenant_date_poll_with_votes(loaded):
    sbaa = loaded.scalar(sa.select(Tenant).where(Tenant.slug == "saint-brieuc-armor"))
    poll = loaded.scalar(sa.select(Event).where(Event.kind == "table_ronde"))
    assert poll.tenant_id == sbaa.id and poll.network_id is None
    assert poll.status == "polling" and poll.starts_at is None
    options = loaded.scalars(sa.select(DateOption).where(DateOption.event_id == poll.id)).all()
    assert len(options) == 3 and all(o.tenant_id == sbaa.id for o in options)
    assert all(o.starts_at > datetime.now(UTC) for o in options)
    assert len({o.starts_at.astimezone(PARIS).date() for o in options}) == 3
    invitations = _invitations(loaded, poll)
    votes = loaded.scalars(sa.select(DateVote).join(
        EventInvitation, EventInvitation.id == DateVote.invitation_id)
        .where(EventInvitation.event_id == poll.id)).all()
    voters = {v.invitation_id for v in votes}
    assert 3 <= len(voters) < len(invitations)
    assert len(votes) == 3 * len(voters)
    assert {v.available for v in votes} == {True, False}
    assert all(v.tenant_id == sbaa.id for v in votes)
    assert all(i.tenant_id == sbaa.id and i.contact_id is None for i in invitations)


# --------------------------------------------------------------------------- committees

def test_two_network_committees_with_members_and_positions(loaded):
    network = _network(loaded)
    collectif, association = (_committee(loaded, COLLECTIF), _committee(loaded, ASSOCIATION))
    assert (collectif.kind, association.kind) == ("collectif", "association_elus")
    assert collectif.network_id == association.network_id == network.id
    assert association.accepts_requests is True
    for committee in (collectif, association):
        assert committee.purpose and committee.usual_place
        assert all(m.network_id == network.id for m in committee.members)
        assert all(m.mandate_start for m in committee.members)
        assert len({m.email for m in committee.members}) == len(committee.members)

    positions = [m.position for m in collectif.members]
    assert 8 <= len(positions) <= 10
    assert positions.count("copilote") == 2 and "membre" in positions
    coordinator = loaded.scalar(sa.select(User).where(
        User.email == "coordinatrice@demo.maillage.fr"))
    assert coordinator.id in {m.user_id for m in collectif.members if m.position == "copilote"}
    guests = [m for m in collectif.members if m.position == "invite"]
    assert guests and all(g.contact_id and g.user_id is None for g in guests)

    chairs = [m.position for m in association.members]
    assert chairs.count("president") == 1 and chairs.count("copilote") == 2
    elected = [m for m in association.members if m.position != "invite"]
    assert len(elected) >= 5
    tenants = set()
    for member in elected:
        role = loaded.scalar(sa.select(TenantRole).where(
            TenantRole.user_id == member.user_id, TenantRole.role == "elected_official"))
        commune = loaded.get(Commune, role.commune_id)
        assert commune.tenant_id == role.tenant_id
        assert member.email.endswith("@demo.maillage.fr")
        tenants.add(role.tenant_id)
    assert len(tenants) == 3
    assert any(m.contact_id for m in association.members if m.position == "invite")


def test_committee_meetings_past_and_upcoming_with_rotating_facilitators(loaded):
    now = datetime.now(UTC)
    for name in (COLLECTIF, ASSOCIATION):
        committee = _committee(loaded, name)
        members = {m.id: m for m in committee.members}
        meetings = loaded.scalars(sa.select(Event).where(Event.committee_id == committee.id)
                                  .order_by(Event.starts_at)).all()
        past = [e for e in meetings if e.ends_at < now]
        coming = [e for e in meetings if e.starts_at > now]
        assert past and len(coming) == 1 and len(past) + 1 == len(meetings)
        assert all(e.kind == "comite" and e.status == "scheduled" for e in meetings)
        assert all(members[e.facilitator_member_id].name == e.facilitator_name
                   for e in meetings)
        assert all(members[e.facilitator_member_id].position != "invite" for e in meetings)
        facilitators = [e.facilitator_member_id for e in meetings]
        assert len(set(facilitators)) == len(facilitators)
        assert len({e.place for e in meetings}) == len(meetings)  # another place each time
        assert 14 <= (coming[0].starts_at - now).days <= 35

        for meeting in past:
            minutes = loaded.scalar(sa.select(Minutes).where(Minutes.event_id == meeting.id))
            assert minutes.status == "published" and minutes.published_at < now
            decisions = loaded.scalars(sa.select(Decision).where(
                Decision.event_id == meeting.id)).all()
            assert decisions and all(d.committee_id == committee.id for d in decisions)
            assert all(i.attended is not None for i in _invitations(loaded, meeting))

        invitations = _invitations(loaded, coming[0])
        assert {i.committee_member_id for i in invitations} == set(members)
        assert {i.source for i in invitations} == {"committee"}
        assert any(i.response for i in invitations)
        assert any(i.response is None for i in invitations)

    overdue = loaded.scalars(sa.select(ActionItem).join(Decision).where(
        Decision.committee_id == _committee(loaded, COLLECTIF).id)).all()
    assert 1 <= sum(a.is_overdue(_today()) for a in overdue) <= 2


def test_member_reads_the_association_in_the_personal_space(loaded):
    association = _committee(loaded, ASSOCIATION)
    president = next(m for m in association.members if m.position == "president")
    with tenancy.use_space(tenancy.Space.personal(president.user_id), loaded):
        assert loaded.scalar(sa.select(Committee.id).where(
            Committee.id == association.id)) == association.id
        assert loaded.scalar(sa.select(sa.func.count()).select_from(Decision).where(
            Decision.committee_id == association.id)) >= 2
        assert loaded.scalar(sa.select(sa.func.count()).select_from(Minutes)) >= 1


def test_elu_langueux_is_free_to_ask_to_join_the_association(loaded):
    langueux = loaded.scalar(sa.select(User).where(User.email == LANGUEUX))
    association = _committee(loaded, ASSOCIATION)
    assert association.accepts_requests
    assert _count(loaded, CommitteeMember, CommitteeMember.user_id == langueux.id) == 0
    assert _count(loaded, CommitteeMember, CommitteeMember.email == LANGUEUX) == 0
    assert _count(loaded, JoinRequest, JoinRequest.user_id == langueux.id) == 0
    assert _count(loaded, EventInvitation, sa.or_(
        EventInvitation.user_id == langueux.id, EventInvitation.email == LANGUEUX)) == 0
    # The association's history holds one request, accepted by the coordinator.
    (request,) = loaded.scalars(sa.select(JoinRequest)).all()
    assert request.committee_id == association.id and request.status == "accepted"
    assert request.network_id == association.network_id and request.decided_by_id


# --------------------------------------------------------------------------- invitations

def test_invitations_have_unique_keys_and_look_sent(loaded):
    network = _network(loaded)
    invitations = loaded.scalars(sa.select(EventInvitation)).all()
    assert len(invitations) >= 80
    keys = [i.token_key for i in invitations]
    assert len(set(keys)) == len(keys)
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{22}", key) for key in keys)
    assert all(i.emailed_at for i in invitations)
    assert all(i.email == i.email.lower() for i in invitations)
    for invitation in invitations:
        if invitation.user_id:
            assert loaded.get(User, invitation.user_id).email == invitation.email
    events = {e.id: e for e in loaded.scalars(sa.select(Event))}
    assert all((i.tenant_id, i.network_id) == (events[i.event_id].tenant_id,
                                                events[i.event_id].network_id)
               for i in invitations)
    assert any(i.network_id == network.id for i in invitations)


def test_load_sends_no_mail_and_queues_no_job(session):
    """The demo's invitations are « already sent »: each is linked to a message written
    straight into the development outbox, so nothing is queued and nothing leaves."""
    jobs = session.scalar(sa.text("select count(*) from procrastinate_jobs"))

    assert demo.load() is True

    assert session.scalar(sa.text("select count(*) from procrastinate_jobs")) == jobs
    assert session.scalar(sa.select(sa.func.count(MailMessage.id))
                          .where(MailMessage.status != "outbox")) == 0
    invited, linked = session.execute(sa.text(
        "select count(*), count(mail_message_id) from event_invitation")).one()
    assert invited > 0 and linked == invited


def test_dates_fall_on_working_days_and_texts_are_marked_demo(loaded):
    for event in loaded.scalars(sa.select(Event)):
        assert "démonstration" in event.description
        starts = [event.starts_at] if event.starts_at else [
            o.starts_at for o in event.date_options]
        for start in starts:
            local = start.astimezone(PARIS)
            assert local.weekday() < 5 and 8 <= local.hour <= 18
    for committee in loaded.scalars(sa.select(Committee)):
        assert "démonstration" in committee.purpose
    extra = loaded.scalars(sa.select(Organisation).where(
        Organisation.name == "UDAF des Côtes-d’Armor")).all()
    assert len(extra) == 1 and extra[0].contacts


def test_season_names_forums():
    from datetime import date

    assert events_demo.season(date(2026, 4, 2)) == "printemps 2026"
    assert events_demo.season(date(2026, 9, 21)) == "automne 2026"
    assert events_demo.season(date(2026, 12, 14)) == "hiver 2026-2027"
    assert events_demo.season(date(2027, 1, 11)) == "hiver 2026-2027"


def test_second_load_adds_nothing(loaded):
    before = {m.__name__: _count(loaded, m) for m in (Event, EventInvitation, Committee,
                                                      CommitteeMember, Decision, User)}
    assert demo.load() is False
    coordinator = loaded.scalar(sa.select(User).where(
        User.email == "coordinatrice@demo.maillage.fr"))
    events_demo.load(loaded, coordinator)  # the loader itself is guarded too
    after = {m.__name__: _count(loaded, m) for m in (Event, EventInvitation, Committee,
                                                     CommitteeMember, Decision, User)}
    assert after == before
