"""Migrations: one head, and `flask db upgrade` on an empty database equals the models."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from app.config import APP_DB_ROLE
from app.extensions import db
from tests import dbsetup

ROOT = Path(__file__).resolve().parents[2]
MIGRATIONS = ROOT / "migrations"
DB_NAME = os.environ.get("TEST_DB_NAME", "maillage_test") + "_mig"


def include_object(obj, name, type_, reflected, compare_to):
    """The same filter as migrations/env.py: procrastinate's tables come from its schema."""
    if type_ == "table" and name.startswith("procrastinate"):
        return False
    return True


def flask_cli(owner_url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": owner_url, "FLASK_APP": "wsgi:app"}
    env.pop("APP_DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "flask", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def upgraded_db():
    admin = dbsetup.server_admin_url()
    owner_url = dbsetup.fresh_database(admin, DB_NAME)
    result = flask_cli(owner_url, "db", "upgrade")
    assert result.returncode == 0, result.stdout + result.stderr
    yield owner_url
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute("select pg_terminate_backend(pid) from pg_stat_activity"
                     " where datname = %s", (DB_NAME,))
        conn.execute(f'drop database if exists "{DB_NAME}"')


def script_directory() -> ScriptDirectory:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config)


def test_there_is_one_alembic_head():
    heads = script_directory().get_heads()
    assert len(heads) == 1, f"several migration heads, merge them: {heads}"


def test_every_revision_chains_down_to_the_first():
    scripts = script_directory()
    revisions = list(scripts.walk_revisions())
    bases = [r for r in revisions if r.down_revision is None]
    assert len(bases) == 1
    assert all(r.module.__doc__ for r in revisions), "every migration says what it does"


def test_upgrade_from_empty_matches_the_models(app, upgraded_db):
    engine = sa.create_engine(upgraded_db.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as conn:
            version = conn.execute(sa.text("select version_num from alembic_version")).scalar()
            assert version == script_directory().get_current_head()
            context = MigrationContext.configure(conn, opts={
                "include_object": include_object, "compare_type": True,
                "compare_server_default": False,
            })
            with app.app_context():
                diff = compare_metadata(context, db.metadata)
    finally:
        engine.dispose()
    assert diff == [], "models and migrations differ; write a migration:\n" + "\n".join(
        map(repr, diff))


def test_the_upgraded_database_is_secured(upgraded_db):
    """RLS, grants and the app role come from the migrations, not from a test fixture."""
    with psycopg.connect(upgraded_db) as conn:
        unprotected = conn.execute("""
            select distinct c.relname from pg_class c
            join pg_namespace n on n.oid = c.relnamespace
            join pg_attribute a on a.attrelid = c.oid
            where n.nspname = 'public' and c.relkind = 'r'
              and a.attname in ('tenant_id', 'network_id')
              and not (c.relrowsecurity and c.relforcerowsecurity)
        """).fetchall()
        assert unprotected == []
        role = conn.execute("select rolsuper, rolbypassrls from pg_roles where rolname = %s",
                            (APP_DB_ROLE,)).fetchone()
        assert role == (False, False)
        audit = conn.execute(
            "select has_table_privilege(%s, 'audit_log', 'UPDATE'),"
            " has_table_privilege(%s, 'audit_log', 'DELETE'),"
            " has_table_privilege(%s, 'audit_log', 'INSERT')",
            (APP_DB_ROLE, APP_DB_ROLE, APP_DB_ROLE)).fetchone()
        assert audit == (False, False, True)
        jobs = conn.execute("select has_table_privilege(%s, 'procrastinate_jobs', 'INSERT')",
                            (APP_DB_ROLE,)).fetchone()
        assert jobs == (True,)


def test_upgrade_is_idempotent(upgraded_db):
    result = flask_cli(upgraded_db, "db", "upgrade")
    assert result.returncode == 0, result.stderr
    with psycopg.connect(upgraded_db) as conn:
        assert conn.execute("select count(*) from alembic_version").fetchone() == (1,)
