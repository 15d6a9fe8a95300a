"""The reception agent's flow at the desk, in a real browser: search while typing, open the
fiche, log a contact in one click, print; axe on every page of the flow."""

from __future__ import annotations

import pytest

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

AGENT = "accueil.plerin@demo.maillage.fr"


def test_agent_finds_answers_and_logs_a_contact(page, check_a11y, snapshot):
    sign_in(page, AGENT)
    violations = []
    page.get_by_role("link", name="Fiches", exact=True).first.click()
    page.wait_for_load_state("load")
    violations += check_a11y(page, "fiches")
    snapshot(page, "fiches")

    search = page.get_by_label("Que demande la famille ?")
    search.press_sequentially("asistante mat", delay=40)  # a typo, typed as at the desk
    first = page.locator("#results .result h2 a").first
    first.wait_for()
    assert "assistant·e maternel·le" in first.inner_text()
    assert "q=asistante" in page.url  # the address follows the search: a reload keeps it
    assert "{relais" not in page.locator("#results").inner_text()
    violations += check_a11y(page, "résultats")
    snapshot(page, "results")

    first.click()
    page.wait_for_load_state("load")
    body = page.locator("main").inner_text()
    assert "Ce que l’on répond" in body and "Plérin" in body
    assert "{relais" not in body and "{commune" not in body
    violations += check_a11y(page, "fiche")
    snapshot(page, "fiche")

    page.get_by_role("button", name="Noter ce contact (accueil)").click()
    page.locator("#contact-status").get_by_text("Contact noté").wait_for()
    page.get_by_role("button", name="J’ai pris connaissance de cette version").click()
    page.get_by_text("Vous avez pris connaissance de la version").wait_for()
    violations += check_a11y(page, "fiche après contact")

    page.get_by_role("link", name="Imprimer").click()
    page.wait_for_load_state("load")
    page.emulate_media(media="print")
    assert page.locator(".sheet-fiche h1").is_visible()
    assert not page.get_by_role("link", name="← Revenir à la fiche").is_visible()
    page.emulate_media(media="screen")
    violations += check_a11y(page, "impression")
    snapshot(page, "print")

    assert violations == [], "\n".join(violations)
    assert page.console_errors == []


def test_search_without_javascript_still_answers(browser, live_server):
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, AGENT)
        page.goto("/t/saint-brieuc-armor/fiches?q=conge+parental")
        assert "congé parental" in page.locator("#results").inner_text().lower()
    finally:
        context.close()
