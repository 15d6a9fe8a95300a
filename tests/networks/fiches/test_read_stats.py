"""Read receipts for the network's authors: who acknowledged the current revision of each
fiche, per member tenant and reception point, with a constant number of queries."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from app.core.tenancy import Space
from app.networks.fiches import services, stats
from tests import factories
from tests.networks.fiches import builders
from tests.networks.fiches.test_authoring import (
    BASE,
    build_world,
    network_space,
    sign_in,
    tenant_space,
)


def acknowledge(in_space, space: Space, fiche, user, point_id=None) -> None:
    with in_space(space):
        assert services.acknowledge(fiche, user, point_id)


@pytest.fixture()
def reads(dbsession, in_space):
    """Two network fiches; fiche 1 republished after some reads (those no longer count);
    reads of a local fiche and of another network's fiche that must never be counted."""
    w = build_world()
    agent_a2 = factories.user("agent.a2@example.org", "Armelle Accueil")
    factories.tenant_role(agent_a2, w["a"], "reception_agent")
    f1 = builders.published_network_fiche(w["network"], w["coordinator"], "Fiche un")
    f2 = builders.published_network_fiche(w["network"], w["coordinator"], "Fiche deux")
    a, b = tenant_space(w, "a"), tenant_space(w, "b")
    acknowledge(in_space, a, f1, w["agent_a"], w["a_point_id"])  # revision 1: outdated below
    acknowledge(in_space, a, f2, w["agent_a"], w["a_point_id"])
    acknowledge(in_space, b, f2, w["agent_b"], w["b_point_id"])
    with in_space(network_space(w)):
        services.save_draft(f1, builders.content("Fiche un", first_answer="Nouveau texte."),
                            w["coordinator"])
        services.publish(f1, "Nouveau texte", w["coordinator"])
    acknowledge(in_space, a, f1, agent_a2)  # revision 2, no reception point
    local = builders.published_local_fiche(w["a"], [w["network_id"]], w["a_admin"], "Locale")
    acknowledge(in_space, a, local, w["agent_b"])
    gamma = Space.for_tenant(w["gamma_id"], [w["network2_id"]])
    with factories._unscoped():
        from app.networks.models import Network

        net2 = dbsession.get(Network, w["network2_id"])
    other = builders.published_network_fiche(net2, None, "Fiche du réseau deux")
    gamma_agent = factories.user("agent.gamma@example.org")
    acknowledge(in_space, gamma, other, gamma_agent)
    dbsession.flush()
    w.update(f1=f1, f2=f2, f1_id=f1.id, f2_id=f2.id, f1_slug=f1.slug, agent_a2=agent_a2)
    return w


def test_overview_counts_readers_of_the_current_revision_per_tenant(reads, in_space):
    w = reads
    with in_space(network_space(w)):
        overview = stats.overview([w["f1"], w["f2"]])
    assert [name for _, name in overview.tenants] == ["CA Alpha", "CA Bêta"]
    assert overview.readers(w["f1_id"], w["a_id"]) == 1  # the revision-1 read no longer counts
    assert overview.readers(w["f1_id"], w["b_id"]) == 0
    assert overview.readers(w["f2_id"], w["a_id"]) == 1
    assert overview.readers(w["f2_id"], w["b_id"]) == 1
    assert overview.total(w["f2_id"]) == 2
    # known readers: people who acknowledged a fiche of this network (never a local fiche)
    assert overview.known == {w["a_id"]: 2, w["b_id"]: 1}
    assert overview.known_total == 3


def test_fiche_reads_lists_readers_per_tenant_and_reception_point(reads, in_space):
    w = reads
    with in_space(network_space(w)):
        f1 = stats.fiche_reads(w["f1"])
        f2 = stats.fiche_reads(w["f2"])
    alpha, beta = f1
    assert (alpha.name, alpha.readers, alpha.known_readers) == ("CA Alpha", 1, 2)
    assert [(p.label, [r.name for r in p.readers]) for p in alpha.points] == [
        ("Sans point d’accueil indiqué", ["Armelle Accueil"])]
    assert (beta.readers, beta.points) == (0, [])
    alpha2, beta2 = f2
    assert [(p.point_id, [r.name for r in p.readers]) for p in alpha2.points] == [
        (w["a_point_id"], ["Alice Accueil"])]
    # reception points belong to the tenant's space: the network sees their number only
    assert alpha2.points[0].label == f"Point d’accueil nº {w['a_point_id']}"
    assert [r.name for p in beta2.points for r in p.readers] == ["Bruno Accueil"]


def test_tenant_reads_stay_out_of_another_network(reads, in_space):
    w = reads
    with in_space(Space.for_network(w["network2_id"], [w["gamma_id"]])):
        assert stats.known_readers() == {w["gamma_id"]: 1}
        assert stats.current_readers([w["f1_id"], w["f2_id"]]) == {}


def test_lectures_pages_show_honest_counts(app, reads):
    w = reads
    browser, _ = sign_in(app, "coord@example.org")
    html = browser.get(f"{BASE}/lectures").get_data(as_text=True)
    assert "lecteurs connus" in html
    assert "1 / 2" in html and "1 / 1" in html and "0 / 1" in html
    detail = browser.get(f"{BASE}/{w['f1_slug']}/lectures").get_data(as_text=True)
    assert "Armelle Accueil" in detail and "Alice Accueil" not in detail
    assert "Lu par 1 sur 2 lecteurs connus" in detail
    show = browser.get(f"{BASE}/{w['f1_slug']}").get_data(as_text=True)
    assert "Lectures de la version 2" in show


def _count_statements(connection, fn) -> int:
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(connection, "before_cursor_execute", record)
    try:
        fn()
    finally:
        event.remove(connection, "before_cursor_execute", record)
    return len(statements)


def test_read_pages_run_a_constant_number_of_queries(app, reads, connection, in_space):
    w = reads
    browser, _ = sign_in(app, "coord@example.org")
    urls = [f"{BASE}/lectures", f"{BASE}/{w['f1_slug']}/lectures", f"{BASE}/{w['f1_slug']}"]
    for url in urls:
        browser.get(url)  # warm-up
    with_two = {url: _count_statements(connection, lambda u=url: browser.get(u)) for url in urls}

    extra_point = factories.reception_point(w["a"])
    for i in range(4):
        fiche = builders.published_network_fiche(w["network"], w["coordinator"], f"Extra {i}")
        reader = factories.user(f"lecteur{i}@example.org")
        acknowledge(in_space, tenant_space(w, "a"), fiche, reader, extra_point.id)
        acknowledge(in_space, tenant_space(w, "b"), fiche, factories.user(), None)
    for _ in range(3):
        acknowledge(in_space, tenant_space(w, "b"), w["f1"], factories.user(), w["b_point_id"])
    with_six = {url: _count_statements(connection, lambda u=url: browser.get(u)) for url in urls}
    assert with_six == with_two
    html = browser.get(f"{BASE}/lectures").get_data(as_text=True)
    assert html.count("Extra ") == 4


def test_stats_functions_run_a_constant_number_of_queries(reads, connection, in_space,
                                                          dbsession):
    w = reads

    def measure():
        with in_space(network_space(w)):
            from app.networks.fiches.models import Fiche

            fiches = dbsession.scalars(sa.select(Fiche).where(Fiche.status == "published")).all()
            return _count_statements(connection, lambda: (stats.overview(fiches),
                                                          stats.fiche_reads(fiches[0])))

    before = measure()
    for i in range(4):
        fiche = builders.published_network_fiche(w["network"], w["coordinator"], f"Plus {i}")
        acknowledge(in_space, tenant_space(w, "a"), fiche, factories.user(), w["a_point_id"])
    assert measure() == before
