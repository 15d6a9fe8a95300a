"""Going back after sign-in (and after « J'ai pris connaissance ») never leaves the site."""

import pytest

from app.core.views import safe_next
from tests import factories
from tests.conftest import csrf_from


@pytest.mark.parametrize("target", [
    "//evil.example", "/\t/evil.example", "/%09/evil.example".replace("%09", "\t"),
    "/\\evil.example", "https://evil.example/", "javascript:alert(1)", "", None,
    "/ok\r\nSet-Cookie: x=1",
])
def test_unsafe_targets_are_refused(target):
    assert safe_next(target) is None


def test_local_paths_are_kept():
    assert safe_next("/t/alpha/fiches?q=creche") == "/t/alpha/fiches?q=creche"


def test_login_ignores_a_next_that_leaves_the_site(client):
    factories.user("redir@example.org", platform_admin=True)
    token = csrf_from(client.get("/connexion").get_data(as_text=True))
    response = client.post("/connexion?next=/%09/evil.example", data={
        "csrf_token": token, "email": "redir@example.org", "password": factories.PASSWORD})
    assert response.status_code == 302
    assert "evil" not in response.headers["Location"]
