"""Form schemas of the platform administration's tenant pages."""

from __future__ import annotations

from marshmallow import fields, validate

from app.core.forms import REQUIRED, FormSchema, boolean, choice, text
from app.networks.schemas import slug
from app.tenants.models import EPCI_KINDS


class Siren(fields.String):
    """Nine digits; the spaces people type when copying « 200 069 409 » are dropped."""

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        return value.replace(" ", "").replace("\u00a0", "").replace("\u202f", "")


class TenantEditSchema(FormSchema):
    name = text(required=True)
    slug = slug()
    is_active = boolean()


class TenantCreateSchema(FormSchema):
    name = text(required=True)
    siren = Siren(
        required=True,
        validate=[validate.Length(min=1, error=REQUIRED),
                  validate.Regexp(r"^[0-9]{9}$", error="Le SIREN compte exactement 9 chiffres.")],
        error_messages={"required": REQUIRED, "null": REQUIRED})
    slug = slug()
    kind = choice(EPCI_KINDS)
