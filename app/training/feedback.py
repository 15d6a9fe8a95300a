"""The satisfaction questionnaire a participant answers once a session is over:
/t/<tenant>/formations/parcours/<registration>/questionnaire (one answer per registration)."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from flask import abort, flash, redirect, request, url_for
from flask_login import current_user
from marshmallow import fields, validate
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app.core import audit, spaces
from app.core.forms import FormSchema, load, text
from app.core.ui import render
from app.extensions import db
from app.training.models import FeedbackAnswer, Registration, TrainingSession, TrainingSitting
from app.training.tenant_views import PARTICIPANTS, bp

SCORE_MESSAGE = "Choisissez une note de 1 à 5."
QUESTIONS = {
    "satisfaction": "Dans l’ensemble, êtes-vous satisfait·e de cette formation ?",
    "usefulness": "Ce que vous y avez appris vous sera-t-il utile dans votre pratique ?",
    "organisation": "L’organisation (lieu, horaires, informations reçues) vous a-t-elle "
                    "convenu ?",
}
SCALE = {1: "1 — pas du tout", 2: "2", 3: "3", 4: "4", 5: "5 — tout à fait"}
ALREADY_ANSWERED = "Vous avez déjà répondu à ce questionnaire : merci pour votre avis."


def score() -> fields.Integer:
    return fields.Integer(
        required=True, strict=False, validate=validate.Range(min=1, max=5, error=SCORE_MESSAGE),
        error_messages={"required": SCORE_MESSAGE, "null": SCORE_MESSAGE,
                        "invalid": SCORE_MESSAGE})


class FeedbackForm(FormSchema):
    satisfaction = score()
    usefulness = score()
    organisation = score()
    comment = text(max_length=2000)


class AlreadyAnswered(Exception):
    """This registration already has its answer."""


def save_answer(registration: Registration, values: dict) -> FeedbackAnswer:
    """Record the answer of `registration` (at most one, even for simultaneous posts)."""
    answer = FeedbackAnswer(
        registration_id=registration.id, session_id=registration.session_id,
        tenant_id=registration.tenant_id, network_id=registration.network_id,
        satisfaction=values["satisfaction"], usefulness=values["usefulness"],
        organisation=values["organisation"], comment=values["comment"])
    try:
        with db.session.begin_nested():
            db.session.add(answer)
            db.session.flush()
    except IntegrityError as exc:  # the unique registration_id: answered meanwhile
        raise AlreadyAnswered() from exc
    audit.record("training.feedback", f"session {registration.session_id}",
                 registration_id=registration.id)
    return answer


def unavailable_reason(registration: Registration, last_end: datetime | None) -> str | None:
    """None when the questionnaire may be answered now, else the French reason why not."""
    if registration.session.state == "cancelled":
        return "Cette session a été annulée : il n’y a pas de questionnaire à remplir."
    if registration.status != "confirmed":
        return ("Le questionnaire est réservé aux personnes dont l’inscription était "
                "confirmée.")
    if last_end is None or last_end > datetime.now(UTC):
        return ("Le questionnaire sera disponible à la fin de la dernière séance de la "
                "formation.")
    return None


@bp.route("/parcours/<int:registration_id>/questionnaire", methods=["GET", "POST"])
@spaces.require_role(*PARTICIPANTS)
def feedback(registration_id: int):
    registration = db.session.scalar(
        sa.select(Registration)
        .options(joinedload(Registration.session).joinedload(TrainingSession.module))
        .where(Registration.id == registration_id, Registration.user_id == current_user.id))
    if registration is None or registration.session is None:
        abort(404)
    training = registration.session
    last_end = db.session.scalar(sa.select(sa.func.max(TrainingSitting.ends_at)).where(
        TrainingSitting.session_id == training.id))
    answer = db.session.scalar(sa.select(FeedbackAnswer).where(
        FeedbackAnswer.registration_id == registration.id))
    reason = None if answer else unavailable_reason(registration, last_end)
    values, errors, status = {}, {}, 200
    if request.method == "POST":
        if answer is not None:
            flash(ALREADY_ANSWERED, "info")
            return redirect(url_for(".feedback", registration_id=registration.id))
        if reason:
            status = 403
        else:
            values, errors = load(FeedbackForm(), request.form)
            if not errors:
                try:
                    save_answer(registration, values)
                except AlreadyAnswered:
                    db.session.rollback()
                    flash(ALREADY_ANSWERED, "info")
                    return redirect(url_for(".feedback", registration_id=registration.id))
                db.session.commit()
                flash("Merci : votre réponse est enregistrée. Elle aide la coordination du "
                      "réseau à améliorer les prochaines formations.", "success")
                return redirect(url_for(".parcours"))
            status = 400
    return render("training/tenant/feedback.html", registration=registration,
                  training=training, last_end=last_end, answer=answer, reason=reason,
                  values=values, errors=errors, questions=QUESTIONS, scale=SCALE), status

