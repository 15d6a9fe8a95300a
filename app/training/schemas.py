"""Forms of the coordinator's side of training: modules, sessions with their sittings and
per-tenant quotas. Dates and times are typed in Europe/Paris and returned in UTC."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation

from marshmallow import ValidationError, fields, validates_schema

from app.core.form_dates import ParisDateTime, parse_time_rows
from app.core.forms import REQUIRED, FormSchema, OptionalId, choice, text
from app.training.models import MODULE_KINDS

MAX_SITTINGS = 9
MODULE_STATUSES = {"draft": "Brouillon", "published": "Publié"}
EDITABLE_STATES = {"planned": "Prévue", "open": "Inscriptions ouvertes", "closed": "Close",
                   "done": "Terminée"}


class Hours(fields.Field):
    """A duration in hours, « 3 », « 3,5 » or « 3.5 », at least 0."""

    def _deserialize(self, value, attr, data, **kwargs) -> Decimal:
        raw = (value or "").strip().replace(",", ".")
        if not raw:
            raise ValidationError(REQUIRED)
        try:
            hours = Decimal(raw)
        except InvalidOperation as exc:
            raise ValidationError("Indiquez un nombre d’heures (exemple : 3,5).") from exc
        if not hours.is_finite() or hours < 0:
            raise ValidationError("La durée doit être positive ou nulle.")
        if hours >= 10000:
            raise ValidationError("Durée trop longue (9 999 heures au maximum).")
        return hours.quantize(Decimal("0.1"))


class PositiveInt(fields.Field):
    def __init__(self, minimum: int = 1, **kwargs):
        super().__init__(**kwargs)
        self.minimum = minimum

    def _deserialize(self, value, attr, data, **kwargs) -> int:
        raw = (value or "").strip()
        if not raw:
            raise ValidationError(REQUIRED)
        try:
            number = int(raw)
        except ValueError as exc:
            raise ValidationError("Indiquez un nombre entier.") from exc
        if number < self.minimum:
            raise ValidationError(f"Le nombre doit être au moins {self.minimum}.")
        if number > 100000:
            raise ValidationError("Nombre trop grand.")
        return number


class ModuleSchema(FormSchema):
    title = text(required=True, max_length=200)
    kind = choice(MODULE_KINDS)
    objectives = text(max_length=5000)
    programme = text(max_length=10000)
    audience = text(max_length=2000)
    duration_hours = Hours(required=True, error_messages={"required": REQUIRED})
    provider_organisation_id = OptionalId()
    provider_name = text(max_length=200)
    prerequisites = text(max_length=5000)
    status = choice(MODULE_STATUSES)

    def __init__(self, organisation_ids=(), **kwargs):
        super().__init__(**kwargs)
        self.organisation_ids = set(organisation_ids)

    @validates_schema
    def _provider(self, data, **kwargs):
        org = data.get("provider_organisation_id")
        if org is not None and org not in self.organisation_ids:
            raise ValidationError("Choisissez une valeur dans la liste.",
                                  "provider_organisation_id")


class SessionSchema(FormSchema):
    place_address = text(max_length=1000)
    room = text(max_length=200)
    remote_link = text(max_length=500)
    capacity = PositiveInt(required=True, error_messages={"required": REQUIRED})
    registration_opens_at = ParisDateTime()
    registration_closes_at = ParisDateTime()
    cancellation_deadline = ParisDateTime()
    state = choice(EDITABLE_STATES)

    @validates_schema
    def _consistent(self, data, **kwargs):
        opens, closes = data.get("registration_opens_at"), data.get("registration_closes_at")
        if opens and closes and closes <= opens:
            raise ValidationError("La clôture doit suivre l’ouverture des inscriptions.",
                                  "registration_closes_at")
        link = data.get("remote_link") or ""
        if link and not link.startswith(("https://", "http://")):
            raise ValidationError("Le lien doit commencer par https://.", "remote_link")


def parse_sittings(form) -> tuple[list[tuple[datetime, datetime]], dict[str, str]]:
    """Rows 1..9 of date + start + end (Europe/Paris) → [(starts_at, ends_at)] in UTC."""
    rows, errors = parse_time_rows(form, "sitting", "Séance", MAX_SITTINGS)
    sittings = [(starts, ends) for _, starts, ends in rows]
    if not sittings and not errors:
        errors["sitting_date_1"] = "Indiquez au moins une séance (date, début, fin)."
    return sorted(sittings), errors


def parse_quotas(form, tenant_ids) -> tuple[dict[int, int], dict[str, str]]:
    """quota_<tenant id> fields: blank = no quota, else a number of seats ≥ 0."""
    quotas: dict[int, int] = {}
    errors: dict[str, str] = {}
    for tenant_id in tenant_ids:
        raw = (form.get(f"quota_{tenant_id}") or "").strip()
        if not raw:
            continue
        if not raw.isdigit():
            errors[f"quota_{tenant_id}"] = "Indiquez un nombre de places (0 ou plus)."
            continue
        quotas[tenant_id] = int(raw)
    return quotas, errors
