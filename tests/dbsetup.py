"""Which PostgreSQL the tests use: TEST_DATABASE_URL, else the server at 127.0.0.1:5432 if
one answers, else an embedded one (pgserver) under instance/pgtest."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent


def _local_server_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            pass
        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", connect_timeout=3):
            return True
    except (OSError, psycopg.Error):
        return False


def server_admin_url() -> str:
    """A superuser/owner URL on the maintenance database of the chosen server."""
    explicit = os.environ.get("TEST_DATABASE_URL")
    if explicit:
        return make_url(explicit).set(drivername="postgresql", database="postgres") \
            .render_as_string(hide_password=False)
    if _local_server_answers():
        return "postgresql://postgres@127.0.0.1:5432/postgres"
    from app.core import embedded_db

    server = embedded_db.start(ROOT / "instance" / "pgtest")
    return server.get_uri()


def fresh_database(admin_url: str, name: str) -> str:
    """Drop and create `name`; return its owner URL."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(
            "select pg_terminate_backend(pid) from pg_stat_activity where datname = %s",
            (name,))
        conn.execute(f'drop database if exists "{name}"')
        conn.execute(f'create database "{name}"')
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)
