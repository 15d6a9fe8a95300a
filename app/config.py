"""Configuration read from the environment (see README, "Configuration")."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from sqlalchemy.engine import make_url

APP_DB_ROLE = "maillage_app"


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def sqlalchemy_url(url: str) -> str:
    """Force the psycopg 3 driver whatever scheme the operator wrote."""
    parsed = make_url(url)
    return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)


def app_role_url(owner_url: str) -> str:
    """The URL the web app and the worker use: same server and database, unprivileged role."""
    explicit = os.environ.get("APP_DATABASE_URL")
    if explicit:
        return sqlalchemy_url(explicit)
    parsed = make_url(sqlalchemy_url(owner_url))
    return parsed.set(
        username=APP_DB_ROLE, password=os.environ.get("APP_DB_PASSWORD") or None
    ).render_as_string(hide_password=False)


def libpq_url(url: str) -> str:
    """psycopg/procrastinate want a plain libpq URL, without the SQLAlchemy driver suffix."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


class Config:
    def __init__(self, instance_path: str):
        env = os.environ
        self.instance_path = Path(instance_path)
        self.SECRET_KEY = env.get("SECRET_KEY") or self._dev_secret()
        owner = env.get("DATABASE_URL")
        if not owner:
            from app.core import embedded_db

            owner = embedded_db.owner_url(self.instance_path)
        self.OWNER_DATABASE_URL = sqlalchemy_url(owner)
        self.SQLALCHEMY_DATABASE_URI = app_role_url(owner)
        # A request may hold two connections at once (its own, and the session store's):
        # keep pool_size + max_overflow ≥ 2 × threads per process.
        self.SQLALCHEMY_ENGINE_OPTIONS = {
            "pool_pre_ping": True,
            "pool_size": int(env.get("DB_POOL_SIZE", "10")),
            "max_overflow": int(env.get("DB_MAX_OVERFLOW", "20")),
        }
        self.SQLALCHEMY_TRACK_MODIFICATIONS = False
        self.DEMO_MODE = _bool("MAILLAGE_DEMO")
        self.BASE_URL = env.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/")
        self.SESSION_COOKIE_NAME = "maillage_session"
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", self.BASE_URL.startswith("https"))
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.REMEMBER_COOKIE_SECURE = self.SESSION_COOKIE_SECURE
        self.SESSION_LIFETIME_HOURS = int(env.get("SESSION_LIFETIME_HOURS", "12"))
        self.WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
        self.WTF_CSRF_HEADERS = ["X-CSRFToken"]
        self.MAIL_SERVER = env.get("MAIL_SERVER")
        self.MAIL_PORT = int(env.get("MAIL_PORT", "587"))
        self.MAIL_USERNAME = env.get("MAIL_USERNAME")
        self.MAIL_PASSWORD = env.get("MAIL_PASSWORD")
        self.MAIL_USE_TLS = _bool("MAIL_USE_TLS", True)
        self.MAIL_USE_SSL = _bool("MAIL_USE_SSL", False)
        self.MAIL_FROM = env.get("MAIL_FROM", "Maillage <ne-pas-repondre@maillage.example>")
        self.SENTRY_DSN = env.get("SENTRY_DSN")
        self.SENTRY_ENVIRONMENT = env.get("SENTRY_ENVIRONMENT", "production")
        self.LOGIN_MAX_FAILURES = int(env.get("LOGIN_MAX_FAILURES", "10"))
        self.LOGIN_WINDOW_MINUTES = int(env.get("LOGIN_WINDOW_MINUTES", "15"))
        self.TRUSTED_PROXIES = int(env.get("TRUSTED_PROXIES", "0"))
        self.PASSWORD_RESET_HOURS = 2
        self.INVITATION_DAYS = 14
        self.ARGON2_FAST = _bool("MAILLAGE_FAST_HASH")  # tests only: cheaper hashes
        self.TESTING = False

    def _dev_secret(self) -> str:
        """A stable per-install secret so sessions survive a restart of `make run`."""
        path = self.instance_path / "secret_key"
        if path.exists():
            return path.read_text().strip()
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        path.write_text(key)
        path.chmod(0o600)
        return key
