"""Maillage: the platform of intercommunal early-childhood networks."""

from __future__ import annotations

import logging
import os

from flask import Flask


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(__name__, instance_path=os.environ.get("MAILLAGE_INSTANCE")
                or os.path.join(os.getcwd(), "instance"))
    from app.config import Config

    app.config.from_object(Config(app.instance_path))
    if overrides:
        app.config.update(overrides)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for chatty in ("alembic.runtime.plugins", "procrastinate.blueprints", "procrastinate.periodic"):
        logging.getLogger(chatty).setLevel(logging.WARNING)

    from app.core import observability

    observability.init_sentry(app)

    from app.extensions import csrf, db, htmx, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(__file__), "..", "migrations"))
    csrf.init_app(app)
    htmx.init_app(app)
    login_manager.init_app(app)

    _import_models()
    from flask_sqlalchemy.session import Session as FlaskSession

    from app.core import tenancy

    tenancy.install(FlaskSession, db.Model.registry)
    from app.core import jobs

    jobs.install_session_hooks(FlaskSession)
    jobs.init_app(app)

    from app.core import auth, errors, security, sessions, spaces, ui

    sessions.init_app(app)
    auth.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    ui.init_app(app)
    spaces.init_app(app)

    from app.core.views import bp as core_bp
    from app.networks.views import bp as networks_bp
    from app.tenants.admin_views import bp as platform_bp
    from app.tenants.views import bp as tenants_bp

    app.register_blueprint(core_bp)
    app.register_blueprint(platform_bp)
    app.register_blueprint(tenants_bp)
    app.register_blueprint(networks_bp)
    from app.networks.fiches import observatory  # noqa: F401  (adds its page to network_bp)
    from app.networks.fiches.authoring import local_bp as fiches_local_bp
    from app.networks.fiches.authoring import network_bp as fiches_network_bp
    from app.networks.fiches.desk import bp as fiches_desk_bp

    app.register_blueprint(fiches_desk_bp)
    app.register_blueprint(fiches_network_bp)
    app.register_blueprint(fiches_local_bp)
    from app.training import feedback  # noqa: F401  (adds the questionnaire route to training_bp)
    from app.training.calendar import feed_bp as training_feed_bp
    from app.training.network_views import bp as training_admin_bp
    from app.training.tenant_views import bp as training_bp

    app.register_blueprint(training_bp)
    app.register_blueprint(training_admin_bp)
    app.register_blueprint(training_feed_bp)

    from app import committees, events

    events.register(app)
    committees.register(app)

    from app.core import cli

    cli.init_app(app)
    return app


def _import_models() -> None:
    """Every model module, so mappers and metadata are complete before tenancy is installed."""
    import app.committees.models  # noqa: F401
    import app.committees.reminders  # noqa: F401  (registers the overdue-actions task)
    import app.core.mail  # noqa: F401  (registers the mail task)
    import app.core.maintenance  # noqa: F401  (registers the housekeeping task)
    import app.core.models  # noqa: F401
    import app.core.worker  # noqa: F401  (registers the stalled-jobs task)
    import app.events.invitations  # noqa: F401  (registers the invitation e-mail tasks)
    import app.events.models  # noqa: F401
    import app.events.notices  # noqa: F401  (registers the date, cancellation, minutes tasks)
    import app.networks.fiches.models  # noqa: F401
    import app.networks.models  # noqa: F401
    import app.tenants.models  # noqa: F401
    import app.training.models  # noqa: F401
    import app.training.reminders  # noqa: F401  (registers the periodic reminder task)
    import app.training.services  # noqa: F401  (registers the promotion task)
