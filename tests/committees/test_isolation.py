"""Every committees route with an id, tried from another space: another network's
coordinator, another tenant of the same network, a tenant of another network, and the
network with a tenant's ids. Always 404 (or 403 where the row is legitimately visible but
not writable), and nothing is written."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.committees.models import ActionItem, Committee, CommitteeMember, Decision, JoinRequest
from app.core import tenancy
from app.core.models import MailMessage
from app.events.models import EventInvitation
from app.extensions import db
from tests.committees.helpers import (
    NET,
    OTHER_NET,
    A,
    B,
    G,
    action,
    committee,
    decision,
    event,
    join_request,
    member,
    net_space,
    tenant_space,
)


@pytest.fixture()
def objects(w):
    n = {"c": committee(net_space(w), name="Copil réseau")}
    n["m"] = member(net_space(w), n["c"], w["elu_b"])
    n["r"] = join_request(w, n["c"], w["elu_a"])
    n["e"] = event(net_space(w), n["c"], "Réunion réseau", days=-1)
    n["d"] = decision(net_space(w), n["e"], "Décision réseau")
    n["a"] = action(net_space(w), n["d"], "Action réseau")
    t = {"c": committee(tenant_space(w), name="Commission alpha")}
    t["m"] = member(tenant_space(w), t["c"], w["elu_a"], position="president")
    t["r"] = join_request(w, t["c"], w["elu_a2"])
    t["e"] = event(tenant_space(w), t["c"], "Réunion alpha", days=-1)
    t["d"] = decision(tenant_space(w), t["e"], "Décision alpha")
    t["a"] = action(tenant_space(w), t["d"], "Action alpha")
    return {"n": {k: v.id for k, v in n.items()}, "t": {k: v.id for k, v in t.items()}}


def gets(ids):
    c, m, r, e, d, a = (ids[k] for k in "cmreda")
    return [f"/{c}", f"/{c}/modifier", f"/{c}/archiver", f"/{c}/membres/nouveau",
            f"/{c}/membres/{m}", f"/{c}/membres/{m}/retirer", f"/{c}/suivi",
            f"/demandes/{r}", f"/reunions/{e}/decisions", f"/decisions/{d}",
            f"/decisions/{d}/supprimer", f"/decisions/{d}/actions/nouvelle",
            f"/actions/{a}", f"/actions/{a}/supprimer"]


def posts(ids, tenant: bool):
    c, m, r, e, d, a = (ids[k] for k in "cmreda")
    paths = [f"/{c}/modifier", f"/{c}/archiver", f"/{c}/reactiver", f"/{c}/membres/nouveau",
             f"/{c}/membres/{m}", f"/{c}/membres/{m}/retirer", f"/demandes/{r}/accepter",
             f"/demandes/{r}/refuser", f"/reunions/{e}/decisions", f"/decisions/{d}",
             f"/decisions/{d}/supprimer", f"/decisions/{d}/actions/nouvelle",
             f"/actions/{a}", f"/actions/{a}/supprimer", f"/actions/{a}/statut"]
    if tenant:
        paths += [f"/{c}/demander", f"/demandes/{r}/retirer"]
    return paths


def form(token):
    return {"csrf_token": token, "name": "Piraté", "kind": "copil", "purpose": "",
            "accepts_requests": "on", "email": "admin.g@example.org", "position": "president",
            "represents": "Pirate", "mandate_start": "2026-01-01", "title": "Piraté",
            "details": "", "owner_name": "Pirate", "owner_email": "", "due_on": "",
            "status": "dropped", "note": "non", "message": "moi aussi", "retour": "reunion"}


def snapshot():
    db.session.expire_all()
    with tenancy.unscoped("test check", db.session):
        return (
            db.session.execute(sa.select(Committee.id, Committee.name, Committee.archived_at,
                                         Committee.accepts_requests)
                               .order_by(Committee.id)).all(),
            db.session.execute(sa.select(CommitteeMember.id, CommitteeMember.email,
                                         CommitteeMember.position, CommitteeMember.represents)
                               .order_by(CommitteeMember.id)).all(),
            db.session.execute(sa.select(JoinRequest.id, JoinRequest.status)
                               .order_by(JoinRequest.id)).all(),
            db.session.execute(sa.select(Decision.id, Decision.title)
                               .order_by(Decision.id)).all(),
            db.session.execute(sa.select(ActionItem.id, ActionItem.title, ActionItem.status)
                               .order_by(ActionItem.id)).all(),
            db.session.scalar(sa.select(sa.func.count(EventInvitation.id))),
            db.session.scalar(sa.select(sa.func.count(MailMessage.id))),
        )


def assert_all(client, token, prefix, paths_get, paths_post, expected=(404,)):
    for path in paths_get:
        status = client.get(prefix + path).status_code
        assert status in expected, f"GET {prefix}{path} → {status}"
    for path in paths_post:
        status = client.post(prefix + path, data=form(token)).status_code
        assert status in expected, f"POST {prefix}{path} → {status}"


def test_another_networks_coordinator_finds_nothing(w, objects, as_user):
    before = snapshot()
    client, token = as_user("coord.autre@example.org")
    for ids in (objects["n"], objects["t"]):
        assert_all(client, token, OTHER_NET, gets(ids), posts(ids, tenant=False))
        # and the network itself is not theirs
        assert_all(client, token, NET, gets(ids), posts(ids, tenant=False))
    assert "Copil réseau" not in client.get(OTHER_NET).get_data(as_text=True)
    assert client.get(f"{OTHER_NET}/suivi").get_data(as_text=True).count("Action réseau") == 0
    assert snapshot() == before


def test_the_network_does_not_reach_a_tenants_committees(w, objects, as_user):
    before = snapshot()
    client, token = as_user("coord@example.org")
    assert_all(client, token, NET, gets(objects["t"]), posts(objects["t"], tenant=False))
    # Mixed ids: the network's committee with a member of the tenant's committee.
    n, t = objects["n"], objects["t"]
    assert client.get(f"{NET}/{n['c']}/membres/{t['m']}").status_code == 404
    assert client.post(f"{NET}/{n['c']}/membres/{t['m']}/retirer",
                       data=form(token)).status_code == 404
    page = client.get(NET).get_data(as_text=True)
    assert "Commission alpha" not in page
    assert "Action alpha" not in client.get(f"{NET}/suivi").get_data(as_text=True)
    assert snapshot() == before


def test_a_tenant_of_another_network_finds_nothing(w, objects, as_user):
    before = snapshot()
    client, token = as_user("admin.g@example.org")
    for ids in (objects["n"], objects["t"]):
        assert_all(client, token, G, gets(ids), posts(ids, tenant=True))
    page = client.get(G).get_data(as_text=True)
    assert "Copil réseau" not in page and "Commission alpha" not in page
    assert client.get(f"{G}/suivi").get_data(as_text=True).count("Action") == 0
    # Tenant alpha's pages are not theirs at all.
    assert client.get(A).status_code == 404
    assert snapshot() == before


def test_another_tenant_of_the_same_network(w, objects, as_user):
    before = snapshot()
    client, token = as_user("admin.b@example.org")
    assert_all(client, token, B, gets(objects["t"]), posts(objects["t"], tenant=True))
    # The network's committee is visible to beta (shared), but its request (alpha's), its
    # meeting's decisions and actions (the network's) are not found; writes are refused.
    n = objects["n"]
    assert client.get(f"{B}/{n['c']}").status_code == 200
    assert client.get(f"{B}/demandes/{n['r']}").status_code == 404
    for path in (f"/demandes/{n['r']}/accepter", f"/demandes/{n['r']}/refuser",
                 f"/demandes/{n['r']}/retirer"):
        assert client.post(B + path, data=form(token)).status_code == 404, path
    for path in (f"/reunions/{n['e']}/decisions", f"/decisions/{n['d']}",
                 f"/actions/{n['a']}", f"/actions/{n['a']}/statut"):
        if not path.endswith("statut"):
            assert client.get(B + path).status_code == 404, path
        assert client.post(B + path, data=form(token)).status_code == 404, path
    for path in (f"/{n['c']}/modifier", f"/{n['c']}/archiver", f"/{n['c']}/membres/nouveau",
                 f"/{n['c']}/membres/{n['m']}", f"/{n['c']}/membres/{n['m']}/retirer"):
        assert client.post(B + path, data=form(token)).status_code == 403, path
    page = client.get(B).get_data(as_text=True)
    assert "Commission alpha" not in page
    assert "Action alpha" not in client.get(f"{B}/suivi").get_data(as_text=True)
    assert snapshot() == before


def test_anonymous_visitors_are_sent_to_sign_in(w, objects, app, dbsession):
    from tests.conftest import FreshContextClient

    app.test_client_class = FreshContextClient
    client = app.test_client()
    n = objects["n"]
    for path in (NET, f"{NET}/{n['c']}", f"{A}/{n['c']}", f"{NET}/actions/{n['a']}"):
        response = client.get(path)
        assert response.status_code == 302 and "/connexion" in response.location
