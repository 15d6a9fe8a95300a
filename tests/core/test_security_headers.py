"""HTTP security headers, caching of private pages, cookies and error pages."""

from __future__ import annotations

import pytest

from tests import factories


def csp_directives(response) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    directives = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


@pytest.mark.parametrize("path", ["/connexion", "/mot-de-passe-oublie", "/healthz",
                                  "/page-qui-n-existe-pas"])
def test_every_response_carries_the_security_headers(client, dbsession, path):
    response = client.get(path)
    csp = csp_directives(response)
    script_src = csp.get("script-src", csp.get("default-src"))
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert script_src == ["'self'"]
    assert "'unsafe-inline'" not in csp.get("style-src", [])
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["form-action"] == ["'self'"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in {"same-origin", "no-referrer",
                                                   "strict-origin-when-cross-origin"}
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "HX-Request" in response.headers.get("Vary", "")


def test_static_files_get_the_security_headers_but_no_vary_on_htmx(client, dbsession):
    response = client.get("/static/css/maillage.css")
    assert response.status_code == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "HX-Request" not in response.headers.get("Vary", "")


def test_no_inline_script_in_the_shell(client, dbsession):
    html = client.get("/connexion").get_data(as_text=True)
    import re

    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag, f"inline script would be blocked by the CSP: {tag}"
    assert not re.search(r"\son[a-z]+=", html), "inline event handler in the page"
    assert "<style" not in html and 'style="' not in html


def test_signed_in_pages_are_not_stored_by_caches(client, dbsession, login):
    factories.user("prive@example.org")
    login("prive@example.org")
    response = client.get("/espaces")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "HX-Request" in response.headers["Vary"]
    assert "Cookie" in response.headers["Vary"]


def test_token_pages_are_not_stored_by_caches(client, dbsession):
    for path in ("/mot-de-passe/quelque-chose", "/invitation/quelque-chose"):
        response = client.get(path)
        assert response.headers["Cache-Control"] == "no-store", path


def test_hsts_only_when_cookies_are_secure(app, client, dbsession, monkeypatch):
    assert "Strict-Transport-Security" not in client.get("/connexion").headers
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)
    response = client.get("/healthz")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_the_session_cookie_flags(client, dbsession):
    header = client.get("/connexion").headers["Set-Cookie"]
    assert "HttpOnly" in header and "SameSite=Lax" in header


def test_secure_cookie_when_configured(app, client, dbsession, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)
    header = client.get("/connexion").headers["Set-Cookie"]
    assert "Secure" in header


def test_unknown_url_gives_a_french_404_page(client, dbsession):
    response = client.get("/cette/page/n-existe/pas")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert '<html lang="fr">' in html
    assert "Page introuvable" in html
    assert "Traceback" not in html and "werkzeug" not in html.lower()
    assert response.headers["Content-Type"].startswith("text/html")


def test_wrong_method_gives_a_french_405_page(client, dbsession):
    response = client.get("/deconnexion")
    assert response.status_code == 405
    assert "Action non permise" in response.get_data(as_text=True)


def test_an_unexpected_error_gives_a_french_500_page_without_details(app, client, dbsession,
                                                                   monkeypatch):
    def broken():
        raise RuntimeError("secret internal detail: /srv/maillage/app.py line 42")

    monkeypatch.setitem(app.view_functions, "core.healthz", broken)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    response = client.get("/healthz")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Erreur du serveur" in html
    assert "secret internal detail" not in html and "Traceback" not in html
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_healthz_answers(client, dbsession):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_the_login_page_is_french_and_labelled(client, dbsession):
    html = client.get("/connexion").get_data(as_text=True)
    assert '<html lang="fr">' in html
    assert 'for="f-email"' in html and 'id="f-email"' in html
    assert 'for="f-password"' in html and 'id="f-password"' in html
    assert 'autocomplete="current-password"' in html
    assert 'class="skip-link" href="#contenu"' in html and 'id="contenu"' in html
