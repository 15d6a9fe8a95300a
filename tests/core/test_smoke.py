from tests import factories


def test_healthz_answers_when_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_login_page_is_french_and_has_labels(client):
    html = client.get("/connexion").get_data(as_text=True)
    assert '<html lang="fr">' in html
    assert 'for="f-email"' in html and 'for="f-password"' in html


def test_admin_can_sign_in(client, login):
    factories.user("boss@example.org", platform_admin=True)
    login("boss@example.org")
    assert client.get("/admin/").status_code == 200
