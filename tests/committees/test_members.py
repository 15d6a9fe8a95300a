"""Members: a platform account (by e-mail, or picked among the tenant's people) or a
partner contact; position and mandate; one seat per address; removal after confirmation.
A new member is invited to the committee's meetings to come."""

from __future__ import annotations

from app.committees.models import CommitteeMember
from app.core import tenancy
from app.extensions import db
from app.networks.models import OrganisationContact
from tests import factories
from tests.committees.helpers import (
    NET,
    A,
    committee,
    count,
    event,
    invitations,
    member,
    net_space,
    rows,
    tenant_space,
    text,
)


def contact(w, name="Claire PMI", email="claire.pmi@example.org"):
    with tenancy.use_space(net_space(w), db.session):
        c = OrganisationContact(organisation_id=w["organisation"].id, full_name=name,
                                email=email)
        db.session.add(c)
        db.session.flush()
    return c


def data(token, **extra):
    base = {"csrf_token": token, "user_id": "", "email": "", "contact_id": "",
            "position": "membre", "represents": "", "mandate_start": "", "mandate_end": ""}
    base.update(extra)
    return base


def test_coordinator_adds_a_user_by_email_and_a_partner_contact(w, as_user):
    c = committee(net_space(w))
    partner = contact(w)
    client, token = as_user("coord@example.org")
    response = client.post(f"{NET}/{c.id}/membres/nouveau", data=data(
        token, email="ELU.A@example.org", position="president", represents="Commune de Lamballe",
        mandate_start="2026-01-01", mandate_end="2026-12-31"))
    assert response.status_code == 302
    response = client.post(f"{NET}/{c.id}/membres/nouveau", data=data(
        token, contact_id=str(partner.id), position="invite"))
    assert response.status_code == 302
    seats = {m.email: m for m in rows(CommitteeMember)}
    elu = seats["elu.a@example.org"]
    assert (elu.user_id, elu.position, elu.represents, elu.network_id) == (
        w["elu_a"].id, "president", "Commune de Lamballe", w["network"].id)
    assert str(elu.mandate_start) == "2026-01-01" and str(elu.mandate_end) == "2026-12-31"
    pmi = seats["claire.pmi@example.org"]
    assert (pmi.contact_id, pmi.user_id, pmi.represents, pmi.position) == (
        partner.id, None, w["organisation"].name, "invite")
    page = text(client.get(f"{NET}/{c.id}"))
    assert "Élise Martin" in page and "Président·e" in page and "Claire PMI" in page


def test_tenant_admin_picks_a_person_of_the_tenant(w, as_user):
    c = committee(tenant_space(w), name="Commission locale")
    client, token = as_user("admin.a@example.org")
    page = text(client.get(f"{A}/{c.id}/membres/nouveau"))
    assert "Paul Durand — elu.a2@example.org" in page
    assert "Bernard Petit" not in page  # a person of another tenant is not offered
    response = client.post(f"{A}/{c.id}/membres/nouveau",
                           data=data(token, user_id=str(w["elu_a2"].id)))
    assert response.status_code == 302
    [seat] = rows(CommitteeMember)
    assert (seat.user_id, seat.represents, seat.tenant_id) == (w["elu_a2"].id, "CA Alpha",
                                                              w["a"].id)
    # Someone of another tenant cannot be smuggled in through the select.
    response = client.post(f"{A}/{c.id}/membres/nouveau",
                           data=data(token, user_id=str(w["elu_b"].id)))
    assert response.status_code == 422 and "Choisissez une valeur dans la liste." in text(response)
    assert count(CommitteeMember) == 1


def test_bad_member_input_is_refused_in_french(w, as_user):
    c = committee(net_space(w))
    member(net_space(w), c, w["elu_a"])
    client, token = as_user("coord@example.org")
    url = f"{NET}/{c.id}/membres/nouveau"
    cases = [
        (data(token), "Indiquez la personne à ajouter"),
        (data(token, email="inconnu@example.org"), "Aucun compte Maillage n’utilise cette adresse"),
        (data(token, email="pas-une-adresse"), "Adresse e-mail invalide"),
        (data(token, email="elu.b@example.org", mandate_start="2026-06-01",
              mandate_end="2026-05-31"), "La fin du mandat ne peut pas précéder son début."),
        (data(token, email="elu.b@example.org", mandate_start="31/02/2026"), "Date invalide"),
        (data(token, email="elu.a@example.org"), "est déjà membre de ce comité"),
        (data(token, email="elu.b@example.org", position="tresorier"),
         "Choisissez une valeur dans la liste."),
    ]
    for form, message in cases:
        response = client.post(url, data=form)
        assert response.status_code == 422, message
        assert message in text(response), message
    assert count(CommitteeMember) == 1


def test_edit_position_and_mandate_then_remove_after_confirmation(w, as_user):
    c = committee(net_space(w))
    seat = member(net_space(w), c, w["elu_a"])
    client, token = as_user("coord@example.org")
    url = f"{NET}/{c.id}/membres/{seat.id}"
    assert 'value="membre" selected' in text(client.get(url))
    bad = client.post(url, data={"csrf_token": token, "position": "copilote",
                                 "represents": "", "mandate_start": "2026-03-01",
                                 "mandate_end": "2025-03-01"})
    assert bad.status_code == 422 and "La fin du mandat" in text(bad)
    assert rows(CommitteeMember)[0].position == "membre"
    ok = client.post(url, data={"csrf_token": token, "position": "copilote",
                                "represents": "Saint-Brieuc", "mandate_start": "2026-03-01",
                                "mandate_end": ""})
    assert ok.status_code == 302
    [seat] = rows(CommitteeMember)
    assert (seat.position, seat.represents, str(seat.mandate_start), seat.mandate_end) == (
        "copilote", "Saint-Brieuc", "2026-03-01", None)
    confirm = client.get(f"{url}/retirer")
    assert confirm.status_code == 200 and "Retirer du comité" in text(confirm)
    assert count(CommitteeMember) == 1
    assert client.post(f"{url}/retirer", data={"csrf_token": token}).status_code == 302
    assert count(CommitteeMember) == 0


def test_new_member_is_invited_to_upcoming_meetings(w, as_user, run_jobs):
    from app.core.models import MailMessage

    c = committee(net_space(w))
    upcoming = event(net_space(w), c, "Comité de mars")
    polling = event(net_space(w), c, "Comité d’été", status="polling")
    past = event(net_space(w), c, "Comité de janvier", days=-30)
    draft = event(net_space(w), c, "Brouillon", status="draft")
    client, token = as_user("coord@example.org")
    response = client.post(f"{NET}/{c.id}/membres/nouveau",
                           data=data(token, email="elu.b@example.org"), follow_redirects=True)
    assert "Invitation en cours d’envoi pour 2 réunions à venir." in text(response)
    [seat] = rows(CommitteeMember)
    for e in (upcoming, polling):
        [inv] = invitations(e)
        assert (inv.user_id, inv.committee_member_id, inv.source) == (
            w["elu_b"].id, seat.id, "committee")
    assert invitations(past) == [] and invitations(draft) == []
    run_jobs()
    assert count(MailMessage, MailMessage.to_address == "elu.b@example.org",
                 MailMessage.kind == "event_invitation") == 2


def test_chair_of_a_tenant_committee_manages_members(w, as_user):
    c = committee(tenant_space(w), name="Collectif local", kind="collectif")
    member(tenant_space(w), c, w["elu_a"], position="copilote")
    client, token = as_user("elu.a@example.org")
    assert "Ajouter un membre" in text(client.get(f"{A}/{c.id}"))
    assert client.post(f"{A}/{c.id}/membres/nouveau",
                       data=data(token, email="elu.a2@example.org")).status_code == 302
    assert count(CommitteeMember) == 2
    # …but a plain member may not.
    plain, token2 = as_user("elu.a2@example.org")
    assert plain.get(f"{A}/{c.id}/membres/nouveau").status_code == 403
    factories.user("tiers@example.org")
    assert plain.post(f"{A}/{c.id}/membres/nouveau",
                      data=data(token2, email="tiers@example.org")).status_code == 403
    assert count(CommitteeMember) == 2
