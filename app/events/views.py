"""Events pages, in a tenant (/t/<tenant>/evenements) and in a network (/n/<network>/evenements).

The same organiser views serve both spaces (`route` adds a rule to both blueprints): the
event is looked up in the current space, so another tenant's or network's id is a 404.
The agenda, invitations, answers and attendance are in `organiser_views`; date polls and
minutes in `meeting_views`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import contains_eager

from app.committees.models import CommitteeMember
from app.core import tenancy
from app.core.forms import load
from app.core.spaces import has_role, network_blueprint, route_in_both, tenant_blueprint
from app.core.tenancy import Space
from app.core.ui import PARIS, paginate
from app.events import answers, audience, ics, notices, services, tokens
from app.events import minutes as minutes_service
from app.events.models import (
    EVENT_KINDS,
    EVENT_STATUSES,
    INVITATION_SOURCES,
    RESPONSES,
    Event,
    EventInvitation,
    Minutes,
)
from app.events.schemas import EventSchema, to_local_input
from app.extensions import db

tenant_bp = tenant_blueprint("events", __name__, url_prefix="/t/<tenant_slug>/evenements",
                             template_folder="templates")
network_bp = network_blueprint("network_events", __name__,
                               url_prefix="/n/<network_slug>/evenements",
                               template_folder="templates")

MY_INVITATIONS = 30
MY_REPORTS = 12
ORGANISED_PREVIEW = 10


# The organiser's views serve both spaces (same endpoint name).
route = route_in_both(tenant_bp, network_bp)


@network_bp.before_request
def _coordinators_only():
    if not has_role("network_coordinator"):
        abort(403)


def hour_fr(value: datetime) -> str:
    local = value.astimezone(PARIS)
    return f"{local.hour} h {local.minute:02d}"


def duration_fr(minutes: int) -> str:
    """« 45 min », « 1 h 30 »."""
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d}" if minutes % 60 else f"{minutes // 60} h"


def answer_link(invitation: EventInvitation) -> str:
    return url_for("rsvp.answer", token=tokens.token_for(invitation.token_key))


def answers_open(event: Event) -> bool:
    if event.status not in ("scheduled", "polling"):
        return False
    closes = event.answers_close_at()
    return closes is None or closes > datetime.now(UTC)


def is_over(event: Event) -> bool:
    """A scheduled event that has ended (pages then say « Terminé », offer no reminder)."""
    end = event.ends_at or event.starts_at
    return event.status == "scheduled" and end is not None and end <= datetime.now(UTC)


def _helpers():
    from app.networks.fiches.text import markdown_to_html

    return {"event_kinds": EVENT_KINDS, "event_statuses": EVENT_STATUSES,
            "responses": RESPONSES, "sources": INVITATION_SOURCES, "hour_fr": hour_fr,
            "markdown": markdown_to_html, "answer_link": answer_link,
            "answers_open": answers_open, "agenda_total": services.agenda_total,
            "duration_fr": duration_fr, "is_over": is_over,
            "today": datetime.now(PARIS).date()}


tenant_bp.context_processor(_helpers)
network_bp.context_processor(_helpers)


def int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 16 else None


def _ended():
    return sa.func.coalesce(Event.ends_at, Event.starts_at)


# --------------------------------------------------------------------------- indexes

@tenant_bp.get("")
def tenant_index():
    now = datetime.now(UTC)
    with tenancy.use_space(Space.personal(current_user.id), db.session):
        mine = db.session.scalars(
            sa.select(EventInvitation).join(Event, Event.id == EventInvitation.event_id)
            .options(contains_eager(EventInvitation.event).selectinload(Event.date_options))
            .where(sa.or_(Event.starts_at.is_(None), _ended() >= now - timedelta(days=30)))
            .order_by(Event.starts_at.asc().nulls_first(), Event.id)
            .limit(MY_INVITATIONS)).all()
        # Older meetings stay reachable through their minutes (the person's own only).
        reports = db.session.execute(
            sa.select(Event, Minutes.published_at).join(Minutes, Minutes.event_id == Event.id)
            .where(Minutes.status == "published")
            .order_by(Event.starts_at.desc().nulls_last(), Event.id.desc())
            .limit(MY_REPORTS)).all()
    network_ids = set(tenancy.current_space().network_ids)
    here = {event.id for event in [inv.event for inv in mine] + [row[0] for row in reports]
            if event.tenant_id == g.tenant.id or event.network_id in network_ids}
    agenda = paginate(db.session, sa.select(Event).where(
        Event.status != "draft", sa.or_(Event.status == "polling", _ended() >= now))
        .order_by(Event.starts_at.asc().nulls_last(), Event.id), per_page=20)
    organised = None
    if services.can_create():
        organised = db.session.scalars(
            _organised_query().where(sa.or_(Event.starts_at.is_(None), _ended() >= now))
            .order_by(Event.starts_at.asc().nulls_first(), Event.id)
            .limit(ORGANISED_PREVIEW)).all()
    return render_template("events/tenant_index.html", mine=mine, here=here, agenda=agenda,
                           organised=organised, now=now, reports=reports)


def _organised_query() -> sa.Select:
    """The tenant's own events that the user organises."""
    query = sa.select(Event).where(Event.network_id.is_(None))
    if not services.is_space_admin():
        query = query.where(Event.committee_id.in_(services.chaired_committee_ids() or {0}))
    return query


@tenant_bp.get("/organises")
def organised():
    if not services.can_create():
        abort(403)
    page = paginate(db.session, _organised_query().order_by(
        Event.starts_at.desc().nulls_first(), Event.id.desc()))
    return render_template("events/organised.html", page=page)


@network_bp.get("")
def network_index():
    now = datetime.now(UTC)
    past = request.args.get("quand") == "passes"
    kind = request.args.get("type", "")
    query = sa.select(Event)
    if past:
        query = query.where(_ended() < now).order_by(Event.starts_at.desc(), Event.id.desc())
    else:
        query = query.where(sa.or_(Event.starts_at.is_(None), _ended() >= now)).order_by(
            Event.starts_at.asc().nulls_first(), Event.id)
    if kind in EVENT_KINDS:
        query = query.where(Event.kind == kind)
    else:
        kind = ""
    return render_template("events/network_index.html", page=paginate(db.session, query),
                           past=past, kind=kind)


# --------------------------------------------------------------------------- create, edit

def _event_form(event: Event | None):
    if event is None and not services.can_create():
        abort(403)
    if event is not None:
        committee = event.committee if event.committee_id else None
    else:
        raw = request.form.get("committee_id", "") if request.method == "POST" \
            else request.args.get("comite", "")
        committee = services.committee_or_none(int(raw)) if raw.isdigit() and len(raw) < 16 \
            else None
        if raw and committee is None:
            abort(404)
    members = list(db.session.scalars(
        sa.select(CommitteeMember).where(CommitteeMember.committee_id == committee.id)
        .order_by(CommitteeMember.name))) if committee else []
    polling = event is not None and event.status == "polling"
    errors: dict[str, str] = {}
    if request.method == "POST":
        schema = EventSchema(needs_date=event is not None and event.status == "scheduled",
                             member_ids=[m.id for m in members])
        values, errors = load(schema, request.form)
        if not errors and values["kind"] not in services.kind_choices():
            errors["kind"] = "Choisissez une valeur dans la liste."
        if event is None and committee is None and not services.is_space_admin():
            abort(403)  # a committee's chair organises that committee's meetings only
        if not errors:
            if polling:
                values["starts_at"], values["ends_at"] = None, None
            if committee is not None and "facilitator_member_id" not in request.form:
                suggestion = services.facilitator_suggestion(
                    committee.id, audience.event_day(event, values["starts_at"]))
                values["facilitator_member_id"] = suggestion.id if suggestion else None
            saved, added = services.save_event(event, values, committee)
            db.session.commit()
            message = "Événement créé (brouillon)." if event is None else "Événement enregistré."
            if added:
                message += f" {added} membre{'s' if added > 1 else ''} du comité invité" \
                           f"{'s' if added > 1 else ''}."
            flash(message, "success")
            return redirect(url_for(".show", event_id=saved.id))
        values = request.form.to_dict()
    elif event is not None:
        values = {name: getattr(event, name) for name in services.EVENT_FIELDS}
        values["starts_at"] = to_local_input(event.starts_at)
        values["ends_at"] = to_local_input(event.ends_at)
        values["facilitator_member_id"] = event.facilitator_member_id or ""
    else:
        values = {"kind": "comite" if committee else "forum"}
        if committee is not None:
            values["title"] = f"Réunion — {committee.name}"
            values["place"] = committee.usual_place
    suggestion = None
    if committee is not None:
        suggestion = services.facilitator_suggestion(committee.id, audience.event_day(event))
        if event is None and request.method == "GET":
            values["facilitator_member_id"] = suggestion.id if suggestion else ""
    return render_template(
        "events/form.html", event=event, values=values, errors=errors, committee=committee,
        member_options=[(m.id, f"{m.name} ({m.position_label})") for m in members],
        suggestion=suggestion, polling=polling,
        kinds=services.kind_choices(),
        committees=services.owner_committees() if event is None else [],
    ), 422 if errors else 200


@route("/nouveau", methods=["GET", "POST"])
def new():
    return _event_form(None)


@route("/<int:event_id>/modifier", methods=["GET", "POST"])
def edit(event_id: int):
    event = services.get_event(event_id, manage=True)
    if event.status == "cancelled":
        flash("Cet événement est annulé : il ne peut plus être modifié.", "error")
        return redirect(url_for(".show", event_id=event.id))
    return _event_form(event)


# --------------------------------------------------------------------------- event page

def _personal_part(event: Event) -> dict:
    """What the signed-in person may read as an invitee or a member: read in the personal
    space, so that the database itself restricts it to them."""
    with tenancy.use_space(Space.personal(current_user.id), db.session):
        invitation = db.session.scalar(sa.select(EventInvitation).where(
            EventInvitation.event_id == event.id))
        member = event.committee_id is not None and db.session.scalar(
            sa.select(sa.func.count(CommitteeMember.id)).where(
                CommitteeMember.committee_id == event.committee_id)) > 0
        minutes = db.session.scalar(sa.select(Minutes).where(Minutes.event_id == event.id))
        decisions = minutes_service.decisions_of(event) if minutes is not None else []
    return {"invitation": invitation, "member": bool(member), "minutes": minutes,
            "decisions": decisions}


@route("/<int:event_id>")
def show(event_id: int):
    event = services.get_event(event_id)
    organiser = g.event_organiser
    context: dict = {"invitation": None, "member": False, "minutes": None, "decisions": [],
                     "counts": None}
    if organiser:
        context["counts"] = answers.counts(event)
        context["attended"] = answers.attended_count(event)
        context["minutes"] = minutes_service.minutes_of(event)
        context["decisions"] = minutes_service.decisions_of(event)
        context["pending"] = services.pending_count(event) if event.status == "draft" else 0
    if not in_network_space():
        personal = _personal_part(event)
        context["invitation"], context["member"] = personal["invitation"], personal["member"]
        if not organiser:
            context["minutes"], context["decisions"] = personal["minutes"], personal["decisions"]
    insider = organiser or context["invitation"] is not None or context["member"]
    return render_template("events/show.html", event=event, organiser=organiser,
                           insider=insider, **context)


def in_network_space() -> bool:
    return g.get("space_kind") == "network"


@route("/<int:event_id>.ics")
def event_ics(event_id: int):
    event = services.get_event(event_id)
    insider = g.event_organiser
    if not insider and not in_network_space():
        personal = _personal_part(event)
        insider = personal["invitation"] is not None or personal["member"]
    vevent = ics.event_vevent(event, details=insider)
    if vevent is None:
        abort(404)
    response = Response(ics.event_calendar([event], event.title, details=insider),
                        content_type=ics.ICS_MIMETYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="evenement-{event.id}.ics"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --------------------------------------------------------------------------- status

@route("/<int:event_id>/publier", methods=["POST"])
def publish(event_id: int):
    event = services.get_event(event_id, manage=True)
    try:
        sent = services.publish(event)
    except services.EventError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for(".show", event_id=event_id))
    db.session.commit()
    flash(f"Événement publié ; {sent} invitation{'s' if sent > 1 else ''} en cours d’envoi "
          "par e-mail (suivi dans « Inviter »)." if sent else
          "Événement publié. Ajoutez des invités : leur invitation partira aussitôt.",
          "success")
    return redirect(url_for(".show", event_id=event_id))


@route("/<int:event_id>/annuler", methods=["GET", "POST"])
def cancel(event_id: int):
    event = services.get_event(event_id, manage=True)
    if event.status == "cancelled":
        flash("Cet événement est déjà annulé.", "info")
        return redirect(url_for(".show", event_id=event.id))
    if request.method == "POST":
        try:
            told = services.cancel(event)
        except services.EventError as exc:  # cancelled meanwhile (double click)
            db.session.rollback()
            flash(str(exc), "info")
            return redirect(url_for(".show", event_id=event_id))
        db.session.commit()
        flash(f"Événement annulé ; l’e-mail qui prévient {told} personne"
              f"{'s' if told > 1 else ''} est en cours d’envoi." if told else
              "Événement annulé ; personne n’était à prévenir par e-mail.", "success")
        return redirect(url_for(".show", event_id=event.id))
    told = db.session.scalar(sa.select(sa.func.count(EventInvitation.id)).where(
        *notices.cancellation_criteria(event.id))) or 0
    return render_template("events/cancel.html", event=event, told=told)


from app.events import meeting_views, organiser_views  # noqa: E402,F401  (registers routes)
