"""Training in a real browser, on the demo programme: an animator joins the waiting list of
a full session, leaves it, registers to a session with seats and opens her record; the
coordinator marks attendance of a past session. axe on every page of the flow."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

ANIMATOR = "animatrice.rpe@demo.maillage.fr"
COORDINATOR = "coordinatrice@demo.maillage.fr"
FULL = "Réunion thématique : accueil de l’enfant en situation de handicap"
WITH_SEATS = "Plénière des relais"
PAST_MODULE = "Le contrat de travail de l’assistant·e maternel·le"


def _status(page) -> str:
    """The animator's situation on a session page (« Votre situation : … »)."""
    return page.locator("p", has_text="Votre situation").inner_text()


def test_animator_waits_cancels_and_registers(page, check_a11y, snapshot):
    sign_in(page, ANIMATOR)
    violations = []
    page.get_by_role("link", name="Formations", exact=True).first.click()
    page.wait_for_load_state("load")
    assert page.url.endswith("/t/saint-brieuc-armor/formations")
    violations += check_a11y(page, "formations")
    snapshot(page, "formations")

    page.get_by_role("link", name=FULL, exact=True).click()
    page.wait_for_load_state("load")
    assert "Places restantes : 0" in page.locator("main").inner_text()
    assert "Non inscrit·e" in _status(page)
    violations += check_a11y(page, "session complète")
    page.get_by_role("button", name="Rejoindre la liste d’attente").click()
    page.wait_for_load_state("load")
    flash = page.locator("#messages").inner_text()
    assert re.search(r"liste d’attente \(position \d+\)", flash), flash
    assert re.search(r"En liste d’attente \(position \d+\)", _status(page))
    violations += check_a11y(page, "liste d’attente")
    snapshot(page, "waiting-list")

    page.get_by_role("link", name="Annuler mon inscription").click()
    page.wait_for_load_state("load")
    assert "Vous quitterez la liste d’attente." in page.locator("main").inner_text()
    violations += check_a11y(page, "confirmation d’annulation")
    snapshot(page, "cancel-confirmation")
    page.get_by_role("button", name="Confirmer l’annulation").click()
    page.wait_for_load_state("load")
    assert "Votre inscription est annulée." in page.locator("#messages").inner_text()
    assert "Non inscrit·e" in _status(page)
    assert page.get_by_role("button", name="Rejoindre la liste d’attente").is_visible()

    page.get_by_role("link", name="Formations", exact=True).first.click()
    page.wait_for_load_state("load")
    page.get_by_role("link", name=WITH_SEATS, exact=True).click()
    page.wait_for_load_state("load")
    page.get_by_role("button", name="M’inscrire").click()
    page.wait_for_load_state("load")
    assert "Inscription confirmée." in page.locator("#messages").inner_text()
    assert "Inscrit·e" in _status(page)
    violations += check_a11y(page, "inscription confirmée")
    snapshot(page, "registered")

    page.get_by_role("link", name="Formations", exact=True).first.click()
    page.wait_for_load_state("load")
    page.get_by_role("link", name="Mon parcours de formation").click()
    page.wait_for_load_state("load")
    record = page.locator("main").inner_text()
    assert WITH_SEATS in record and PAST_MODULE in record
    violations += check_a11y(page, "mon parcours")
    snapshot(page, "parcours")

    assert violations == [], "\n".join(violations)
    assert page.console_errors == []


def test_coordinator_marks_attendance_of_a_past_session(page, check_a11y, snapshot):
    sign_in(page, COORDINATOR)
    violations = []
    page.goto("/n/cotes-d-armor/formations")
    assert "Catalogue des formations" in page.locator("h1").inner_text()
    violations += check_a11y(page, "catalogue")
    snapshot(page, "catalogue")

    page.get_by_role("link", name=PAST_MODULE, exact=True).click()
    page.wait_for_load_state("load")
    violations += check_a11y(page, "module")
    page.locator("#sessions li", has_text="Terminée").first.get_by_role("link").click()
    page.wait_for_load_state("load")
    violations += check_a11y(page, "session passée")
    snapshot(page, "past-session")

    page.get_by_role("link", name="Présences", exact=True).click()
    page.wait_for_load_state("load")
    violations += check_a11y(page, "présences")
    absent = page.locator("input[name=present]:not(:checked)").first
    box_id = absent.get_attribute("id")
    absent.check()
    page.get_by_role("button", name="Enregistrer les présences").click()
    page.wait_for_load_state("load")
    assert "Présences enregistrées." in page.locator("#messages").inner_text()
    assert page.locator(f"#{box_id}").is_checked()
    violations += check_a11y(page, "présences enregistrées")
    snapshot(page, "attendance-saved")

    assert violations == [], "\n".join(violations)
    assert page.console_errors == []
