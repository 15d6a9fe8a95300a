"""Accounts: the invitation to join a space and the password reset, each asked for as a
person does it in the browser, carried by the real worker to the real SMTP server, and the
link in the message followed to its end (an account created, a password changed)."""

from __future__ import annotations

TENANT = "saint-brieuc-armor"
TENANT_ADMIN = "admin.sbaa@demo.maillage.fr"
# An extra reception agent of the demo that no other test of the lane uses: its password is
# changed here.
RESET_ACCOUNT = "soizic.hamon@demo.maillage.fr"


def _only_link(received, contains: str) -> str:
    links = [link for link in received.links() if contains in link]
    assert len(links) == 1, f"expected one link with « {contains} » in: {received.body}"
    return links[0]


def test_invitation_by_a_tenant_admin_opens_account_creation_and_the_account_signs_in(
        live, as_user):
    invitee = "bleuenn.invitee@mairie-plerin.test"
    password = "Chemin des douaniers 22"
    admin = as_user(TENANT_ADMIN)
    response = admin.post(f"/t/{TENANT}/personnes/inviter",
                          {"email": invitee, "full_name": "Bleuenn Invitée",
                           "role": "reception_agent", "reception_point_id": "",
                           "relais_id": "", "commune_id": ""})
    assert response.status == 200 and response.url.endswith(f"/t/{TENANT}/personnes"), response
    assert invitee in response.text  # the flash, and the invitation waiting for an answer

    received, = live.inbox.wait_for(invitee, "invitation")
    assert received.to == invitee
    assert "Saint-Brieuc Armor Agglomération" in received.subject
    assert "Bleuenn Invitée" in received.body
    link = _only_link(received, "/invitation/")
    assert link.startswith(f"{live.base_url}/invitation/")

    invitee_browser = live.browser()  # no account yet: the link alone
    page = invitee_browser.get(link)
    assert page.status == 200, page
    assert "Saint-Brieuc Armor Agglomération" in page.text
    assert "Créez votre compte pour accepter" in page.text
    assert "Agent d’accueil" in page.text
    created = invitee_browser.post(link, {"full_name": "Bleuenn Invitée", "password": password,
                                          "confirm": password})
    assert created.status == 200 and created.url.endswith(f"/t/{TENANT}/"), created
    assert "Bienvenue" in created.text

    # The link served once; the new account signs in with its own password.
    assert live.browser().get(link).status == 410
    later = live.browser()
    home = later.login(invitee, password)
    assert home.url.endswith(f"/t/{TENANT}/")
    assert "Bonjour Bleuenn Invitée" in home.text
    assert "agent d’accueil" in home.text
    assert live.sql("select r.role from tenant_role r join user_account u on u.id = r.user_id"
                    " join tenant t on t.id = r.tenant_id where u.email = %s and t.slug = %s",
                    (invitee, TENANT)) == [("reception_agent",)]


def test_password_reset_link_sets_a_new_password_that_signs_in(live):
    new_password = "Marée haute à Binic 2027"
    visitor = live.browser()
    asked = visitor.post("/mot-de-passe-oublie", {"email": RESET_ACCOUNT})
    assert asked.status == 200 and asked.url.endswith("/connexion"), asked
    assert "lien de réinitialisation" in asked.text

    received, = live.inbox.wait_for(RESET_ACCOUNT, "réinitialiser votre mot de passe")
    assert received.to == RESET_ACCOUNT
    assert "Bonjour Soizic Hamon" in received.body
    link = _only_link(received, "/mot-de-passe/")
    assert link.startswith(f"{live.base_url}/mot-de-passe/")

    page = visitor.get(link)
    assert page.status == 200, page
    assert "Choisir un nouveau mot de passe" in page.text
    changed = visitor.post(link, {"password": new_password, "confirm": new_password})
    assert changed.status == 200 and changed.url.endswith("/connexion"), changed
    assert "Votre mot de passe a été changé" in changed.text

    # Single use; the new password signs in, the demo one no longer does.
    assert live.browser().get(link).status == 410
    home = live.browser().login(RESET_ACCOUNT, new_password)
    assert home.url.endswith(f"/t/{TENANT}/")
    assert "Bonjour Soizic Hamon" in home.text
    old = live.browser().post("/connexion", {"email": RESET_ACCOUNT,
                                             "password": "maillage-demo"})
    assert old.status == 400 and "/connexion" in old.url
    assert "Adresse e-mail ou mot de passe incorrect" in old.text
