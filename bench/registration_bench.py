"""Benchmark: a burst of registrations through the real HTTP endpoint, served by gunicorn.

Usage:  .venv/bin/python bench/registration_bench.py [--people 500] [--concurrency 50]
        [--seats 50]

Creates a fresh database `maillage_bench_reg` on the test server (TEST_DATABASE_URL, else
127.0.0.1:5432, else the embedded one), one open session with `--seats` seats and
`--people` animators, starts gunicorn on a free local port, signs everybody in, then fires
every registration at once with `--concurrency` clients. Prints throughput, p50/p95 and
the final counts (confirmed must equal the seats, the rest waiting, nobody twice).
Traffic stays on 127.0.0.1; the run is bounded by the number of people.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PASSWORD = "motdepasse-bench"
TOKEN_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--seats", type=int, default=50)
    args = parser.parse_args()
    from tests import dbsetup

    owner = dbsetup.fresh_database(dbsetup.server_admin_url(), "maillage_bench_reg")
    env = {**os.environ, "DATABASE_URL": owner, "SECRET_KEY": "bench", "MAILLAGE_FAST_HASH": "1",
           "FLASK_APP": "wsgi:app"}
    subprocess.run([sys.executable, "-m", "flask", "db", "upgrade"], env=env, cwd=ROOT,
                   check=True, capture_output=True)
    os.environ.update({"DATABASE_URL": owner, "SECRET_KEY": "bench", "MAILLAGE_FAST_HASH": "1"})
    slug, session_id = build_data(args.people, args.seats)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "2",
         "--threads", "8", "wsgi:app"], env={**env, "BASE_URL": base}, cwd=ROOT,
        stdout=subprocess.DEVNULL, stderr=open("/tmp/bench-gunicorn.log", "w"))
    try:
        wait_healthy(base)
        print(f"signing {args.people} people in…")
        with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
            clients = list(pool.map(lambda i: sign_in(base, f"bench{i}@example.org"),
                                    range(args.people)))
        url = f"{base}/t/{slug}/formations/sessions/{session_id}"
        tokens = [token_of(c, url) for c in clients]
        print(f"firing {args.people} registrations, {args.concurrency} at a time…")
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
            results = list(pool.map(lambda ct: post_register(ct[0], url, ct[1]),
                                    zip(clients, tokens)))
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
    timings = sorted(t for t, _ in results)
    codes = {}
    for _, code in results:
        codes[code] = codes.get(code, 0) + 1
    print(f"{len(results)} requests in {elapsed:.1f} s: {len(results) / elapsed:.0f} req/s; "
          f"p50 {statistics.median(timings):.0f} ms, "
          f"p95 {timings[int(len(timings) * 0.95) - 1]:.0f} ms; HTTP codes {codes}")
    import psycopg

    with psycopg.connect(owner) as conn:
        rows = conn.execute("select status, count(*) from training_registration"
                            " group by status order by status").fetchall()
        distinct = conn.execute("select count(distinct user_id), count(*) from"
                                " training_registration").fetchone()
        order_ok = conn.execute(
            "select bool_and(ok) from (select (status = 'confirmed') = (rank <= %s) as ok"
            " from (select status, rank() over (order by ticket) as rank"
            " from training_registration) r) x", (args.seats,)).fetchone()[0]
    print(f"final counts: {dict(rows)}; people {distinct[0]}, rows {distinct[1]}; "
          f"seats held by the first {args.seats} tickets: {order_ok}")
    return 0 if dict(rows).get("confirmed") == args.seats and distinct[0] == distinct[1] else 1


def build_data(people: int, seats: int) -> tuple[str, int]:
    from datetime import UTC, datetime, timedelta

    from app import create_app
    from app.core import tenancy
    from app.core.models import User
    from app.core.passwords import hash_password
    from app.extensions import db
    from app.networks.models import Network, NetworkTenant
    from app.tenants.models import Tenant, TenantRole
    from app.training.models import TrainingModule, TrainingSession, TrainingSitting

    app = create_app()
    with app.app_context(), tenancy.unscoped("benchmark data", db.session):
        network = Network(name="Réseau de charge", slug="charge")
        tenant = Tenant(name="CA Charge", slug="charge", siren="888888888")
        db.session.add_all([network, tenant])
        db.session.flush()
        db.session.add(NetworkTenant(network_id=network.id, tenant_id=tenant.id))
        module = TrainingModule(network_id=network.id, title="Atelier très demandé",
                                kind="atelier", status="published", duration_hours=3)
        db.session.add(module)
        db.session.flush()
        session = TrainingSession(network_id=network.id, module_id=module.id, capacity=seats,
                                  state="open")
        db.session.add(session)
        db.session.flush()
        start = datetime.now(UTC) + timedelta(days=20)
        db.session.add(TrainingSitting(network_id=network.id, session_id=session.id,
                                       starts_at=start, ends_at=start + timedelta(hours=3)))
        digest = hash_password(PASSWORD)
        users = [User(email=f"bench{i}@example.org", full_name=f"Animatrice {i}",
                      password_hash=digest) for i in range(people)]
        db.session.add_all(users)
        db.session.flush()
        db.session.add_all([TenantRole(tenant_id=tenant.id, user_id=u.id, role="rpe_animator")
                            for u in users])
        db.session.commit()
        return tenant.slug, session.id


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(base: str, seconds: float = 60) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def opener():
    jar = http.cookiejar.CookieJar()
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect())


def fetch(client, url: str, data: dict | None = None) -> tuple[int, str]:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    try:
        with client.open(url, data=body, timeout=60) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


def token_of(client, url: str) -> str:
    status, html = fetch(client, url)
    return TOKEN_RE.search(html).group(1)


def sign_in(base: str, email: str):
    client = opener()
    token = token_of(client, f"{base}/connexion")
    status, _ = fetch(client, f"{base}/connexion",
                      {"csrf_token": token, "email": email, "password": PASSWORD})
    assert status == 302, status
    return client


def post_register(client, url: str, token: str) -> tuple[float, int]:
    start = time.perf_counter()
    status, _ = fetch(client, f"{url}/inscription", {"csrf_token": token})
    return (time.perf_counter() - start) * 1000, status


if __name__ == "__main__":
    sys.exit(main())
