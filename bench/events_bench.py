"""Benchmark of the events and committees pages: does the work per page stay constant when
a network has many events, invitees and decisions?

Usage:  .venv/bin/python bench/events_bench.py [--events 200] [--invitees 400] [--runs 30]

Builds two data sets in the database `maillage_bench_events` (test server, as for the other
benchmarks): a small one (5 events × 10 invitees) and a large one (--events × --invitees,
plus a committee of 60 members with 40 decisions), each in its own network. Then requests,
in-process, the pages of both as the coordinator and as an elected official invited to every
event, and prints for each page the SQL statements per request and p50/p95 times.
Not a test: figures depend on the machine. What must hold: the same statement count for the
small and the large network.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PASSWORD = "motdepasse-bench"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--invitees", type=int, default=400)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--db", default="maillage_bench_events")
    args = parser.parse_args()

    from tests import dbsetup

    admin = dbsetup.server_admin_url()
    os.environ["DATABASE_URL"] = dbsetup.fresh_database(admin, args.db)
    os.environ["SECRET_KEY"] = "bench"
    os.environ["MAILLAGE_FAST_HASH"] = "1"
    from app import create_app

    app = create_app({"BASE_URL": "http://bench.local"})
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        started = time.perf_counter()
        small = load(app, "petit", events=5, invitees=10, members=5, decisions=3)
        large = load(app, "grand", events=args.events, invitees=args.invitees, members=60,
                     decisions=40)
        print(f"data sets loaded in {time.perf_counter() - started:.0f} s "
              f"(large: {args.events} events × {args.invitees} invitees)")
    for label, world in (("small", small), ("large", large)):
        print(f"\n== {label} network")
        measure(app, world, args.runs)
    return 0


def load(app, name: str, *, events: int, invitees: int, members: int, decisions: int) -> dict:
    import sqlalchemy as sa

    from app.committees.models import ActionItem, Committee, CommitteeMember, Decision
    from app.core import tenancy
    from app.core.models import User
    from app.core.passwords import hash_password
    from app.events.models import AgendaItem, Event, EventInvitation, Minutes
    from app.extensions import db
    from app.networks.models import Network, NetworkRole, NetworkTenant
    from app.tenants.models import Commune, Tenant, TenantRole

    insert = db.session.execute
    with tenancy.unscoped("benchmark data", db.session):
        network = Network(name=f"Réseau {name}", slug=f"bench-{name}")
        tenant = Tenant(name=f"CA {name}", slug=f"bench-ca-{name}",
                        siren=str(900000000 + len(name) * 1000 + events))
        db.session.add_all([network, tenant])
        db.session.flush()
        commune = Commune(tenant_id=tenant.id, insee=f"9{events % 10000:04d}"[:5],
                          name=f"Commune {name}", postal_codes=[])
        coordinator = User(email=f"coord.{name}@example.org", full_name="Coordination",
                           password_hash=hash_password(PASSWORD))
        elected = User(email=f"elu.{name}@example.org", full_name="Élu du banc",
                       password_hash=hash_password(PASSWORD))
        db.session.add_all([commune, coordinator, elected,
                            NetworkTenant(network_id=network.id, tenant_id=tenant.id)])
        db.session.flush()
        db.session.add_all([
            NetworkRole(network_id=network.id, user_id=coordinator.id,
                        role="network_coordinator"),
            TenantRole(tenant_id=tenant.id, user_id=elected.id, role="elected_official",
                       commune_id=commune.id)])
        committee = Committee(network_id=network.id, name=f"Comité {name}", kind="collectif")
        db.session.add(committee)
        db.session.flush()
        insert(sa.insert(CommitteeMember), [
            {"network_id": network.id, "committee_id": committee.id, "name": f"Membre {i}",
             "email": f"membre{i}.{name}@example.org", "position": "membre",
             "mandate_start": date.today() - timedelta(days=365)} for i in range(members)])
        now = datetime.now(UTC)
        event_rows = [{"network_id": network.id, "kind": "comite" if i % 4 == 0 else "forum",
                       "title": f"Événement {i}", "status": "scheduled",
                       "committee_id": committee.id if i % 4 == 0 else None,
                       "starts_at": now + timedelta(days=i - events // 2, hours=1),
                       "ends_at": now + timedelta(days=i - events // 2, hours=3),
                       "place": "Salle du conseil"} for i in range(events)]
        event_ids = list(insert(sa.insert(Event).returning(Event.id), event_rows).scalars())
        insert(sa.insert(AgendaItem), [
            {"network_id": network.id, "event_id": e, "title": f"Point {k}", "position": k,
             "duration_minutes": 20} for e in event_ids for k in range(5)])
        invitations = []
        for n, e in enumerate(event_ids):
            invitations.append({"network_id": network.id, "event_id": e,
                                "user_id": elected.id, "name": elected.full_name,
                                "email": elected.email, "token_key": f"{name}-{e}-elu"[:32],
                                "response": "yes"})
            invitations += [{"network_id": network.id, "event_id": e,
                             "name": f"Invité {k}", "email": f"invite{k}@example.org",
                             "organisation": "Partenaire", "token_key": f"{name}-{e}-{k}"[:32],
                             "response": ("yes", "no", "maybe", None)[k % 4],
                             "party_size": 1, "emailed_at": now}
                            for k in range(invitees - 1)]
            if len(invitations) > 20000:
                insert(sa.insert(EventInvitation), invitations)
                invitations = []
        if invitations:
            insert(sa.insert(EventInvitation), invitations)
        meeting = event_ids[0]
        insert(sa.insert(Minutes), [{"network_id": network.id, "event_id": meeting,
                                     "body": "Compte rendu. " * 200, "status": "published",
                                     "published_at": now}])
        decision_ids = list(insert(sa.insert(Decision).returning(Decision.id), [
            {"network_id": network.id, "event_id": meeting, "committee_id": committee.id,
             "title": f"Décision {d}", "position": d} for d in range(decisions)]).scalars())
        insert(sa.insert(ActionItem), [
            {"network_id": network.id, "decision_id": d, "title": f"Action {k}",
             "owner_name": "Membre", "owner_email": "membre@example.org",
             "due_on": date.today() + timedelta(days=k * 10 - 15), "status": "todo"}
            for d in decision_ids for k in range(3)])
        world = {"network": network.slug, "tenant": tenant.slug,
                 "coordinator": coordinator.email, "elected": elected.email,
                 "event": event_ids[len(event_ids) // 2], "meeting": meeting,
                 "committee": committee.id}
        db.session.commit()
    with db.engine.connect() as conn:
        conn.execute(sa.text("analyze"))
    return world


def _client(app, email: str):
    client = app.test_client()
    page = client.get("/connexion").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post("/connexion", data={"csrf_token": token, "email": email,
                                               "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    return client


def measure(app, w: dict, runs: int) -> None:
    from sqlalchemy import event

    from app.extensions import db

    n, t = w["network"], w["tenant"]
    pages = {
        w["coordinator"]: [
            f"/n/{n}/evenements", f"/n/{n}/evenements?quand=passes",
            f"/n/{n}/evenements/{w['event']}", f"/n/{n}/evenements/{w['event']}/reponses",
            f"/n/{n}/evenements/{w['event']}/presences",
            f"/n/{n}/evenements/{w['event']}/reponses.csv",
            f"/n/{n}/comites", f"/n/{n}/comites/{w['committee']}",
            f"/n/{n}/comites/{w['committee']}/suivi", f"/n/{n}/comites/suivi"],
        w["elected"]: [
            f"/t/{t}/evenements", f"/t/{t}/evenements/{w['meeting']}", f"/t/{t}/comites",
            f"/t/{t}/comites/{w['committee']}"],
    }
    counter = {"n": 0}
    with app.app_context():
        engine = db.engine

    def _count(*args):
        counter["n"] += 1

    event.listen(engine, "before_cursor_execute", _count)
    try:
        for email, urls in pages.items():
            client = _client(app, email)
            for url in urls:
                client.get(url)  # warm-up
                timings, counts = [], []
                for _ in range(runs):
                    counter["n"] = 0
                    start = time.perf_counter()
                    response = client.get(url)
                    timings.append((time.perf_counter() - start) * 1000)
                    counts.append(counter["n"])
                    assert response.status_code == 200, (url, response.status_code)
                timings.sort()
                p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
                size = len(response.data) // 1024
                print(f"{url:<48} SQL {min(counts):>2}–{max(counts):<2}  "
                      f"p50 {statistics.median(timings):6.1f} ms  p95 {p95:6.1f} ms  {size} KiB")
    finally:
        event.remove(engine, "before_cursor_execute", _count)


if __name__ == "__main__":
    sys.exit(main())
