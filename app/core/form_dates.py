"""Dates and times in forms: typed in Europe/Paris (date, datetime-local, or rows of date +
start + end), returned as dates or aware UTC datetimes, with French messages."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from marshmallow import ValidationError, fields

from app.core.ui import PARIS


class Day(fields.Field):
    """A date typed in an `<input type="date">` (« 2026-03-15 »); blank means none."""

    def __init__(self, **kwargs):
        super().__init__(load_default=None, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> date | None:
        raw = (value or "").strip()
        if not raw:
            return None
        try:
            day = date.fromisoformat(raw)
        except ValueError as exc:
            raise ValidationError("Date invalide (exemple : 15/03/2026).") from exc
        if not 2000 <= day.year <= 2100:
            raise ValidationError("Date invalide : l’année doit être comprise entre 2000 "
                                  "et 2100.")
        return day


class ParisDateTime(fields.Field):
    """A datetime-local value (« 2026-03-03T14:00 ») read in Europe/Paris → aware UTC."""

    def __init__(self, **kwargs):
        super().__init__(load_default=None, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> datetime | None:
        raw = (value or "").strip()
        if not raw:
            return None
        try:
            local = datetime.fromisoformat(raw)
        except ValueError as exc:
            raise ValidationError("Date et heure invalides (exemple : 03/03/2026 14:00).") \
                from exc
        if local.tzinfo is not None:
            raise ValidationError("Date et heure invalides.")
        return local.replace(tzinfo=PARIS).astimezone(UTC)


def to_local_input(value: datetime | None) -> str:
    """UTC → the value of a datetime-local input, in Europe/Paris."""
    return value.astimezone(PARIS).strftime("%Y-%m-%dT%H:%M") if value else ""


def parse_time_rows(form, prefix: str, label: str, max_rows: int
                    ) -> tuple[list[tuple[int, datetime, datetime]], dict[str, str]]:
    """Rows 1..max_rows of `<prefix>_date_N`, `<prefix>_start_N`, `<prefix>_end_N` →
    [(N, starts_at, ends_at)] in UTC. A row left entirely blank is ignored; errors are keyed
    by the row's date field and start with `label` and the row number (« Séance 2 : … »)."""
    rows: list[tuple[int, datetime, datetime]] = []
    errors: dict[str, str] = {}
    for row in range(1, max_rows + 1):
        raw = [(form.get(f"{prefix}_{part}_{row}") or "").strip()
               for part in ("date", "start", "end")]
        if not any(raw):
            continue
        key = f"{prefix}_date_{row}"
        if not all(raw):
            errors[key] = f"{label} {row} : indiquez la date, l’heure de début et de fin."
            continue
        try:
            day = date.fromisoformat(raw[0])
            start, end = time.fromisoformat(raw[1]), time.fromisoformat(raw[2])
        except ValueError:
            errors[key] = f"{label} {row} : date ou heure invalide."
            continue
        if end <= start:
            errors[key] = f"{label} {row} : l’heure de fin doit suivre l’heure de début."
            continue
        rows.append((row, datetime.combine(day, start, PARIS).astimezone(UTC),
                     datetime.combine(day, end, PARIS).astimezone(UTC)))
    return rows, errors
