"""Test data for the organiser's side of events (tests/events, except test_rsvp* and
test_calendar*, which belong to the answer page and the calendar feed)."""

from __future__ import annotations

import contextlib
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from app.committees.models import Committee, CommitteeMember
from app.core import tenancy
from app.core.models import MailMessage
from app.core.tenancy import Space
from app.events.models import AgendaItem, Event, EventInvitation
from app.extensions import db
from app.networks.models import OrganisationContact
from tests import factories

TA = "/t/alpha/evenements"
TB = "/t/beta/evenements"
NET = "/n/reseau-test/evenements"
OTHER_NET = "/n/autre/evenements"


def build():
    """two_tenants_world + people of tenant A, partner contacts, a second network."""
    w = factories.two_tenants_world()
    a = w["a"]
    w["anim_a"] = factories.user("anim.a@example.org", "Anne Animatrice")
    factories.tenant_role(w["anim_a"], a, "rpe_animator", relais_id=w["a_relais"].id)
    w["agent_a"] = factories.user("agent.a@example.org", "Aline Accueil")
    factories.tenant_role(w["agent_a"], a, "reception_agent")
    w["elu_a"] = factories.user("elu.a@example.org", "Élise Élue")
    factories.tenant_role(w["elu_a"], a, "elected_official")
    w["second_relais_a"] = factories.relais(a, name="RPE Sans Compte")
    w["anim_b"] = factories.user("anim.b@example.org", "Bruno Animateur")
    factories.tenant_role(w["anim_b"], w["b"], "rpe_animator", relais_id=w["b_relais"].id)
    with tenancy.unscoped("test factory", db.session):
        contact = OrganisationContact(network_id=w["network"].id,
                                      organisation_id=w["organisation"].id,
                                      full_name="Paule Partenaire", position="Conseillère",
                                      email="paule@caf.example.org")
        db.session.add(contact)
        db.session.flush()
    w["contact"] = contact
    w["c"] = factories.tenant("CA Gamma", "gamma")
    w["other_network"] = factories.network("Autre réseau", "autre", tenants=[w["c"]])
    w["c_admin"] = factories.user("admin.c@example.org")
    factories.tenant_role(w["c_admin"], w["c"], "tenant_admin")
    w["other_coord"] = factories.user("coord.autre@example.org")
    factories.network_role(w["other_coord"], w["other_network"])
    # Plain values, readable whatever the test's space once objects have expired.
    w.update(a_relais_email=w["a_relais"].email, b_relais_email=w["b_relais"].email,
             second_relais_email=w["second_relais_a"].email, contact_id=contact.id,
             organisation_name=w["organisation"].name)
    return w


def tenant_space(w, key: str = "a") -> Space:
    return Space.for_tenant(w[key].id, [w["network"].id] if key in ("a", "b") else
                            [w["other_network"].id])


def network_space(w) -> Space:
    return Space.for_network(w["network"].id, [w["a"].id, w["b"].id])


@contextlib.contextmanager
def acting(space: Space):
    with tenancy.use_space(space, db.session):
        yield
        db.session.flush()


def later(days: int = 10, hour: int = 14) -> datetime:
    day = datetime.now(UTC) + timedelta(days=days)
    return day.replace(hour=hour, minute=0, second=0, microsecond=0)


def make_event(space: Space, title: str = "Forum des partenaires", status: str = "scheduled",
               days: int = 10, **kw) -> Event:
    starts = None if status == "polling" else later(days)
    values = {"kind": "forum", "starts_at": starts,
              "ends_at": starts + timedelta(hours=2) if starts else None}
    values.update(kw)
    with acting(space):
        event = Event(title=title, status=status, **values)
        db.session.add(event)
        db.session.flush()
        db.session.add(AgendaItem(event_id=event.id, title="Accueil", position=1,
                                  duration_minutes=15))
        db.session.flush()
    db.session.expunge(event)  # keeps its loaded values whatever the test's space
    return event


def make_committee(space: Space, name: str = "Collectif petite enfance", members=()) -> Committee:
    """members: (name, email, user or None, position) tuples."""
    with acting(space):
        committee = Committee(name=name, kind="collectif", usual_place="Mairie de Lamballe")
        db.session.add(committee)
        db.session.flush()
        for member_name, email, user, position in members:
            db.session.add(CommitteeMember(
                committee_id=committee.id, name=member_name, email=email,
                user_id=user.id if user else None, position=position,
                mandate_start=date.today() - timedelta(days=365)))
        db.session.flush()
    db.session.expunge(committee)
    return committee


def invite(space: Space, event: Event, name: str, email: str, user=None, **kw
           ) -> EventInvitation:
    from app.events import tokens

    with acting(space):
        row = EventInvitation(event_id=event.id, name=name, email=email,
                              user_id=user.id if user else None,
                              token_key=tokens.new_key(), **kw)
        db.session.add(row)
        db.session.flush()
    db.session.expunge(row)
    return row


def invitations_of(space: Space, event_id: int) -> list[EventInvitation]:
    db.session.expire_all()
    with tenancy.use_space(space, db.session):
        return list(db.session.scalars(sa.select(EventInvitation).where(
            EventInvitation.event_id == event_id).order_by(EventInvitation.id)))


def event_in(space: Space, event_id: int) -> Event | None:
    db.session.expire_all()
    with tenancy.use_space(space, db.session):
        return db.session.get(Event, event_id)


def mails(kind: str | None = None) -> list[MailMessage]:
    query = sa.select(MailMessage).order_by(MailMessage.id)
    if kind:
        query = query.where(MailMessage.kind == kind)
    return list(db.session.scalars(query))


def recipients(kind: str) -> set[str]:
    return {m.to_address for m in mails(kind)}


def switch(client, login, email: str) -> str:
    """Sign out whoever is signed in, then sign `email` in."""
    from tests.conftest import csrf_from

    page = client.get("/connexion", follow_redirects=True).get_data(as_text=True)
    if "Se déconnecter" in page:
        client.post("/deconnexion", data={"csrf_token": csrf_from(page)})
    return login(email)


def post(client, url: str, token: str, **data):
    return client.post(url, data={"csrf_token": token, **data})
