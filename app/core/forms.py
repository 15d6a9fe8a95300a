"""Form validation with marshmallow, French messages, and the typed values kept on error."""

from __future__ import annotations

import re

from marshmallow import EXCLUDE, Schema, ValidationError, fields, pre_load, validate

REQUIRED = "Ce champ est obligatoire."
PHONE_RE = re.compile(r"^[0-9+().\s-]{6,30}$")


def text(required: bool = False, max_length: int = 200, **kw) -> fields.String:
    validators = [validate.Length(max=max_length,
                                  error=f"{max_length} caractères au maximum.")]
    if required:
        validators.append(validate.Length(min=1, error=REQUIRED))
    extra = {} if required else {"load_default": ""}
    return fields.String(
        required=required, validate=validators, **extra,
        error_messages={"required": REQUIRED, "null": REQUIRED,
                        "invalid": "Texte invalide."}, **kw)


EMAIL_INVALID = "Adresse e-mail invalide (exemple : prenom.nom@mairie.fr)."


def email(required: bool = True) -> fields.Field:
    if required:
        return fields.Email(required=True, error_messages={
            "required": REQUIRED, "null": REQUIRED, "invalid": EMAIL_INVALID})
    # Optional: blank is accepted, anything else must be an address.
    check = validate.Email(error=EMAIL_INVALID)

    def blank_or_email(value: str) -> None:
        if value != "":
            check(value)

    return fields.String(load_default="", validate=blank_or_email)


def phone() -> fields.String:
    return fields.String(
        load_default="",
        validate=validate.Regexp(
            r"^$|" + PHONE_RE.pattern,
            error="Numéro de téléphone invalide (exemple : 02 96 00 00 00)."))


def choice(options, required: bool = True) -> fields.String:
    extra = {} if required else {"load_default": ""}
    return fields.String(
        required=required, **extra,
        validate=validate.OneOf(list(options), error="Choisissez une valeur dans la liste."),
        error_messages={"required": REQUIRED, "null": REQUIRED})


def boolean() -> fields.Boolean:
    return fields.Boolean(load_default=False, truthy={"on", "1", "true", "oui", "y"},
                          falsy={"", "0", "false", "off", "non"})


def id_list() -> fields.List:
    return fields.List(fields.Integer(error_messages={"invalid": "Valeur invalide."}),
                       load_default=list)


class FormSchema(Schema):
    """Strips whitespace and blank optional values; ignores unknown keys (CSRF token…)."""

    class Meta:
        unknown = EXCLUDE

    list_fields: tuple[str, ...] = ()

    @pre_load
    def _clean(self, data, **kwargs):
        cleaned = {}
        for key in data:
            if key in self.list_fields:
                cleaned[key] = [v for v in data.getlist(key) if v != ""] \
                    if hasattr(data, "getlist") else data[key]
            else:
                value = data.get(key)
                cleaned[key] = value.strip() if isinstance(value, str) else value
        return cleaned


def load(schema: Schema, form) -> tuple[dict, dict[str, str]]:
    """(data, errors): errors maps field → first French message; data is what was typed."""
    try:
        return schema.load(form), {}
    except ValidationError as err:
        errors = {}
        for name, messages in err.messages.items():
            if isinstance(messages, dict):
                messages = [m for ms in messages.values() for m in ms]
            errors[name] = messages[0] if isinstance(messages, list) else str(messages)
        raw = {k: (form.getlist(k) if k in schema.list_fields and hasattr(form, "getlist")
                   else form.get(k)) for k in form}
        return raw, errors


class OptionalId(fields.Field):
    """A select whose blank option means « none »."""

    def __init__(self, **kwargs):
        super().__init__(load_default=None, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> int | None:
        raw = (value or "").strip()
        if not raw:
            return None
        if not raw.isdigit():
            raise ValidationError("Choisissez une valeur dans la liste.")
        return int(raw)
