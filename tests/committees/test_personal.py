"""What members read on the committee page, through the personal space: the decisions
of meetings whose minutes are published, for people who sit on the committee or were
invited; nothing for a colleague of the same tenant who is not concerned."""

from __future__ import annotations

from tests.committees.helpers import (
    A,
    action,
    committee,
    decision,
    event,
    member,
    net_space,
    publish_minutes,
    tenant_space,
    text,
)


def test_member_reads_published_decisions_non_member_does_not(w, as_user):
    c = committee(net_space(w))
    member(net_space(w), c, w["elu_a"])
    published = event(net_space(w), c, "Comité de février", days=-20)
    publish_minutes(net_space(w), published)
    draft = event(net_space(w), c, "Comité d’avril", days=-2)
    d1 = decision(net_space(w), published, "Étendre les horaires du relais")
    action(net_space(w), d1, "Chiffrer le coût", owner_name="Élise Martin",
           owner_user_id=w["elu_a"].id)
    decision(net_space(w), draft, "Décision encore confidentielle")

    elu, _ = as_user("elu.a@example.org")
    page = text(elu.get(f"{A}/{c.id}"))
    assert "Étendre les horaires du relais" in page
    assert "Chiffrer le coût" in page and "(vous)" in page
    assert "Décision encore confidentielle" not in page  # minutes not published
    assert "Suivi des actions" not in page  # no organiser tools

    colleague, _ = as_user("elu.a2@example.org")  # same tenant, not on the committee
    page = text(colleague.get(f"{A}/{c.id}"))
    assert c.name in page and "Étendre les horaires du relais" not in page
    assert "Aucune décision publiée" in page


def test_tenant_committee_member_reads_its_published_decisions(w, as_user):
    local = committee(tenant_space(w), name="Collectif local", kind="collectif")
    member(tenant_space(w), local, w["elu_a2"])
    meeting = event(tenant_space(w), local, "Collectif de mars", days=-3)
    publish_minutes(tenant_space(w), meeting)
    decision(tenant_space(w), meeting, "Organiser une fête du jeu")
    sitting, _ = as_user("elu.a2@example.org")
    assert "Organiser une fête du jeu" in text(sitting.get(f"{A}/{local.id}"))
    other, _ = as_user("elu.a@example.org")
    assert "Organiser une fête du jeu" not in text(other.get(f"{A}/{local.id}"))


def test_members_see_upcoming_meetings_but_not_drafts(w, as_user):
    c = committee(net_space(w))
    event(net_space(w), c, "Comité de juin", days=10)
    event(net_space(w), c, "Comité en préparation", days=20, status="draft")
    elu, _ = as_user("elu.a@example.org")
    page = text(elu.get(f"{A}/{c.id}"))
    assert "Comité de juin" in page and "Comité en préparation" not in page
    assert "/t/alpha/evenements/" in page
