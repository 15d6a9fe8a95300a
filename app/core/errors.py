"""French error pages; no stack trace is ever shown."""

from flask import Flask, render_template
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

    @app.errorhandler(500)
    def _server_error(e):
        return _rolled_back(render_error, 500)


def _rolled_back(fn, *args):
    db.session.rollback()
    return fn(*args)
