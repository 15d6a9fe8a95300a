"""Forms of the tenant space: communes, relais, reception points, people and roles."""

from __future__ import annotations

from marshmallow import fields, pre_load

from app.core.forms import FormSchema, boolean, choice, email, id_list, phone, text
from app.tenants.models import RECEPTION_KINDS, TENANT_ROLES

INVALID_CHOICE = "Choisissez une valeur dans la liste."


def optional_id() -> fields.Integer:
    """A <select> whose blank option means “none”."""
    return fields.Integer(load_default=None, allow_none=True, strict=False,
                          error_messages={"invalid": INVALID_CHOICE, "null": INVALID_CHOICE})


class TenantForm(FormSchema):
    """A blank optional value is treated as missing, so its default applies without being
    validated (an empty optional e-mail, the blank option of a select)."""

    blank_is_missing: tuple[str, ...] = ()

    @pre_load
    def _clean(self, data, **kwargs):
        cleaned = super()._clean(data, **kwargs)
        for key in self.blank_is_missing:
            if cleaned.get(key) == "":
                del cleaned[key]
        return cleaned


class CommuneDeskSchema(TenantForm):
    desk_phone = phone()
    desk_hours = text(max_length=2000)


class RelaisSchema(TenantForm):
    list_fields = ("communes",)
    blank_is_missing = ("email",)

    name = text(required=True, max_length=200)
    address = text(max_length=1000)
    phone = phone()
    email = email(required=False)
    opening_hours = text(max_length=2000)
    is_itinerant = boolean()
    communes = id_list()


class ReceptionPointSchema(TenantForm):
    blank_is_missing = ("commune_id",)

    name = text(required=True, max_length=200)
    kind = choice(RECEPTION_KINDS)
    commune_id = optional_id()
    address = text(max_length=1000)
    phone = phone()
    opening_hours = text(max_length=2000)


class RoleSchema(TenantForm):
    """A role and its optional attachment (desk, relais or commune)."""

    blank_is_missing = ("reception_point_id", "relais_id", "commune_id")

    role = choice(TENANT_ROLES)
    reception_point_id = optional_id()
    relais_id = optional_id()
    commune_id = optional_id()


class InviteSchema(RoleSchema):
    email = email()
    full_name = text(required=True, max_length=200)
