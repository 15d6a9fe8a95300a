"""Platform administration: /admin/… (networks, tenants, first administrators, outbox, audit)."""

from __future__ import annotations

from flask import Blueprint, render_template

from app.core import spaces

bp = Blueprint("platform", __name__, url_prefix="/admin", template_folder="templates")


@bp.before_request
def _enter():
    return spaces.enter_platform()


@bp.get("/")
def home():
    return render_template("tenants/admin/home.html")
