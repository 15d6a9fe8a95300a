"""Forms of the organiser's side of events. Times are typed in Europe/Paris, stored in UTC."""

from __future__ import annotations

from datetime import datetime

from marshmallow import ValidationError, fields, validates_schema

from app.core.form_dates import ParisDateTime, parse_time_rows, to_local_input
from app.core.forms import FormSchema, OptionalId, choice, email, text
from app.events.models import EVENT_KINDS

__all__ = ["AgendaItemSchema", "EventSchema", "InviteEmailSchema", "MinutesSchema",
           "parse_date_options", "to_local_input", "MIN_OPTIONS", "MAX_OPTIONS"]

MIN_OPTIONS = 2
MAX_OPTIONS = 10
LINK_ERROR = "Le lien doit commencer par https:// (exemple : https://visio.exemple.fr/salle)."


class EventSchema(FormSchema):
    kind = choice(EVENT_KINDS)
    title = text(required=True, max_length=200)
    starts_at = ParisDateTime()
    ends_at = ParisDateTime()
    place = text(max_length=2000)
    remote_link = text(max_length=500)
    description = text(max_length=20000)
    facilitator_member_id = OptionalId()

    def __init__(self, *, needs_date: bool = False, member_ids=(), **kwargs):
        super().__init__(**kwargs)
        self.needs_date = needs_date
        self.member_ids = set(member_ids)

    @validates_schema
    def _consistent(self, data, **kwargs):
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if self.needs_date and starts is None:
            raise ValidationError("Indiquez la date et l’heure de début : l’événement est "
                                  "déjà annoncé aux invités.", "starts_at")
        if ends is not None and starts is None:
            raise ValidationError("Indiquez aussi le début.", "starts_at")
        if starts and ends and ends <= starts:
            raise ValidationError("La fin doit suivre le début.", "ends_at")
        link = data.get("remote_link") or ""
        if link and not link.startswith(("https://", "http://")):
            raise ValidationError(LINK_ERROR, "remote_link")
        member = data.get("facilitator_member_id")
        if member is not None and member not in self.member_ids:
            raise ValidationError("Choisissez une personne du comité dans la liste.",
                                  "facilitator_member_id")


class DurationMinutes(fields.Field):
    """A duration in minutes (blank allowed)."""

    def __init__(self, **kwargs):
        super().__init__(load_default=None, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> int | None:
        raw = (value or "").strip()
        if not raw:
            return None
        if not raw.isdigit():
            raise ValidationError("Indiquez une durée en minutes (exemple : 20).")
        number = int(raw)
        if not 1 <= number <= 1440:
            raise ValidationError("La durée doit être comprise entre 1 et 1 440 minutes.")
        return number


class AgendaItemSchema(FormSchema):
    title = text(required=True, max_length=300)
    presenter = text(max_length=200)
    duration_minutes = DurationMinutes()


class InviteEmailSchema(FormSchema):
    name = text(required=True, max_length=200)
    email = email()
    organisation = text(max_length=200)


class MinutesSchema(FormSchema):
    body = text(required=True, max_length=100000)
    note = text(max_length=200)


def parse_date_options(form) -> tuple[list[tuple[datetime, datetime]], dict[str, str]]:
    """Rows 1..10 of date + start + end (Europe/Paris) → sorted [(starts_at, ends_at)] in
    UTC. A row left blank is ignored; errors are keyed by the row's date field."""
    rows, errors = parse_time_rows(form, "option", "Proposition", MAX_OPTIONS)
    options: dict[datetime, datetime] = {}
    for row, starts, ends in rows:
        if starts in options:
            errors[f"option_date_{row}"] = f"Proposition {row} : cette date est déjà proposée."
            continue
        options[starts] = ends
    if not errors and len(options) < MIN_OPTIONS:
        errors["option_date_1"] = (f"Proposez au moins {MIN_OPTIONS} dates "
                                   "(date, heure de début et de fin).")
    return sorted(options.items()), errors


def option_values(options) -> dict[str, str]:
    """Existing date options → the form's row values."""
    values: dict[str, str] = {}
    for row, option in enumerate(options, start=1):
        start = to_local_input(option.starts_at)
        values[f"option_date_{row}"] = start[:10]
        values[f"option_start_{row}"] = start[11:]
        values[f"option_end_{row}"] = to_local_input(option.ends_at)[11:]
    return values

