"""French error pages; no stack trace is ever shown."""

import psycopg
import psycopg_pool
import sqlalchemy as sa
from flask import Flask, current_app, render_template
from flask_wtf.csrf import CSRFError

from app.core.tenancy import NoSpaceError, SpaceViolation
from app.extensions import db

MESSAGES = {
    400: ("Requête incorrecte", "La demande n’a pas pu être comprise. Revenez à la page précédente et réessayez."),
    403: ("Accès refusé", "Votre rôle ne permet pas d’ouvrir cette page. Si vous pensez que c’est une erreur, contactez l’administrateur de votre territoire."),
    404: ("Page introuvable", "Cette page n’existe pas ou n’est pas accessible depuis votre espace."),
    405: ("Action non permise", "Cette action n’est pas possible à cette adresse."),
    500: ("Erreur du serveur", "Une erreur inattendue s’est produite. L’équipe technique est prévenue ; réessayez dans quelques instants."),
}


def render_error(code: int, title: str | None = None, message: str | None = None):
    default_title, default_message = MESSAGES.get(code, MESSAGES[500])
    return render_template("core/error.html", code=code, title=title or default_title,
                           message=message or default_message), code


def init_app(app: Flask) -> None:
    # Runs before Flask-SQLAlchemy's own teardown (teardowns run last registered first): a
    # session whose connection died is dropped here, or closing it would raise after the
    # response and turn a 503 into a bare 500.
    @app.teardown_appcontext
    def _drop_dead_connection(exc):
        session = db.session.registry()
        try:
            session.close()
        except sa.exc.DBAPIError:
            session.invalidate()

    for code in (400, 403, 404, 405):
        app.register_error_handler(code, lambda e, c=code: _rolled_back(render_error, c))

    @app.errorhandler(CSRFError)
    def _csrf(e):
        return _rolled_back(
            render_error, 400, "Formulaire expiré",
            "Le formulaire a expiré ou n’a pas été envoyé depuis Maillage. Rechargez la page "
            "puis recommencez : vos saisies n’ont pas été enregistrées.")

    @app.errorhandler(SpaceViolation)
    @app.errorhandler(NoSpaceError)
    def _space(e):
        app.logger.error("tenancy refused an operation: %s", e)
        return _rolled_back(render_error, 404)

    @app.errorhandler(sa.exc.DBAPIError)
    @app.errorhandler(sa.exc.TimeoutError)
    @app.errorhandler(psycopg_pool.PoolTimeout)
    def _database_error(e):
        if is_database_outage(e):
            return database_unavailable()
        raise e

    @app.errorhandler(500)
    def _server_error(e):
        # Errors raised before the view (the session store, say) reach this handler only.
        if is_database_outage(getattr(e, "original_exception", None)):
            return database_unavailable()
        return _rolled_back(render_error, 500)


def is_database_outage(exc: BaseException | None) -> bool:
    """The database cannot be reached (down, restarting, pool exhausted), as opposed to a
    query that failed: a serialisation failure or a constraint is not an outage."""
    while exc is not None:
        if isinstance(exc, sa.exc.DBAPIError) and exc.connection_invalidated:
            return True
        if isinstance(exc, psycopg_pool.PoolTimeout | sa.exc.TimeoutError):
            return True
        if isinstance(exc, psycopg.OperationalError) and not isinstance(
                exc, psycopg.errors.TransactionRollback | psycopg.errors.QueryCanceled):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def discard_session() -> None:
    """Roll back the current session; when its connection is dead (the server went away),
    drop the connection instead, since a rollback on it would raise in turn."""
    session = db.session.registry()
    try:
        session.rollback()
    except sa.exc.DBAPIError:
        session.invalidate()


def database_unavailable():
    discard_session()
    # Rendered without the context processors: they read the session and the signed-in
    # user, which live in the database that is missing.
    page = current_app.jinja_env.get_template("core/unavailable.html").render()
    return page, 503, {"Retry-After": "15"}


def _rolled_back(fn, *args):
    discard_session()
    return fn(*args)
