"""Forms of the committees area: committees, members, requests to join, decisions and
their actions. Dates are plain calendar days (no time, no time zone)."""

from __future__ import annotations

from marshmallow import ValidationError, fields, validates_schema

from app.committees.models import ACTION_STATUSES, COMMITTEE_KINDS, POSITIONS
from app.core.form_dates import Day
from app.core.forms import FormSchema, boolean, choice, email, text

MANDATE_ORDER = "La fin du mandat ne peut pas précéder son début."




class OptionalId(fields.Field):
    """A select whose blank option means « none »."""

    def __init__(self, **kwargs):
        super().__init__(load_default=None, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> int | None:
        raw = (value or "").strip()
        if not raw:
            return None
        if not raw.isascii() or not raw.isdigit() or len(raw) > 15:
            raise ValidationError("Choisissez une valeur dans la liste.")
        return int(raw)


class CommitteeSchema(FormSchema):
    name = text(required=True, max_length=200)
    kind = choice(COMMITTEE_KINDS)
    purpose = text(max_length=5000)
    usual_place = text(max_length=1000)
    accepts_requests = boolean()


class _Mandate(FormSchema):
    position = choice(POSITIONS)
    represents = text(max_length=200)
    mandate_start = Day()
    mandate_end = Day()

    @validates_schema
    def _in_order(self, data, **kwargs):
        start, end = data.get("mandate_start"), data.get("mandate_end")
        if start and end and end < start:
            raise ValidationError(MANDATE_ORDER, "mandate_end")


class MemberEditSchema(_Mandate):
    pass


class MemberNewSchema(_Mandate):
    """Exactly one way to name the person: a user of the tenant (select, tenant space), the
    address of a Maillage account, or a contact of the network's partner directory."""

    user_id = OptionalId()
    email = email(required=False)
    contact_id = OptionalId()

    def __init__(self, user_ids=(), contact_ids=(), **kwargs):
        super().__init__(**kwargs)
        self.user_ids = set(user_ids)
        self.contact_ids = set(contact_ids)

    @validates_schema
    def _one_person(self, data, **kwargs):
        user_id, contact_id = data.get("user_id"), data.get("contact_id")
        if user_id is not None and user_id not in self.user_ids:
            raise ValidationError("Choisissez une valeur dans la liste.", "user_id")
        if contact_id is not None and contact_id not in self.contact_ids:
            raise ValidationError("Choisissez une valeur dans la liste.", "contact_id")
        given = sum(1 for v in (user_id, data.get("email"), contact_id) if v)
        if given == 0:
            raise ValidationError("Indiquez la personne à ajouter : choisissez-la dans une "
                                  "liste ou saisissez l’adresse e-mail de son compte Maillage.",
                                  "email")
        if given > 1:
            raise ValidationError("Une seule personne à la fois : ne remplissez qu’un des "
                                  "trois moyens de la désigner.", "email")


class JoinRequestSchema(FormSchema):
    message = text(max_length=2000)


class AcceptSchema(FormSchema):
    position = choice(POSITIONS)
    mandate_start = Day()
    mandate_end = Day()

    @validates_schema
    def _in_order(self, data, **kwargs):
        start, end = data.get("mandate_start"), data.get("mandate_end")
        if start and end and end < start:
            raise ValidationError(MANDATE_ORDER, "mandate_end")


class DeclineSchema(FormSchema):
    note = text(max_length=2000)


class DecisionSchema(FormSchema):
    title = text(required=True, max_length=500)
    details = text(max_length=10000)


class ActionSchema(FormSchema):
    title = text(required=True, max_length=500)
    owner_member_id = OptionalId()
    owner_name = text(max_length=200)
    owner_email = email(required=False)
    due_on = Day()
    status = choice(ACTION_STATUSES)

    def __init__(self, member_ids=(), **kwargs):
        super().__init__(**kwargs)
        self.member_ids = set(member_ids)

    @validates_schema
    def _owner(self, data, **kwargs):
        member_id = data.get("owner_member_id")
        if member_id is not None and member_id not in self.member_ids:
            raise ValidationError("Choisissez une valeur dans la liste.", "owner_member_id")
        if member_id is None and not data.get("owner_name"):
            raise ValidationError("Indiquez qui s’en charge : un membre du comité, ou un nom.",
                                  "owner_name")


class StatusSchema(FormSchema):
    status = choice(ACTION_STATUSES)
