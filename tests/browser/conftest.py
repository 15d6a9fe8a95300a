"""Browser tests: headless Chromium (Debian's) driving the real server (gunicorn) on a fresh
database loaded with the demo data; axe checks accessibility on every page visited.

Screenshots of every visited page land in test-artifacts/ (git-ignored).
Without /usr/bin/chromium the tests are skipped, unless REQUIRE_BROWSER=1 (CI): then they fail.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg
import pytest

from tests import dbsetup

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
# Engineers running the suite side by side each set TEST_DB_NAME: derive from it so that two
# runs never drop each other's database. Alone (make test, CI): maillage_test_browser.
BROWSER_DB = (f"{os.environ['TEST_DB_NAME']}_browser" if os.environ.get("TEST_DB_NAME")
              else "maillage_test_browser")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
DEMO_PASSWORD = "maillage-demo"
# The live server's environment, for commands a test runs beside it (the jobs worker).
LIVE_ENV: dict[str, str] = {}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _require_chromium() -> None:
    if os.path.exists(CHROMIUM):
        return
    message = f"{CHROMIUM} is missing: install Debian's chromium to run the browser tests"
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(message + " (REQUIRE_BROWSER=1)", pytrace=False)
    pytest.skip(message)


def _run(args: list[str], env: dict, log) -> None:
    result = subprocess.run([sys.executable, "-m", *args], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=600)
    log.write(f"$ {' '.join(args)}\n{result.stdout}{result.stderr}\n")
    log.flush()
    if result.returncode != 0:
        pytest.fail(f"`{' '.join(args)}` failed:\n{result.stdout}\n{result.stderr}",
                    pytrace=False)


def _wait_until_healthy(url: str, server: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"gunicorn stopped with code {server.returncode}; see "
                        f"{ARTIFACTS / f'server-{BROWSER_DB}.log'}", pytrace=False)
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.25)
    pytest.fail(f"the server did not answer {url}/healthz within {seconds} s", pytrace=False)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    # Names are stable (test + step), so each run overwrites its own screenshots; nothing
    # is deleted, since another run may be writing here at the same time.
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def live_server(artifacts) -> str:
    """The product as users get it: migrations, demo data, gunicorn. Yields its base URL."""
    _require_chromium()
    admin_url = dbsetup.server_admin_url()
    owner_url = dbsetup.fresh_database(admin_url, BROWSER_DB)
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DATABASE_URL": owner_url, "MAILLAGE_DEMO": "1",
           "BASE_URL": base_url, "FLASK_APP": "wsgi:app",
           "SECRET_KEY": "browser-tests-only-secret", "PYTHONUNBUFFERED": "1"}
    for name in ("APP_DATABASE_URL", "MAIL_SERVER", "SENTRY_DSN", "SESSION_COOKIE_SECURE"):
        env.pop(name, None)
    LIVE_ENV.clear()
    LIVE_ENV.update(env)
    with open(artifacts / f"server-{BROWSER_DB}.log", "w", encoding="utf-8") as log:
        _run(["flask", "db", "upgrade"], env, log)
        _run(["flask", "demo", "load"], env, log)
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}",
             "--workers", "1", "--threads", "4", "--access-logfile", "-", "wsgi:app"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait_until_healthy(base_url, server)
            yield base_url
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute("select pg_terminate_backend(pid) from pg_stat_activity"
                     " where datname = %s", (BROWSER_DB,))
        conn.execute(f'drop database if exists "{BROWSER_DB}"')


@pytest.fixture(scope="session")
def browser(live_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                              args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture()
def page(browser, live_server):
    """A fresh browser context (no cookies) per test, in French, failing on console errors."""
    context = browser.new_context(base_url=live_server, locale="fr-FR",
                                  viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []

    def on_console(message):
        if message.type != "error":
            return
        url = (message.location or {}).get("url", "")
        if "Failed to load resource" in message.text and url.endswith("/favicon.ico"):
            return  # the browser's own favicon request; the shell declares no icon
        errors.append(f"{message.text} ({url})" if url else message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.console_errors = errors
    try:
        yield page
    finally:
        context.close()


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80] or "page"


@pytest.fixture()
def snapshot(artifacts, request):
    """snapshot(page, name): save a full-page screenshot under test-artifacts/."""
    counter = iter(range(1, 1000))

    def take(page, name: str) -> Path:
        path = artifacts / f"{_slug(request.node.name)}-{next(counter):02d}-{_slug(name)}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture(scope="session")
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@pytest.fixture()
def check_a11y(axe):
    """check_a11y(page, where): run axe (WCAG 2.1 A and AA) and return the violations as
    readable lines (page, rule, elements); an empty list means the page passes."""

    def run(page, where: str) -> list[str]:
        results = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
        if results.violations_count == 0:
            return []
        print(f"\naxe report for {where} ({page.url}):\n{results.generate_report()}")
        lines = []
        for violation in results.response["violations"]:
            targets = [" ".join(map(str, node.get("target", []))) for node in violation["nodes"]]
            lines.append(f"{where} {page.url}: {violation['id']} ({violation['impact']}) "
                         f"{violation['help']} — {', '.join(targets[:5])}")
        return lines

    return run


def sign_in(page, email: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the real form, as a person would: labelled fields, then the button."""
    page.goto("/connexion")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label(re.compile(r"^Mot de passe")).fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state("load")


def run_worker_once() -> None:
    """Run the jobs waiting in the live server's queue (e-mails…), as the worker would."""
    result = subprocess.run([sys.executable, "-m", "flask", "worker", "--once"], cwd=ROOT,
                            env=LIVE_ENV, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def last_mail_to(address: str) -> str:
    """The body of the latest e-mail sent to `address` (the development outbox)."""
    owner = LIVE_ENV["DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(owner) as conn:
        row = conn.execute("select body_text from mail_message where to_address = %s"
                           " order by id desc limit 1", (address,)).fetchone()
    assert row is not None, f"no e-mail to {address}"
    return row[0]
