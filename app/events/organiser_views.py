"""Organiser pages of one event: agenda, invitations, answers, reminders, attendance and
the CSV export (both spaces; see `views.route`)."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for

from app.core import audit
from app.core.forms import FormSchema, id_list, load
from app.core.ui import paginate
from app.events import answers, audience, delivery, invitations, services
from app.events.models import AgendaItem, Event
from app.events.schemas import AgendaItemSchema, InviteEmailSchema
from app.events.views import answers_open, in_network_space, route
from app.extensions import db


def _item_or_404(event: Event, item_id: int) -> AgendaItem:
    item = next((i for i in event.agenda if i.id == item_id), None)
    if item is None:
        abort(404)
    return item


def _editable(event: Event):
    if event.status == "cancelled":
        flash("Cet événement est annulé : il ne peut plus être modifié.", "error")
        return redirect(url_for(".show", event_id=event.id))
    return None


# --------------------------------------------------------------------------- agenda

@route("/<int:event_id>/ordre-du-jour", methods=["GET", "POST"])
def agenda(event_id: int):
    event = services.get_event(event_id, manage=True)
    values: dict = {}
    errors: dict[str, str] = {}
    if request.method == "POST":
        if (refused := _editable(event)) is not None:
            return refused
        values, errors = load(AgendaItemSchema(), request.form)
        if not errors:
            services.add_agenda_item(event, values)
            db.session.commit()
            flash("Point ajouté à l’ordre du jour.", "success")
            return redirect(url_for(".agenda", event_id=event.id))
    return render_template("events/agenda.html", event=event, values=values,
                           errors=errors), 422 if errors else 200


@route("/<int:event_id>/ordre-du-jour/<int:item_id>", methods=["GET", "POST"])
def agenda_item(event_id: int, item_id: int):
    event = services.get_event(event_id, manage=True)
    item = _item_or_404(event, item_id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        if (refused := _editable(event)) is not None:
            return refused
        values, errors = load(AgendaItemSchema(), request.form)
        if not errors:
            services.update_agenda_item(item, values)
            db.session.commit()
            flash("Point modifié.", "success")
            return redirect(url_for(".agenda", event_id=event.id))
    else:
        values = {"title": item.title, "presenter": item.presenter,
                  "duration_minutes": item.duration_minutes or ""}
    return render_template("events/agenda_item.html", event=event, item=item, values=values,
                           errors=errors), 422 if errors else 200


@route("/<int:event_id>/ordre-du-jour/<int:item_id>/deplacer", methods=["POST"])
def agenda_move(event_id: int, item_id: int):
    event = services.get_event(event_id, manage=True)
    item = _item_or_404(event, item_id)
    if (refused := _editable(event)) is not None:
        return refused
    if services.move_agenda_item(event, item, request.form.get("sens", "")):
        db.session.commit()
        flash(f"« {item.title} » déplacé.", "success")
    return redirect(url_for(".agenda", event_id=event.id) + f"#point-{item.id}")


@route("/<int:event_id>/ordre-du-jour/<int:item_id>/supprimer", methods=["POST"])
def agenda_remove(event_id: int, item_id: int):
    event = services.get_event(event_id, manage=True)
    item = _item_or_404(event, item_id)
    if (refused := _editable(event)) is not None:
        return refused
    title = item.title
    services.remove_agenda_item(event, item)
    db.session.commit()
    flash(f"« {title} » retiré de l’ordre du jour.", "success")
    return redirect(url_for(".agenda", event_id=event.id))


# --------------------------------------------------------------------------- invitations

class _Ids(FormSchema):
    list_fields = ("ids",)
    ids = id_list()


def _ids() -> list[int]:
    data, errors = load(_Ids(), request.form)
    return [] if errors else data["ids"]


@route("/<int:event_id>/invitations", methods=["GET", "POST"])
def invite(event_id: int):
    event = services.get_event(event_id, manage=True)
    values: dict = {}
    errors: dict[str, str] = {}
    if request.method == "POST":
        if (refused := _editable(event)) is not None:
            return refused
        group = request.form.get("group", "")
        outcome = None
        if group == "email":
            values, errors = load(InviteEmailSchema(), request.form)
            if not errors:
                outcome = audience.invite_one(event, values)
        elif group == "users" and not in_network_space():
            outcome = audience.invite_users(event, _ids())
        elif group == "relais" and not in_network_space():
            outcome = audience.invite_tenant_relais(event)
        elif group == "relais" and in_network_space():
            raw = request.form.get("tenant_id", "")
            outcome = audience.invite_network_relais(event, int(raw)) \
                if raw.isdigit() and len(raw) < 16 else None
            if outcome is None:
                errors["tenant_id"] = "Choisissez un territoire dans la liste."
        elif group == "committee":
            raw = request.form.get("committee_id", "")
            committee = services.committee_or_none(int(raw)) \
                if raw.isdigit() and len(raw) < 16 else None
            if committee is None:
                errors["committee_id"] = "Choisissez un comité dans la liste."
            else:
                outcome = audience.invite_committee(event, committee.id)
        elif group == "contacts":
            outcome = audience.invite_contacts(event, _ids())
        else:
            abort(400)
        if outcome is not None and not outcome.added and not outcome.already:
            flash("Personne à inviter : cochez au moins une case (ou le groupe est vide).",
                  "info")
            return redirect(url_for(".invite", event_id=event.id))
        if outcome is not None:
            db.session.commit()
            flash(outcome.message + _sending_note(event, outcome.added), "success")
            return redirect(url_for(".invite", event_id=event.id))
    emails, user_ids = audience.invited(event)
    network = in_network_space()
    tracked = paginate(db.session, delivery.tracking_query(event), per_page=50)
    return render_template(
        "events/invitations.html", event=event, values=values, errors=errors,
        invited_emails=emails, invited_users=user_ids,
        people=[] if network else audience.tenant_people(),
        tenants=audience.member_tenants() if network else [],
        committees=services.owner_committees(), directory=audience.directory(),
        max_people=audience.MAX_PEOPLE, tracked=tracked,
        deliveries=delivery.states(event, tracked.items),
        delivery_summary=delivery.summary(event)), 422 if errors else 200


def _sending_note(event: Event, added: int) -> str:
    """What happens to the new invitations' e-mails: queued now, or at publication."""
    if not added:
        return ""
    if answers_open(event):
        return (" Envoi par e-mail en cours : suivez-le dans « Suivi des envois »."
                if added > 1 else
                " Invitation enregistrée : envoi en cours (voir « Suivi des envois »).")
    if event.status == "draft":
        return (" Elles partiront par e-mail à la publication de l’événement." if added > 1
                else " Elle partira par e-mail à la publication de l’événement.")
    return " L’événement est terminé : aucun e-mail n’est envoyé."


# --------------------------------------------------------------------------- answers

@route("/<int:event_id>/reponses")
def answers_list(event_id: int):
    event = services.get_event(event_id, manage=True)
    page = paginate(db.session, answers.answers_query(event), per_page=100)
    return render_template("events/answers.html", event=event, page=page,
                           deliveries=delivery.states(event, page.items),
                           delivery_summary=delivery.summary(event),
                           counts=answers.counts(event),
                           attended=answers.attended_count(event),
                           to_remind=answers.reminder_count(event))


@route("/<int:event_id>/reponses.csv")
def answers_csv(event_id: int):
    event = services.get_event(event_id, manage=True)
    body = answers.answers_csv(event)
    return Response(body.encode("utf-8"), mimetype="text/csv",
                    headers={"Content-Disposition":
                             f'attachment; filename="reponses-evenement-{event.id}.csv"',
                             "Cache-Control": "private, no-store"})


@route("/<int:event_id>/invitations/<int:guest_id>/retirer", methods=["GET", "POST"])
def invitation_remove(event_id: int, guest_id: int):
    event = services.get_event(event_id, manage=True)
    invitation = answers.invitation_of(event, guest_id)
    if invitation is None:
        abort(404)
    if request.method == "POST":
        name = invitation.name
        answers.remove_invitation(invitation)
        db.session.commit()
        flash(f"Invitation de {name} retirée.", "success")
        return redirect(url_for(".answers_list", event_id=event.id))
    return render_template("events/invitation_remove.html", event=event,
                           invitation=invitation)


@route("/<int:event_id>/relancer", methods=["GET", "POST"])
def remind(event_id: int):
    event = services.get_event(event_id, manage=True)
    count = answers.reminder_count(event)
    if request.method == "POST":
        if count and not answers_open(event):
            flash("L’événement est terminé : les liens de réponse ne fonctionnent plus, "
                  "aucune relance n’est envoyée.", "info")
        elif count:
            invitations.queue_reminders(event)
            audit.record("event.reminders", f"event {event.id}", count=count)
            db.session.commit()
            flash(f"{count} relance{'s' if count > 1 else ''} en cours d’envoi : leur état "
                  "s’affiche dans la colonne « Envoi ».", "success")
        else:
            flash("Personne à relancer.", "info")
        return redirect(url_for(".answers_list", event_id=event.id))
    return render_template("events/remind.html", event=event, count=count)


# --------------------------------------------------------------------------- attendance

@route("/<int:event_id>/presences", methods=["GET", "POST"])
def attendance(event_id: int):
    event = services.get_event(event_id, manage=True)
    if request.method == "POST":
        present = {int(v) for v in request.form.getlist("present")
                   if v.isascii() and v.isdigit() and len(v) < 16}
        count = answers.save_attendance(event, present)
        db.session.commit()
        flash(f"Présences enregistrées : {count} personne{'s' if count > 1 else ''} "
              f"présente{'s' if count > 1 else ''}.", "success")
        return redirect(url_for(".attendance", event_id=event.id))
    rows = answers.attendance_rows(event)
    return render_template("events/attendance.html", event=event, rows=rows,
                           limited=len(rows) >= answers.MAX_ATTENDANCE)

