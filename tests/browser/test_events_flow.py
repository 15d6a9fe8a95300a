"""Forums and committees in a real browser, on the demo data.

1. The coordinator creates a partner forum, gives it an agenda, invites partner contacts
   and publishes it; the jobs worker sends the invitations; a partner, who has no account,
   answers through the link of their e-mail; the coordinator sees the answer.
2. elu.langueux asks to join the association of elected officials; the coordinator
   accepts; the official finds the next meeting in « Mes invitations » and answers it,
   on a phone-sized screen.
axe on every page of both flows.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from tests.browser.conftest import last_mail_to, run_worker_once, sign_in

pytestmark = pytest.mark.browser

COORDINATOR = "coordinatrice@demo.maillage.fr"
ELECTED = "elu.langueux@demo.maillage.fr"
ASSOCIATION = "Association des élus du réseau petite enfance"
FORUM = "Forum des partenaires — parcours du navigateur"


def _go(page, link_name: str) -> None:
    page.get_by_role("link", name=link_name, exact=True).first.click()
    page.wait_for_load_state("load")


def _messages(page) -> str:
    return page.locator("#messages").inner_text()


def test_coordinator_invites_partners_and_a_partner_answers_by_link(
        page, browser, live_server, check_a11y, snapshot):
    violations = []
    sign_in(page, COORDINATOR)
    _go(page, "Événements")
    assert page.url.endswith("/n/cotes-d-armor/evenements")
    violations += check_a11y(page, "événements du réseau")
    _go(page, "Nouvel événement")
    page.get_by_label("Type d’événement").select_option(label="Forum des partenaires")
    page.get_by_label("Titre").fill(FORUM)
    day = date.today() + timedelta(days=40)
    page.get_by_label("Début").fill(f"{day.isoformat()}T09:00")
    page.get_by_label("Fin").fill(f"{day.isoformat()}T12:30")
    page.get_by_label("Adresse ou salle").fill("Maison de l’enfance, Saint-Brieuc")
    violations += check_a11y(page, "nouvel événement")
    page.get_by_role("button", name="Créer le brouillon").click()
    page.wait_for_load_state("load")
    assert FORUM in page.locator("h1").inner_text()
    snapshot(page, "forum créé")

    _go(page, "Ordre du jour")
    for title, presenter in (("Accueil et tour de table", "CAF des Côtes-d'Armor"),
                             ("Les besoins d’accueil des familles", "PMI")):
        page.get_by_label("Intitulé").fill(title)
        page.get_by_label("Présenté par (facultatif)").fill(presenter)
        page.get_by_label("Durée en minutes (facultatif)").fill("30")
        page.get_by_role("button", name="Ajouter le point").click()
        page.wait_for_load_state("load")
    assert "Les besoins d’accueil des familles" in page.locator("main").inner_text()
    violations += check_a11y(page, "ordre du jour")

    _go(page, "Inviter")
    contacts = page.locator("section", has=page.get_by_role(
        "heading", name="Contacts des partenaires")).get_by_role("checkbox")
    assert contacts.count() >= 3
    first_label = page.locator(f"label[for='{contacts.nth(0).get_attribute('id')}']")
    partner_email = re.search(r"[\w.+-]+@[\w.-]+", first_label.inner_text()).group(0)
    for i in range(3):
        contacts.nth(i).check()
    violations += check_a11y(page, "invitations")
    page.get_by_role("button", name="Inviter les contacts cochés").click()
    page.wait_for_load_state("load")
    assert re.search(r"3 (personnes|invitations)", _messages(page)), _messages(page)

    _go(page, "Vue d’ensemble")
    page.get_by_role("button", name=re.compile(r"^Publier et envoyer 3 invitations")).click()
    page.wait_for_load_state("load")
    snapshot(page, "forum publié")
    violations += check_a11y(page, "forum publié")

    run_worker_once()
    mail = last_mail_to(partner_email)
    assert FORUM in mail
    link = re.search(r"https?://\S+/invitation/\S+/repondre", mail).group(0)
    assert link.startswith(live_server)

    # The partner has no account: a fresh browser, no sign-in, a phone screen.
    partner = browser.new_context(base_url=live_server, locale="fr-FR",
                                  viewport={"width": 390, "height": 844})
    try:
        phone = partner.new_page()
        phone.goto(link)
        main = phone.locator("main").inner_text()
        assert FORUM in main and "Les besoins d’accueil des familles" in main
        violations += check_a11y(phone, "lien d’invitation (partenaire)")
        phone.get_by_label("Oui, je serai présent·e").check()
        phone.get_by_label("Nombre de personnes, vous compris").fill("2")
        phone.get_by_role("button", name="Enregistrer ma réponse").click()
        phone.wait_for_load_state("load")
        assert "Merci, votre réponse est enregistrée" in phone.locator("body").inner_text()
        violations += check_a11y(phone, "réponse enregistrée (partenaire)")
        snapshot(phone, "réponse du partenaire")
    finally:
        partner.close()

    page.reload()
    _go(page, "Réponses")
    row = page.locator("tr", has_text=partner_email)
    assert row.count() == 1
    cells = row.locator("td").all_inner_texts()
    assert "Oui" in cells and "2" in cells, cells
    violations += check_a11y(page, "réponses")
    snapshot(page, "réponses")
    assert violations == [], "\n".join(violations)


def test_elected_official_joins_a_committee_and_answers_its_meeting(
        page, browser, live_server, check_a11y, snapshot):
    violations = []
    sign_in(page, ELECTED)
    _go(page, "Comités")
    violations += check_a11y(page, "comités (élu)")
    _go(page, ASSOCIATION)
    page.get_by_label("Message (facultatif)").fill("Je représente la commune de Langueux.")
    violations += check_a11y(page, "comité (élu)")
    page.get_by_role("button", name="Demander à rejoindre").click()
    page.wait_for_load_state("load")
    assert "en attente" in page.locator("main").inner_text()
    snapshot(page, "demande envoyée")

    coordinator = browser.new_context(base_url=live_server, locale="fr-FR",
                                      viewport={"width": 1280, "height": 900})
    try:
        desk = coordinator.new_page()
        sign_in(desk, COORDINATOR)
        _go(desk, "Comités")
        _go(desk, ASSOCIATION)
        desk.get_by_role("link", name=re.compile(r"^Examiner")).first.click()
        desk.wait_for_load_state("load")
        assert "Langueux" in desk.locator("main").inner_text()
        violations += check_a11y(desk, "demande d’adhésion (coordination)")
        desk.get_by_role("button", name="Accepter la demande").click()
        desk.wait_for_load_state("load")
        accepted = desk.locator("main").inner_text()
        assert "Demande acceptée" in accepted and "Invitation en cours d’envoi pour 1 réunion" in accepted
        snapshot(desk, "demande acceptée")
    finally:
        coordinator.close()

    page.set_viewport_size({"width": 390, "height": 844})
    _go(page, "Événements")
    mine = page.locator("section", has=page.get_by_role("heading", name="Mes invitations"))
    assert "association des élus" in mine.inner_text().lower()
    violations += check_a11y(page, "mes invitations (téléphone)")
    snapshot(page, "mes invitations")
    mine.get_by_role("link", name=re.compile(r"^Répondre")).first.click()
    page.wait_for_load_state("load")
    assert "/invitation/" in page.url
    page.get_by_label("Oui, je serai présent·e").check()
    page.get_by_role("button", name="Enregistrer ma réponse").click()
    page.wait_for_load_state("load")
    assert "Merci, votre réponse est enregistrée" in page.locator("body").inner_text()
    violations += check_a11y(page, "réponse de l’élu")
    snapshot(page, "réponse de l’élu")
    assert violations == [], "\n".join(violations)
