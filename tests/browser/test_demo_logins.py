"""Each documented demo account signs in through the real login page and lands on its home,
which passes axe (WCAG 2.1 A and AA); the keyboard reaches the skip link first."""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

DOMAIN = "demo.maillage.fr"
ACCOUNTS = [
    ("coordinatrice", "/n/cotes-d-armor/"),
    ("admin.sbaa", "/t/saint-brieuc-armor/"),
    ("accueil.plerin", "/t/saint-brieuc-armor/"),
    ("animatrice.rpe", "/t/saint-brieuc-armor/"),
    ("elu.langueux", "/t/saint-brieuc-armor/"),
    ("admin.lannion", "/t/lannion-tregor/"),
    ("admin", "/admin/"),
]


def path_of(page) -> str:
    return urlparse(page.url).path


def assert_no_console_errors(page) -> None:
    # CSP refusals (an inline script or style) show up here as console errors.
    assert page.console_errors == [], page.console_errors


def focused(page) -> dict:
    return page.evaluate("""() => {
        const el = document.activeElement;
        const box = el.getBoundingClientRect();
        return {tag: el.tagName, id: el.id, cls: el.className,
                href: el.getAttribute('href'), text: el.textContent.trim(),
                visible: box.width > 0 && box.height > 0 && box.top >= 0
                         && box.top < window.innerHeight};
    }""")


def test_login_page_is_accessible(page, snapshot, check_a11y):
    response = page.goto("/connexion")
    assert response.status == 200
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.get_by_role("heading", level=1, name="Connexion").is_visible()
    assert page.title().startswith("Connexion")
    snapshot(page, "connexion")
    assert check_a11y(page, "page de connexion") == []
    assert_no_console_errors(page)


def test_a_failed_sign_in_is_announced_and_accessible(page, snapshot, check_a11y):
    sign_in(page, f"admin@{DOMAIN}", "pas-le-bon-mot-de-passe")
    assert path_of(page) == "/connexion"
    alert = page.get_by_role("alert")
    assert "incorrect" in alert.inner_text()
    # what was typed is kept, except the password
    assert page.get_by_label("Adresse e-mail").input_value() == f"admin@{DOMAIN}"
    assert page.get_by_label(re.compile(r"^Mot de passe")).input_value() == ""
    snapshot(page, "connexion-echouee")
    assert check_a11y(page, "connexion échouée") == []


@pytest.mark.parametrize("path", ["/connexion", "/mot-de-passe-oublie"])
def test_tab_from_the_top_focuses_the_skip_link_first(page, path):
    page.goto(path)
    page.keyboard.press("Tab")
    first = focused(page)
    assert first["cls"] == "skip-link" and first["href"] == "#contenu", first
    assert first["text"] == "Aller au contenu"
    assert first["visible"], "the skip link must become visible when it has the focus"
    page.keyboard.press("Enter")
    assert urlparse(page.url).fragment == "contenu"
    assert focused(page)["id"] == "contenu"


def test_forgot_password_page_is_accessible(page, snapshot, check_a11y):
    page.goto("/connexion")
    page.get_by_role("link", name="Mot de passe oublié ?").click()
    assert path_of(page) == "/mot-de-passe-oublie"
    snapshot(page, "mot-de-passe-oublie")
    assert check_a11y(page, "mot de passe oublié") == []
    page.get_by_label("Adresse e-mail").fill(f"accueil.plerin@{DOMAIN}")
    page.get_by_role("button", name="Recevoir le lien").click()
    page.wait_for_load_state("load")
    assert path_of(page) == "/connexion"
    assert "Si un compte correspond" in page.get_by_role("status").inner_text()
    snapshot(page, "lien-envoye")
    assert check_a11y(page, "connexion après demande de lien") == []


def test_unknown_page_is_a_french_404(page, snapshot, check_a11y):
    response = page.goto("/cette-page-n-existe-pas")
    assert response.status == 404
    assert page.get_by_role("heading", level=1, name="Page introuvable").is_visible()
    snapshot(page, "404")
    assert check_a11y(page, "page 404") == []


@pytest.mark.parametrize(("local", "home"), ACCOUNTS, ids=[a[0] for a in ACCOUNTS])
def test_demo_account_signs_in_and_reaches_an_accessible_home(page, snapshot, check_a11y,
                                                               local, home):
    sign_in(page, f"{local}@{DOMAIN}")
    page.wait_for_url(re.compile(re.escape(home) + r"$"))
    assert path_of(page) == home
    heading = page.get_by_role("heading", level=1)
    assert heading.count() == 1 and heading.is_visible()
    assert heading.inner_text().strip()
    assert page.get_by_role("button", name="Se déconnecter").is_visible()
    snapshot(page, "accueil")
    assert check_a11y(page, f"accueil de {local}@") == []
    assert_no_console_errors(page)
    # from the top of the home page, the keyboard meets the skip link first too
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); }")
    page.goto(page.url)
    page.keyboard.press("Tab")
    assert focused(page)["cls"] == "skip-link"


@pytest.mark.parametrize(("local", "home"), ACCOUNTS, ids=[a[0] for a in ACCOUNTS])
def test_every_page_of_the_space_menu_is_accessible(page, snapshot, check_a11y, local, home):
    """Follow each link of the space's menu: it opens, has one h1, and passes axe."""
    sign_in(page, f"{local}@{DOMAIN}")
    page.wait_for_url(re.compile(re.escape(home) + r"$"))
    menu = page.get_by_role("navigation", name="Menu de l’espace")
    links = [(a.inner_text().strip(), a.get_attribute("href"))
             for a in menu.get_by_role("link").all()]
    assert links, "the space has a menu"
    violations, problems = [], []
    for label, href in links:
        response = page.goto(href)
        if response is None or response.status >= 400:
            problems.append(f"{label} {href}: HTTP {response.status if response else '?'}")
            continue
        if page.get_by_role("heading", level=1).count() != 1:
            problems.append(f"{label} {href}: not exactly one h1")
        current = page.locator('nav[aria-label="Menu de l’espace"] [aria-current="page"]')
        if current.count() != 1:
            problems.append(f"{label} {href}: the menu does not mark the current page")
        snapshot(page, label)
        violations += check_a11y(page, f"{local}@ « {label} »")
    assert not problems, "\n".join(problems)
    assert not violations, "\n".join(violations)
    assert_no_console_errors(page)


def test_sign_out_from_the_header(page):
    sign_in(page, f"elu.langueux@{DOMAIN}")
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_load_state("load")
    assert path_of(page) == "/connexion"
    assert "déconnecté" in page.get_by_role("status").inner_text()
    page.goto("/t/saint-brieuc-armor/")
    assert path_of(page) == "/connexion"
