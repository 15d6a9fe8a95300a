"""Benchmark of the desk search: 50,000 fiches over 100 networks.

Usage:  .venv/bin/python bench/search_bench.py [--fiches 50000] [--networks 100] [--runs 300]

Creates (or reuses) the database `maillage_bench` on the test server (TEST_DATABASE_URL, else
127.0.0.1:5432, else the embedded one), loads the data set once, then times the search
endpoint `/t/<tenant>/fiches?q=…` in-process as a reception agent (the whole Flask request:
session, space, tenancy, RLS, search) and counts its SQL statements. Prints p50/p95.
Not a test: figures depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUERIES = ["creche", "assistantes maternelles", "pajemploi", "conge parental",
           "asistante maternelle", "place en crèche", "vaccins", "handicap", "aide caf",
           "garde a domicile", "horaires atypiques", "contrat de travail", "mam", "prepare",
           "tracteur agricole"]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--fiches", type=int, default=50_000)
    parser.add_argument("--networks", type=int, default=100)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--reload", action="store_true", help="rebuild the data set")
    parser.add_argument("--db", default="maillage_bench", help="database name")
    args = parser.parse_args()

    from tests import dbsetup

    admin = dbsetup.server_admin_url()
    import psycopg

    exists = False
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("select 1 from pg_database where datname = %s",
                              (args.db,)).fetchone()
    from sqlalchemy.engine import make_url

    owner = (dbsetup.fresh_database(admin, args.db) if (args.reload or not exists)
             else make_url(admin).set(database=args.db).render_as_string(hide_password=False))
    os.environ["DATABASE_URL"] = owner
    os.environ["SECRET_KEY"] = "bench"
    from app import create_app

    app = create_app({"BASE_URL": "http://bench.local"})
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        tenant_slug = load(app, args.fiches, args.networks, reload=args.reload or not exists)
    return measure(app, tenant_slug, args.runs)


def load(app, n_fiches: int, n_networks: int, reload: bool) -> str:
    import sqlalchemy as sa

    from app.core import tenancy
    from app.core.models import User
    from app.core.passwords import hash_password
    from app.demo import fiches_data
    from app.extensions import db
    from app.networks.fiches.models import Fiche, FicheTheme
    from app.networks.fiches.search import search_vector
    from app.networks.models import Network, NetworkTenant
    from app.tenants.models import Commune, Tenant, TenantRole

    if not reload:
        return "bench-tenant-1"
    started = time.perf_counter()
    rng = random.Random(7)
    corpus = fiches_data.NETWORK_FICHES
    with tenancy.unscoped("benchmark data", db.session):
        networks = [Network(name=f"Réseau {i}", slug=f"bench-{i}") for i in range(n_networks)]
        db.session.add_all(networks)
        db.session.flush()
        themes = []
        for net in networks:
            for j, theme in enumerate(fiches_data.THEMES):
                themes.append(FicheTheme(network_id=net.id, slug=theme["slug"],
                                         name=theme["name"], position=j))
        db.session.add_all(themes)
        db.session.flush()
        themes_by_net = {}
        for t in themes:
            themes_by_net.setdefault(t.network_id, []).append(t.id)
        per_network = n_fiches // n_networks
        batch = []
        for net in networks:
            for k in range(per_network):
                src = corpus[(k + net.id) % len(corpus)]
                title = f"{src['title']} ({k})"
                fiche = Fiche(network_id=net.id, slug=f"f-{k}", status="published",
                              revision=1, title=title, theme_id=rng.choice(themes_by_net[net.id]),
                              audiences=src["audiences"], first_answer=src["first_answer"],
                              details_md=src["details_md"], phrasings=src["phrasings"],
                              referrals=src["referrals"], cannot_do=src["cannot_do"],
                              sources=src["sources"])
                fiche.search_vector = search_vector(title, src["phrasings"], src["first_answer"],
                                                    src["cannot_do"], src["details_md"])
                batch.append(fiche)
            if len(batch) >= 2000:
                db.session.add_all(batch)
                db.session.flush()
                batch = []
                db.session.expunge_all()
        db.session.add_all(batch)
        db.session.flush()
        tenant = Tenant(name="CA Banc d’essai", slug="bench-tenant-1", siren="999999999")
        db.session.add(tenant)
        db.session.flush()
        db.session.add(NetworkTenant(tenant_id=tenant.id, network_id=networks[0].id))
        commune = Commune(tenant_id=tenant.id, insee="99999", name="Essai", postal_codes=[])
        user = User(email="bench@example.org", full_name="Banc d’essai",
                    password_hash=hash_password("motdepasse-bench"))
        db.session.add_all([commune, user])
        db.session.flush()
        db.session.add(TenantRole(tenant_id=tenant.id, user_id=user.id, role="reception_agent",
                                  commune_id=commune.id))
        db.session.commit()
    with db.engine.connect() as conn:
        conn.execute(sa.text("analyze"))
    print(f"data set: {n_fiches} fiches over {n_networks} networks loaded in "
          f"{time.perf_counter() - started:.0f} s")
    return "bench-tenant-1"


def measure(app, tenant_slug: str, runs: int) -> int:
    import re

    from sqlalchemy import event

    from app.extensions import db

    client = app.test_client()
    page = client.get("/connexion").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post("/connexion", data={"csrf_token": token, "email": "bench@example.org",
                                               "password": "motdepasse-bench"})
    assert response.status_code == 302, response.status_code
    counter = {"n": 0}
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "before_cursor_execute")
    def _count(*args):
        counter["n"] += 1

    for q in QUERIES:  # warm-up: connections, statement caches, vocabulary cache
        client.get(f"/t/{tenant_slug}/fiches", query_string={"q": q})
    timings, counts = [], []
    for i in range(runs):
        q = QUERIES[i % len(QUERIES)]
        counter["n"] = 0
        start = time.perf_counter()
        response = client.get(f"/t/{tenant_slug}/fiches", query_string={"q": q},
                              headers={"HX-Request": "true"})
        timings.append((time.perf_counter() - start) * 1000)
        counts.append(counter["n"])
        assert response.status_code == 200
    timings.sort()
    p50 = statistics.median(timings)
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(f"search endpoint, {runs} requests: p50 {p50:.1f} ms, p95 {p95:.1f} ms, "
          f"max {timings[-1]:.1f} ms")
    print(f"SQL statements per request: min {min(counts)}, max {max(counts)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
