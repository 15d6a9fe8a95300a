"""Public pages and the signed-in user's own pages: sign-in, resets, invitations, spaces."""

from __future__ import annotations

from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.core import auth, invitations
from app.core.errors import discard_session
from app.core.forms import FormSchema, email, load, text
from app.core.passwords import password_problem
from app.core.spaces import remember_spaces
from app.extensions import db

bp = Blueprint("core", __name__, template_folder="templates")


def safe_next(target: str | None) -> str | None:
    """A local path to go back to, or None: never another site (no scheme, no host, no
    backslash or control character that a browser would turn into one)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if any(c in target for c in "\\") or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def _home_after_login(user):
    links = remember_spaces(user)
    if len(links) == 1:
        return redirect(links[0].url)
    return redirect(url_for("core.spaces"))


@bp.get("/")
def index():
    if current_user.is_authenticated:
        return _home_after_login(current_user)
    return redirect(url_for("core.login"))


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(sa.text("select 1"))
    except sa.exc.SQLAlchemyError:
        discard_session()
        return {"status": "database unavailable"}, 503
    return {"status": "ok"}, 200


class LoginSchema(FormSchema):
    email = email()
    password = text(required=True, max_length=500)


@bp.route("/connexion", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated and request.method == "GET":
        return _home_after_login(current_user)
    values, errors, failure = {}, {}, None
    if request.method == "POST":
        values, errors = load(LoginSchema(), request.form)
        if not errors:
            result = auth.sign_in(values["email"], values["password"], request.remote_addr or "")
            if result.user:
                target = safe_next(request.args.get("next"))
                if target:
                    remember_spaces(result.user)
                    return redirect(target)
                return _home_after_login(result.user)
            failure = result.error
        values.pop("password", None)
    status = 429 if failure == auth.THROTTLED.format(
        minutes=_window()) else (400 if (errors or failure) else 200)
    return render_template("core/login.html", values=values, errors=errors,
                           failure=failure), status


def _window():
    from flask import current_app

    return current_app.config["LOGIN_WINDOW_MINUTES"]


@bp.post("/deconnexion")
def logout():
    auth.sign_out()
    flash("Vous êtes déconnecté·e.", "success")
    return redirect(url_for("core.login"))


class ForgotSchema(FormSchema):
    email = email()


@bp.route("/mot-de-passe-oublie", methods=["GET", "POST"])
def forgot_password():
    values, errors = {}, {}
    if request.method == "POST":
        values, errors = load(ForgotSchema(), request.form)
        if not errors:
            auth.request_password_reset(values["email"])
            db.session.commit()
            flash("Si un compte correspond à cette adresse, un lien de réinitialisation est "
                  "en cours d’envoi. Il sera valable 2 heures et ne servira qu’une fois.",
                  "success")
            return redirect(url_for("core.login"))
    return render_template("core/forgot_password.html", values=values, errors=errors), \
        400 if errors else 200


class NewPasswordSchema(FormSchema):
    password = text(required=True, max_length=500)
    confirm = text(required=True, max_length=500)


def _password_errors(values: dict, errors: dict) -> dict:
    if not errors:
        problem = password_problem(values["password"])
        if problem:
            errors["password"] = problem
        elif values["password"] != values["confirm"]:
            errors["confirm"] = "Les deux mots de passe ne sont pas identiques."
    return errors


@bp.route("/mot-de-passe/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    if auth.valid_reset_token(token) is None:
        return render_template("core/token_invalid.html", what="reset"), 410
    errors = {}
    if request.method == "POST":
        values, errors = load(NewPasswordSchema(), request.form)
        errors = _password_errors(values, errors)
        if not errors:
            user = auth.reset_password(token, values["password"])
            if user is None:
                db.session.rollback()
                return render_template("core/token_invalid.html", what="reset"), 410
            db.session.commit()
            auth.sign_out()
            flash("Votre mot de passe a été changé. Connectez-vous avec le nouveau.", "success")
            return redirect(url_for("core.login"))
    return render_template("core/reset_password.html", errors=errors), 400 if errors else 200


class AcceptSchema(FormSchema):
    full_name = text(required=True, max_length=200)
    password = text(required=True, max_length=500)
    confirm = text(required=True, max_length=500)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    invitation = invitations.find_open(token)
    if invitation is None:
        return render_template("core/token_invalid.html", what="invitation"), 410
    target = invitations.target_name(invitation)
    role = invitations.role_label(invitation.role)
    signed_in_as_invitee = (current_user.is_authenticated
                            and current_user.email == invitation.email)
    from app.core.models import User

    has_account = db.session.scalar(
        sa.select(User.id).where(User.email == invitation.email)) is not None
    values, errors, failure = {"full_name": invitation.full_name}, {}, None
    if request.method == "POST":
        try:
            if signed_in_as_invitee:
                user = invitations.accept(token, user=current_user)
            elif has_account:
                failure = "Connectez-vous avec votre compte pour accepter cette invitation."
                user = None
            else:
                values, errors = load(AcceptSchema(), request.form)
                errors = _password_errors(values, errors)
                user = None
                if not errors:
                    user = invitations.accept(token, full_name=values["full_name"],
                                              password=values["password"])
            if user is not None:
                db.session.commit()
                auth.start_session(user)
                flash(f"Bienvenue ! Vous êtes maintenant {role.lower()} — {target}.", "success")
                return _home_after_login(user)
        except invitations.InvitationError as exc:
            db.session.rollback()
            failure = str(exc)
        values.pop("password", None)
        values.pop("confirm", None)
    return render_template(
        "core/accept_invitation.html", invitation=invitation, target=target, role=role,
        signed_in_as_invitee=signed_in_as_invitee, has_account=has_account, values=values,
        errors=errors, failure=failure, token=token,
    ), 400 if (errors or failure) else 200


@bp.get("/espaces")
@login_required
def spaces():
    links = remember_spaces(current_user)
    return render_template("core/spaces.html", links=links)
