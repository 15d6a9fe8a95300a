"""Committees: created, edited, archived by the coordinator (network) or the tenant
administrator (tenant), with French validation errors and nothing written on bad input."""

from __future__ import annotations

from app.committees.models import Committee
from app.core.models import AuditLog
from tests.committees.helpers import (
    NET,
    A,
    B,
    committee,
    count,
    net_space,
    rows,
    tenant_space,
    text,
)


def form(token, **extra):
    data = {"csrf_token": token, "name": "Collectif petite enfance", "kind": "collectif",
            "purpose": "Échanger entre **professionnel·les**.", "usual_place": "",
            "accepts_requests": "on"}
    data.update(extra)
    return data


def test_coordinator_creates_edits_and_archives_a_network_committee(w, as_user):
    client, token = as_user("coord@example.org")
    assert "Aucun comité" in text(client.get(NET))
    response = client.post(f"{NET}/nouveau", data=form(token))
    assert response.status_code == 302
    [c] = rows(Committee)
    assert (c.network_id, c.tenant_id, c.kind, c.accepts_requests) == (
        w["network"].id, None, "collectif", True)
    page = text(client.get(f"{NET}/{c.id}"))
    assert "Collectif petite enfance" in page and "<strong>professionnel·les</strong>" in page
    assert "Planifier une réunion" in page
    assert f"/n/reseau-test/evenements/nouveau?comite={c.id}" in page

    response = client.post(f"{NET}/{c.id}/modifier", data=form(
        token, name="Association des élus", kind="association_elus", accepts_requests=""))
    assert response.status_code == 302
    [c] = rows(Committee)
    assert (c.name, c.kind, c.accepts_requests) == ("Association des élus",
                                                    "association_elus", False)

    confirm = client.get(f"{NET}/{c.id}/archiver")
    assert confirm.status_code == 200 and "Archiver le comité" in text(confirm)
    assert rows(Committee)[0].archived_at is None  # the GET only asks
    assert client.post(f"{NET}/{c.id}/archiver", data={"csrf_token": token}).status_code == 302
    assert rows(Committee)[0].archived_at is not None
    assert "Comités archivés" in text(client.get(NET))
    assert client.post(f"{NET}/{c.id}/reactiver", data={"csrf_token": token}).status_code == 302
    assert rows(Committee)[0].archived_at is None
    assert count(AuditLog, AuditLog.action.like("committee.%")) == 4


def test_invalid_committee_form_says_why_in_french_and_writes_nothing(w, as_user):
    client, token = as_user("coord@example.org")
    response = client.post(f"{NET}/nouveau", data=form(token, name="", kind="club"))
    assert response.status_code == 422
    page = text(response)
    assert "Ce champ est obligatoire." in page
    assert "Choisissez une valeur dans la liste." in page
    assert 'value="Collectif petite enfance"' not in page  # the name was blank…
    assert "Échanger entre **professionnel·les**." in page  # …but the purpose is kept
    assert count(Committee) == 0
    response = client.post(f"{NET}/nouveau", data=form(token, name="x" * 201))
    assert response.status_code == 422 and "200 caractères au maximum." in text(response)
    assert count(Committee) == 0


def test_tenant_admin_creates_a_tenant_committee_visible_to_its_tenant_only(w, as_user):
    client, token = as_user("admin.a@example.org")
    assert client.post(f"{A}/nouveau", data=form(token, name="Commission accueil")
                       ).status_code == 302
    [c] = rows(Committee)
    assert (c.tenant_id, c.network_id) == (w["a"].id, None)
    assert "Commission accueil" in text(client.get(A))
    assert client.post(f"{A}/{c.id}/modifier", data=form(token, name="Commission RPE")
                       ).status_code == 302
    assert rows(Committee)[0].name == "Commission RPE"

    other, _ = as_user("admin.b@example.org")
    assert "Commission RPE" not in text(other.get(B))
    assert other.get(f"{B}/{c.id}").status_code == 404
    elu_b, _ = as_user("elu.b@example.org")
    assert elu_b.get(f"{B}/{c.id}").status_code == 404


def test_elected_officials_cannot_manage_committees(w, as_user):
    c = committee(net_space(w))
    own = committee(tenant_space(w), name="Commission locale")
    client, token = as_user("elu.a@example.org")
    assert client.get(f"{A}/nouveau").status_code == 403
    assert client.post(f"{A}/nouveau", data=form(token)).status_code == 403
    for target in (c, own):
        assert client.get(f"{A}/{target.id}/modifier").status_code == 403
        assert client.post(f"{A}/{target.id}/archiver",
                           data={"csrf_token": token}).status_code == 403
    # The tenant administrator may not touch the network's committee either.
    admin, token = as_user("admin.a@example.org")
    assert admin.get(f"{A}/{c.id}/modifier").status_code == 403
    assert admin.post(f"{A}/{c.id}/archiver", data={"csrf_token": token}).status_code == 403
    assert count(Committee, Committee.archived_at.is_not(None)) == 0
    assert rows(Committee, Committee.id == c.id)[0].name == "Comité de pilotage petite enfance"


def test_archived_network_committee_disappears_from_the_tenants(w, as_user):
    from datetime import UTC, datetime

    c = committee(net_space(w), archived_at=datetime.now(UTC))
    client, _ = as_user("elu.a@example.org")
    assert c.name not in text(client.get(A))
    assert client.get(f"{A}/{c.id}").status_code == 404


def test_other_tenant_roles_see_only_the_committees_they_sit_on(w, as_user):
    c = committee(net_space(w))
    client, _ = as_user("agent.a@example.org")
    page = text(client.get(A))
    assert c.name not in page and "Vous ne siégez dans aucun comité" in page
    assert "Mes demandes d’adhésion" not in page  # they cannot ask: no empty section
    assert client.get(f"{A}/{c.id}").status_code == 403
