"""The product as it runs for real, for the tests that prove outcomes: a fresh database with
the migrations and the demo data, gunicorn, the jobs worker (`flask worker`) and a real SMTP
server (aiosmtpd) that the worker delivers to. Nothing here is a test double.

`LiveProduct` is started once per test session by tests/realtime/conftest.py.
"""

from __future__ import annotations

import email
import email.policy
import html
import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from tests import dbsetup

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
DEMO_PASSWORD = "maillage-demo"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
LINK_RE = re.compile(r"https?://\S+")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_cli(args: list[str], env: dict, log, timeout: float = 600) -> str:
    result = subprocess.run([sys.executable, "-m", *args], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=timeout)
    log.write(f"$ {' '.join(args)}\n{result.stdout}{result.stderr}\n")
    log.flush()
    if result.returncode != 0:
        raise RuntimeError(f"`{' '.join(args)}` failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


# --------------------------------------------------------------------------- SMTP


@dataclass
class Received:
    """One message as the SMTP server got it."""

    mail_from: str
    rcpt_tos: list[str]
    message: email.message.EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def to(self) -> str:
        return str(self.message["To"])

    @property
    def body(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        return part.get_content() if part is not None else ""

    def links(self) -> list[str]:
        return [link.rstrip(".,;)»") for link in LINK_RE.findall(self.body)]

    def attachments(self) -> list[str]:
        return [part.get_filename() or "" for part in self.message.iter_attachments()]


class Inbox:
    """A real SMTP server (aiosmtpd, on a free port of the loopback) keeping what it gets."""

    def __init__(self):
        self.messages: list[Received] = []
        self._changed = threading.Condition()
        self.port = free_port()
        self._controller = None

    # aiosmtpd calls this for each DATA command.
    async def handle_DATA(self, server, session, envelope):
        parsed = email.message_from_bytes(envelope.original_content or envelope.content,
                                          policy=email.policy.default)
        with self._changed:
            self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), parsed))
            self._changed.notify_all()
        return "250 Message accepted for delivery"

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()

    def to(self, address: str) -> list[Received]:
        with self._changed:
            return [m for m in self.messages if address.lower() in
                    [r.lower() for r in m.rcpt_tos]]

    def wait_for(self, address: str, subject_contains: str = "", timeout: float = 30,
                 count: int = 1) -> list[Received]:
        """The messages to `address` (whose subject holds `subject_contains`) once `count` of
        them have arrived; fails after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = [m for m in self.to(address) if subject_contains in m.subject]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [(m.rcpt_tos, m.subject) for m in self.messages][-10:]
                    raise AssertionError(
                        f"no message to {address} with « {subject_contains} » within "
                        f"{timeout} s ({len(found)}/{count}); last received: {seen}")
                self._changed.wait(min(left, 0.5))


# --------------------------------------------------------------------------- HTTP


class Response:
    def __init__(self, status: int, url: str, body: str, headers):
        self.status, self.url, self.text, self.headers = status, url, body, headers

    def csrf(self) -> str:
        match = CSRF_RE.search(self.text)
        assert match, f"no CSRF token on {self.url}"
        return match.group(1)

    def __repr__(self):
        return f"<Response {self.status} {self.url}>"


class Browser:
    """A person's browser without JavaScript: cookies, redirects, forms with CSRF."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.cookies = http.cookiejar.CookieJar()
        self._opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies))

    def _url(self, path: str) -> str:
        return path if path.startswith("http") else self.base_url + path

    def request(self, path: str, data: dict | None = None) -> Response:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        request = urllib.request.Request(self._url(path), data=body,
                                         headers={"Accept-Language": "fr"})
        try:
            with self._opener.open(request, timeout=30) as response:
                return Response(response.status, response.url,
                                response.read().decode("utf-8", "replace"), response.headers)
        except urllib.error.HTTPError as error:
            return Response(error.code, error.url, error.read().decode("utf-8", "replace"),
                            error.headers)

    def get(self, path: str) -> Response:
        return self.request(path)

    def post(self, path: str, data: dict | None = None, csrf_from: str | None = None
             ) -> Response:
        """POST `data` to `path` with the CSRF token of the page `csrf_from` (by default the
        page itself), as a person submitting the form would."""
        token = self.get(csrf_from or path).csrf()
        return self.request(path, {**(data or {}), "csrf_token": token})

    def login(self, email_address: str, password: str = DEMO_PASSWORD) -> Response:
        response = self.post("/connexion", {"email": email_address, "password": password})
        assert response.status == 200 and "/connexion" not in response.url, \
            f"sign-in of {email_address} failed: {response}"
        return response


def find_form_action(page: Response, contains: str) -> str:
    """The action of the first form on `page` whose action holds `contains`."""
    for action in re.findall(r'<form[^>]*action="([^"]+)"', page.text):
        action = html.unescape(action)
        if contains in action:
            return action
    raise AssertionError(f"no form with « {contains} » on {page.url}")


# --------------------------------------------------------------------------- product


@dataclass
class LiveProduct:
    """Database + gunicorn + worker + SMTP server, started together, stopped together."""

    db_name: str
    admin_url: str = ""  # a server of the test's own; by default the tests' server
    extra_env: dict = field(default_factory=dict)
    with_worker: bool = True
    inbox: Inbox = field(default_factory=Inbox)
    base_url: str = ""
    owner_url: str = ""
    env: dict = field(default_factory=dict)
    _procs: dict = field(default_factory=dict)

    def start(self) -> LiveProduct:
        ARTIFACTS.mkdir(exist_ok=True)
        self.admin_url = self.admin_url or dbsetup.server_admin_url()
        self.owner_url = dbsetup.fresh_database(self.admin_url, self.db_name)
        self.inbox.start()
        port = free_port()
        self.base_url = f"http://127.0.0.1:{port}"
        self.env = {**os.environ, "DATABASE_URL": self.owner_url, "MAILLAGE_DEMO": "1",
                    "BASE_URL": self.base_url, "FLASK_APP": "wsgi:app",
                    "SECRET_KEY": "live-tests-only-secret", "PYTHONUNBUFFERED": "1",
                    "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(self.inbox.port),
                    "MAIL_USE_TLS": "0", "MAIL_USE_SSL": "0",
                    "MAIL_FROM": "Maillage <ne-pas-repondre@maillage.test>",
                    **self.extra_env}
        for name in ("APP_DATABASE_URL", "SENTRY_DSN", "SESSION_COOKIE_SECURE",
                     "MAIL_USERNAME", "MAIL_PASSWORD"):
            self.env.pop(name, None)
        self.log = open(ARTIFACTS / f"live-{self.db_name}.log", "w", encoding="utf-8")  # noqa: SIM115
        run_cli(["flask", "db", "upgrade"], self.env, self.log)
        run_cli(["flask", "demo", "load"], self.env, self.log)
        self.start_web(port)
        if self.with_worker:
            self.start_worker()
        return self

    def _spawn(self, name: str, args: list[str]) -> subprocess.Popen:
        proc = subprocess.Popen([sys.executable, "-m", *args], cwd=ROOT, env=self.env,
                                stdout=self.log, stderr=subprocess.STDOUT)
        self._procs[name] = proc
        return proc

    def start_web(self, port: int) -> None:
        self._spawn("web", ["gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1",
                            "--threads", "4", "--access-logfile", "-", "wsgi:app"])
        self.wait_until_healthy()

    def start_worker(self) -> None:
        self._spawn("worker", ["flask", "worker"])

    def process(self, name: str) -> subprocess.Popen:
        return self._procs[name]

    def wait_until_healthy(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            web = self._procs["web"]
            if web.poll() is not None:
                raise RuntimeError(f"gunicorn stopped ({web.returncode}); see {self.log.name}")
            try:
                with urllib.request.urlopen(self.base_url + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.25)
        raise RuntimeError(f"{self.base_url}/healthz did not answer within {seconds} s")

    def browser(self) -> Browser:
        return Browser(self.base_url)

    def sql(self, query: str, params=()) -> list[tuple]:
        """Read the product's database as its owner (assertions only, never setup)."""
        with psycopg.connect(self.owner_url) as conn:
            return conn.execute(query, params).fetchall()

    def flask(self, *args: str, timeout: float = 120) -> str:
        """Run a `flask` command against the product (as an operator would)."""
        return run_cli(["flask", *args], self.env, self.log, timeout=timeout)

    def stop(self) -> None:
        for proc in self._procs.values():
            if proc.poll() is None:
                proc.terminate()
        for proc in self._procs.values():
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.inbox.stop()
        self.log.close()
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute("select pg_terminate_backend(pid) from pg_stat_activity"
                         " where datname = %s", (self.db_name,))
            conn.execute(f'drop database if exists "{self.db_name}"')
