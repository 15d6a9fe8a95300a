"""The invitee's personal link (/invitation/<token>/repondre): no login, one invitation only.

(/invitation/<token> alone is taken by the platform's account invitations, `core`.)

Public by design: the token (a random key + an HMAC of it, see `app.events.tokens`) is the
credential, and whoever holds the link acts as "that invitee" for that one invitation.

- The token is checked before any database access: a wrong MAC, a truncated or altered
  link and a link whose key does not exist all get the same 404 page (nothing to learn by
  trying links), and nothing is written.
- The row is found by its key in an unscoped look-up (the visitor has no space); every
  other read and every write then happens in the event owner's space.
- The form never carries an invitation id: the token decides which invitation is answered.
- Pages are not cached and send no referrer (the token is in the URL). The browser then
  sends no Referer with the form either, which Flask-WTF's strict HTTPS check would refuse:
  the blueprint is exempt from the global check and the CSRF token is verified here
  instead (same token, same session; only the Referer comparison is left out).
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_wtf.csrf import CSRFError, validate_csrf
from marshmallow import ValidationError, fields, validate, validates_schema
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import selectinload
from wtforms.validators import ValidationError as WTFValidationError

from app.core import tenancy
from app.core.forms import REQUIRED, FormSchema, load, text
from app.core.ui import PARIS, date_fr
from app.events import tokens
from app.events.invitations import owner_space
from app.events.models import RESPONSES, DateVote, Event, EventInvitation
from app.extensions import csrf, db

bp = Blueprint("rsvp", __name__, template_folder="templates")
csrf.exempt(bp)  # checked in `_check_csrf` (no Referer is sent: Referrer-Policy no-referrer)

TEMPLATES = "events/rsvp/"
MAX_PARTY = 20
PARTY_MESSAGE = f"Indiquez un nombre de personnes entre 1 et {MAX_PARTY}."
PARTY_INVALID = f"Indiquez un nombre en chiffres, entre 1 et {MAX_PARTY}."
PARTY_ZERO = "0 personne n’est possible qu’en répondant « Non »."
RESPONSE_MESSAGE = "Choisissez « Oui », « Non » ou « Peut-être »."
OPTIONS_INVALID = "Ce choix de dates n’est pas valide : rechargez la page et recommencez."
OPTIONS_CONTRADICT = ("Vous avez coché une date et « Aucune de ces dates ne me convient » : "
                      "gardez l’un ou l’autre.")


class AnswerForm(FormSchema):
    response = fields.String(
        required=True, validate=validate.OneOf(list(RESPONSES), error=RESPONSE_MESSAGE),
        error_messages={"required": RESPONSE_MESSAGE, "null": RESPONSE_MESSAGE})
    party_size = fields.Integer(
        strict=True, load_default=1,
        validate=validate.Range(min=0, max=MAX_PARTY, error=PARTY_MESSAGE),
        error_messages={"invalid": PARTY_INVALID, "null": PARTY_INVALID,
                        "required": REQUIRED})
    comment = text(max_length=500)

    @validates_schema
    def _zero_only_for_no(self, data, **kwargs):
        if data.get("party_size") == 0 and data.get("response") not in (None, "no"):
            raise ValidationError(PARTY_ZERO, "party_size")


def _answer_input(form) -> dict:
    """The posted answer, with a blank number of people read as the default (1) and
    a number written in digits turned into an int (anything else stays text: invalid)."""
    data = {key: form.get(key) for key in ("response", "party_size", "comment") if key in form}
    party = (data.get("party_size") or "").strip()
    if party == "":
        data.pop("party_size", None)
    elif party.isascii() and party.isdigit() and len(party) <= 3:
        data["party_size"] = int(party)
    return data


# --------------------------------------------------------------------------- helpers

def _private(response: Response) -> Response:
    """The token is in the URL: keep the page out of caches, referrers and search engines."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _page(template: str, status: int = 200, **context) -> Response:
    return _private(make_response(render_template(TEMPLATES + template, **context), status))


def _in_app(invitation: EventInvitation) -> str | None:
    """For invitees with an account: where they read the event in Maillage once signed in
    (agenda, their answer, then the minutes and decisions). External partners get None."""
    if invitation.user_id is None:
        return None
    return url_for("my_events.open_event", event_id=invitation.event_id)


def _invalid() -> Response:
    """The one answer for every link that is not ours, or no longer leads anywhere."""
    return _page("invalid.html", 404)


def _find(token: str) -> tuple[int, tenancy.Space] | None:
    """(invitation id, owner's space) of a genuine link, else None.

    The MAC is verified first (no database access for a forged or altered link); the key
    is then looked up unscoped, only to learn which row and which space it belongs to."""
    key = tokens.key_from(token)
    if key is None:
        return None
    inv = EventInvitation.__table__
    with tenancy.unscoped("answer link look-up", db.session):
        row = db.session.execute(
            sa.select(inv.c.id, inv.c.tenant_id, inv.c.network_id)
            .where(inv.c.token_key == key)).first()
    if row is None:
        return None
    return row.id, owner_space(row)


def _load(invitation_id: int) -> EventInvitation | None:
    return db.session.scalar(
        sa.select(EventInvitation)
        .options(selectinload(EventInvitation.event).selectinload(Event.agenda),
                 selectinload(EventInvitation.event).selectinload(Event.date_options))
        .where(EventInvitation.id == invitation_id))


def _closed(event: Event, now: datetime, in_app: str | None = None) -> Response | None:
    """The page to show instead of the form when the link no longer takes answers."""
    if event.status == "draft":
        return _invalid()
    if event.status == "cancelled":
        return _page("closed.html", 410, event=event, cancelled=True, in_app=in_app)
    closes = event.answers_close_at()
    if closes is not None and now > closes:
        return _page("closed.html", 410, event=event, cancelled=False, in_app=in_app)
    return None


@bp.before_request
def _check_csrf() -> None:
    """The global CSRF check, minus its Referer comparison (see the module's docstring):
    a POST without a valid token is refused (400) before the view, as everywhere else."""
    if request.method != "POST" or not current_app.config.get("WTF_CSRF_ENABLED", True):
        return
    try:
        validate_csrf(request.form.get(current_app.config.get("WTF_CSRF_FIELD_NAME",
                                                              "csrf_token")))
    except WTFValidationError as exc:
        raise CSRFError(exc.args[0]) from exc


def _organiser(event: Event) -> str:
    from app.networks.models import Network
    from app.tenants.models import Tenant

    owner = (db.session.get(Network, event.network_id) if event.network_id is not None
             else db.session.get(Tenant, event.tenant_id))
    return owner.name if owner is not None else ""


def _safe_link(url: str) -> str | None:
    url = (url or "").strip()
    return url if url.lower().startswith(("https://", "http://")) else None


def _span(starts: datetime, ends: datetime | None) -> str:
    """« mardi 3 mars 2026 à 14 h 00, jusqu’à 16 h 00 » (Europe/Paris)."""
    text = date_fr(starts)
    if ends is not None:
        end = ends.astimezone(PARIS)
        if end.date() == starts.astimezone(PARIS).date():
            text += f", jusqu’à {end.hour} h {end.minute:02d}"
        else:
            text += f", jusqu’au {date_fr(ends)}"
    return text


def _context(invitation: EventInvitation, now: datetime) -> dict:
    from app.networks.fiches.text import markdown_to_html

    event = invitation.event
    return {
        "invitation": invitation, "event": event, "token": request.view_args["token"],
        "organiser": _organiser(event),
        "committee_name": event.committee.name if event.committee_id else "",
        "description_html": markdown_to_html(event.description) if event.description else "",
        "remote_url": _safe_link(event.remote_link), "closes": event.answers_close_at(),
        "span": _span, "max_party": MAX_PARTY, "now": now,
    }


def _answer_summary(response: str, party_size: int) -> str:
    label = RESPONSES[response]
    if response == "no":
        return label
    people = "1 personne" if party_size == 1 else f"{party_size} personnes"
    return f"{label}, {people}"


def _dates_summary(count: int) -> str:
    if count == 0:
        return "aucune de ces dates ne vous convient"
    return "1 date vous convient" if count == 1 else f"{count} dates vous conviennent"


# --------------------------------------------------------------------------- routes

@bp.route("/invitation/<token>/repondre", methods=["GET", "POST"])
def answer(token: str):
    found = _find(token)
    if found is None:
        return _invalid()
    invitation_id, space = found
    with tenancy.use_space(space, db.session):
        invitation = _load(invitation_id)
        if invitation is None:
            return _invalid()
        now = datetime.now(UTC)
        closed = _closed(invitation.event, now, _in_app(invitation))
        if closed is not None:
            return closed
        if invitation.event.status == "polling":
            return _poll(invitation, now)
        return _rsvp(invitation, now)


def _rsvp(invitation: EventInvitation, now: datetime) -> Response:
    errors: dict[str, str] = {}
    values = {"response": invitation.response or "", "party_size": invitation.party_size,
              "comment": invitation.comment or ""}
    if request.method == "POST":
        data, errors = load(AnswerForm(), _answer_input(request.form))
        if errors:
            values = {key: request.form.get(key, "") for key in values}
        else:
            invitation.response = data["response"]
            invitation.party_size = data["party_size"]
            invitation.comment = data["comment"]
            invitation.responded_at = now
            db.session.commit()
            flash("Merci, votre réponse est enregistrée : "
                  f"{_answer_summary(data['response'], data['party_size'])}.", "success")
            return _private(redirect(url_for("rsvp.answer", token=request.view_args["token"]),
                                     303))
    current = (_answer_summary(invitation.response, invitation.party_size)
               if invitation.response in RESPONSES else "")
    return _page("answer.html", 422 if errors else 200, values=values, errors=errors,
                 in_app=_in_app(invitation),
                 current_summary=current, **_context(invitation, now))


def _poll(invitation: EventInvitation, now: datetime) -> Response:
    event = invitation.event
    open_options = [o for o in event.date_options if o.starts_at > now]
    votes = dict(db.session.execute(
        sa.select(DateVote.option_id, DateVote.available)
        .where(DateVote.invitation_id == invitation.id)).all())
    chosen = {option_id for option_id, available in votes.items() if available}
    none_fits = bool(votes) and not chosen
    errors: dict[str, str] = {}
    if request.method == "POST":
        raw = request.form.getlist("option")
        none_fits = request.form.get("none") == "on"
        wanted = {o.id for o in open_options}
        chosen = {int(value) for value in raw
                  if value.isascii() and value.isdigit() and len(value) < 19}
        if len(chosen) != len(raw) or not chosen <= wanted:
            errors["option"] = OPTIONS_INVALID
            chosen = chosen & wanted
        elif chosen and none_fits:
            errors["option"] = OPTIONS_CONTRADICT
        if not errors and open_options:
            rows = [{"invitation_id": invitation.id, "option_id": o.id,
                     "available": o.id in chosen, "tenant_id": invitation.tenant_id,
                     "network_id": invitation.network_id} for o in open_options]
            stmt = pg_insert(DateVote).values(rows)
            db.session.execute(stmt.on_conflict_do_update(
                constraint="uq_date_vote_once", set_={"available": stmt.excluded.available}))
            db.session.commit()
            flash("Merci, votre réponse est enregistrée : "
                  f"{_dates_summary(len(chosen))}.", "success")
            return _private(redirect(url_for("rsvp.answer", token=request.view_args["token"]),
                                     303))
    return _page("poll.html", 422 if errors else 200, errors=errors, chosen=chosen,
                 in_app=_in_app(invitation),
                 none_fits=none_fits, voted=bool(votes), votes=votes,
                 current_summary=_dates_summary(sum(1 for v in votes.values() if v)),
                 open_ids={o.id for o in open_options}, **_context(invitation, now))


@bp.get("/invitation/<token>/evenement.ics")
def ics(token: str):
    from app.events.ics import ICS_MIMETYPE, event_calendar

    found = _find(token)
    if found is None:
        return _invalid()
    invitation_id, space = found
    with tenancy.use_space(space, db.session):
        invitation = _load(invitation_id)
        if invitation is None:
            return _invalid()
        event = invitation.event
        closed = _closed(event, datetime.now(UTC))
        if closed is not None:
            return closed
        if event.status != "scheduled" or event.starts_at is None:
            return _page("no_date.html", 404, event=event, token=token)
        body = event_calendar([event], event.title)
    response = Response(body, content_type=ICS_MIMETYPE)
    response.headers["Content-Disposition"] = 'attachment; filename="evenement.ics"'
    return _private(response)
