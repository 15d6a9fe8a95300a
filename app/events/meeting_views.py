"""Organiser pages of one event, continued: finding a date (poll) and the minutes with
their revisions and publication (both spaces; see `views.route`)."""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for

from app.core.forms import load
from app.core.ui import paginate
from app.events import minutes as minutes_service
from app.events import notices, services
from app.events.models import DateVote, Event, EventInvitation
from app.events.schemas import MAX_OPTIONS, MinutesSchema, option_values, parse_date_options
from app.events.views import route
from app.extensions import db

# --------------------------------------------------------------------------- date poll


def _poll_results(event: Event) -> tuple[dict[int, list[str]], int]:
    """Option id → names of the invitees available; number of invitees who answered."""
    rows = db.session.execute(
        sa.select(DateVote.option_id, DateVote.invitation_id, EventInvitation.name)
        .join(EventInvitation, EventInvitation.id == DateVote.invitation_id)
        .where(EventInvitation.event_id == event.id, DateVote.available.is_(True))).all()
    from app.networks.fiches.text import fold

    available: dict[int, list[str]] = defaultdict(list)
    for option_id, _, name in sorted(rows, key=lambda row: fold(row[2])):
        available[option_id].append(name)
    voters = db.session.scalar(
        sa.select(sa.func.count(sa.distinct(DateVote.invitation_id)))
        .join(EventInvitation, EventInvitation.id == DateVote.invitation_id)
        .where(EventInvitation.event_id == event.id)) or 0
    return available, voters


def _event_with_options(event_id: int) -> Event:
    event = services.get_event(event_id, manage=True)
    event.date_options  # noqa: B018  (one query, before the page needs them)
    return event


@route("/<int:event_id>/sondage", methods=["GET", "POST"])
def poll(event_id: int):
    event = _event_with_options(event_id)
    can_edit = event.status in ("draft", "polling")
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not can_edit:
            flash("La date de cet événement est déjà fixée (ou l’événement est annulé).",
                  "error")
            return redirect(url_for(".poll", event_id=event.id))
        options, errors = parse_date_options(request.form)
        if not errors:
            opened = event.status == "draft"
            try:
                services.open_poll(event, options)
            except services.EventError as exc:  # date fixed meanwhile
                db.session.rollback()
                flash(str(exc), "error")
                return redirect(url_for(".poll", event_id=event_id))
            db.session.commit()
            flash("Sondage ouvert : les dates proposées sont en cours d’envoi par e-mail aux "
                  "invités." if opened else "Dates proposées enregistrées.", "success")
            return redirect(url_for(".poll", event_id=event.id))
        values = request.form.to_dict()
    else:
        values = option_values(event.date_options)
    available, voters = _poll_results(event) if event.date_options else ({}, 0)
    return render_template("events/poll.html", event=event, values=values, errors=errors,
                           rows=range(1, MAX_OPTIONS + 1), can_edit=can_edit,
                           available=available, voters=voters), 422 if errors else 200


@route("/<int:event_id>/sondage/<int:option_id>/choisir", methods=["GET", "POST"])
def poll_pick(event_id: int, option_id: int):
    event = _event_with_options(event_id)
    option = next((o for o in event.date_options if o.id == option_id), None)
    if option is None:
        abort(404)
    if event.status != "polling":
        flash("La date de cet événement n’est plus à choisir.", "error")
        return redirect(url_for(".poll", event_id=event.id))
    if request.method == "POST":
        try:
            services.pick_date(event, option)
        except services.EventError as exc:  # fixed meanwhile (double click, co-organiser)
            db.session.rollback()
            flash(str(exc), "error")
            return redirect(url_for(".poll", event_id=event_id))
        db.session.commit()
        flash("Date fixée : l’e-mail qui donne à chaque invité son lien pour répondre est en "
              "cours d’envoi.", "success")
        return redirect(url_for(".show", event_id=event.id))
    available, _ = _poll_results(event)
    invited = db.session.scalar(sa.select(sa.func.count(EventInvitation.id)).where(
        EventInvitation.event_id == event.id)) or 0
    return render_template("events/poll_pick.html", event=event, option=option,
                           available=available.get(option.id, []), invited=invited)


# --------------------------------------------------------------------------- minutes

def _minutes_or_404(event: Event):
    minutes = minutes_service.minutes_of(event)
    if minutes is None:
        abort(404)
    return minutes


@route("/<int:event_id>/compte-rendu", methods=["GET", "POST"])
def minutes_edit(event_id: int):
    event = services.get_event(event_id, manage=True)
    minutes = minutes_service.minutes_of(event)
    errors: dict[str, str] = {}
    if request.method == "POST":
        values, errors = load(MinutesSchema(), request.form)
        if not errors:
            minutes, changed = minutes_service.save(event, values["body"], values["note"])
            db.session.commit()
            if not changed:
                flash("Aucune modification à enregistrer.", "info")
            elif minutes.status == "published":
                flash("Compte rendu enregistré. Il est publié : les participants voient "
                      "déjà cette version ; republiez-le pour les prévenir par e-mail.",
                      "success")
            else:
                flash("Brouillon du compte rendu enregistré.", "success")
            return redirect(url_for(".minutes_edit", event_id=event.id))
    else:
        values = {"body": minutes.body if minutes else "", "note": ""}
    decisions = minutes_service.decisions_of(event)
    return render_template("events/minutes_edit.html", event=event, minutes=minutes,
                           values=values, errors=errors, decisions=decisions,
                           ), 422 if errors else 200


@route("/<int:event_id>/compte-rendu/versions")
def minutes_history(event_id: int):
    event = services.get_event(event_id, manage=True)
    minutes = _minutes_or_404(event)
    page = paginate(db.session, minutes_service.revisions_query(minutes), per_page=30)
    return render_template("events/minutes_history.html", event=event, minutes=minutes,
                           page=page)


@route("/<int:event_id>/compte-rendu/versions/<int:revision_id>")
def minutes_revision(event_id: int, revision_id: int):
    from app.networks.fiches.text import word_diff

    event = services.get_event(event_id, manage=True)
    minutes = _minutes_or_404(event)
    revision = minutes_service.revision_of(minutes, revision_id)
    if revision is None:
        abort(404)
    return render_template("events/minutes_revision.html", event=event, minutes=minutes,
                           revision=revision, diff=word_diff(revision.body, minutes.body))


@route("/<int:event_id>/compte-rendu/versions/<int:revision_id>/restaurer",
       methods=["POST"])
def minutes_restore(event_id: int, revision_id: int):
    event = services.get_event(event_id, manage=True)
    minutes = _minutes_or_404(event)
    revision = minutes_service.revision_of(minutes, revision_id)
    if revision is None:
        abort(404)
    minutes_service.restore(event, revision)
    db.session.commit()
    flash("Version restaurée : elle devient la version actuelle (une nouvelle version est "
          "ajoutée à l’historique).", "success")
    return redirect(url_for(".minutes_edit", event_id=event.id))


@route("/<int:event_id>/compte-rendu/publier", methods=["GET", "POST"])
def minutes_publish(event_id: int):
    event = services.get_event(event_id, manage=True)
    minutes = _minutes_or_404(event)
    if not minutes.body.strip():
        flash("Le compte rendu est vide : écrivez-le avant de le publier.", "error")
        return redirect(url_for(".minutes_edit", event_id=event.id))
    if request.method == "POST":
        first = minutes.status != "published"
        sent = minutes_service.publish(event, minutes, resend=request.form.get("resend") == "on")
        db.session.commit()
        if sent:
            flash("Compte rendu publié ; son envoi par e-mail aux participants et aux "
                  "membres est en cours." if first else
                  "Compte rendu republié ; son nouvel envoi aux participants est en cours.",
                  "success")
        else:
            flash("Compte rendu republié (sans nouvel e-mail).", "success")
        return redirect(url_for(".show", event_id=event.id))
    recipients = notices.minutes_recipients(event)
    return render_template("events/minutes_publish.html", event=event, minutes=minutes,
                           recipients=recipients, decisions=minutes_service.decisions_of(event))
