"""Form schemas of the network space and of the platform's network forms."""

from __future__ import annotations

from marshmallow import ValidationError, fields, validate

from app.core.forms import REQUIRED, FormSchema, choice, email, phone, text
from app.networks.models import ORGANISATION_KINDS

SLUG_PATTERN = r"^[a-z0-9-]+$"
SLUG_ERROR = "Seulement des lettres minuscules sans accent, des chiffres et des tirets."
DEPARTEMENT_PATTERN = r"^$|^(?:[0-9]{2}|2A|2B|97[1-8])$"


def slug() -> fields.String:
    return fields.String(
        required=True,
        validate=[validate.Length(min=1, error=REQUIRED),
                  validate.Length(max=80, error="80 caractères au maximum."),
                  validate.Regexp(SLUG_PATTERN, error=SLUG_ERROR)],
        error_messages={"required": REQUIRED, "null": REQUIRED})


def website() -> fields.String:
    return fields.String(
        load_default="",
        validate=[validate.Length(max=300, error="300 caractères au maximum."),
                  validate.Regexp(r"^$|^https?://\S+$",
                                  error="Adresse web invalide (exemple : https://www.caf.fr).")])


def optional_email() -> fields.String:
    """An e-mail address that may be left blank (core's email(required=False) rejects "")."""
    check = validate.Email(error="Adresse e-mail invalide (exemple : accueil@caf.fr).")

    def valid_or_blank(value: str) -> None:
        if value:
            check(value)
        if len(value) > 254:
            raise ValidationError("254 caractères au maximum.")

    return fields.String(load_default="", validate=valid_or_blank)


class OrganisationSchema(FormSchema):
    name = text(required=True)
    kind = choice(ORGANISATION_KINDS)
    email = optional_email()
    phone = phone()
    website = website()
    address = text(max_length=1000)
    notes = text(max_length=5000)


class ContactSchema(FormSchema):
    full_name = text(required=True)
    position = text()
    email = email()
    phone = phone()


class InviteSchema(FormSchema):
    email = email()
    full_name = text(max_length=200)


class NetworkSchema(FormSchema):
    name = text(required=True)
    slug = slug()
    coordinator_org = text()
    departement = fields.String(
        load_default="",
        validate=validate.Regexp(
            DEPARTEMENT_PATTERN,
            error="Code de département invalide (exemples : 22, 2A, 974)."))
    description = text(max_length=5000)



def _as(field: fields.Field, key: str) -> fields.Field:
    field.data_key = key
    return field


class NewContactSchema(FormSchema):
    """The add-contact form shares its page with the organisation form: prefixed names keep
    the field ids unique (f-contact_email next to f-email). Loads the same keys as
    ContactSchema."""

    full_name = _as(text(required=True), "contact_full_name")
    position = _as(text(), "contact_position")
    email = _as(email(), "contact_email")
    phone = _as(phone(), "contact_phone")
