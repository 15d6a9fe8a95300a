"""Demo forums, meetings and committees for the Côtes-d’Armor network.

- a past partner forum (network) with its agenda, ~25 invitees who answered (or not), the
  attendance, published minutes with two saved versions, decisions and their actions (some
  overdue);
- the next partner forum in about three weeks, half of the invitees have answered;
- a round table of Saint-Brieuc Armor's elected officials (tenant event) looking for a date;
- the « Collectif petite enfance des Côtes-d’Armor » (two co-pilots, a facilitator that
  changes at every meeting, a PMI doctor as permanent guest): two past meetings with minutes
  and decisions, one to come;
- the « Association des élus du réseau petite enfance » (elected officials of the three
  territories, open to requests): one past assembly, one to come, each in another mairie.

Invitations go through `app.events.invitations.add_invitation` (linked to accounts by
e-mail, fresh answer keys) but no e-mail is queued: `emailed_at` is set as if sent, and the
invitation is linked to a message already in the development outbox, so the organiser's
pages show a delivery state.
The demo account elu.langueux@ sits on nothing and is invited to nothing: a browser test
makes it ask to join the association of elected officials.

Dates are computed from the day of loading (Europe/Paris), so the demo stays current.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from app.committees.models import ActionItem, Committee, CommitteeMember, Decision, JoinRequest
from app.core import tenancy
from app.core.models import MailMessage, User
from app.core.passwords import hash_password
from app.core.ui import MONTHS, date_fr
from app.demo import events_data as data
from app.demo.training import _weekday
from app.events.invitations import add_invitation
from app.events.models import (
    AgendaItem,
    DateOption,
    DateVote,
    Event,
    EventInvitation,
    Minutes,
    MinutesRevision,
)
from app.extensions import db
from app.networks.models import Network, NetworkTenant, Organisation, OrganisationContact
from app.tenants.models import Commune, Relais, Tenant, TenantRole

PARIS = ZoneInfo("Europe/Paris")
NETWORK_SLUG = "cotes-d-armor"
EMAIL_DOMAIN = "demo.maillage.fr"
DEMO_PASSWORD = "maillage-demo"
TENANT_ADMIN = f"admin.sbaa@{EMAIL_DOMAIN}"
ABSENT_ELECTED = f"elu.langueux@{EMAIL_DOMAIN}"  # must stay out of committees and events


@dataclass(frozen=True)
class Person:
    """Someone the demo invites or seats: an account, a partner contact or a relais."""

    name: str
    email: str
    organisation: str = ""
    source: str = "person"  # invitation source: person, contact or relais
    user_id: int | None = None
    contact_id: int | None = None


@dataclass
class Context:
    session: object
    network: Network
    tenants: dict[str, Tenant]
    coordinator: User
    now: datetime
    today: date
    people: dict[str, Person]


# --------------------------------------------------------------------------- dates

def season(day: date) -> str:
    """« automne 2026 », « hiver 2026-2027 »: how forums are named."""
    if 3 <= day.month <= 5:
        return f"printemps {day.year}"
    if 6 <= day.month <= 8:
        return f"été {day.year}"
    if 9 <= day.month <= 11:
        return f"automne {day.year}"
    first = day.year if day.month == 12 else day.year - 1
    return f"hiver {first}-{first + 1}"


def _day(today: date, offset: int) -> date:
    return _weekday(today + timedelta(days=offset))


def _at(day: date, hour_minute: tuple[int, int]) -> datetime:
    return datetime.combine(day, time(*hour_minute), PARIS).astimezone(UTC)


def _months_back(today: date, months: int) -> date:
    """The first day of the month `months` before today's."""
    index = today.year * 12 + today.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def _years_later(day: date, years: int) -> date:
    return date(day.year + years, day.month, 1) - timedelta(days=1)


# --------------------------------------------------------------------------- loading

def load(session, coordinator: User) -> None:
    """Called by `app.demo._load` (unscoped, inside the demo's single transaction), after
    the accounts, partners and training animators exist; writes each row in its owner's
    space. Does nothing if the collectif is already there."""
    network = session.scalar(sa.select(Network).where(Network.slug == NETWORK_SLUG))
    if session.scalar(sa.select(Committee.id).where(
            Committee.network_id == network.id, Committee.name == data.COLLECTIF["name"])):
        return  # already loaded
    tenants = {t.slug: t for t in session.scalars(
        sa.select(Tenant).join(NetworkTenant, NetworkTenant.tenant_id == Tenant.id)
        .where(NetworkTenant.network_id == network.id))}
    now = datetime.now(UTC)
    network_space = tenancy.Space.for_network(
        network.id, member_tenant_ids=[t.id for t in tenants.values()], label="demo events")

    with tenancy.use_space(network_space, session):
        _extra_partners(session, network)
    _elected_officials(session, network, tenants)
    ctx = Context(session=session, network=network, tenants=tenants, coordinator=coordinator,
                  now=now, today=now.astimezone(PARIS).date(), people={})
    ctx.people = _people(session, network, tenants)

    with tenancy.use_space(network_space, session):
        _past_forum(ctx)
        _next_forum(ctx)
        _committee(ctx, data.COLLECTIF, "Réunion du collectif petite enfance",
                   mandate_months=14, mandate_years=3)
        association = _committee(ctx, data.ASSOCIATION,
                                 "Assemblée de l’association des élus",
                                 mandate_months=8, mandate_years=6)
        session.flush()
    _join_request(ctx, association)
    _table_ronde(ctx)


def _tenant(tenants: dict[str, Tenant], wanted: str) -> Tenant:
    """The demo forces two slugs; Lamballe's comes from its name ('lamballe-terre-et-mer')."""
    if wanted in tenants:
        return tenants[wanted]
    return next(t for slug, t in tenants.items() if slug.startswith(wanted))


def _short_name(tenant: Tenant) -> str:
    for prefix in ("CA ", "CC ", "CU "):
        if tenant.name.startswith(prefix):
            return tenant.name[len(prefix):]
    return tenant.name


def _extra_partners(session, network: Network) -> None:
    """A few more organisations in the directory, invited to the forums."""
    from app.demo import DEMO_NOTE, mailbox, phone

    first = session.scalar(sa.select(sa.func.count()).select_from(Organisation)) + 1
    for index, (name, kind, town, contacts) in enumerate(data.EXTRA_PARTNERS, first):
        organisation = Organisation(
            name=name, kind=kind, email=mailbox(f"partenaire{index}"),
            phone=phone(f"partenaire-{index}"), address=f"Adresse fictive, {town}",
            notes=DEMO_NOTE)
        organisation.contacts = [
            OrganisationContact(full_name=full_name, position=position,
                                email=f"{_email_local(full_name)}@example.org",
                                phone=phone(f"contact-{full_name}"))
            for full_name, position in contacts]
        session.add(organisation)
    session.flush()


def _email_local(full_name: str) -> str:
    from app.tenants.cog_import import slugify

    first, _, last = full_name.partition(" ")
    return f"{slugify(first)}.{slugify(last)}"


def _elected_officials(session, network: Network, tenants: dict[str, Tenant]) -> None:
    """Accounts of elected officials (role elected_official, attached to their commune)."""
    password_hash = hash_password(DEMO_PASSWORD)
    for local, full_name, wanted, insee, _mandate in data.ELECTED:
        tenant = _tenant(tenants, wanted)
        email = f"{local}@{EMAIL_DOMAIN}"
        user = session.scalar(sa.select(User).where(User.email == email))
        if user is None:
            user = User(email=email, full_name=full_name, password_hash=password_hash)
            session.add(user)
            session.flush()
        with tenancy.use_space(tenancy.Space.for_tenant(tenant.id, [network.id]), session):
            commune = session.scalar(sa.select(Commune).where(Commune.insee == insee))
            held = session.scalar(sa.select(TenantRole.id).where(
                TenantRole.user_id == user.id, TenantRole.role == "elected_official"))
            if held is None:
                session.add(TenantRole(user_id=user.id, role="elected_official",
                                       commune_id=commune.id if commune else None))
                session.flush()


def _people(session, network: Network, tenants: dict[str, Tenant]) -> dict[str, Person]:
    """Everyone the data files name, by full name (or relais name)."""
    from app.demo import COORDINATOR_ORG

    short = {t.id: _short_name(t) for t in tenants.values()}
    people: dict[str, Person] = {}
    for contact, organisation in session.execute(
            sa.select(OrganisationContact, Organisation.name)
            .join(Organisation, Organisation.id == OrganisationContact.organisation_id)
            .where(OrganisationContact.network_id == network.id)
            .order_by(OrganisationContact.id)):
        people.setdefault(contact.full_name, Person(
            contact.full_name, contact.email, organisation, "contact", contact_id=contact.id))
    for relais in session.scalars(sa.select(Relais).where(
            Relais.tenant_id.in_(short), Relais.name.in_(data.RELAIS))):
        people[relais.name] = Person(relais.name, relais.email, short[relais.tenant_id],
                                     "relais")
    tenant_of = dict(session.execute(
        sa.select(TenantRole.user_id, sa.func.min(TenantRole.tenant_id))
        .where(TenantRole.tenant_id.in_(short)).group_by(TenantRole.user_id)).all())
    for user in session.scalars(sa.select(User).where(
            User.email.like(f"%@{EMAIL_DOMAIN}"), User.email != ABSENT_ELECTED)
            .order_by(User.id)):
        organisation = short.get(tenant_of.get(user.id), COORDINATOR_ORG)
        people.setdefault(user.full_name, Person(user.full_name, user.email, organisation,
                                                 "person", user_id=user.id))
    return people


# --------------------------------------------------------------------------- building blocks

def _event(ctx: Context, *, kind: str, title: str, day: date | None, hours, place: str,
           agenda, remote_link: str = "", description: str = "", status: str = "scheduled",
           committee: Committee | None = None, facilitator: CommitteeMember | None = None,
           created_by: User | None = None, created_at: datetime | None = None) -> Event:
    event = Event(
        kind=kind, title=title, description=(description + "\n\n" + data.DEMO_NOTE).strip(),
        starts_at=_at(day, hours[0]) if day else None,
        ends_at=_at(day, hours[1]) if day else None, place=place, remote_link=remote_link,
        status=status, committee_id=committee.id if committee else None,
        facilitator_member_id=facilitator.id if facilitator else None,
        facilitator_name=facilitator.name if facilitator else "",
        created_by_id=(created_by or ctx.coordinator).id,
        created_at=created_at or ctx.now - timedelta(days=30))
    event.agenda = [AgendaItem(position=position, title=item, presenter=presenter,
                               duration_minutes=minutes)
                    for position, (item, presenter, minutes) in enumerate(agenda, 1)]
    ctx.session.add(event)
    ctx.session.flush()
    return event


def _invite(event: Event, person: Person, sent_at: datetime,
            member: CommitteeMember | None = None) -> EventInvitation:
    invitation, _created = add_invitation(
        event, name=person.name, email=person.email,
        source="committee" if member is not None else person.source,
        user_id=person.user_id, contact_id=person.contact_id,
        committee_member_id=member.id if member is not None else None,
        organisation=person.organisation)
    invitation.created_at = sent_at - timedelta(minutes=12)
    invitation.emailed_at = sent_at
    message = MailMessage(
        to_address=invitation.email, subject=f"Invitation : « {event.title} »",
        body_text="(Invitation de démonstration : elle n’est jamais partie.)",
        kind="event_invitation", status="outbox", transport="outbox", sent_at=sent_at,
        created_at=sent_at)
    db.session.add(message)
    db.session.flush()
    invitation.mail_message_id = message.id
    return invitation


def _answer(invitation: EventInvitation, response: str, at: datetime, party_size: int = 1,
            comment: str = "") -> None:
    invitation.response = response
    invitation.party_size = party_size
    invitation.comment = comment
    invitation.responded_at = at


def _answer_time(sent_at: datetime, limit: datetime, rank: int) -> datetime:
    """Answers trickle in over the days after the invitation, never after `limit`."""
    return min(sent_at + timedelta(hours=3 + 19 * rank, minutes=7 * rank),
               limit - timedelta(hours=2))


def _minutes(ctx: Context, event: Event, versions, published_at: datetime) -> Minutes:
    """`versions`: (body, note, saved_at) in order; the last one is published."""
    minutes = Minutes(event_id=event.id, body=versions[-1][0], status="published",
                      created_at=versions[0][2], updated_at=versions[-1][2],
                      published_at=published_at, published_by_id=ctx.coordinator.id)
    minutes.revisions = [MinutesRevision(body=body, note=note, author_id=ctx.coordinator.id,
                                         created_at=saved_at)
                         for body, note, saved_at in versions]
    ctx.session.add(minutes)
    return minutes


def _decisions(ctx: Context, event: Event, specs, recorded_at: datetime,
               committee: Committee | None = None) -> None:
    event_day = event.starts_at.astimezone(PARIS).date()
    for position, (title, details, actions) in enumerate(specs, 1):
        decision = Decision(event_id=event.id, committee_id=committee.id if committee else None,
                            title=title, details=details, position=position,
                            created_at=recorded_at)
        for action_title, owner_name, due, status in actions:
            owner = ctx.people[owner_name]
            due_on = ctx.today + timedelta(days=due)
            done_on = None
            if status == "done":
                done_on = max(min(due_on, ctx.today) - timedelta(days=2),
                              event_day + timedelta(days=1))
            reminded = None
            if status in ("todo", "in_progress") and due_on + timedelta(days=7) <= ctx.today:
                reminded = due_on + timedelta(days=7)
            decision.actions.append(ActionItem(
                title=action_title, owner_name=owner.name,
                owner_email=owner.email if owner.source != "relais" else "",
                owner_user_id=owner.user_id, due_on=due_on, status=status, done_on=done_on,
                last_reminded_on=reminded, created_at=recorded_at))
        ctx.session.add(decision)


def _published_at(ctx: Context, event: Event, days: int) -> datetime:
    return min(event.ends_at + timedelta(days=days), ctx.now - timedelta(hours=20))


# --------------------------------------------------------------------------- forums

def _past_forum(ctx: Context) -> Event:
    spec = data.PAST_FORUM
    day = _day(ctx.today, -63)
    next_day = _day(ctx.today, 21)
    event = _event(ctx, kind="forum", title=f"Forum des partenaires petite enfance — "
                                            f"{season(day)}",
                   description=data.FORUM_DESCRIPTION, day=day, hours=spec["hours"],
                   place=spec["place"], agenda=spec["agenda"],
                   created_at=_at(day, (10, 0)) - timedelta(days=50))
    sent = event.starts_at - timedelta(days=35)
    comments = {code: list(texts) for code, texts in data.PAST_FORUM_COMMENTS.items()}
    invitations = []
    for rank, (name, code) in enumerate(data.PAST_FORUM_INVITED):
        invitation = _invite(event, ctx.people[name], sent)
        invitations.append(invitation)
        invitation.attended = code in "ym+"
        if code in "-+":
            invitation.reminded_at = event.starts_at - timedelta(days=7)
            continue
        response = {"y": "yes", "Y": "yes", "n": "no", "m": "maybe", "M": "maybe"}[code]
        pool = comments.get(code.lower(), [])
        comment = pool.pop(0) if pool and response != "yes" else ""
        party = 2 if name == "RPE Baie de Saint-Brieuc" else 1
        if party == 2:
            comment = "Nous viendrons à deux animatrices."
        _answer(invitation, response, _answer_time(sent, event.starts_at, rank), party,
                comment)
    present = sum(1 for i in invitations if i.attended)
    excused = sum(1 for i in invitations if i.response == "no")
    final = data.PAST_FORUM_MINUTES.format(
        date=date_fr(event.starts_at, with_time=False), place=event.place, present=present,
        excused=excused, next_forum=date_fr(next_day, with_time=False))
    draft = final
    for new, old in data.PAST_FORUM_DRAFT_CHANGES:
        draft = draft.replace(new, old)
    first_saved = event.ends_at + timedelta(days=2)
    second_saved = _published_at(ctx, event, 5) - timedelta(hours=1)
    published = _published_at(ctx, event, 5)
    _minutes(ctx, event, [(draft, data.PAST_FORUM_REVISION_NOTES[0], first_saved),
                          (final, data.PAST_FORUM_REVISION_NOTES[1], second_saved)], published)
    for invitation in invitations:
        invitation.minutes_sent_at = published
    _decisions(ctx, event, data.PAST_FORUM_DECISIONS, published)
    ctx.session.flush()
    return event


def _next_forum(ctx: Context) -> Event:
    spec = data.NEXT_FORUM
    day = _day(ctx.today, 21)
    event = _event(ctx, kind="forum", title=f"Forum des partenaires petite enfance — "
                                            f"{season(day)}",
                   description=data.FORUM_DESCRIPTION, day=day, hours=spec["hours"],
                   place=spec["place"], remote_link=spec["remote_link"], agenda=spec["agenda"],
                   created_at=ctx.now - timedelta(days=16))
    sent = min(event.starts_at - timedelta(days=30), ctx.now - timedelta(days=12))
    for rank, name in enumerate(data.NEXT_FORUM_INVITED):
        invitation = _invite(event, ctx.people[name], sent)
        answer = data.NEXT_FORUM_ANSWERS.get(name)
        if answer is None:
            invitation.reminded_at = ctx.now - timedelta(days=2)
            continue
        response, party, comment = answer
        _answer(invitation, response, _answer_time(sent, ctx.now, rank), party, comment)
    ctx.session.flush()
    return event


# --------------------------------------------------------------------------- committees

def _committee(ctx: Context, spec: dict, meeting_title: str, *, mandate_months: int,
               mandate_years: int) -> Committee:
    start = _months_back(ctx.today, mandate_months)
    committee = Committee(
        name=spec["name"], kind=spec["kind"], purpose=spec["purpose"] + "\n\n" + data.DEMO_NOTE,
        usual_place=spec["usual_place"], accepts_requests=spec["accepts_requests"],
        created_at=_at(start, (9, 0)) - timedelta(days=20))
    ctx.session.add(committee)
    ctx.session.flush()
    joined = spec.get("joined")
    members: dict[str, CommitteeMember] = {}
    for name, position, represents in spec["members"]:
        person = ctx.people[name]
        mandate_start = start
        if joined and joined[0] == name:
            mandate_start = ctx.today + timedelta(days=joined[1])
        member = CommitteeMember(
            committee_id=committee.id, user_id=person.user_id, contact_id=person.contact_id,
            name=person.name, email=person.email, represents=represents, position=position,
            mandate_start=mandate_start,
            mandate_end=None if position == "invite" else _years_later(start, mandate_years),
            created_at=_at(mandate_start, (9, 0)))
        ctx.session.add(member)
        members[name] = member
    ctx.session.flush()
    for meeting in spec["meetings"]:
        _meeting(ctx, committee, members, meeting, meeting_title)
    return committee


def _meeting(ctx: Context, committee: Committee, members: dict[str, CommitteeMember],
             spec: dict, title: str) -> Event:
    day = _day(ctx.today, spec["days"])
    facilitator = members[spec["facilitator"]]
    event = _event(
        ctx, kind="comite", title=f"{title} — {MONTHS[day.month - 1]} {day.year}", day=day,
        hours=spec["hours"], place=spec["place"], remote_link=spec.get("remote_link", ""),
        agenda=spec["agenda"], committee=committee, facilitator=facilitator,
        description=(f"{committee.name}. Animation de la réunion : {facilitator.name}."),
        created_at=_at(day, (9, 0)) - timedelta(days=30))
    past = event.starts_at < ctx.now
    sent = min(event.starts_at - timedelta(days=21), ctx.now - timedelta(days=4))
    absent = set(spec.get("absent", ()))
    answers = spec.get("answers", {})
    invitations = []
    for rank, (name, member) in enumerate(members.items()):
        if not member.is_current(day):
            continue
        invitation = _invite(event, ctx.people[name], sent, member=member)
        invitations.append(invitation)
        limit = event.starts_at if past else ctx.now
        when = _answer_time(sent, limit, rank)
        if past:
            if name in absent:
                _answer(invitation, "no", when, comment="Excusé·e.")
            else:
                _answer(invitation, "yes", when)
            invitation.attended = name not in absent
        elif name in answers:
            response, comment = answers[name]
            _answer(invitation, response, when, comment=comment)
        else:
            invitation.reminded_at = ctx.now - timedelta(days=1)
    if past:
        present = ", ".join(member.name for name, member in members.items()
                            if name not in absent and member.is_current(day))
        body = spec["minutes"].format(date=date_fr(event.starts_at, with_time=False),
                                      place=event.place, facilitator=facilitator.name,
                                      present=present)
        published = _published_at(ctx, event, 4)
        _minutes(ctx, event, [(body, "Version relue par les co-pilotes",
                               published - timedelta(hours=3))], published)
        for invitation in invitations:
            invitation.minutes_sent_at = published
        _decisions(ctx, event, spec["decisions"], published, committee)
    ctx.session.flush()
    return event


def _join_request(ctx: Context, association: Committee) -> None:
    """The request through which one member joined (accepted by the coordinator)."""
    name, offset, message = data.ASSOCIATION["joined"]
    person = ctx.people[name]
    role = ctx.session.scalar(sa.select(TenantRole).where(
        TenantRole.user_id == person.user_id, TenantRole.role == "elected_official"))
    decided = _at(ctx.today + timedelta(days=offset), (10, 30))
    with tenancy.use_space(tenancy.Space.for_tenant(role.tenant_id, [ctx.network.id]),
                           ctx.session):
        ctx.session.add(JoinRequest(
            committee_id=association.id, user_id=person.user_id, network_id=ctx.network.id,
            message=message, status="accepted", created_at=decided - timedelta(days=4, hours=2),
            decided_at=decided, decided_by_id=ctx.coordinator.id,
            decision_note="Bienvenue dans l’association !"))
        ctx.session.flush()


# --------------------------------------------------------------------------- round table

def _table_ronde(ctx: Context) -> Event:
    """A tenant's event whose date is still being chosen (a date poll)."""
    spec = data.TABLE_RONDE
    sbaa = _tenant(ctx.tenants, "saint-brieuc-armor")
    admin = ctx.session.scalar(sa.select(User).where(User.email == TENANT_ADMIN))
    days: list[date] = []
    for offset in spec["option_days"]:
        day = _day(ctx.today, offset)
        while day in days:
            day = _day(day, 1)
        days.append(day)
    with tenancy.use_space(tenancy.Space.for_tenant(sbaa.id, [ctx.network.id]), ctx.session):
        event = _event(ctx, kind="table_ronde", title=spec["title"], day=None, hours=None,
                       place=spec["place"], agenda=spec["agenda"],
                       description=spec["description"], status="polling", created_by=admin,
                       created_at=ctx.now - timedelta(days=6))
        event.date_options = [DateOption(starts_at=_at(day, spec["hours"][0]),
                                         ends_at=_at(day, spec["hours"][1])) for day in days]
        ctx.session.flush()
        sent = ctx.now - timedelta(days=5, hours=3)
        for rank, (name, ticks) in enumerate(data.TABLE_RONDE_VOTES.items()):
            # A tenant's event: partner contacts are invited by address (the directory
            # belongs to the network).
            person = ctx.people[name]
            if person.source == "contact":
                person = replace(person, source="person", contact_id=None)
            invitation = _invite(event, person, sent)
            if ticks is None:
                continue
            invitation.responded_at = _answer_time(sent, ctx.now, rank)
            ctx.session.add_all(DateVote(invitation_id=invitation.id, option_id=option.id,
                                         available=tick)
                                for option, tick in zip(event.date_options, ticks,
                                                        strict=True))
        ctx.session.flush()
    return event
