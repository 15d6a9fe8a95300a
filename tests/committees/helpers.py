"""Test data of the committees area: two tenants in one network (alpha, beta), a third
tenant in another network (gamma in « autre »), elected officials, committees, meetings,
decisions and actions, written directly in their owner's space."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from flask.testing import FlaskClient

from app.committees.models import ActionItem, Committee, CommitteeMember, Decision, JoinRequest
from app.core import tenancy
from app.core.models import MailMessage
from app.core.tenancy import Space
from app.events.models import Event, EventInvitation, Minutes
from app.extensions import db
from tests import factories
from tests.conftest import csrf_from

NET = "/n/reseau-test/comites"
OTHER_NET = "/n/autre/comites"
A = "/t/alpha/comites"
B = "/t/beta/comites"
G = "/t/gamma/comites"


def build():
    w = factories.two_tenants_world()
    a, b = w["a"], w["b"]
    w["elu_a"] = factories.user("elu.a@example.org", "Élise Martin")
    factories.tenant_role(w["elu_a"], a, "elected_official")
    w["elu_a2"] = factories.user("elu.a2@example.org", "Paul Durand")
    factories.tenant_role(w["elu_a2"], a, "elected_official")
    w["elu_b"] = factories.user("elu.b@example.org", "Bernard Petit")
    factories.tenant_role(w["elu_b"], b, "elected_official")
    w["agent_a"] = factories.user("agent.a@example.org", "Agathe Accueil")
    factories.tenant_role(w["agent_a"], a, "reception_agent")
    g = factories.tenant("CA Gamma", "gamma")
    other = factories.network("Autre réseau", "autre", tenants=[g])
    w["g"], w["other_network"] = g, other
    w["elu_g"] = factories.user("elu.g@example.org", "Gaston Gamma")
    factories.tenant_role(w["elu_g"], g, "elected_official")
    w["admin_g"] = factories.user("admin.g@example.org", "Admin Gamma")
    factories.tenant_role(w["admin_g"], g, "tenant_admin")
    w["coord_other"] = factories.user("coord.autre@example.org", "Coord Autre")
    factories.network_role(w["coord_other"], other)
    return w


def net_space(w, key="network"):
    net = w[key]
    members = [w["a"].id, w["b"].id] if key == "network" else [w["g"].id]
    return Space.for_network(net.id, members)


def tenant_space(w, key="a"):
    network = w["network"] if key in ("a", "b") else w["other_network"]
    return Space.for_tenant(w[key].id, [network.id])


def in_space(space):
    return tenancy.use_space(space, db.session)


def committee(space, name="Comité de pilotage petite enfance", kind="copil", **kw) -> Committee:
    with in_space(space):
        c = Committee(name=name, kind=kind, purpose=kw.pop("purpose", "Piloter la politique "
                                                                      "petite enfance."),
                      usual_place=kw.pop("usual_place", ""), **kw)
        db.session.add(c)
        db.session.flush()
    return c


def member(space, c: Committee, user=None, *, name=None, email=None, position="membre",
           represents="", **kw) -> CommitteeMember:
    with in_space(space):
        m = CommitteeMember(committee_id=c.id, user_id=user.id if user else None,
                            name=name or user.full_name, email=email or user.email,
                            represents=represents, position=position, **kw)
        db.session.add(m)
        db.session.flush()
    return m


def event(space, c: Committee | None = None, title="Réunion du comité", *, days=7,
          status="scheduled", kind="comite", **kw) -> Event:
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=days)
    with in_space(space):
        e = Event(kind=kind, title=title, status=status, committee_id=c.id if c else None,
                  starts_at=None if status == "polling" else starts, **kw)
        db.session.add(e)
        db.session.flush()
    return e


def publish_minutes(space, e: Event) -> Minutes:
    with in_space(space):
        m = Minutes(event_id=e.id, body="Compte rendu.", status="published",
                    published_at=datetime.now(UTC))
        db.session.add(m)
        db.session.flush()
    return m


def decision(space, e: Event, title="Organiser une matinée d’éveil") -> Decision:
    with in_space(space):
        d = Decision(event_id=e.id, committee_id=e.committee_id, title=title,
                     details="En mai, à la médiathèque.")
        db.session.add(d)
        db.session.flush()
    return d


def action(space, d: Decision, title="Réserver la salle", *, owner_name="Élise Martin",
           owner_email="elu.a@example.org", owner_user_id=None, due_on: date | None = None,
           status="todo", last_reminded_on=None) -> ActionItem:
    with in_space(space):
        a = ActionItem(decision_id=d.id, title=title, owner_name=owner_name,
                       owner_email=owner_email, owner_user_id=owner_user_id, due_on=due_on,
                       status=status, last_reminded_on=last_reminded_on)
        db.session.add(a)
        db.session.flush()
    return a


def join_request(w, c: Committee, user, key="a", status="pending") -> JoinRequest:
    with in_space(tenant_space(w, key)):
        r = JoinRequest(committee_id=c.id, user_id=user.id, network_id=c.network_id,
                        message="Je représente ma commune.", status=status)
        db.session.add(r)
        db.session.flush()
    return r


def count(model, *where) -> int:
    with tenancy.unscoped("test check", db.session):
        return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def rows(model, *where) -> list:
    """Fresh rows (what the requests wrote), without expiring the test's other objects."""
    with tenancy.unscoped("test check", db.session):
        return list(db.session.scalars(sa.select(model).where(*where)
                                       .order_by(*model.__table__.primary_key.columns)
                                       .execution_options(populate_existing=True)))


def mails(kind: str | None = None, to: str | None = None) -> list[MailMessage]:
    where = []
    if kind:
        where.append(MailMessage.kind == kind)
    if to:
        where.append(MailMessage.to_address == to)
    with tenancy.unscoped("test check", db.session):
        return list(db.session.scalars(sa.select(MailMessage).where(*where)
                                       .order_by(MailMessage.id)))


def invitations(e: Event) -> list[EventInvitation]:
    return rows(EventInvitation, EventInvitation.event_id == e.id)


def sign_in(app, email: str) -> tuple[FlaskClient, str]:
    """A client signed in as `email` (several people can act in one test)."""
    client = app.test_client()
    token = csrf_from(client.get("/connexion").get_data(as_text=True))
    response = client.post("/connexion", data={"csrf_token": token, "email": email,
                                               "password": factories.PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    token = csrf_from(client.get("/connexion", follow_redirects=True).get_data(as_text=True))
    return client, token


def text(response) -> str:
    return response.get_data(as_text=True)
