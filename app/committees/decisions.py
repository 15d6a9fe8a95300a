"""The decisions register: decisions recorded at a meeting (any event of the space: a
committee meeting, a partner forum…), the actions they call for (who, by when, where it
stands), and the follow-up across meetings.

Routes on both committees blueprints (imported at the bottom of `app.committees.views`).
A decision or an action belongs to the event's owner: organisers read and write them in
that space only (another space's ids are a 404). Members read them on the committee page,
through the personal space (`services.personal_decisions`).
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy.orm import joinedload, selectinload

from app.committees import services
from app.committees.models import (
    OPEN_ACTION_STATUSES,
    ActionItem,
    Committee,
    CommitteeMember,
    Decision,
)
from app.committees.schemas import ActionSchema, DecisionSchema, StatusSchema
from app.committees.views import INVALID, both, committee_or_404
from app.core import audit
from app.core.forms import load
from app.core.models import User
from app.core.ui import paginate
from app.extensions import db

FILTERS = {"toutes": "Toutes", "ouvertes": "À faire ou en cours", "en-retard": "En retard",
           "faites": "Faites"}
RETURNS = ("reunion", "comite", "suivi")


# --------------------------------------------------------------------------- access

def _may_write(committee: Committee | None) -> bool:
    if services.is_admin():
        return True
    return committee is not None and services.can_organise(committee)


def event_or_404(event_id: int):
    """The event, if the current space owns it (a network's event seen from a member
    tenant is not found: its decisions belong to the network); 403 for non-organisers."""
    from app.events.models import Event

    event = db.session.scalar(sa.select(Event).where(Event.id == event_id))
    if event is None or not services.owned_here(event):
        abort(404)
    committee = services.find_committee(event.committee_id) if event.committee_id else None
    if not _may_write(committee):
        abort(403)
    return event, committee


def decision_or_404(decision_id: int):
    decision = db.session.scalar(
        sa.select(Decision).options(joinedload(Decision.event), selectinload(Decision.actions))
        .where(Decision.id == decision_id))
    if decision is None:
        abort(404)
    committee = (services.find_committee(decision.committee_id)
                 if decision.committee_id else None)
    if not _may_write(committee):
        abort(403)
    return decision, committee


def action_or_404(action_id: int):
    action = db.session.scalar(
        sa.select(ActionItem)
        .options(joinedload(ActionItem.decision).joinedload(Decision.event))
        .where(ActionItem.id == action_id))
    if action is None:
        abort(404)
    committee_id = action.decision.committee_id
    committee = services.find_committee(committee_id) if committee_id else None
    if not _may_write(committee):
        abort(403)
    return action, committee


def _back(action: ActionItem | None = None, decision: Decision | None = None):
    """Where to go after a change: `retour` says which page the form was on."""
    target = request.values.get("retour", "reunion")
    filtre = request.values.get("filtre", "")
    filtre = filtre if filtre in FILTERS else None
    raw_page = request.values.get("page", "")
    page = int(raw_page) if raw_page.isdigit() and 1 < int(raw_page) < 100000 else None
    decision = decision or (action.decision if action else None)
    if target == "suivi":
        return redirect(url_for(".followup_all", filtre=filtre, page=page))
    if target == "comite" and decision is not None and decision.committee_id:
        return redirect(url_for(".followup", committee_id=decision.committee_id,
                                filtre=filtre, page=page))
    return redirect(url_for(".meeting_decisions", event_id=decision.event_id)
                    + f"#decision-{decision.id}")


# --------------------------------------------------------------------------- writes

def _next_position(event_id: int) -> int:
    last = db.session.scalar(sa.select(sa.func.max(Decision.position))
                             .where(Decision.event_id == event_id))
    return (last or 0) + 1


def add_decision(event, data: dict) -> Decision:
    decision = Decision(event_id=event.id, committee_id=event.committee_id,
                        tenant_id=event.tenant_id, network_id=event.network_id,
                        title=data["title"], details=data["details"],
                        position=_next_position(event.id))
    db.session.add(decision)
    db.session.flush()
    audit.record("decision.created", f"event {event.id}", decision=decision.id)
    return decision


def save_action(action: ActionItem | None, decision: Decision, data: dict,
                members: list[CommitteeMember]) -> ActionItem:
    member = next((m for m in members if m.id == data.get("owner_member_id")), None)
    if member is not None:
        name, email, user_id = member.name, member.email, member.user_id
    else:
        name, email = data["owner_name"], (data.get("owner_email") or "").lower()
        user_id = db.session.scalar(sa.select(User.id).where(
            User.email == email, User.is_active)) if email else None
    created = action is None
    if created:
        action = ActionItem(decision_id=decision.id, tenant_id=decision.tenant_id,
                            network_id=decision.network_id)
        db.session.add(action)
    if action.due_on != data.get("due_on"):
        action.last_reminded_on = None  # a new due date: a new reminder when it passes
    action.title = data["title"]
    action.owner_name, action.owner_email, action.owner_user_id = name[:200], email, user_id
    action.due_on = data.get("due_on")
    set_status(action, data["status"])
    db.session.flush()
    audit.record("action.created" if created else "action.updated",
                 f"decision {decision.id}", action_id=action.id)
    return action


def set_status(action: ActionItem, status: str) -> None:
    if status == "done" and action.status != "done":
        action.done_on = services.today()
    elif status != "done":
        action.done_on = None
    action.status = status


# --------------------------------------------------------------------------- meeting page

def _members(committee: Committee | None) -> list[CommitteeMember]:
    return list(committee.members) if committee is not None else []


def _meeting_page(event, committee, values=None, errors=None):
    decisions = db.session.scalars(
        sa.select(Decision).options(selectinload(Decision.actions))
        .where(Decision.event_id == event.id)
        .order_by(Decision.position, Decision.id)).all()
    return render_template(
        "committees/decisions.html", event=event, committee=committee, decisions=decisions,
        values=values or {}, errors=errors or {}), INVALID if errors else 200


@both("/reunions/<int:event_id>/decisions", methods=["GET", "POST"])
def meeting_decisions(event_id: int):
    event, committee = event_or_404(event_id)
    if request.method == "POST":
        values, errors = load(DecisionSchema(), request.form)
        if errors:
            return _meeting_page(event, committee, values, errors)
        decision = add_decision(event, values)
        db.session.commit()
        flash("Décision enregistrée. Ajoutez-lui les actions à mener.", "success")
        return redirect(url_for(".meeting_decisions", event_id=event.id)
                        + f"#decision-{decision.id}")
    return _meeting_page(event, committee)


@both("/decisions/<int:decision_id>", methods=["GET", "POST"])
def decision_edit(decision_id: int):
    decision, committee = decision_or_404(decision_id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        values, errors = load(DecisionSchema(), request.form)
        if not errors:
            decision.title, decision.details = values["title"], values["details"]
            audit.record("decision.updated", f"event {decision.event_id}",
                         decision=decision.id)
            db.session.commit()
            flash("Décision enregistrée.", "success")
            return _back(decision=decision)
    else:
        values = {"title": decision.title, "details": decision.details}
    return render_template("committees/decision_form.html", decision=decision,
                           committee=committee, values=values,
                           errors=errors), INVALID if errors else 200


@both("/decisions/<int:decision_id>/supprimer", methods=["GET", "POST"])
def decision_remove(decision_id: int):
    decision, committee = decision_or_404(decision_id)
    if request.method == "POST":
        event_id = decision.event_id
        audit.record("decision.deleted", f"event {event_id}", decision=decision.id,
                     title=decision.title[:200])
        db.session.delete(decision)
        db.session.commit()
        flash("Décision supprimée, avec ses actions.", "success")
        return redirect(url_for(".meeting_decisions", event_id=event_id))
    return render_template("committees/decision_remove.html", decision=decision,
                           committee=committee)


# --------------------------------------------------------------------------- actions

def _action_form(decision, committee, action):
    members = _members(committee)
    errors: dict[str, str] = {}
    if request.method == "POST":
        values, errors = load(ActionSchema(member_ids=[m.id for m in members]), request.form)
        if not errors:
            save_action(action, decision, values, members)
            db.session.commit()
            flash("Action enregistrée." if action is not None else "Action ajoutée.",
                  "success")
            return _back(decision=decision)
    elif action is not None:
        values = {"title": action.title, "owner_name": action.owner_name,
                  "owner_email": action.owner_email, "due_on": action.due_on,
                  "status": action.status, "retour": request.args.get("retour", ""),
                  "filtre": request.args.get("filtre", "")}
        match = next((m for m in members if m.email == action.owner_email), None)
        if match is not None:
            values.update(owner_member_id=match.id, owner_name="", owner_email="")
    else:
        values = {"status": "todo"}
    return render_template("committees/action_form.html", decision=decision,
                           committee=committee, action=action, members=members,
                           values=values, errors=errors), INVALID if errors else 200


@both("/decisions/<int:decision_id>/actions/nouvelle", methods=["GET", "POST"])
def action_new(decision_id: int):
    decision, committee = decision_or_404(decision_id)
    return _action_form(decision, committee, None)


@both("/actions/<int:action_id>", methods=["GET", "POST"])
def action_edit(action_id: int):
    action, committee = action_or_404(action_id)
    return _action_form(action.decision, committee, action)


@both("/actions/<int:action_id>/supprimer", methods=["GET", "POST"])
def action_remove(action_id: int):
    action, committee = action_or_404(action_id)
    if request.method == "POST":
        decision = action.decision
        audit.record("action.deleted", f"decision {decision.id}", action_id=action.id)
        db.session.delete(action)
        db.session.commit()
        flash("Action supprimée.", "success")
        return _back(decision=decision)
    return render_template("committees/action_remove.html", action=action,
                           committee=committee)


@both("/actions/<int:action_id>/statut", methods=["POST"])
def action_status(action_id: int):
    action, _committee = action_or_404(action_id)
    values, errors = load(StatusSchema(), request.form)
    if errors:
        flash("Choisissez un état dans la liste.", "error")
        return _back(action=action)
    set_status(action, values["status"])
    audit.record("action.status", f"decision {action.decision_id}", action_id=action.id,
                 status=action.status)
    db.session.commit()
    flash(f"« {action.title} » : {action.status_label.lower()}.", "success")
    return _back(action=action)


# --------------------------------------------------------------------------- follow-up

def _filter(actions, name: str, today: date) -> list[ActionItem]:
    if name == "ouvertes":
        return [a for a in actions if a.status in OPEN_ACTION_STATUSES]
    if name == "en-retard":
        return [a for a in actions if a.is_overdue(today)]
    if name == "faites":
        return [a for a in actions if a.status == "done"]
    return list(actions)


def _condition(name: str, today: date):
    """`_filter` in SQL (None: every action)."""
    if name == "ouvertes":
        return ActionItem.status.in_(OPEN_ACTION_STATUSES)
    if name == "en-retard":
        return sa.and_(ActionItem.status.in_(OPEN_ACTION_STATUSES), ActionItem.due_on < today)
    if name == "faites":
        return ActionItem.status == "done"
    return None


def _chosen_filter() -> str:
    name = request.args.get("filtre", "toutes")
    return name if name in FILTERS else "toutes"


@both("/<int:committee_id>/suivi")
def followup(committee_id: int):
    from app.events.models import Event

    committee = committee_or_404(committee_id)
    if not services.can_organise(committee):
        abort(403)
    today, chosen = services.today(), _chosen_filter()
    # The counts of every filter, in one query; then one page of decisions (those with an
    # action the filter keeps), with their meeting and actions.
    totals = db.session.execute(
        sa.select(*(sa.func.count(ActionItem.id) if _condition(name, today) is None
                    else sa.func.count(ActionItem.id).filter(_condition(name, today))
                    for name in FILTERS))
        .select_from(ActionItem).join(Decision, Decision.id == ActionItem.decision_id)
        .where(Decision.committee_id == committee.id)).one()
    counts = dict(zip(FILTERS, totals, strict=True))
    stmt = (sa.select(Decision).join(Event, Event.id == Decision.event_id)
            .options(selectinload(Decision.actions), joinedload(Decision.event))
            .where(Decision.committee_id == committee.id)
            .order_by(Event.starts_at.desc().nulls_last(), Event.id.desc(),
                      Decision.position, Decision.id))
    condition = _condition(chosen, today)
    if condition is not None:
        stmt = stmt.where(Decision.actions.any(condition))
    page = paginate(db.session, stmt)
    groups: list[tuple] = []  # (event, [(decision, actions)])
    for decision in page.items:
        shown = _filter(decision.actions, chosen, today)
        if not groups or groups[-1][0].id != decision.event_id:
            groups.append((decision.event, []))
        groups[-1][1].append((decision, shown))
    return render_template("committees/followup.html", committee=committee, groups=groups,
                           counts=counts, filters=FILTERS, chosen=chosen, page=page)


@both("/suivi")
def followup_all():
    if not services.is_admin():
        abort(403)
    today, chosen = services.today(), _chosen_filter()
    stmt = sa.select(ActionItem).options(
        joinedload(ActionItem.decision).joinedload(Decision.event))
    if chosen == "ouvertes":
        stmt = stmt.where(ActionItem.status.in_(OPEN_ACTION_STATUSES))
    elif chosen == "en-retard":
        stmt = stmt.where(ActionItem.status.in_(OPEN_ACTION_STATUSES),
                          ActionItem.due_on < today)
    elif chosen == "faites":
        stmt = stmt.where(ActionItem.status == "done")
    stmt = stmt.order_by(
        sa.case((ActionItem.status.in_(OPEN_ACTION_STATUSES), 0), else_=1),
        ActionItem.due_on.asc().nulls_last(), ActionItem.id)
    page = paginate(db.session, stmt)
    committee_ids = {a.decision.committee_id for a in page.items if a.decision.committee_id}
    names = dict(db.session.execute(sa.select(Committee.id, Committee.name)
                                    .where(Committee.id.in_(committee_ids))).all()) \
        if committee_ids else {}
    return render_template("committees/followup_all.html", page=page, names=names,
                           filters=FILTERS, chosen=chosen)
