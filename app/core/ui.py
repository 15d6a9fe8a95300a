"""Template helpers: French dates, the htmx-aware renderer, pagination, navigation."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Flask, g, has_request_context, render_template, request
from flask_login import current_user

from app.extensions import htmx

PARIS = ZoneInfo("Europe/Paris")
DAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
          "septembre", "octobre", "novembre", "décembre"]


def date_fr(value: date | datetime | None, with_time: bool = True) -> str:
    """« mardi 3 mars 2026 à 14 h 00 », in Europe/Paris."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        local = value.astimezone(PARIS) if value.tzinfo else value
        text = f"{DAYS[local.weekday()]} {local.day} {MONTHS[local.month - 1]} {local.year}"
        if with_time:
            text += f" à {local.hour} h {local.minute:02d}"
        return text
    return f"{DAYS[value.weekday()]} {value.day} {MONTHS[value.month - 1]} {value.year}"


def render(template: str, partial: str | None = None, **context):
    """Render the page, or only `partial` when htmx asks for a fragment."""
    if partial and htmx and not htmx.boosted and not htmx.history_restore_request:
        return render_template(partial, **context)
    return render_template(template, **context)


@dataclass
class Page:
    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def paginate(session, stmt, per_page: int = 25) -> Page:
    """Two queries whatever the size: a count and one page of rows."""
    import sqlalchemy as sa

    try:
        page = max(1, int(request.args.get("page", "1")))
    except ValueError:
        page = 1
    total = session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery()))
    items = session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)).all()
    return Page(items=list(items), page=page, per_page=per_page, total=total or 0)


def page_url(page: int) -> str:
    args = request.args.to_dict()
    args["page"] = str(page)
    from urllib.parse import urlencode

    return f"{request.path}?{urlencode(args)}"


def init_app(app: Flask) -> None:
    app.jinja_env.filters["date_fr"] = date_fr
    app.jinja_env.filters["day_fr"] = lambda v: date_fr(v, with_time=False)
    app.jinja_env.filters["month_fr"] = lambda v: f"{MONTHS[v.month - 1]} {v.year}" if v else ""
    app.jinja_env.globals["page_url"] = page_url
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def _shell():
        from app.core.spaces import has_role, remembered_spaces

        # Jobs render templates too (e-mails), with no request and no user.
        signed_in = has_request_context() and bool(current_user) and current_user.is_authenticated
        spaces = remembered_spaces() if signed_in else []
        return {
            "user_spaces": spaces,
            "space_kind": g.get("space_kind"),
            "current_tenant": g.get("tenant"),
            "current_network": g.get("network"),
            "has_role": has_role,
        }
