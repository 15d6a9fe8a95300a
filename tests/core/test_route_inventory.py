"""Every URL of the application is either explicitly public or closed to anonymous visitors.

A new route that nobody classified fails here: protect it (a space blueprint, or
@login_required), or add it to tests/public_routes.py with the reason it is public.
"""

from __future__ import annotations

import contextlib

import pytest
from werkzeug.routing import IntegerConverter, Rule

from tests import factories
from tests.public_routes import PUBLIC_ENDPOINTS

IGNORED_METHODS = {"HEAD", "OPTIONS"}
SPACE_PREFIXES = ("/t/", "/n/", "/admin")


def all_rules(app) -> list[Rule]:
    return sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint))


def methods(rule: Rule) -> list[str]:
    return sorted((rule.methods or set()) - IGNORED_METHODS)


def dummy_values(rule: Rule, **known) -> dict:
    values = {}
    for name in rule.arguments:
        if name in known:
            values[name] = known[name]
        elif isinstance(rule._converters.get(name), IntegerConverter):
            values[name] = 1
        else:
            values[name] = "x"
    return values


def build(rule: Rule, values: dict) -> str:
    built = rule.build(values, append_unknown=False)
    assert built is not None, f"cannot build {rule.rule} with {values}"
    return built[1]


@contextlib.contextmanager
def csrf_disabled(app):
    previous = app.config.get("WTF_CSRF_ENABLED", True)
    app.config["WTF_CSRF_ENABLED"] = False
    try:
        yield
    finally:
        app.config["WTF_CSRF_ENABLED"] = previous


def test_the_public_list_names_only_existing_endpoints(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    stale = sorted(set(PUBLIC_ENDPOINTS) - endpoints)
    assert not stale, f"tests/public_routes.py lists endpoints that no longer exist: {stale}"


def test_the_inventory_sees_the_space_blueprints(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    for expected in ("tenants.home", "networks.home", "platform.home", "core.spaces"):
        assert expected in endpoints


def test_every_non_public_route_sends_anonymous_visitors_to_sign_in(app, client):
    checked, problems = 0, []
    with csrf_disabled(app):
        for rule in all_rules(app):
            if rule.endpoint in PUBLIC_ENDPOINTS:
                continue
            url = build(rule, dummy_values(rule))
            for method in methods(rule):
                response = client.open(url, method=method)
                location = response.headers.get("Location", "")
                checked += 1
                if response.status_code != 302 or not location.startswith("/connexion"):
                    problems.append(f"{method} {url} ({rule.endpoint}) -> "
                                    f"{response.status_code} {location}")
    assert not problems, (
        "routes open to anonymous visitors (protect them, or list them in "
        "tests/public_routes.py with a reason):\n" + "\n".join(problems))
    assert checked > 20


def test_anonymous_posts_with_csrf_on_are_refused_before_anything_else(app, client):
    """Without disabling CSRF, a tokenless POST never reaches a view: 400, French page."""
    for rule in all_rules(app):
        if "POST" not in methods(rule) or rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        response = client.post(build(rule, dummy_values(rule)))
        assert response.status_code == 400, rule.rule
        assert "Formulaire expiré" in response.get_data(as_text=True)


def test_the_sign_in_redirect_remembers_the_page(app, client):
    response = client.get("/espaces")
    assert response.headers["Location"].startswith("/connexion?next=")
    assert "espaces" in response.headers["Location"]


def test_public_routes_answer_anonymous_visitors_without_error(app, client):
    for rule in all_rules(app):
        if rule.endpoint not in PUBLIC_ENDPOINTS or "GET" not in methods(rule):
            continue
        values = dummy_values(rule, filename="css/maillage.css")
        response = client.get(build(rule, values))
        assert response.status_code < 500, rule.rule
        if response.status_code == 302:
            assert response.headers["Location"].startswith("/connexion"), rule.rule


def test_a_signed_in_outsider_gets_404_in_every_space_route(app, client, dbsession, login):
    """Signed in, but with no role in that tenant or network, and not a platform admin:
    every page and action of the tenant, network and platform spaces is a 404."""
    tenant = factories.tenant(slug="territoire-voisin")
    network = factories.network(slug="reseau-voisin", tenants=[tenant])
    outsider = factories.user("curieux@example.org")
    # the outsider holds a role elsewhere: being someone somewhere opens nothing here
    factories.tenant_role(outsider, factories.tenant(slug="chez-moi"), "tenant_admin")
    slugs = {"tenant_slug": tenant.slug, "network_slug": network.slug}
    token = login("curieux@example.org")
    problems, checked = [], 0
    for rule in all_rules(app):
        if not rule.rule.startswith(SPACE_PREFIXES):
            continue
        url = build(rule, dummy_values(rule, **slugs))
        for method in methods(rule):
            data = {"csrf_token": token} if method != "GET" else None
            response = client.open(url, method=method, data=data)
            checked += 1
            if response.status_code != 404:
                problems.append(f"{method} {url} -> {response.status_code}")
    assert not problems, "\n".join(problems)
    assert checked > 10


@pytest.mark.parametrize("path", ["/t/inconnu/", "/n/inconnu/"])
def test_an_unknown_space_slug_is_a_404_once_signed_in(client, dbsession, login, path):
    factories.user("perdu@example.org")
    login("perdu@example.org")
    response = client.get(path)
    assert response.status_code == 404
    assert "Page introuvable" in response.get_data(as_text=True)
