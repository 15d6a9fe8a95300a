"""Benchmark of the fiche digest fan-out at France scale: a national network of 1,255 member
tenants and 38,000 reception agents; the coordinator publishes a fiche, and the real worker
(`flask worker`, procrastinate on PostgreSQL) queues one digest per agent.

Usage:  .venv/bin/python bench/digest_fanout_bench.py [--tenants 1255] [--agents 38000]

Reports:
- the publish request's server time (the whole Flask request, in-process: session, space,
  tenancy, RLS, the publication and the digest job written to the queue);
- the time from the publication until every agent's message is queued for delivery (a
  MailMessage row and its delivery job, committed), and until every message has left (the
  development outbox: no SMTP server, so this measures our code, not a mail server's);
- the worker's peak memory (resident set, worker process and its children).
Not a test: figures depend on the machine. Creates and drops `maillage_bench_digest`.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DB_NAME = "maillage_bench_digest"
PASSWORD = "bench-motdepasse"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tenants", type=int, default=1255)
    parser.add_argument("--agents", type=int, default=38_000)
    parser.add_argument("--concurrency", type=int, default=2, help="worker concurrency")
    parser.add_argument("--workers", type=int, default=1, help="worker processes")
    parser.add_argument("--timeout", type=float, default=900)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--until-queued", action="store_true",
                        help="stop once every digest is queued (skip timing the delivery)")
    args = parser.parse_args()

    from tests import dbsetup

    admin = dbsetup.server_admin_url()
    owner = dbsetup.fresh_database(admin, DB_NAME)
    os.environ.update(DATABASE_URL=owner, SECRET_KEY="bench", BASE_URL="http://bench.local")
    for name in ("MAIL_SERVER", "APP_DATABASE_URL", "SENTRY_DSN"):
        os.environ.pop(name, None)
    from app import create_app

    app = create_app({"BASE_URL": "http://bench.local"})
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
    started = time.perf_counter()
    slugs = load(app, owner, args.tenants, args.agents)
    print(f"data: {args.tenants} tenants, {args.agents} agents in one national network "
          f"({time.perf_counter() - started:.1f} s to load)")

    try:
        network_slug, fiche_slug, warm_path = slugs
        publish_ms, published_at = publish(app, network_slug, fiche_slug, warm_path)
        print(f"publish request, server time: {publish_ms:.1f} ms (target ≤ 100 ms)")
        queued_s, sent_s, peak_mib = run_workers(owner, args.agents, published_at,
                                                 args.workers, args.concurrency, args.timeout,
                                                 args.until_queued)
        print(f"every digest queued for delivery: {queued_s:.1f} s after the publication "
              f"(target ≤ 60 s)")
        if sent_s is not None:
            print(f"every digest delivered (development outbox): {sent_s:.1f} s")
        print(f"worker peak memory: {peak_mib:.0f} MiB (resident, per worker process, "
              f"{args.workers} process(es) × {args.concurrency} threads)")
    finally:
        import psycopg

        if args.keep:
            print(f"kept: {owner}")
        else:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute("select pg_terminate_backend(pid) from pg_stat_activity"
                             " where datname = %s", (DB_NAME,))
                conn.execute(f'drop database if exists "{DB_NAME}"')
    return 0


def load(app, owner_url: str, n_tenants: int, n_agents: int) -> tuple[str, str]:
    """Bulk rows in SQL (as an import would), the coordinator and the draft through the app."""
    import psycopg

    from app.core.passwords import hash_password
    from app.extensions import db
    from tests import factories
    from tests.networks.fiches import builders

    with app.app_context():
        network = factories.network("Réseau national petite enfance", "national")
        coordinator = factories.user("coordination@bench.local", "Coordination nationale",
                                     password=PASSWORD)
        factories.network_role(coordinator, network)
        draft = builders.draft_network_fiche(network, coordinator,
                                             "Congé parental : ce qui change en 2027")
        network_id, network_slug, fiche_slug = network.id, network.slug, draft.slug
        # A small network of the same coordinator: its publication warms the process up
        # (a production server is warm), so the timed request is not the first one.
        small = factories.network("Réseau d’échauffement", "echauffement",
                                  tenants=[factories.tenant("CC Échauffement", "echauffement")])
        factories.network_role(coordinator, small)
        warm = builders.draft_network_fiche(small, coordinator, "Fiche d’échauffement")
        warm_path = (small.slug, warm.slug)
        db.session.commit()
        agent_hash = hash_password(PASSWORD)  # one hash for all: they never sign in here
    with psycopg.connect(owner_url) as conn:
        conn.execute("""
            insert into tenant (siren, name, slug, kind)
            select (700000000 + n)::text, 'Communauté bench ' || n, 'bench-' || n, 'CC'
            from generate_series(1, %(tenants)s) n""", {"tenants": n_tenants})
        conn.execute("""
            insert into network_tenant (network_id, tenant_id)
            select %(network)s, id from tenant where slug like 'bench-%%'""",
                     {"network": network_id})
        conn.execute("""
            insert into user_account (email, full_name, password_hash, created_at)
            select 'agent' || n || '@bench.local', 'Agent ' || n, %(hash)s,
                   now() - interval '30 days'
            from generate_series(1, %(agents)s) n""", {"agents": n_agents, "hash": agent_hash})
        # Agents spread evenly over the tenants (about 30 each at France scale).
        conn.execute("""
            with t as (select id, row_number() over (order by id) - 1 as k, count(*) over () as c
                       from tenant where slug like 'bench-%'),
                 u as (select id, row_number() over (order by id) - 1 as k
                       from user_account where email like 'agent%@bench.local')
            insert into tenant_role (tenant_id, user_id, role, created_at)
            select t.id, u.id, 'reception_agent', now() - interval '30 days'
            from u join t on t.k = u.k % t.c""")
        conn.execute("analyze")
    return network_slug, fiche_slug, warm_path


def publish(app, network_slug: str, fiche_slug: str, warm_path) -> tuple[float, float]:
    import re

    client = app.test_client()
    page = client.get("/connexion").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post("/connexion", data={"email": "coordination@bench.local",
                                    "password": PASSWORD, "csrf_token": token})
    warm_url = "/n/{}/fiches/{}/publier".format(*warm_path)
    page = client.get(warm_url).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post(warm_url, data={"summary": "Échauffement",
                                       "csrf_token": token}).status_code == 302
    url = f"/n/{network_slug}/fiches/{fiche_slug}/publier"
    page = client.get(url).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    published_at = time.monotonic()
    started = time.perf_counter()
    response = client.post(url, data={"summary": "Nouvelle durée du congé",
                                      "csrf_token": token})
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 302, f"publication failed: {response.status_code}"
    return elapsed, published_at


def run_workers(owner_url: str, n_agents: int, published_at: float, n_workers: int,
                concurrency: int, timeout: float, until_queued: bool = False
                ) -> tuple[float, float | None, float]:
    import psutil
    import psycopg

    env = {**os.environ, "FLASK_APP": "app:create_app", "DATABASE_URL": owner_url}
    workers = [subprocess.Popen([sys.executable, "-m", "flask", "worker", "--concurrency",
                                 str(concurrency)], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
               for _ in range(n_workers)]
    peak = [0]
    done = threading.Event()

    def watch_memory():
        processes = [psutil.Process(worker.pid) for worker in workers]
        while not done.is_set():
            try:
                for process in processes:
                    rss = process.memory_info().rss + sum(
                        child.memory_info().rss for child in process.children(recursive=True))
                    peak[0] = max(peak[0], rss)
            except psutil.Error:
                break
            time.sleep(0.2)

    watcher = threading.Thread(target=watch_memory, daemon=True)
    watcher.start()
    queued_s = sent_s = None
    try:
        with psycopg.connect(owner_url, autocommit=True) as conn:
            while time.monotonic() - published_at < timeout:
                queued, sent = conn.execute(
                    "select count(*), count(*) filter (where status in ('sent', 'outbox'))"
                    " from mail_message where kind = 'fiche_digest'").fetchone()
                now = time.monotonic() - published_at
                if queued_s is None and queued >= n_agents:
                    queued_s = now
                    if until_queued:
                        break
                if sent >= n_agents:
                    sent_s = now
                    break
                if any(worker.poll() is not None for worker in workers):
                    raise RuntimeError("a worker stopped")
                time.sleep(0.25)
            else:
                raise RuntimeError(f"timed out: {queued} queued, {sent} sent of {n_agents}")
            duplicates = conn.execute(
                "select count(*) from (select to_address from mail_message"
                " where kind = 'fiche_digest' group by 1 having count(*) > 1) d").fetchone()[0]
            failed = conn.execute("select count(*) from procrastinate_jobs"
                                  " where status = 'failed'").fetchone()[0]
            print(f"checks: {queued} digests for {n_agents} agents, {duplicates} addresses "
                  f"mailed twice, {failed} failed jobs")
    finally:
        done.set()
        for worker in workers:
            worker.terminate()
        for worker in workers:
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
    return queued_s, sent_s, peak[0] / 2**20


if __name__ == "__main__":
    sys.exit(main())
