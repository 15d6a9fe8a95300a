"""Tenant space: /t/<tenant>/…"""

from __future__ import annotations

from flask import Blueprint, g, render_template

from app.core import spaces

bp = Blueprint("tenants", __name__, url_prefix="/t/<tenant_slug>", template_folder="templates")


@bp.url_value_preprocessor
def _pull_slug(endpoint, values):
    g.tenant_slug = values.pop("tenant_slug", None)


@bp.url_defaults
def _add_slug(endpoint, values):
    if "tenant_slug" not in values and g.get("tenant") is not None:
        values["tenant_slug"] = g.tenant.slug


@bp.before_request
def _enter():
    return spaces.enter_tenant(g.tenant_slug)


@bp.get("/")
def home():
    return render_template("tenants/home.html")
