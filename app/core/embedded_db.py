"""The private PostgreSQL used when no DATABASE_URL is given (pgserver: a real PostgreSQL 16)."""

from __future__ import annotations

import logging
from pathlib import Path

import psycopg

log = logging.getLogger(__name__)
DB_NAME = "maillage"


def start(data_dir: Path):
    import pgserver

    data_dir.mkdir(parents=True, exist_ok=True)
    # cleanup_mode=None: the server outlives this process, so the web server, the worker and
    # CLI commands all share it; `make stop-db` (pg_ctl stop) shuts it down.
    return pgserver.get_server(str(data_dir), cleanup_mode=None)


def owner_url(instance_path: Path, db_name: str = DB_NAME, subdir: str = "pgdata") -> str:
    server = start(Path(instance_path) / subdir)
    base = server.get_uri()  # postgresql://postgres:@/postgres?host=<socket dir>
    ensure_database(base, db_name)
    return base.replace("/postgres?", f"/{db_name}?", 1)


def ensure_database(admin_url: str, db_name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("select 1 from pg_database where datname = %s", (db_name,)).fetchone()
        if not exists:
            conn.execute(f'create database "{db_name}"')
            log.info("created embedded database %s", db_name)
