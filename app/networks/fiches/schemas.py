"""Forms of the authors' side of fiches: the fiche itself, publication, verification and
themes. Lists are typed one item per line; placeholders are checked against the known ones."""

from __future__ import annotations

from datetime import date

from marshmallow import ValidationError, fields, validate, validates_schema

from app.core.forms import REQUIRED, FormSchema, text
from app.networks.fiches.models import AUDIENCES, REFERRAL_KINDS
from app.networks.fiches.text import PLACEHOLDERS, unknown_placeholders

FIRST_ANSWER_MAX = 800
KINDS_HELP = ", ".join(REFERRAL_KINDS)
# Fields whose text may hold placeholders, checked in this order.
PLACEHOLDER_FIELDS = ("title", "first_answer", "details_md", "cannot_do", "referrals")


class Lines(fields.Field):
    """A textarea with one item per line → the list of its non-blank lines, without repeats."""

    def __init__(self, max_items: int = 40, max_length: int = 300, **kwargs):
        super().__init__(load_default=list, **kwargs)
        self.max_items, self.max_length = max_items, max_length

    def _deserialize(self, value, attr, data, **kwargs) -> list[str]:
        if not isinstance(value, str):
            raise ValidationError("Texte invalide.")
        items: list[str] = []
        for number, line in enumerate(value.splitlines(), start=1):
            line = line.strip()
            if not line or line in items:
                continue
            if len(line) > self.max_length:
                raise ValidationError(
                    f"Ligne {number} : {self.max_length} caractères au maximum.")
            items.append(line)
        if len(items) > self.max_items:
            raise ValidationError(f"{self.max_items} lignes au maximum.")
        return items


class Referrals(fields.Field):
    """One referral per line: « type | libellé » or « type | libellé | organisme »."""

    def __init__(self, max_items: int = 12, **kwargs):
        super().__init__(load_default=list, **kwargs)
        self.max_items = max_items

    def _deserialize(self, value, attr, data, **kwargs) -> list[dict]:
        if not isinstance(value, str):
            raise ValidationError("Texte invalide.")
        referrals: list[dict] = []
        for number, line in enumerate(value.splitlines(), start=1):
            if not line.strip():
                continue
            parts = [part.strip() for part in line.split("|")]
            kind = parts[0].lower()
            if kind not in REFERRAL_KINDS:
                raise ValidationError(
                    f"Ligne {number} : « {parts[0]} » n’est pas un type d’orientation connu "
                    f"(types possibles : {KINDS_HELP}).")
            if len(parts) > 3:
                raise ValidationError(
                    f"Ligne {number} : trois parties au plus, séparées par « | ».")
            label = parts[1] if len(parts) > 1 and parts[1] else REFERRAL_KINDS[kind]
            if len(label) > 200:
                raise ValidationError(f"Ligne {number} : libellé de 200 caractères au maximum.")
            referral = {"kind": kind, "label": label}
            if len(parts) == 3 and parts[2]:
                referral["organisation"] = parts[2][:200]
            referrals.append(referral)
        if len(referrals) > self.max_items:
            raise ValidationError(f"{self.max_items} orientations au maximum.")
        return referrals


class OptionalDate(fields.Date):
    """A date field that may be left blank (→ None)."""

    def __init__(self, **kwargs):
        super().__init__(load_default=None, allow_none=True, error_messages={
            "invalid": "Date invalide (exemple : 2026-09-30)."}, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> date | None:
        if value in ("", None):
            return None
        return super()._deserialize(value, attr, data, **kwargs)


class OptionalId(fields.Integer):
    def __init__(self, **kwargs):
        super().__init__(load_default=None, allow_none=True,
                         error_messages={"invalid": "Choisissez une valeur dans la liste."},
                         **kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> int | None:
        if value in ("", None):
            return None
        return super()._deserialize(value, attr, data, **kwargs)


class FicheSchema(FormSchema):
    """The text of a fiche. `theme_ids` are the themes the author may choose from."""

    list_fields = ("audiences",)

    title = text(required=True, max_length=200)
    theme_id = OptionalId()
    audiences = fields.List(
        fields.String(validate=validate.OneOf(list(AUDIENCES),
                                              error="Choisissez un public dans la liste.")),
        load_default=list)
    first_answer = text(max_length=FIRST_ANSWER_MAX)
    details_md = text(max_length=20000)
    phrasings = Lines(max_items=40, max_length=200)
    referrals = Referrals()
    cannot_do = text(max_length=2000)
    sources = Lines(max_items=20, max_length=300)
    review_due = OptionalDate()

    def __init__(self, theme_ids=(), **kwargs):
        super().__init__(**kwargs)
        self.theme_ids = set(theme_ids)

    @validates_schema(skip_on_field_errors=False)
    def _check(self, data, **kwargs):
        errors: dict[str, str] = {}
        theme_id = data.get("theme_id")
        if theme_id is not None and theme_id not in self.theme_ids:
            errors["theme_id"] = "Choisissez un thème dans la liste."
        for name in PLACEHOLDER_FIELDS:
            value = data.get(name)
            if value is None:
                continue
            if name == "referrals":
                value = " ".join(r["label"] for r in value)
            unknown = sorted(unknown_placeholders(value))
            if unknown:
                errors[name] = (
                    ("Balise inconnue : " if len(unknown) == 1 else "Balises inconnues : ")
                    + ", ".join("{" + p + "}" for p in unknown)
                    + ". Balises possibles : " + ", ".join("{" + p + "}" for p in PLACEHOLDERS)
                    + ".")
        if errors:
            raise ValidationError(errors)


class PublishSchema(FormSchema):
    summary = fields.String(
        required=True,
        validate=[validate.Length(min=1, error="Résumez la modification en une ligne "
                                               "(exemple : « Nouveaux horaires du relais »)."),
                  validate.Length(max=200, error="200 caractères au maximum.")],
        error_messages={"required": "Résumez la modification en une ligne (exemple : "
                                    "« Nouveaux horaires du relais »).",
                        "null": REQUIRED})


class VerifySchema(FormSchema):
    review_due = OptionalDate()


class ThemeSchema(FormSchema):
    name = text(required=True, max_length=120)
    position = fields.Integer(
        load_default=0, pre_load=[lambda v: 0 if v == "" else v],
        validate=validate.Range(min=0, max=999, error="Un nombre de 0 à 999."),
        error_messages={"invalid": "Un nombre de 0 à 999."})


def form_values(content: dict) -> dict:
    """The form's values for a fiche's content (lists become one line per item)."""
    referrals = []
    for r in content.get("referrals") or []:
        parts = [r.get("kind", ""), r.get("label", "")]
        if r.get("organisation"):
            parts.append(r["organisation"])
        referrals.append(" | ".join(parts))
    review_due = content.get("review_due")
    return {
        "title": content.get("title") or "",
        "theme_id": content.get("theme_id") or "",
        "audiences": list(content.get("audiences") or []),
        "first_answer": content.get("first_answer") or "",
        "details_md": content.get("details_md") or "",
        "phrasings": "\n".join(content.get("phrasings") or []),
        "referrals": "\n".join(referrals),
        "cannot_do": content.get("cannot_do") or "",
        "sources": "\n".join(content.get("sources") or []),
        "review_due": review_due.isoformat() if review_due else "",
    }
