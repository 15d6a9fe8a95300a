"""Cross-tenant and cross-network matrix, built from app.url_map.

For every rule of the tenant space (/t/<tenant_slug>/…) and of the network space
(/n/<network_slug>/…) that takes an id, a signed-in administrator of A asks for B's objects
through A's URL, with every method of the rule: the answer is 404 and nothing of B changes.
A new route with an id argument nobody mapped below fails the test: map it (own and
foreign object) so the route is covered.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from werkzeug.routing import IntegerConverter, Rule

from app.core import tenancy
from app.core.models import Invitation
from app.networks.models import OrganisationContact
from tests import factories
from tests.core.matrix_events import event_objects, pair

IGNORED_METHODS = {"HEAD", "OPTIONS"}

# Plausible values for every field our forms use, so that a view which forgot to look the
# object up in its space would really write something (and the snapshot would catch it).
PAYLOAD = {
    "name": "Écrit depuis un autre espace", "full_name": "Écrit depuis un autre espace",
    "email": "intrus@example.org", "phone": "02 96 00 00 01", "address": "1 rue Intruse",
    "opening_hours": "Toujours", "desk_phone": "02 96 00 00 02", "desk_hours": "Jamais",
    "role": "reception_agent", "kind": "autre", "position": "Intrus", "website": "",
    "notes": "intrusion", "confirm": "on", "is_itinerant": "on", "description": "intrusion",
}


SPACE_ARGUMENTS = {"tenant_slug", "network_slug"}


def object_arguments(rule: Rule) -> list[str]:
    """The arguments that designate an object (ids, and slugs of objects like fiches)."""
    return sorted(set(rule.arguments) - SPACE_ARGUMENTS)


def int_arguments(rule: Rule) -> list[str]:
    return [name for name in object_arguments(rule)
            if isinstance(rule._converters.get(name), IntegerConverter)]


def space_rules(app, prefix: str) -> list[Rule]:
    return sorted((r for r in app.url_map.iter_rules() if r.rule.startswith(prefix)),
                  key=lambda r: r.rule)


def methods(rule: Rule) -> list[str]:
    return sorted((rule.methods or set()) - IGNORED_METHODS)


def build(rule: Rule, values: dict) -> str:
    built = rule.build(values, append_unknown=False)
    assert built is not None, (rule.rule, values)
    return built[1]


def snapshot(dbsession, column: str, owner_id: int, extra_users: list[int]) -> dict:
    """Every row, in every table, that has `column` = owner_id; and the given accounts."""
    with tenancy.unscoped("cross-tenant snapshot", dbsession):
        tables = dbsession.scalars(sa.text("""
            select c.relname from pg_class c
            join pg_namespace n on n.oid = c.relnamespace
            join pg_attribute a on a.attrelid = c.oid
            where n.nspname = 'public' and c.relkind = 'r' and a.attname = :column
              and a.attnum > 0 and not a.attisdropped
            order by 1"""), {"column": column}).all()
        state = {
            table: dbsession.scalar(sa.text(
                f'select coalesce(jsonb_agg(to_jsonb(x) order by to_jsonb(x)::text), \'[]\')'
                f' from "{table}" x where {column} = :owner'), {"owner": owner_id})
            for table in tables
        }
        state["user_account"] = dbsession.scalar(sa.text(
            "select coalesce(jsonb_agg(to_jsonb(u) order by u.id), '[]')"
            " from user_account u where id = any(:ids)"), {"ids": extra_users})
    assert len(tables) >= 5
    return state


def invitation(dbsession, email: str, **owner) -> int:
    with tenancy.unscoped("invitation for the matrix", dbsession):
        inv = Invitation(email=email, full_name="Invitation de test", token_hash=email.ljust(64, "0")[:64],
                         role="network_coordinator" if "network_id" in owner else "reception_agent",
                         expires_at=datetime.now(UTC) + timedelta(days=7), **owner)
        dbsession.add(inv)
        dbsession.flush()
        return inv.id


def contact(dbsession, org, name: str) -> int:
    with tenancy.unscoped("contact for the matrix", dbsession):
        c = OrganisationContact(network_id=org.network_id, organisation_id=org.id,
                                full_name=name, email="contact.matrix@example.org")
        dbsession.add(c)
        dbsession.flush()
        return c.id


def fiche(dbsession, slug: str, title: str, **owner) -> int:
    """A published fiche with two revisions and a pending draft: every fiche action has
    something to act on (a view that skipped the space check would really publish, discard,
    archive or compare)."""
    from app.networks.fiches.models import Fiche, FicheDraft, FicheRevision

    with tenancy.unscoped("fiche for the matrix", dbsession):
        f = Fiche(slug=slug, title=title, status="published", revision=2,
                  first_answer=f"Réponse de {title}", published_at=datetime.now(UTC), **owner)
        dbsession.add(f)
        dbsession.flush()
        for number in (1, 2):
            dbsession.add(FicheRevision(fiche_id=f.id, number=number, title=title,
                                        first_answer=f"Réponse {number}",
                                        summary=f"Version {number}", **owner))
        dbsession.add(FicheDraft(fiche_id=f.id, title=f"{title} (brouillon)",
                                 first_answer="Nouvelle réponse", **owner))
        dbsession.flush()
        return f.id


def proposal(dbsession, fiche_id: int, body: str, **owner) -> int:
    from app.networks.fiches.models import FicheProposal

    with tenancy.unscoped("proposal for the matrix", dbsession):
        p = FicheProposal(fiche_id=fiche_id, body=body, **owner)
        dbsession.add(p)
        dbsession.flush()
        return p.id


def rename(dbsession, obj, **values) -> None:
    with tenancy.unscoped("distinctive names for the matrix", dbsession):
        for key, value in values.items():
            setattr(obj, key, value)
        dbsession.flush()


# --------------------------------------------------------------------------- tenants

def training_session(dbsession, network, title: str):
    """A published module, an open session and one sitting in `network`."""
    from app.training.models import TrainingModule, TrainingSession, TrainingSitting

    with tenancy.use_space(tenancy.Space.for_network(network.id), dbsession):
        module = TrainingModule(title=title, kind="atelier", status="published",
                                duration_hours=3)
        dbsession.add(module)
        dbsession.flush()
        session = TrainingSession(module_id=module.id, capacity=5, state="open")
        dbsession.add(session)
        dbsession.flush()
        start = datetime.now(UTC) + timedelta(days=10)
        dbsession.add(TrainingSitting(session_id=session.id, starts_at=start,
                                      ends_at=start + timedelta(hours=3)))
        dbsession.flush()
    return module, session


def training_registration(dbsession, tenant, network_ids, session, person) -> int:
    """`person` of `tenant` registered to `session`, present at its first sitting."""
    from app.training import services as training_services
    from app.training.models import Attendance

    with tenancy.use_space(tenancy.Space.for_tenant(tenant.id, network_ids), dbsession):
        registration = training_services.register(session, person).registration
        dbsession.flush()
        registration_id = registration.id
    members = tenancy.Space.for_network(session.network_id, [tenant.id])
    with tenancy.use_space(members, dbsession):
        sitting_id = dbsession.scalar(sa.text(
            "select id from training_sitting where session_id = :s"), {"s": session.id})
        dbsession.add(Attendance(registration_id=registration_id, sitting_id=sitting_id,
                                 tenant_id=tenant.id, network_id=session.network_id))
        dbsession.flush()
    return registration_id


@pytest.fixture()
def tenant_world(dbsession):
    w = factories.two_tenants_world()
    a, b = w["a"], w["b"]
    for key, t in (("a", a), ("b", b)):
        agent = factories.user(f"agent.{key}@example.org", name=f"Agent {key.upper()}")
        role = factories.tenant_role(agent, t, "reception_agent")
        w[f"{key}_agent"], w[f"{key}_agent_role"] = agent, role
    secret = "Confidentiel Bêta"
    for i, c in enumerate(w["b_communes"], 1):
        rename(dbsession, c, name=f"Bourg {secret} {i}")
    rename(dbsession, w["b_relais"], name=f"RPE {secret}")
    rename(dbsession, w["b_point"], name=f"Mairie {secret}")
    rename(dbsession, w["b_admin"], full_name=f"Bérénice {secret}")
    rename(dbsession, w["b_agent"], full_name=f"Agent {secret}")
    w["a_invitation"] = invitation(dbsession, "invitee.alpha@example.org", tenant_id=a.id)
    w["b_invitation"] = invitation(dbsession, "invitee.confidentielle.beta@example.org",
                                   tenant_id=b.id)
    w["b_secret_names"] = [f"Bourg {secret} 1", f"Bourg {secret} 2", f"RPE {secret}",
                           f"Mairie {secret}", f"Bérénice {secret}", f"Agent {secret}",
                           "admin.b@example.org", "agent.b@example.org",
                           "invitee.confidentielle.beta@example.org"]
    a_fiche = fiche(dbsession, "fiche-locale-alpha", "Fiche locale Alpha", tenant_id=a.id)
    b_fiche = fiche(dbsession, "fiche-confidentielle-beta", f"Fiche {secret}", tenant_id=b.id)
    w["b_secret_names"] += [f"Fiche {secret}", f"Proposition {secret}"]
    # Training: a session of the shared network, one of a network A is not in, and a
    # registration of each tenant (with attendance, so certificates exist).
    elsewhere = factories.network("Réseau Ailleurs", "reseau-ailleurs",
                                  tenants=[factories.tenant("CA Ailleurs", "ailleurs")])
    _, shared_session = training_session(dbsession, w["network"], "Module partagé")
    _, other_session = training_session(dbsession, elsewhere, "Module d’ailleurs")
    registrations = {key: training_registration(dbsession, t, [w["network"].id],
                                                shared_session, w[f"{key}_admin"])
                     for key, t in (("a", a), ("b", b))}
    # argument name -> (A's object, B's object)
    w["ids"] = {
        "slug": ("fiche-locale-alpha", "fiche-confidentielle-beta"),
        "session_id": (shared_session.id, other_session.id),
        "registration_id": (registrations["a"], registrations["b"]),
        "proposal_id": (proposal(dbsession, a_fiche, "Proposition Alpha", tenant_id=a.id),
                        proposal(dbsession, b_fiche, f"Proposition {secret}",
                                 tenant_id=b.id)),
        "commune_id": (w["a_communes"][0].id, w["b_communes"][0].id),
        "relais_id": (w["a_relais"].id, w["b_relais"].id),
        "point_id": (w["a_point"].id, w["b_point"].id),
        "user_id": (w["a_agent"].id, w["b_agent"].id),
        "role_id": (w["a_agent_role"].id, w["b_agent_role"].id),
        "invitation_id": (w["a_invitation"], w["b_invitation"]),
    }
    # Events and committees owned by each tenant (the network's are in network_world).
    a_space = tenancy.Space.for_tenant(a.id, [w["network"].id])
    b_space = tenancy.Space.for_tenant(b.id, [w["network"].id])
    w["ids"] |= pair(
        event_objects(dbsession, a_space, "Alpha", w["a_agent"], w["a_admin"], a_space, None),
        event_objects(dbsession, b_space, secret, w["b_agent"], w["b_admin"], b_space, None))
    w["b_secret_names"] += [f"Comité {secret}", f"Réunion {secret}", f"Décision {secret}",
                            f"Action {secret}", f"Compte rendu {secret}"]
    w["b_users"] = [w["b_admin"].id, w["b_agent"].id]
    w["a_id"], w["b_id"], w["a_slug"] = a.id, b.id, a.slug
    return w


def combinations(rule: Rule, ids: dict) -> list[dict]:
    """All arguments foreign, then each one foreign with the others A's own."""
    names = object_arguments(rule)
    unknown = [n for n in names if n not in ids]
    assert not unknown, (
        f"{rule.endpoint} ({rule.rule}) takes {unknown}: map these argument names to an "
        f"object of A and an object of B in {__name__}, so the route is covered")
    combos = [{n: ids[n][1] for n in names}]
    if len(names) > 1:
        for foreign in names:
            combos.append({n: ids[n][1] if n == foreign else ids[n][0] for n in names})
    return combos


def run_matrix(app, client, rules, ids, slug_values, token) -> tuple[int, list[str]]:
    checked, problems = 0, []
    for rule in rules:
        if not object_arguments(rule):
            continue
        for combo in combinations(rule, ids):
            url = build(rule, {**slug_values, **combo})
            for method in methods(rule):
                data = {"csrf_token": token, **PAYLOAD} if method != "GET" else None
                response = client.open(url, method=method, data=data)
                checked += 1
                if response.status_code != 404:
                    problems.append(f"{method} {url} ({rule.endpoint}, {combo}) -> "
                                    f"{response.status_code}")
    return checked, problems


def test_another_tenants_ids_are_404_for_every_method(app, client, dbsession, login,
                                                     tenant_world):
    w = tenant_world
    before = snapshot(dbsession, "tenant_id", w["b_id"], w["b_users"])
    token = login("admin.a@example.org")
    rules = space_rules(app, "/t/<tenant_slug>")
    assert any(int_arguments(r) for r in rules), "no tenant route with an id: nothing tested"
    checked, problems = run_matrix(app, client, rules, w["ids"],
                                   {"tenant_slug": w["a_slug"]}, token)
    assert not problems, "another tenant's objects reachable:\n" + "\n".join(problems)
    assert checked >= 10
    assert snapshot(dbsession, "tenant_id", w["b_id"], w["b_users"]) == before
    assert client.get(f"/t/{w['a_slug']}/").status_code == 200  # still signed in


# Endpoints whose own object is of another kind than the argument name says: a complement
# is written under a network fiche (the foreign object stays B's local fiche).
OWN_OVERRIDES = {"fiches.complement": {"slug": "fiche-du-reseau"}}


def test_own_ids_open_the_same_pages(app, client, dbsession, login, tenant_world):
    """The control group: with A's own objects, the GET pages of the matrix do open, so
    their 404 with B's objects is about B, not about a broken page."""
    w = tenant_world
    fiche(dbsession, "fiche-du-reseau", "Fiche du réseau", network_id=w["network"].id)
    login("admin.a@example.org")
    problems = []
    for rule in space_rules(app, "/t/<tenant_slug>"):
        names = object_arguments(rule)
        if not names or "GET" not in methods(rule):
            continue
        own = {n: w["ids"][n][0] for n in names} | OWN_OVERRIDES.get(rule.endpoint, {})
        url = build(rule, {"tenant_slug": w["a_slug"], **own})
        status = client.get(url, follow_redirects=True).status_code
        if status != 200:
            problems.append(f"GET {url} -> {status}")
    assert not problems, "\n".join(problems)


def test_tenant_pages_show_nothing_of_another_tenant(app, client, dbsession, login,
                                                    tenant_world):
    w = tenant_world
    login("admin.a@example.org")
    pages, leaks = 0, []
    for rule in space_rules(app, "/t/<tenant_slug>"):
        if set(rule.arguments) != {"tenant_slug"} or "GET" not in methods(rule):
            continue
        response = client.get(build(rule, {"tenant_slug": w["a_slug"]}))
        if response.status_code != 200:
            continue
        pages += 1
        html = response.get_data(as_text=True)
        leaks += [f"{rule.rule}: {name}" for name in w["b_secret_names"] if name in html]
    assert pages >= 3
    assert not leaks, "names of another tenant's objects shown:\n" + "\n".join(leaks)


def test_a_form_cannot_link_own_rows_to_another_tenants_objects(app, client, dbsession,
                                                               login, tenant_world):
    """Ids inside the form body (commune_id, relais_id, communes…) are looked up in the
    space too: posting B's ids to A's forms links nothing of A to B."""
    w = tenant_world
    ids = w["ids"]
    b_ids = {
        "commune_id": ids["commune_id"][1], "relais_id": ids["relais_id"][1],
        "reception_point_id": ids["point_id"][1],
        "communes": [c.id for c in w["b_communes"]],
    }
    before = snapshot(dbsession, "tenant_id", w["b_id"], w["b_users"])
    token = login("admin.a@example.org")
    errors = []
    for rule in space_rules(app, "/t/<tenant_slug>"):
        if "POST" not in methods(rule) or "supprimer" in rule.rule or "retirer" in rule.rule:
            continue
        names = object_arguments(rule)
        if any(n not in ids for n in names):
            continue  # reported by the matrix test
        url = build(rule, {"tenant_slug": w["a_slug"], **{n: ids[n][0] for n in names}})
        response = client.post(url, data={"csrf_token": token, **PAYLOAD, **b_ids})
        if response.status_code >= 500:
            errors.append(f"POST {url} -> {response.status_code}")
    assert not errors, "\n".join(errors)
    with tenancy.unscoped("look for cross links", dbsession):
        columns = dbsession.execute(sa.text("""
            select c.relname, a.attname from pg_class c
            join pg_namespace n on n.oid = c.relnamespace
            join pg_attribute a on a.attrelid = c.oid
            where n.nspname = 'public' and c.relkind = 'r' and a.attnum > 0
              and a.attname in ('commune_id', 'relais_id', 'reception_point_id')
              and exists (select 1 from pg_attribute t where t.attrelid = c.oid
                          and t.attname = 'tenant_id')""")).all()
        targets = {"commune_id": [c.id for c in w["b_communes"]],
                   "relais_id": [ids["relais_id"][1]],
                   "reception_point_id": [ids["point_id"][1]]}
        links = []
        for table, column in columns:
            found = dbsession.scalar(sa.text(
                f'select count(*) from "{table}" where tenant_id = :a and {column} = any(:ids)'),
                {"a": w["a_id"], "ids": targets[column]})
            if found:
                links.append(f"{table}.{column}: {found} row(s) of A point at B")
    assert columns, "no linking column found: the check would be empty"
    assert not links, "\n".join(links)
    assert snapshot(dbsession, "tenant_id", w["b_id"], w["b_users"]) == before


# --------------------------------------------------------------------------- networks

@pytest.fixture()
def network_world(dbsession):
    w = factories.two_tenants_world()
    n1 = w["network"]
    c = factories.tenant("CA Gamma Confidentielle", "gamma")
    n2 = factories.network("Réseau Confidentiel Deux", "reseau-deux", tenants=[c])
    coord2 = factories.user("coord.deux@example.org", "Coordinatrice Confidentielle Deux")
    role2 = factories.network_role(coord2, n2)
    colleague = factories.user("coord.collegue@example.org", "Collègue Coordinatrice")
    role1 = factories.network_role(colleague, n1)
    org1 = w["organisation"]
    org2 = factories.organisation(n2, name="Partenaire Confidentiel Deux")
    n1_fiche = fiche(dbsession, "fiche-reseau-un", "Fiche du réseau un", network_id=n1.id)
    n2_fiche = fiche(dbsession, "fiche-confidentielle-deux", "Fiche Confidentielle Deux",
                     network_id=n2.id)
    module1, session1 = training_session(dbsession, n1, "Module du réseau un")
    module2, session2 = training_session(dbsession, n2, "Module Confidentiel Deux")
    c_person = factories.user("animatrice.gamma@example.org", "Animatrice Gamma")
    w["ids"] = {
        "slug": ("fiche-reseau-un", "fiche-confidentielle-deux"),
        "module_id": (module1.id, module2.id),
        "session_id": (session1.id, session2.id),
        "registration_id": (
            training_registration(dbsession, w["a"], [n1.id], session1, w["a_admin"]),
            training_registration(dbsession, c, [n2.id], session2, c_person)),
        "proposal_id": (
            proposal(dbsession, n1_fiche, "Proposition au réseau un", tenant_id=w["a"].id,
                     network_id=n1.id),
            proposal(dbsession, n2_fiche, "Proposition Confidentielle Deux", tenant_id=c.id,
                     network_id=n2.id)),
        "role_id": (role1.id, role2.id),
        "invitation_id": (invitation(dbsession, "invitee.un@example.org", network_id=n1.id),
                          invitation(dbsession, "invitee.confidentielle.deux@example.org",
                                     network_id=n2.id)),
        "org_id": (org1.id, org2.id),
        "contact_id": (contact(dbsession, org1, "Contact Réseau Un"),
                       contact(dbsession, org2, "Contact Confidentiel Deux")),
        "tenant_id": (w["a"].id, c.id),
        "user_id": (colleague.id, coord2.id),
    }
    n1_space = tenancy.Space.for_network(n1.id, [w["a"].id, w["b"].id])
    n2_space = tenancy.Space.for_network(n2.id, [c.id])
    w["ids"] |= pair(
        event_objects(dbsession, n1_space, "Réseau Un", colleague, w["a_admin"],
                      tenancy.Space.for_tenant(w["a"].id, [n1.id]), n1.id),
        event_objects(dbsession, n2_space, "Confidentiel Deux", coord2, c_person,
                      tenancy.Space.for_tenant(c.id, [n2.id]), n2.id))
    w["n2_secret_names"] = ["Comité Confidentiel Deux", "Réunion Confidentiel Deux",
                            "Décision Confidentiel Deux", "Action Confidentiel Deux",
                            "CA Gamma Confidentielle", "Coordinatrice Confidentielle Deux",
                            "coord.deux@example.org", "Partenaire Confidentiel Deux",
                            "Contact Confidentiel Deux",
                            "invitee.confidentielle.deux@example.org",
                            "Fiche Confidentielle Deux", "Proposition Confidentielle Deux"]
    w["n1_slug"], w["n2_id"], w["c_id"] = n1.slug, n2.id, c.id
    w["n2_users"] = [coord2.id, c_person.id]
    return w


def test_another_networks_ids_are_404_for_every_method(app, client, dbsession, login,
                                                      network_world):
    w = network_world
    before = (snapshot(dbsession, "network_id", w["n2_id"], w["n2_users"]),
              snapshot(dbsession, "tenant_id", w["c_id"], []))
    token = login("coord@example.org")
    rules = space_rules(app, "/n/<network_slug>")
    assert any(int_arguments(r) for r in rules), "no network route with an id: nothing tested"
    checked, problems = run_matrix(app, client, rules, w["ids"],
                                   {"network_slug": w["n1_slug"]}, token)
    assert not problems, "another network's objects reachable:\n" + "\n".join(problems)
    assert checked >= 10
    after = (snapshot(dbsession, "network_id", w["n2_id"], w["n2_users"]),
             snapshot(dbsession, "tenant_id", w["c_id"], []))
    assert after == before
    assert client.get(f"/n/{w['n1_slug']}/").status_code == 200


def test_own_network_ids_open_the_same_pages(app, client, dbsession, login, network_world):
    w = network_world
    login("coord@example.org")
    problems = []
    for rule in space_rules(app, "/n/<network_slug>"):
        names = object_arguments(rule)
        if not names or "GET" not in methods(rule):
            continue
        url = build(rule, {"network_slug": w["n1_slug"], **{n: w["ids"][n][0] for n in names}})
        status = client.get(url, follow_redirects=True).status_code
        if status != 200:
            problems.append(f"GET {url} -> {status}")
    assert not problems, "\n".join(problems)


def test_network_pages_show_nothing_of_another_network(app, client, dbsession, login,
                                                      network_world):
    w = network_world
    login("coord@example.org")
    pages, leaks = 0, []
    for rule in space_rules(app, "/n/<network_slug>"):
        if set(rule.arguments) != {"network_slug"} or "GET" not in methods(rule):
            continue
        response = client.get(build(rule, {"network_slug": w["n1_slug"]}))
        if response.status_code != 200:
            continue
        pages += 1
        html = response.get_data(as_text=True)
        leaks += [f"{rule.rule}: {name}" for name in w["n2_secret_names"] if name in html]
    assert pages >= 3
    assert not leaks, "names of another network's objects shown:\n" + "\n".join(leaks)


def test_a_network_cannot_reach_a_member_tenants_private_rows(app, client, dbsession, login,
                                                             network_world):
    """A member's reception points and roles stay private, even to its own network."""
    w = network_world
    rename(dbsession, w["a_point"], name="Guichet Privé Alpha")
    login("coord@example.org")
    for rule in space_rules(app, "/n/<network_slug>"):
        if "GET" not in methods(rule):
            continue
        names = object_arguments(rule)
        if any(n not in w["ids"] for n in names):
            continue
        url = build(rule, {"network_slug": w["n1_slug"], **{n: w["ids"][n][0] for n in names}})
        html = client.get(url).get_data(as_text=True)
        assert "Guichet Privé Alpha" not in html, url
